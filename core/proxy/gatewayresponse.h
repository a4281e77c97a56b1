#pragma once

#include "http/clientresponse.h"
#include "observe/trace.h"
#include "routing/classifier.h"

#include <QByteArray>
#include <QJsonArray>
#include <QString>

namespace Switchyard {

class CallerProtocol;
class Redactor;

// The caller's answer (Envoy's router filter's encoder side): the X-Switchyard headers, and every
// way a request can end — the upstream's answer, a stream, every route failed, the deadline — in
// the caller's API's shape (OpenAI's, or a CallerProtocol's). It knows nothing of routing beyond
// what it is told.
class GatewayResponse final {
public:
    // What the X-Switchyard headers say about a request (SPEC §5).
    struct Routing {
        QString requestId;
        QString lane;
        QString route;
        int upstreamAttempts = 0;
        bool fallback = false;
        bool degraded = false; // the lane's degraded route answered
    };

    // Why every route failed, as the caller is told: a status that says what to do next, and
    // the attempts.
    struct AllFailed {
        int status = 502;
        QByteArray body; // in OpenAI's shape
        QString message;
        QJsonArray attempts;
        // For a 429: when the first route's rate-limit cooldown ends; for a 503 with every
        // route's breaker open: when the first breaker lets a call through again.
        qint64 retryAfterSeconds = 0;
    };

    explicit GatewayResponse(ClientResponse response, const CallerProtocol *protocol = nullptr);

    ClientResponse &client() { return m_response; }

    // With more than one upstream attempt they say x-should-retry: false as well: the gateway
    // has retried and fallen back already, and an SDK's retries would only multiply that.
    static HeaderList routingHeaders(const Routing &routing);
    // Pure: the status and body for `trace`, whose every route was skipped or failed.
    // `soonestRetryMs` is the soonest any route's rate-limit cooldown ends (0 or less: none);
    // `breakersReopenMs`, when every route was held back by its open breaker, the soonest one
    // lets a call through again (0 or less: not every route was).
    static AllFailed allRoutesFailed(const TraceRecord &trace, int upstreamAttempts,
        qint64 soonestRetryMs, qint64 breakersReopenMs = 0);

    // An upstream's whole answer; an error's body is cleared of any key first.
    void sendUpstream(const Routing &routing, int status, const UpstreamOutcome &answer,
        const HeaderList &passHeaders, const Redactor &redactor);
    void sendAllFailed(const Routing &routing, const AllFailed &answer);
    void sendDeadlineExceeded(const Routing &routing, qint64 deadlineMs, int upstreamAttempts);

    void beginStream(const Routing &routing, int status, const HeaderList &passHeaders);
    void writeStream(const QByteArray &bytes) { m_response.writeChunk(bytes); }
    void endStream() { m_response.endChunked(); }
    // After the first byte there is no status left to change: the failure is the last event
    // (in the caller's API's shape: StreamRelay::failureEvent).
    void endStreamWithError(const QByteArray &failureEvent);

private:
    ClientResponse m_response;
    const CallerProtocol *m_protocol;
};

} // namespace Switchyard
