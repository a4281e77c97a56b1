#include "proxy/bodycapture.h"

#include "observe/redactor.h"
#include "observe/trace.h"

namespace Switchyard {

BodyCapture::BodyCapture(const CaptureSettings &settings, const QString &api,
    const QByteArray &callerBody, const HeaderList &callerHeaders)
    : m_settings(settings)
{
    m_bodies.api = api;
    m_bodies.request.append(callerBody, limit());
    for (const auto &[name, value] : callerHeaders)
        m_bodies.callerHeaders.append({ QString::fromLatin1(name), QString::fromUtf8(value) });
}

CapturedAttempt &BodyCapture::attempt(int index)
{
    for (CapturedAttempt &captured : m_bodies.attempts) {
        if (captured.index == index)
            return captured;
    }
    CapturedAttempt captured;
    captured.index = index;
    m_bodies.attempts.append(captured);
    return m_bodies.attempts.last();
}

void BodyCapture::sent(
    int index, const QString &route, const QNetworkRequest &request, const QByteArray &body)
{
    CapturedAttempt &captured = attempt(index);
    captured.route = route;
    captured.url = request.url().toString();
    captured.headers.clear();
    for (const QByteArray &name : request.rawHeaderList())
        captured.headers.append(
            { QString::fromLatin1(name), QString::fromUtf8(request.rawHeader(name)) });
    captured.sent = {};
    captured.sent.append(body, limit());
    captured.received = {};
}

void BodyCapture::received(int index, int status, const QByteArray &bytes)
{
    CapturedAttempt &captured = attempt(index);
    if (status > 0)
        captured.status = status;
    captured.received.append(bytes, limit());
}

bool BodyCapture::wants(const TraceRecord &trace) const
{
    switch (m_settings.bodies) {
    case CaptureMode::Off:
        return false;
    case CaptureMode::All:
        return true;
    case CaptureMode::Errors:
        break;
    }
    if (trace.endedInError())
        return true;
    return std::any_of(
        trace.attempts.cbegin(), trace.attempts.cend(), [](const AttemptRecord &attempt) {
            return !attempt.skipped && attempt.failureClass != FailureClass::Ok;
        });
}

CapturedBodies BodyCapture::take(
    const TraceRecord &trace, const Redactor &redactor, const QList<QRegularExpression> &patterns)
{
    CapturedBodies bodies = std::move(m_bodies);
    bodies.traceId = trace.id;
    bodies.capturedAtUtcMs = trace.startedAtUtcMs;
    redactCapture(&bodies, redactor, patterns, m_settings.maxBytes);
    return bodies;
}

} // namespace Switchyard
