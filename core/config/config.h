#pragma once

#include "config/modelpattern.h"

#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QSslCertificate>
#include <QString>
#include <QStringList>
#include <QUrl>
#include <optional>

namespace Switchyard {

// Where a secret comes from; the value itself never lives in the config.
struct SecretRef {
    enum class Source { None, Environment, Keychain };
    Source source = Source::None;
    QString name;

    bool isSet() const { return source != Source::None; }
    QString describe() const;
    bool operator==(const SecretRef &other) const = default;
};

enum class Capability : unsigned {
    None = 0,
    Tools = 1u << 0,
    Json = 1u << 1,
    Vision = 1u << 2,
    Stream = 1u << 3,
    Embeddings = 1u << 4,
    // Continues a trailing assistant message (a prefill) instead of answering anew.
    Prefill = 1u << 5,
    // Speaks OpenAI's Responses API: a /v1/responses request passes through to it untranslated.
    Responses = 1u << 6,
};
using Capabilities = unsigned;

QString capabilityName(Capability capability);
QStringList capabilityNames(Capabilities capabilities);
const QList<Capability> &allCapabilities();

// A prompt's tokens by how the provider's prompt cache took them. A provider that reports more
// cached tokens than prompt tokens is believed only up to the prompt: no part is negative.
struct PromptTokens {
    qint64 uncached = 0;
    qint64 cacheRead = 0;
    qint64 cacheWrite = 0;

    static PromptTokens split(qint64 tokensIn, qint64 cacheRead, qint64 cacheWrite)
    {
        const qint64 all = qMax<qint64>(0, tokensIn);
        const qint64 read = qBound<qint64>(0, cacheRead, all);
        const qint64 write = qBound<qint64>(0, cacheWrite, all - read);
        return { all - read - write, read, write };
    }
};

struct Price {
    double inputPerMTok = 0.0;
    double outputPerMTok = 0.0;
    // Prompt tokens read from, or written to, the provider's prompt cache; negative: not set,
    // priced as input.
    double cacheReadPerMTok = -1.0;
    double cacheWritePerMTok = -1.0;

