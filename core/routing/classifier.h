#pragma once

#include "routing/failureclass.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QString>

namespace Switchyard {

enum class Endpoint { ChatCompletions, Embeddings };

// How the transport ended, independent of QNetworkReply so the classifier is pure.
enum class TransportError {
    None,
    ConnectionRefused,
    ConnectionReset,
    HostNotFound,
    Tls,
    Timeout,
    OtherNetwork,
    Cancelled,
};

// Everything the classifier may look at for one attempt.
struct UpstreamOutcome {
    Endpoint endpoint = Endpoint::ChatCompletions;
    TransportError transport = TransportError::None;
    QString transportDetail;
    int httpStatus = 0;
    QByteArray contentType;
    QByteArray body; // in OpenAI's shape, whatever the provider speaks
    // The answer as the caller gets it, when the caller speaks another API than `body`'s: a 2xx
    // written in that API, or from a route that speaks it, whatever came (an error too).
    QByteArray callerBody;
    QByteArray retryAfter; // the Retry-After header, as sent
    QByteArray retryAfterMs; // OpenAI's retry-after-ms header, when present
    bool jsonOutputRequested = false;
    bool streamed = false; // a 2xx event stream, checked event by event elsewhere
    // The route said nothing in time: no first byte, or no first token of a stream.
    bool silent = false;
    // A reused keep-alive connection was closed as the request went out on it.
    bool closedOnReuse = false;
};

// Prompt tokens the provider's prompt cache served (read) or stored (write).
struct CachedTokens {
    qint64 read = 0;
    qint64 write = 0;
};

struct Classification {
    FailureClass failureClass = FailureClass::Ok;
    qint64 retryAfterMs = -1; // -1: the upstream named no delay
    QString reason;
    // False where retrying the same route cannot help (nothing listens there): fall back at once.
    bool retryable = true;
    // The route timed out before its first byte or first token; retried only where the lane
    // says so (retry.retry_silent).
    bool silent = false;
    // The connection, not the route, failed (a kept-alive one closed as it was reused): a retry
    // on a fresh connection is worth making at once.
    bool retryAtOnce = false;
    // From a 2xx body's "usage"; -1 when the upstream did not say.
    qint64 tokensIn = -1;
    qint64 tokensOut = -1;
    CachedTokens cached; // the part of tokensIn the prompt cache served or stored
};

// Decides the failure class of an attempt (SPEC §6). Pure: no I/O, no clock but the one given.
class Classifier final {
public:
    static Classification classify(const UpstreamOutcome &outcome, const QDateTime &nowUtc);
    // Classifies an error object an upstream sent inside a 2xx event stream.
    static Classification classifyStreamError(const QByteArray &eventData);
};

// The most tokens one attempt can plausibly report in one direction. Usage is an upstream's word,
// and money is computed from it: a figure beyond this, negative, or not a whole number is a
// contract violation, never a cost.
constexpr qint64 MaxReportedTokens = 100'000'000;

// A token count as an upstream reported it: the count, or -1 when it is absent or impossible
// (also in `*invalid`, when given, for a present but impossible one).
qint64 readTokenCount(const QJsonValue &value, bool *invalid = nullptr);

enum class UsageRead { Absent, Valid, Invalid };
// Reads OpenAI's "usage" object of a response or a final stream chunk: prompt and completion
// tokens, and into `cached` the cache reads (prompt_tokens_details.cached_tokens) and writes
// (cache_creation_input_tokens, as Anthropic-backed OpenAI-compatible APIs report them). An
// impossible figure is Invalid and leaves the counts untouched.
UsageRead readUsage(
    const QJsonObject &root, qint64 *tokensIn, qint64 *tokensOut, CachedTokens *cached = nullptr);

// Parses Retry-After (delta seconds or HTTP-date) into milliseconds; -1 when absent or unreadable.
// The most any Retry-After is read as (a day); a route's cooldown is clamped further by the
// config's limits.max_retry_after_ms.
constexpr qint64 MaxRetryAfterMs = 24LL * 3600 * 1000;

qint64 parseRetryAfter(
    const QByteArray &retryAfter, const QByteArray &retryAfterMs, const QDateTime &nowUtc);

} // namespace Switchyard
