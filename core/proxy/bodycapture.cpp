#include "proxy/bodycapture.h"

#include "observe/redactor.h"
#include "observe/trace.h"

namespace Switchyard {

BodyCapture::BodyCapture(const CaptureSettings &settings, const QString &api,
    const QByteArray &callerBody, const HeaderList &callerHeaders)
    : m_settings(settings)
{
    m_bodies.api = api;
    collect(m_bodies.request, callerBody);
    for (const auto &[name, value] : callerHeaders)
        m_bodies.callerHeaders.append({ QString::fromLatin1(name), QString::fromUtf8(value) });
}

void BodyCapture::collect(CapturedBody &body, const QByteArray &bytes)
{
    const qint64 room = qMax<qint64>(0, MostBodiesKept * limit() - m_collected);
    const qint64 before = body.data.size();
    body.append(bytes, qMin(limit(), before + room));
    m_collected += body.data.size() - before;
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
    for (const QByteArray &name : request.rawHeaderList()) {
        const QByteArray value = request.rawHeader(name);
        const QString headerName = QString::fromLatin1(name);
        captured.headers.append({ headerName, QString::fromUtf8(value) });
        if (isCredentialHeader(headerName)) {
            // "Bearer KEY": the key without its scheme, for wherever else it shows.
            const qsizetype space = value.indexOf(' ');
            const bool schemed
                = headerName.endsWith(QLatin1String("authorization"), Qt::CaseInsensitive);
            m_ownKeys.append(schemed && space > 0 ? value.mid(space + 1).trimmed() : value);
        }
    }
    captured.sent = {};
    collect(captured.sent, body);
    captured.received = {};
}

void BodyCapture::received(int index, int status, const QByteArray &bytes)
{
    CapturedAttempt &captured = attempt(index);
    if (status > 0)
        captured.status = status;
    collect(captured.received, bytes);
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
            // A hedge that lost its race was cancelled, not failed.
            return !attempt.skipped && attempt.failureClass != FailureClass::Ok
                && attempt.failureClass != FailureClass::Cancelled;
        });
}

UnredactedCapture BodyCapture::takeUnredacted(
    const TraceRecord &trace, const Redactor &redactor, const QList<QRegularExpression> &patterns)
{
    UnredactedCapture capture { std::move(m_bodies), redactor, patterns, m_settings.maxBytes,
        std::move(m_ownKeys) };
    capture.bodies.traceId = trace.id;
    capture.bodies.capturedAtUtcMs = trace.startedAtUtcMs;
    return capture;
}

CapturedBodies BodyCapture::take(
    const TraceRecord &trace, const Redactor &redactor, const QList<QRegularExpression> &patterns)
{
    return takeUnredacted(trace, redactor, patterns).redacted();
}

} // namespace Switchyard
