#include "proxy/hedgeattempt.h"

#include "observe/redactor.h"
#include "proxy/gatewayservices.h"
#include "proxy/requesttrace.h"
#include "proxy/routeadmission.h"
#include "routing/attemptdecision.h"
#include "routing/clock.h"
#include "routing/keypools.h"
#include "routing/routeplan.h"
#include "routing/routeregistry.h"
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

void settleCancelledAttempt(
    const RaceContext &race, int traceIndex, const QString &why, bool lostRace)
{
    const StateLock::Held held = race.services->holdState();
    AttemptRecord &loser = race.trace->at(traceIndex);
    QString reason = why;
    if (lostRace && loser.connectedMs >= 0 && !loser.drill) {
        loser.tokensIn = race.analysis->promptTokens;
        reason += QStringLiteral(" (its cost is the prompt's, estimated)");
    }
    loser.reason = reason;
    const RouteConfig &route = race.active->config.routes.find(loser.route).value();
    SettledAttempt settled = race.trace->settleAt(
        traceIndex, FailureClass::Cancelled, reason, false, *race.services->redactor, route);
    if (lostRace)
        settled.firstContentMs = settled.durationMs;
    race.services->routes->settleAttempt(settled);
}

HedgeAttempt *HedgeAttempt::start(const RaceContext &race, RoutePlan &plan,
    const QString &slowRoute, const CallFor &callFor, QObject *parent)
{
    const StateLock::Held held = race.services->holdState();
    RouteRegistry &routes = *race.services->routes;
    RequestTrace &trace = *race.trace;
    // The walk happens on a copy: a route passed over now (cooling down, its trials taken) is
    // still the plan's for a fallback later, and the trace keeps no record of a hedge not made.
    RoutePlan walked = plan;
    const qsizetype recorded = trace.record().attempts.size();
    AdmissionContext context;
    context.active = race.active;
    context.analysis = race.analysis;
    context.target = race.target;
    context.ledger = race.services->ledger;
    context.keys = race.services->keys;
    context.chainOnly = true;
    std::optional<RouteAdmission> admission
        = admitNextRoute(walked, trace, routes, context, *race.services->clock);
    QString refusal = QStringLiteral("no hedge: no other route of the chain took the request");
    // A hedge is one more call on account of a slow route: that route's retry budget pays.
    const RetryPolicy &retry = race.target->retry;
    if (admission && !admission->drill
        && !routes.state(slowRoute).retryBudget.tryAcquireRetry(
            retry.budgetRatio, retry.budgetMinRetries)) {
        RouteState &hedgeRoute = routes.state(walked.current());
        if (admission->trial)
            hedgeRoute.breaker.releaseTrial(hedgeRoute.breaker.epoch());
        refusal
            = QStringLiteral("no hedge: the retry budget of route '%1' is spent").arg(slowRoute);
        admission.reset();
    }
    if (!admission) {
        trace.truncate(recorded);
        trace.current().note = refusal;
        return nullptr;
    }
    plan = std::move(walked);

    const RouteConfig &route = race.active->config.routes.find(plan.current()).value();
    RouteState &state = routes.state(route.name);
    const int index
        = trace.beginHedge(route.name, admission->trial, state.breaker.epoch(), admission->drill);
    routes.beginAttempt(route.name);
    auto *hedge = new HedgeAttempt(race, index,
        { route.name, admission->trial, admission->drill, admission->translator,
            std::move(admission->translated), admission->keyLabel, admission->keyValue },
        parent);
    if (admission->drill) {
        hedge->m_attempt->startDrill(state.breaker.drillFault(), race.endpoint);
        trace.at(index).httpStatus = hedge->m_attempt->status();
        return hedge;
    }
    if (!admission->keyLabel.isEmpty()) {
        trace.at(index).key = admission->keyLabel;
        race.services->keys->sent(route.provider, admission->keyLabel);
    }
    UpstreamCall call = callFor(route, hedge->m_route.keyValue, trace.at(index).spanId,
        hedge->m_route.translator, &hedge->m_route.translated);
    if (race.analysis->stream)
        hedge->m_relay.emplace(std::move(call.relay));
    hedge->m_attempt->start(std::move(call.call));
    return hedge;
}