    // `tokensIn` counts every prompt token, cached ones included (OpenAI's prompt_tokens);
    // `cacheRead` and `cacheWrite` say how many of them the cache served or stored.
    double costUsd(
        qint64 tokensIn, qint64 tokensOut, qint64 cacheRead = 0, qint64 cacheWrite = 0) const
    {
        const PromptTokens prompt = PromptTokens::split(tokensIn, cacheRead, cacheWrite);
        const double readPrice = cacheReadPerMTok < 0 ? inputPerMTok : cacheReadPerMTok;
        const double writePrice = cacheWritePerMTok < 0 ? inputPerMTok : cacheWritePerMTok;
        return (double(prompt.uncached) * inputPerMTok + double(prompt.cacheRead) * readPrice
                   + double(prompt.cacheWrite) * writePrice + double(tokensOut) * outputPerMTok)
            / 1e6;
    }
};

struct Timeouts {
    int connectMs = 5000;
    int firstByteMs = 30000;
    // From sending the request to the first content of a stream (text, a tool call, reasoning):
    // a provider that answers its headers at once and then says nothing is cut here.
    int firstTokenMs = 30000;
    int idleMs = 30000;
    int totalMs = 300000;
};

struct BreakerSettings {
    int window = 20;
    int minCalls = 5;
    double failureRate = 0.5;
    int consecutiveFailures = 5;
    int slowCallMs = 20000;
    double slowCallRate = 0.8;
    // Short, because a completion probe ends it only once the route answers again; doubled after
    // each failed recovery, so a flapping route that no probe vouches for stays away longer.
    int cooldownMs = 15000;
    int maxCooldownMs = 300000;
    int halfOpenCalls = 2;
};

struct RecoverySettings {
    // A tenth of the traffic for 10 s, half for 10 s, then all of it: a route that answers again
    // is back in full about 20 s after its trials.
    QList<double> steps { 0.1, 0.5, 1.0 };
    int stepMs = 10000;
};

struct ProbeSettings {
    // "completion" (a one-token completion: the API works), "models" (a models list: the host
    // answers), or "auto": a completion where the provider has a key and the route serves chat.
    QString kind = QStringLiteral("auto");
    int intervalMs = 30000; // an idle closed route
    // An open route, once its first cooldown is over: a completion that answers ends the cooldown.
    int openIntervalMs = 5000;
    int timeoutMs = 3000;
};

struct RetryPolicy {
    int maxRetries = 1;
    int baseMs = 200;
    int maxMs = 2000;
    int maxRetryAfterMs = 3000;
    // A route that timed out before its first byte or first token is retried too; by default
    // the next route is tried at once, since waiting on a silent route again only doubles the wait.
    bool retrySilent = false;
    // Retries a route may make per 10 s window: budgetRatio × requests + budgetMinRetries.
    // The floor keeps a quiet route able to retry at all (Linkerd's minRetriesPerSecond).
    double budgetRatio = 0.2;
    int budgetMinRetries = 3;
};

// One scripted episode of a simulated provider: from start_s to end_s of each cycle, `fault`
// ("503", "429", "500", "timeout", "refused" or "slow") hits `rate` of its requests.
struct SimulatedIncident {
    int startS = 0;
    int endS = 0;
    QString fault;
    double rate = 1.0;
    int latencyMs = 0; // for "slow"
};

// The behaviour of a provider of kind "simulated": no network, no key, scripted answers.
struct SimulationSettings {
    int latencyMs = 400;
    int jitterMs = 150;
    double errorRate = 0.0;
    int tokensOut = 40;
    int streamChunks = 6;
    int cycleS = 0; // 0: the incidents happen once; otherwise they repeat every cycle
    QList<SimulatedIncident> incidents;
};

// How the gateway checks an HTTPS provider's certificate (a self-hosted model server's, say,
// signed by the user's own certificate authority).
struct ProviderTls {
    QString caFile; // empty: the system's trusted authorities
    // Read from caFile when the configuration is loaded; the only authorities trusted for this
    // provider when set.
    QList<QSslCertificate> caCertificates;
    // Names those authorities (a digest of them), so that kept-alive connections verified under
    // one set are never lent to a provider that trusts another, nor kept across a reload that
    // changed the file.
    QByteArray caDigest;

    static QByteArray digestOf(const QList<QSslCertificate> &certificates);
};

// One of a provider's API keys. A provider has none (a local server), one, or a pool: teams hold
// several keys (projects, tiers, personal and shared) and hit one key's rate limit long before the
// provider is down.
struct ProviderKey {
    SecretRef ref;
    // How traces, metrics and the console name the key (never its value); the reference's name
    // unless the config gives one. Unique within the provider.
    QString label;
    double weight = 1.0; // its share of the conversations, relative to the pool's other keys

