#pragma once

#include "config/config.h"

#include <QByteArray>
#include <QHash>
#include <QRegularExpression>
#include <QString>

namespace Switchyard {

// Where a provider's key (or the admin token) stands, as the Providers view shows it.
enum class KeyState {
    NotNeeded, // the config gives no key
    Reading, // the keychain has not answered yet
    Set,
    Missing, // no such keychain entry or environment variable
    Unreadable, // the keychain is locked, unreachable or failed
    Rejected, // the upstream answered 401/403 to it
    CoolingDown, // one of a pool: rate-limited, the others serve until its cooldown ends
};

QString keyStateName(KeyState state);

// A secret reference resolved to its value. Resolved when a config is applied or a key changes,
// never on the request path.
struct ResolvedSecret {
    bool ok = false;
    QByteArray value;
    QString error; // why it cannot be used; never contains the value
    KeyState state = KeyState::NotNeeded;

    bool operator==(const ResolvedSecret &other) const = default;
};

// One of a provider's keys, resolved.
struct ResolvedKey {
    QString label;
    double weight = 1.0;
    ResolvedSecret secret;

    bool operator==(const ResolvedKey &other) const = default;
};

// A provider's keys as resolved: none (it needs none), one, or a pool.
struct ResolvedKeys {
    QList<ResolvedKey> keys;

    bool needed() const { return !keys.isEmpty(); }
    bool pooled() const { return keys.size() > 1; }
    // No key is needed, or at least one could be read.
    bool usable() const;
    // Why none of them can be used (empty when one can).
    QString error() const;
    const ResolvedKey *find(const QString &label) const;

    bool operator==(const ResolvedKeys &other) const = default;
};

// A config as the engine runs it: the validated settings plus each provider's resolved keys.
// Shared read-only by the requests that started on it, so a reload never changes a request mid-way.
struct ActiveConfig {
    Config config;
    QHash<QString, ResolvedKeys> providerKeys;
    ResolvedSecret adminToken;
    bool anyKeyPool = false; // some provider has several keys: requests work out their affinity
    // Spans are exported (telemetry): each request joins or begins a trace, sampled at this
    // ratio when the caller did not decide.
    bool tracing = false;
    double sampleRatio = 1.0;
    // capture.redact, compiled once for the requests whose bodies are kept.
    QList<QRegularExpression> captureRedactions;

    // The route's health probe is a one-token completion, a real signal, rather than a models
    // list (probe.kind, with "auto" resolved: a key is set and the route serves chat).
    bool probesByCompletion(const RouteConfig &route) const;
};

} // namespace Switchyard
