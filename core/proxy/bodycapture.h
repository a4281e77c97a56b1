#pragma once

#include "config/config.h"
#include "http/httpmessage.h"
#include "observe/capturedbodies.h"

#include <QNetworkRequest>

namespace Switchyard {

class Redactor;
struct TraceRecord;

// Collects one request's bodies while it runs, when capture.bodies is on: the caller's request,
// and what each attempt was sent and answered, each bounded by capture.max_bytes (and a margin,
// so that redaction sees every key whole). Once the request has ended, take() hands them over,
// redacted, if the mode keeps requests like it. Engine thread, owned by its ProxyRequest.
class BodyCapture final {
public:
    BodyCapture(const CaptureSettings &settings, const QString &api, const QByteArray &callerBody,
        const HeaderList &callerHeaders);

    // Attempt `index` (in the trace) was sent `request` with `body` on `route`.
    void sent(
        int index, const QString &route, const QNetworkRequest &request, const QByteArray &body);
    // More of what attempt `index` answered.
    void received(int index, int status, const QByteArray &bytes);

    // The mode keeps `trace`'s bodies: every request's, or those of a request with an attempt
    // that failed or an answer that was not a success.
    bool wants(const TraceRecord &trace) const;
    // The bodies collected, to be redacted off this thread (UnredactedCapture).
    UnredactedCapture takeUnredacted(const TraceRecord &trace, const Redactor &redactor,
        const QList<QRegularExpression> &patterns);
    // The bodies, redacted here.
    CapturedBodies take(const TraceRecord &trace, const Redactor &redactor,
        const QList<QRegularExpression> &patterns);

    // Of all of a request's bodies together, bytes collected at most: a request that retries,
    // rotates keys and falls back many times holds no more than this many bodies' worth.
    static constexpr int MostBodiesKept = 8;

private:
    CapturedAttempt &attempt(int index);
    qint64 limit() const { return m_settings.maxBytes + CaptureMargin; }
    // Keeps what fits of `bytes` in `body`, within the body's and the request's bounds.
    void collect(CapturedBody &body, const QByteArray &bytes);

    CaptureSettings m_settings;
    CapturedBodies m_bodies;
    qint64 m_collected = 0;
    QList<QByteArray> m_ownKeys; // the keys the attempts sent, blanked wherever they show
};

} // namespace Switchyard