    bool operator==(const ProviderKey &other) const = default;
};

inline constexpr int MaxKeysPerProvider = 64;

struct ProviderConfig {
    QString name;
    QString kind = QStringLiteral("openai");
    QUrl baseUrl;
    QList<ProviderKey> keys; // empty: no key is sent
    SimulationSettings simulation; // kind "simulated" only
    ProviderTls tls;
};

struct RouteConfig {
    QString name;
    QString provider;
    QString model;
    Capabilities capabilities = 0;
    qint64 contextWindow = 0; // 0: unknown, never skipped for size
    Price price;
    Timeouts timeouts;
    BreakerSettings breaker;
    RecoverySettings recovery;
    ProbeSettings probe;
    double budgetUsdPerDay = 0.0; // 0: no cap
    // Sent where a provider requires max_tokens and the caller gave none; and the most that a
    // Messages or Responses request translated for this route asks it for.
    qint64 maxTokens = 4096;
};

// What a lane does when a stream that has reached the caller breaks (issue 16).
enum class Continuation {
    Off, // the caller gets the stream's error event
    // The next route continues the text already sent: with a prefill where it takes one (the
    // prefill capability), else anew, forwarding only what follows the text already sent
    Prefill,
    Restart, // the next route answers anew; only what follows the text already sent goes on
};
QString continuationName(Continuation continuation);

// When a lane starts a second route in parallel because the first has not produced its first
// content (a stream's first token, or a whole answer) in time (issue 16).
struct HedgeSettings {
    // The fixed delay; with `percentile`, the delay until the route has enough recent figures.
    int afterMs = 0;
    // 0: the fixed delay only. Otherwise this percentile (50–99.9) of the route's recent times to
    // first content, once it has HedgeMinSamples of them.
    double percentile = 0.0;
    bool enabled() const { return afterMs > 0; }
};
inline constexpr int HedgeMinSamples = 20;

struct LaneConfig {
    QString name;
    // Model names (or globs) that select the lane, such as the names coding agents send.
    QList<ModelPattern> models;
    QStringList chain;
    QString degraded;
    QStringList policyFallbacks;
    RetryPolicy retry;
    int deadlineMs = 120000;
    double budgetUsdPerDay = 0.0;
    Continuation continuation = Continuation::Off;
    HedgeSettings hedge;
};

enum class UnknownModelPolicy { Reject, DefaultLane };

// What the gateway accepts from clients and upstreams before it refuses or cuts them off: memory
// and time stay bounded whatever a peer sends (SPEC §11, issue 14).
struct Limits {
    qint64 maxEventBytes = 1024 * 1024; // one SSE event from an upstream
    qint64 maxPendingStreamBytes = 4 * 1024 * 1024; // queued to a client that is not reading
    int stalledClientMs = 30000; // a client that reads nothing for this long is dropped
    int maxRetryAfterMs = 600000; // the longest cooldown any upstream's Retry-After can cause
    qint64 maxHeadBytes = 64 * 1024; // a client's request line and headers
    int clientReadTimeoutMs = 30000; // a request begun must arrive whole within this (408)
    int clientIdleTimeoutMs = 120000; // a kept-alive client connection idle this long is closed
};

// State shared with the other instances of a fleet through Redis (issue 18): operator actions,
// open breakers, spend against the caps, and who is alive.
struct ClusterSettings {
    QString redisHost; // empty: no fleet, this instance keeps its state to itself
    quint16 redisPort = 6379;
    int redisDatabase = 0;
    QString instance; // how the others name this one; empty: host name and listen port

    bool enabled() const { return !redisHost.isEmpty(); }
    bool operator==(const ClusterSettings &other) const = default;
};

// Where the gateway says that something went wrong, beyond its console: an incoming webhook
// (Slack's, or anything that takes a JSON POST). Its URL carries the webhook's token, so it is a
// secret reference like an API key, never a literal in the file.
struct AlertSettings {
    enum class Event { BreakerOpened, LaneDegraded, LaneWithoutRoute, SpendCap };
    SecretRef webhook;
    QList<Event> on; // what is sent; every event when the config names none

    bool enabled() const { return webhook.isSet(); }
    bool wants(Event event) const { return on.contains(event); }
    bool operator==(const AlertSettings &other) const = default;
    static QString eventName(Event event);
    static std::optional<Event> parseEvent(const QString &name);
};

// HTTPS on the gateway's own listener: files in PEM, the key unencrypted (read at start, and
// again on a reload, so that a renewed certificate is taken up).
struct TlsSettings {
    QString certFile; // the certificate, then any intermediates
    QString keyFile;

    bool enabled() const { return !certFile.isEmpty(); }
    bool operator==(const TlsSettings &other) const = default;
};

// Where the gateway sends OpenTelemetry spans of its requests (OTLP/HTTP): one span per request
// and one per attempt, the caller's traceparent continued. A header's value may carry the
// collector's token, so each is a secret reference like an API key. The standard
// OTEL_EXPORTER_OTLP_* variables fill in what the file leaves out (see the engine).
struct TelemetrySettings {
    QUrl endpoint; // the collector's base URL (…:4318) or its /v1/traces; empty: from the env
    QList<QPair<QString, SecretRef>> headers;
    double sampleRatio = -1.0; // of the requests that come without a sampled traceparent; -1: 1.0
                               // or the environment's

