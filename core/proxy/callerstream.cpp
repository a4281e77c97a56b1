#include "proxy/callerstream.h"

#include "config/config.h"
#include "proxy/clientbackpressure.h"
#include "proxy/upstreamattempt.h"

namespace Switchyard {

CallerStream::CallerStream(GatewayResponse &response, const Limits &limits, QObject *parent)
    : QObject(parent)
    , m_response(response)
    , m_maxEventBytes(limits.maxEventBytes)
    , m_backpressure(new ClientBackpressure(
          response.client().socket(), limits.maxPendingStreamBytes, limits.stalledClientMs, this))
{
    connect(m_backpressure, &ClientBackpressure::fellBehind, this, [this] {
        if (m_attempt)
            m_attempt->pause();
    });
    connect(m_backpressure, &ClientBackpressure::caughtUp, this, [this] {
        if (m_attempt)
            m_attempt->resume();
    });
    connect(m_backpressure, &ClientBackpressure::stalled, this, [this](const QString &reason) {
        Q_EMIT clientStalled(reason);
        if (QTcpSocket *socket = m_response.client().socket())
            socket->abort();
    });
}

void CallerStream::attach(
    UpstreamAttempt *attempt, StreamRelay relay, std::optional<StreamSplice> splice)
{
    m_attempt = attempt;
    m_relay.emplace(std::move(relay));
    m_splice = std::move(splice);
}

bool CallerStream::write(const QByteArray &bytes)
{
    QByteArray out = bytes;
    if (m_splice) {
        if (m_splice->diverged())
            return false;
        out = m_splice->rewrite(bytes);
        if (m_splice->diverged()) {
            Q_EMIT continuationDiverged(m_splice->divergence());
            return false;
        }
    }
    if (m_transcript)
        m_transcript->record(out);
    m_response.writeStream(out);
    return true;
}

void CallerStream::detach()
{
    m_attempt = nullptr;
}

void CallerStream::feed(const QByteArray &data)
{
    const StreamRelay::Step step = m_relay->feed(data);
    switch (step.kind) {
    case StreamRelay::Step::Kind::Overflow:
        if (m_relay->committed())
            Q_EMIT overflowed(step.reason);
        else
            Q_EMIT failedBeforeContent({ FailureClass::ContractViolation, -1, step.reason });
        return;
    case StreamRelay::Step::Kind::BadStart:
        Q_EMIT failedBeforeContent(step.classification);
        return;
    case StreamRelay::Step::Kind::Commit:
        Q_EMIT contentStarted(step.complete);
        return;
    case StreamRelay::Step::Kind::ErrorEvent:
        if (write(step.bytes))
            Q_EMIT brokeAfterContent(step.classification);
        return;
    case StreamRelay::Step::Kind::Continue:
        break;
    }
    if (!m_relay->committed() || !write(step.bytes))
        return;
    if (step.complete) {
        Q_EMIT completed();
        return;
    }
    if (step.upstreamErrorEvent)
        Q_EMIT upstreamErrorEventSent();
    // Backpressure: the attempt is not read while the caller is behind.
    if (m_attempt && m_attempt->active())
        m_backpressure->check();
}

StreamRelay::End CallerStream::judgeEnd(TransportError transport, const QString &detail)
{
    return m_relay->judgeEnd(transport, detail);
}

void CallerStream::begin(
    const GatewayResponse::Routing &routing, int status, const HeaderList &headers)
{
    m_relay->markCommitted();
    m_begun = true;
    m_response.beginStream(routing, status, headers);
    write(m_relay->takePending());
    if (m_attempt && m_attempt->active())
        m_backpressure->check();
}

bool CallerStream::resume(const QString &route, const QString &mode, const QString &afterBreak)
{
    m_relay->markCommitted();
    // A comment: every SSE client skips it, and a reader of the raw stream sees the splice.
    QString line = QStringLiteral("switchyard: route '%1' continues the stream (%2) after: %3")
                       .arg(route, mode, afterBreak);
    line.replace(QLatin1Char('\n'), QLatin1Char(' ')).replace(QLatin1Char('\r'), QLatin1Char(' '));
    m_response.writeStream(": " + line.toUtf8() + "\n\n");
    if (!write(m_relay->takePending()))
        return false;
    if (m_attempt && m_attempt->active())
        m_backpressure->check();
    return true;
}

void CallerStream::finish(const QByteArray &closing)
{
    write(closing);
    m_response.endStream();
}

void CallerStream::fail(const QString &message)
{
    m_response.endStreamWithError(m_relay->failureEvent(message));
}

void CallerStream::stop()
{
    m_backpressure->stop();
    m_attempt = nullptr;
    disconnect(this, nullptr, nullptr, nullptr);
}

} // namespace Switchyard