HedgeAttempt::HedgeAttempt(const RaceContext &race, int traceIndex, Route route, QObject *parent)
    : QObject(parent)
    , m_race(race)
    , m_traceIndex(traceIndex)
    , m_route(std::move(route))
    , m_attempt(new UpstreamAttempt(*race.services->upstreams, this))
{
    RequestTrace &trace = *m_race.trace;
    connect(m_attempt, &UpstreamAttempt::connected, this,
        [this, &trace] { trace.connected(m_traceIndex); });
    connect(m_attempt, &UpstreamAttempt::responseStarted, this,
        [this, &trace] { trace.responseStarted(m_attempt->status(), m_traceIndex); });
    connect(m_attempt, &UpstreamAttempt::streamData, this, &HedgeAttempt::onStreamData);
    connect(m_attempt, &UpstreamAttempt::ended, this, &HedgeAttempt::onEnded);
}

HedgeAttempt::~HedgeAttempt()
{
    // Nothing but the call: the request that owns the trace may already be gone.
    stopCall();
}

void HedgeAttempt::stopCall()
{
    if (UpstreamAttempt *attempt = m_attempt) {
        attempt->disconnect(this);
        attempt->cancel();
        attempt->deleteLater();
        m_attempt = nullptr;
    }
}

void HedgeAttempt::cancel(const QString &why, bool lostRace)
{
    if (m_attempt)
        m_race.trace->at(m_traceIndex).bytes = m_attempt->bytesRead();
    stopCall();
    settleCancelledAttempt(m_race, m_traceIndex, why, lostRace);
}

void HedgeAttempt::settleFailure(const Classification &classification)
{
    const StateLock::Held held = m_race.services->holdState();
    stopCall();
    AttemptRecord &record = m_race.trace->at(m_traceIndex);
    record.decision = Decision::Return;
    m_race.trace->recordUsage(classification, m_traceIndex);
    const RouteConfig &route = m_race.active->config.routes.find(record.route).value();
    RouteRegistry &routes = *m_race.services->routes;
    // A hedge is not retried: a key that failed is only put aside, and then the route is not
    // charged for it.
    const bool keyFailed = !record.drill
        && m_race.services->keys->settle(route.provider,
            m_race.active->providerKeys.value(route.provider), m_route.keyLabel, classification,
            m_race.active->config.limits.maxRetryAfterMs,
            m_race.services->redactor->redact(classification.reason));
    SettledAttempt settled = m_race.trace->settleAt(m_traceIndex, classification.failureClass,
        classification.reason, false, *m_race.services->redactor, route);
    settled.keyFailed = keyFailed;
    routes.settleAttempt(settled);
    if (keyFailed)
        return;
    AttemptFacts facts;
    facts.classification = classification;
    facts.retry = m_race.target->retry;
    facts.retry.maxRetries = 0;
    facts.drill = record.drill;
    facts.maxCooldownMs = m_race.active->config.limits.maxRetryAfterMs;
    decideForRoute(facts, routes.state(route.name), m_race.services->clock->nowMs(), record.reason);
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
    RequestTrace &trace = *m_race.trace;
    trace.at(m_traceIndex).bytes = m_attempt->bytesRead();
    if (!m_relay)
        return;
    const StreamRelay::Step step = m_relay->feed(data);
    Classification failure;
    switch (step.kind) {
    case StreamRelay::Step::Kind::Commit:
        m_attempt->contentArrived();
        trace.firstToken(m_traceIndex);
        Q_EMIT contentStarted(step.complete);
        return;
    case StreamRelay::Step::Kind::Overflow: // judged as the request's own attempt would be
        failure = { FailureClass::ContractViolation, -1, step.reason };
        break;
    case StreamRelay::Step::Kind::BadStart:
        failure = step.classification;
        break;
    case StreamRelay::Step::Kind::ErrorEvent: // only after the commit, which is not the hedge's
    case StreamRelay::Step::Kind::Continue:
        return;
    }
    stopCall();
    Q_EMIT ended({ UpstreamOutcome {}, failure }, failure);
}

void HedgeAttempt::onEnded(const AttemptEnd &end)
{
    RequestTrace &trace = *m_race.trace;
    if (trace.at(m_traceIndex).httpStatus == 0 && m_attempt->status() > 0)
        trace.responseStarted(m_attempt->status(), m_traceIndex);
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
    trace.at(m_traceIndex).bytes = m_attempt->bytesRead();
    Q_EMIT ended(end, classification);
}

} // namespace Switchyard