    bool operator==(const TelemetrySettings &other) const = default;
};

// Which requests keep their bodies (issue 22): none, those with a failed attempt or an error
// answer, or every one.
enum class CaptureMode { Off, Errors, All };

// Body capture: what the caller sent, what each upstream was sent after translation and what it
// answered, kept beside the trace (redacted, bounded, in a file only the user can read) so that a
// developer can see what was actually sent and replay it on another route. Off by default.
struct CaptureSettings {
    static constexpr qint64 DefaultMaxBytes = 64 * 1024;
    static constexpr qint64 MostMaxBytes = 4 * 1024 * 1024;
    static constexpr int MaxRedactPatterns = 32;

    CaptureMode bodies = CaptureMode::Off;
    qint64 maxBytes = DefaultMaxBytes; // of each body kept; the rest is cut off and said so
    int retentionHours = 24;
    // Regular expressions whose matches are blanked in every stored body, beside the keys and
    // anything shaped like a credential.
    QStringList redactPatterns;

    bool enabled() const { return bodies != CaptureMode::Off; }
    bool operator==(const CaptureSettings &other) const = default;
};

QString captureModeName(CaptureMode mode);

// The whole routing configuration, as validated; immutable once applied.
struct Config {
    QString listenHost = QStringLiteral("127.0.0.1");
    quint16 listenPort = 8787;
    SecretRef adminToken;
    AlertSettings alerts;
    TelemetrySettings telemetry;
    CaptureSettings capture;
    QMap<QString, ProviderConfig> providers;
    QMap<QString, RouteConfig> routes;
    QMap<QString, LaneConfig> lanes;
    QString defaultLane;
    UnknownModelPolicy unknownModel = UnknownModelPolicy::Reject;
    qint64 maxRequestBytes = 32 * 1024 * 1024;
    // Host names (beyond the listen address and loopback) that requests may address, and web
    // origins that may call at all: both empty by default, so a web page cannot.
    QStringList allowedHosts;
    QStringList allowedOrigins;
    Limits limits;
    int traceRetentionHours = 168;
    int traceMaxCount = 100000;
    // The share of plain successes (answered by the first route at the first try) whose traces
    // are written to the store; everything else is always written.
    double traceSuccessSampleRatio = 1.0;
    // The I/O threads that serve the clients; 0: one per core. One: the engine thread serves them
    // itself. Taken up at start; a reload keeps the running number.
    int workers = 0;
    static constexpr int MaxWorkers = 64;
    int effectiveWorkers() const;
    ClusterSettings cluster;
    TlsSettings tls;
    // "error", "warning", "info" or "debug"; empty: the mode's own (info headless, warning in
    // the console, whose window shows what the lines would say).
    QString logLevel;
    QJsonObject source; // the document as read, unknown keys included, for saving back

    QString listenAddress() const;
    bool listensOnLoopbackOnly() const;
    // The admin API drains routes and rewrites this file: a listener beyond loopback without a
    // token would hand it to anyone who reaches it. The one rule the loader, a start with
    // --listen and the engine all refuse by.
    bool exposesAdminWithoutToken() const
    {
        return !listensOnLoopbackOnly() && !adminToken.isSet();
    }
};

// The levels `log_level` and --log-level take, most severe first.
QStringList logLevelNames();

// Parses "HOST:PORT" (IPv6 in brackets); returns false on a malformed address.
bool parseListenAddress(const QString &text, QString *host, quint16 *port);

// Whether `host` (a name or an IP literal) is this machine's loopback: "localhost", 127.0.0.0/8
// or ::1. No name is resolved.
bool isLoopbackHost(const QString &host);

} // namespace Switchyard

Q_DECLARE_METATYPE(Switchyard::Config)
