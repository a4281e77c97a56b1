#include "proxy/hedgeattempt.h"

#include "proxy/requesttrace.h"
#include "proxy/upstreamcall.h"
#include "routing/routestate.h"

#include <QDateTime>

namespace Switchyard {

qint64 hedgeDelayMs(const HedgeSettings &hedge, const RouteStats &route, bool stream)
{
    const DurationSamples &samples = route.firstContent(stream);
    if (hedge.percentile > 0 && samples.count() >= HedgeMinSamples)
        return qMax<qint64>(1, samples.percentile(hedge.percentile / 100.0));
    return hedge.afterMs;
}

HedgeAttempt::HedgeAttempt(
    UpstreamPool &upstreams, RequestTrace &trace, int traceIndex, Route route, QObject *parent)
    : QObject(parent)
    , m_trace(trace)
    , m_traceIndex(traceIndex)
    , m_route(std::move(route))
    , m_attempt(new UpstreamAttempt(upstreams, this))
{
    connect(
        m_attempt, &UpstreamAttempt::connected, this, [this] { m_trace.connected(m_traceIndex); });
    connect(m_attempt, &UpstreamAttempt::responseStarted, this,
        [this] { m_trace.responseStarted(m_attempt->status(), m_traceIndex); });
    connect(m_attempt, &UpstreamAttempt::streamData, this, &HedgeAttempt::onStreamData);
    connect(m_attempt, &UpstreamAttempt::ended, this, &HedgeAttempt::onEnded);
}

HedgeAttempt::~HedgeAttempt()
{
    // Not cancel(): the request that owns the trace may already be gone.
    if (UpstreamAttempt *attempt = m_attempt) {
        attempt->disconnect(this);
        attempt->cancel();
    }
}

void HedgeAttempt::start(UpstreamCall call, bool callerStreams)
{
    if (callerStreams)
        m_relay.emplace(std::move(call.relay));
    m_attempt->start(std::move(call.call));
}

void HedgeAttempt::startDrill(DrillFault fault, Endpoint endpoint)
{
    m_attempt->startDrill(fault, endpoint);
    m_trace.at(m_traceIndex).httpStatus = m_attempt->status();
}

void HedgeAttempt::cancel()
{
    if (UpstreamAttempt *attempt = m_attempt) {
        m_trace.at(m_traceIndex).bytes = attempt->bytesRead();
        attempt->disconnect(this);
        attempt->cancel();
        attempt->deleteLater();
        m_attempt = nullptr;
    }
}

UpstreamAttempt *HedgeAttempt::takeAttempt(QObject *parent)
{
    UpstreamAttempt *attempt = m_attempt;
    m_attempt = nullptr;
    if (attempt) {
        attempt->disconnect(this);
        attempt->setParent(parent);
    }
    return attempt;
}

void HedgeAttempt::onStreamData(const QByteArray &data)
{
    m_trace.at(m_traceIndex).bytes = m_attempt->bytesRead();
    if (!m_relay)
        return;
    const StreamRelay::Step step = m_relay->feed(data);
    switch (step.kind) {
    case StreamRelay::Step::Kind::Commit:
        m_attempt->contentArrived();
        m_trace.firstToken(m_traceIndex);
        Q_EMIT contentStarted(step.complete);
        return;
    case StreamRelay::Step::Kind::Overflow:
        m_attempt->abort(TransportError::OtherNetwork, step.reason);
        return;
    case StreamRelay::Step::Kind::BadStart: {
        const Classification classification = step.classification;
        const UpstreamOutcome outcome;
        cancel();
        Q_EMIT ended({ outcome, classification }, classification);
        return;
    }
    case StreamRelay::Step::Kind::ErrorEvent: // only after the commit, which is not the hedge's
    case StreamRelay::Step::Kind::Continue:
        return;
    }
}

void HedgeAttempt::onEnded(const AttemptEnd &end)
{
    if (m_trace.at(m_traceIndex).httpStatus == 0 && m_attempt->status() > 0)
        m_trace.responseStarted(m_attempt->status(), m_traceIndex);
    Classification classification;
    if (end.judged) {
        classification = *end.judged;
    } else {
        const UpstreamOutcome &outcome = end.outcome;
        std::optional<StreamRelay::End> streamEnd;
        if (m_relay && m_attempt->streaming())
            streamEnd = m_relay->judgeEnd(outcome.transport, outcome.transportDetail);
        // Before its first content a stream can only have started badly.
        classification = streamEnd && streamEnd->kind == StreamRelay::End::Kind::BadStart
            ? streamEnd->classification
            : Classifier::classify(outcome, QDateTime::currentDateTimeUtc());
    }
    m_trace.at(m_traceIndex).bytes = m_attempt->bytesRead();
    Q_EMIT ended(end, classification);
}

} // namespace Switchyard
