#include "routing/routeregistry.h"

#include "routing/clock.h"

#include <QDateTime>

namespace Switchyard {

RouteRegistry::RouteRegistry(const Clock &clock, CircuitBreaker::EventSink sink)
    : m_clock(clock)
    , m_sink(std::move(sink))
{
}

RouteState &RouteRegistry::state(const QString &route)
{
    std::shared_ptr<RouteState> &state = m_states[route];
    if (!state) {
        state = std::make_shared<RouteState>(route, m_clock);
        state->lastProbeMs = m_clock.nowMs(); // a fresh route is not overdue for a probe
        state->breaker.setEventSink(m_sink);
        const auto config = m_config.routes.constFind(route);
        if (config != m_config.routes.cend())
            state->breaker.setSettings(config->breaker, config->recovery);
    }
    return *state;
}

const RouteState *RouteRegistry::find(const QString &route) const
{
    const auto it = m_states.constFind(route);
    return it == m_states.cend() ? nullptr : it->get();
}

void RouteRegistry::beginAttempt(const QString &route)
{
    RouteState &begun = state(route);
    ++begun.inFlight;
    begun.lastTrafficMs = m_clock.nowMs();
    begun.stats.recordRequest(begun.lastTrafficMs);
}

void RouteRegistry::settleAttempt(const SettledAttempt &attempt)
{
    RouteState &route = state(attempt.route);
    --route.inFlight;
    m_changed = true;
    if (attempt.drill)
        return;
    // A success's time to content, or a hedge race's loser's wait (a lower bound, kept so that
    // the slow calls a hedge cancels still count for the next hedge's delay).
    if (attempt.firstContentMs >= 0)
        route.stats.recordFirstContent(attempt.firstContentMs, attempt.stream);
    if (attempt.keyFailed) {
        if (attempt.trial)
            route.breaker.releaseTrial(attempt.trialEpoch);
    } else if (attempt.failureClass == FailureClass::Ok) {
        route.stats.recordLatency(attempt.durationMs);
        route.misconfiguredReason.clear();
        route.breaker.recordSuccess(attempt.durationMs, attempt.trial, attempt.trialEpoch);
    } else if (countsForBreaker(attempt.failureClass)) {
        route.lastError
            = QStringLiteral("%1: %2").arg(failureClassName(attempt.failureClass), attempt.reason);
        route.lastErrorAtUtcMs = QDateTime::currentMSecsSinceEpoch();
        route.breaker.recordFailure(
            attempt.durationMs, attempt.trial, attempt.reason, attempt.trialEpoch);
    } else if (attempt.trial) {
        route.breaker.releaseTrial(attempt.trialEpoch); // not a verdict on the route's health
    }
}

void RouteRegistry::configure(const Config &config)
{
    m_config = config;
    dropUnused();
    for (const RouteConfig &route : config.routes)
        state(route.name).breaker.setSettings(route.breaker, route.recovery);
    m_changed = true;
}

void RouteRegistry::dropUnused()
{
    for (auto it = m_states.begin(); it != m_states.end();) {
        if (m_config.routes.contains(it.key()) || it.value()->inFlight > 0)
            ++it;
        else
            it = m_states.erase(it);
    }
}

bool RouteRegistry::advance()
{
    bool timed = false;
    for (const RouteConfig &route : std::as_const(m_config.routes)) {
        CircuitBreaker &breaker = state(route.name).breaker;
        breaker.tick();
        const BreakerState state = breaker.state();
        timed = timed || state == BreakerState::Open || state == BreakerState::Recovering
            || state == BreakerState::Drilling;
    }
    return timed;
}

QList<RouteSnapshot> RouteRegistry::snapshots(const ActiveConfig &active) const
{
    QList<RouteSnapshot> snapshots;
    const qint64 now = m_clock.nowMs();
    for (const RouteConfig &route : active.config.routes) {
        const RouteState *state = find(route.name);
        if (!state)
            continue; // a config not yet configured here
        const CircuitBreaker &breaker = state->breaker;
        RouteSnapshot snapshot;
        snapshot.name = route.name;
        snapshot.provider = route.provider;
        snapshot.model = route.model;
        snapshot.state = breaker.state();
        snapshot.cooldownRemainingMs = breaker.cooldownRemainingMs();
        snapshot.rateLimitedRemainingMs = qMax<qint64>(0, state->cooldownUntilMs - now);
        snapshot.recoveryStep = breaker.recoveryStep();
        snapshot.recoveryStepCount = breaker.recoveryStepCount();
        snapshot.trafficShare = breaker.trafficShare();
        snapshot.stepRemainingMs = breaker.stepRemainingMs();
        snapshot.failureRate = breaker.failureRate();
        snapshot.callsInWindow = breaker.callsInWindow();
        snapshot.consecutiveFailures = breaker.consecutiveFailures();
        snapshot.p50Ms = state->stats.percentile(0.5);
        snapshot.p95Ms = state->stats.percentile(0.95);
        snapshot.requestsPerSecond = state->stats.requestsPerSecond(now);
        snapshot.inFlight = state->inFlight;
        snapshot.stateSinceUtcMs = breaker.stateSinceUtcMs();
        // An error from before the route closed again is history, not its state.
        const bool healedSince = breaker.state() == BreakerState::Closed
            && state->lastErrorAtUtcMs <= breaker.stateSinceUtcMs();
        if (!healedSince) {
            snapshot.lastError = state->lastError;
            snapshot.lastErrorAtUtcMs = state->lastErrorAtUtcMs;
        }
        const ResolvedKeys keys = active.providerKeys.value(route.provider);
        snapshot.misconfigured = keys.usable() ? state->misconfiguredReason : keys.error();
        if (breaker.state() == BreakerState::Drilling) {
            snapshot.drillFault = drillFaultName(breaker.drillFault());
            snapshot.drillRemainingMs = breaker.drillRemainingMs();
        }
        snapshot.lastProbeOk = state->lastProbeOk;
        snapshot.lastProbeResult = state->lastProbeResult;
        for (const LaneConfig &lane : active.config.lanes) {
            if (lane.chain.contains(route.name) || lane.degraded == route.name)
                snapshot.lanes.append(lane.name);
        }
        snapshots.append(snapshot);
    }
    return snapshots;
}

QStringList RouteRegistry::dueProbes(const ActiveConfig &active) const
{
    QStringList due;
    const qint64 now = m_clock.nowMs();
    for (const RouteConfig &route : active.config.routes) {
        const RouteState *state = find(route.name);
        if (!state || state->probeInFlight)
            continue;
        const qint64 sinceProbe = now - state->lastProbeMs;
        switch (state->breaker.state()) {
        case BreakerState::HalfOpen:
            // A completion probe is a trial that needs no user request; a models list is none.
            if (state->breaker.trialsAvailable() > 0 && active.probesByCompletion(route))
                due.append(route.name);
            break;
        case BreakerState::Closed:
        case BreakerState::Recovering:
            // Only idle routes: real traffic already tells how they are.
            if (sinceProbe >= route.probe.intervalMs
                && now - state->lastTrafficMs >= route.probe.intervalMs)
                due.append(route.name);
            break;
        case BreakerState::Drained: // so the operator sees when it is healthy again
            if (sinceProbe >= route.probe.intervalMs)
                due.append(route.name);
            break;
        case BreakerState::Open:
            // Quiet for the first cooldown; then a completion probe may find it answering again.
            if (state->breaker.mayEndCooldownEarly() && active.probesByCompletion(route)
                && sinceProbe >= route.probe.openIntervalMs)
                due.append(route.name);
            break;
        case BreakerState::Drilling:
            break;
        }
    }
    return due;
}

void RouteRegistry::forgetMisconfiguration(const QString &provider)
{
    for (const RouteConfig &route : std::as_const(m_config.routes)) {
        const auto state = m_states.constFind(route.name);
        if (route.provider == provider && state != m_states.cend())
            (*state)->misconfiguredReason.clear();
    }
}

qint64 RouteRegistry::soonestRateLimitEndMs(const QStringList &routes) const
{
    qint64 soonest = -1;
    for (const QString &route : routes) {
        const RouteState *routeState = find(route);
        const qint64 until = routeState ? routeState->cooldownUntilMs - m_clock.nowMs() : 0;
        if (until > 0 && (soonest < 0 || until < soonest))
            soonest = until;
    }
    return soonest;
}

QString RouteRegistry::firstToReopen(const QStringList &routes) const
{
    QString first;
    qint64 firstRemaining = 0;
    for (const QString &route : routes) {
        const RouteState *routeState = find(route);
        const qint64 remaining = routeState ? routeState->breaker.cooldownRemainingMs() : 0;
        if (first.isEmpty() || remaining < firstRemaining) {
            first = route;
            firstRemaining = remaining;
        }
    }
    return first;
}

qint64 RouteRegistry::soonestBreakerReopenMs(const QStringList &routes) const
{
    const RouteState *first = find(firstToReopen(routes));
    return first ? qMax<qint64>(1, first->breaker.cooldownRemainingMs()) : 1;
}

bool RouteRegistry::execute(const RouteCommand &command, QString *error)
{
    if (!m_config.routes.contains(command.route)) {
        *error = QStringLiteral("There is no route '%1'.").arg(command.route);
        return false;
    }
    RouteState &routeState = state(command.route);
    CircuitBreaker &breaker = routeState.breaker;
    switch (command.action) {
    case RouteCommand::Action::Drain:
        breaker.drain(command.fromInstance);
        break;
    // Restoring is the operator's word that the route may serve: a rate limit's cooldown ends too.
    case RouteCommand::Action::Restore:
        breaker.restore(false, command.fromInstance);
        routeState.cooldownUntilMs = 0;
        break;
    case RouteCommand::Action::RestoreStaged:
        breaker.restore(true, command.fromInstance);
        routeState.cooldownUntilMs = 0;
        break;
    case RouteCommand::Action::StageRecovery:
        breaker.stageRecovery(command.fromInstance);
        break;
    case RouteCommand::Action::ProbeNow:
        *error = QStringLiteral("A probe is sent by the engine, not the route registry.");
        return false;
    case RouteCommand::Action::Drill:
        if (command.seconds < 1 || command.seconds > 3600) {
            *error = QStringLiteral("A drill lasts from 1 to 3600 seconds.");
            return false;
        }
        breaker.startDrill(command.fault, command.seconds);
        break;
    }
    markChanged();
    return true;
}

} // namespace Switchyard
