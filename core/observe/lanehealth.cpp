#include "observe/lanehealth.h"

#include <algorithm>
#include <optional>

namespace Switchyard {

namespace {

bool hasPrice(const Price &price)
{
    return price.inputPerMTok > 0 || price.outputPerMTok > 0;
}

} // namespace

void LaneHealthTracker::setConfig(const Config &config)
{
    m_config = config;
    // A lane that is gone keeps nothing; a new one starts empty.
    for (auto it = m_ended.begin(); it != m_ended.end();) {
        if (config.lanes.contains(it.key()))
            ++it;
        else
            it = m_ended.erase(it);
    }
}

void LaneHealthTracker::setRoutes(const QList<RouteSnapshot> &routes, qint64 nowMs)
{
    using Why = LaneHealth::Unavailable::Why;
    m_routes.clear();
    QHash<QString, std::pair<Why, qint64>> outSince;
    for (const RouteSnapshot &route : routes) {
        m_routes.insert(route.name, route);
        const auto why = unavailabilityOf(route);
        if (why != Why::Misconfigured && why != Why::RateLimited)
            continue;
        const auto known = m_outSince.constFind(route.name);
        outSince.insert(route.name,
            known != m_outSince.cend() && known->first == *why ? *known : std::pair(*why, nowMs));
    }
    m_outSince = outSince;
}

qint64 LaneHealthTracker::sinceOf(const RouteSnapshot &route) const
{
    const auto out = m_outSince.constFind(route.name);
    return out != m_outSince.cend() ? out->second : route.stateSinceUtcMs;
}

void LaneHealthTracker::clear()
{
    m_ended.clear();
}

QString LaneHealthTracker::firstChoiceOf(const TraceRecord &trace)
{
    for (const AttemptRecord &attempt : trace.attempts) {
        if (!(attempt.skipped && attempt.skip == QLatin1String("incompatible")))
            return attempt.route;
    }
    return QString();
}

double LaneHealthTracker::extraCostOf(const TraceRecord &trace, const Config &config)
{
    if (!trace.fallback && !trace.degraded)
        return 0.0;
    const QString first = firstChoiceOf(trace);
    if (first.isEmpty() || first == trace.route)
        return 0.0;
    const auto firstRoute = config.routes.constFind(first);
    const auto servedRoute = config.routes.constFind(trace.route);
    if (firstRoute == config.routes.cend() || servedRoute == config.routes.cend()
        || !hasPrice(firstRoute->price) || !hasPrice(servedRoute->price))
        return 0.0; // a price unknown: no figure rather than a wrong one
    return trace.fallbackCostUsd
        - firstRoute->price.costUsd(
            trace.tokensIn, trace.tokensOut, trace.cacheReadTokens, trace.cacheWriteTokens);
}

bool LaneHealthTracker::canServe(const RouteSnapshot &route)
{
    return !unavailabilityOf(route).has_value();
}

void LaneHealthTracker::addRequest(const TraceRecord &trace, qint64 endedAtMs)
{
    const auto lane = m_config.lanes.constFind(trace.lane);
    if (lane == m_config.lanes.cend())
        return; // a lane of an older configuration, from history
    const qint64 at = endedAtMs >= 0 ? endedAtMs : trace.startedAtUtcMs + trace.durationMs;
    Ended &bucket = m_ended[trace.lane][at - at % BucketMs];
    ++bucket.requests;
    bucket.fellBack += trace.fallback || trace.degraded ? 1 : 0;
    bucket.failed += trace.failed() ? 1 : 0;
    bucket.tokensIn += trace.tokensIn;
    bucket.tokensOut += trace.tokensOut;
    bucket.extraUsd += extraCostOf(trace, m_config);
}

QList<LaneHealth> LaneHealthTracker::assess(qint64 nowMs)
{
    QList<LaneHealth> lanes;
    for (const LaneConfig &lane : std::as_const(m_config.lanes)) {
        QMap<qint64, Ended> &ended = m_ended[lane.name];
        while (!ended.isEmpty() && ended.firstKey() < nowMs - SpendWindowMs)
            ended.erase(ended.begin());
        lanes.append(assessLane(lane, nowMs));
    }
    return lanes;
}

LaneHealth LaneHealthTracker::assessLane(const LaneConfig &lane, qint64 nowMs) const
{
    LaneHealth health;
    health.lane = lane.name;
    health.primary = lane.chain.value(0);

    // A route the engine has not reported yet (just configured) is taken to serve.
    auto snapshotOf = [this](const QString &name) {
        RouteSnapshot route = m_routes.value(name);
        route.name = name;
        return route;
    };
    int served = -1;
    qint64 since = 0;
    for (int i = 0; i < lane.chain.size(); ++i) {
        const RouteSnapshot route = snapshotOf(lane.chain.at(i));
        const auto why = unavailabilityOf(route);
        if (!why) {
            served = i;
            break;
        }
        health.unavailable.append({ route.name, *why });
        since = qMax(since, sinceOf(route));
    }

    if (served >= 0) {
        const RouteSnapshot route = snapshotOf(lane.chain.at(served));
        health.servedBy = route.name;
        if (route.state == BreakerState::Recovering) {
            health.servedShare = route.trafficShare;
            since = qMax(since, route.stateSinceUtcMs);
            for (int i = served + 1; i < lane.chain.size() && health.restTo.isEmpty(); ++i) {
                if (canServe(snapshotOf(lane.chain.at(i))))
                    health.restTo = lane.chain.at(i);
            }
            if (health.restTo.isEmpty() && !lane.degraded.isEmpty()
                && canServe(snapshotOf(lane.degraded)))
                health.restTo = lane.degraded;
        }
        health.level = served == 0 && route.state == BreakerState::Closed
            ? LaneHealth::Level::Healthy
            : LaneHealth::Level::FallingBack;
        health.sinceUtcMs
            = served == 0 && route.state == BreakerState::Closed ? route.stateSinceUtcMs : since;
    } else if (!lane.degraded.isEmpty() && canServe(snapshotOf(lane.degraded))) {
        health.level = LaneHealth::Level::Degraded;
        health.servedBy = lane.degraded;
        health.sinceUtcMs = since;
    } else {
        // Since the last way out went too: the degraded route, when there is one.
        health.level = LaneHealth::Level::NoRoute;
        health.sinceUtcMs
            = lane.degraded.isEmpty() ? since : qMax(since, sinceOf(snapshotOf(lane.degraded)));
    }

    qint64 tokensIn = 0;
    qint64 tokensOut = 0;
    const auto endedIt = m_ended.constFind(lane.name);
    if (endedIt != m_ended.cend()) {
        for (auto it = endedIt->cbegin(); it != endedIt->cend() && it.key() <= nowMs; ++it) {
            const Ended &ended = it.value();
            health.extraUsd += ended.extraUsd;
            if (it.key() < nowMs - ShareWindowMs)
                continue;
            health.requests += ended.requests;
            health.fellBack += ended.fellBack;
            health.failed += ended.failed;
            tokensIn += ended.tokensIn;
            tokensOut += ended.tokensOut;
        }
    }

    if (!health.servedBy.isEmpty()) {
        if (tokensIn == 0 && tokensOut == 0)
            tokensIn = tokensOut = 1000000; // no traffic yet: the prices side by side
        const Price primary = m_config.routes.value(health.primary).price;
        const Price serving = m_config.routes.value(health.servedBy).price;
        const double primaryCost = primary.costUsd(tokensIn, tokensOut);
        if (health.servedBy == health.primary)
            health.costFactor = 1.0;
        else if (hasPrice(primary) && hasPrice(serving) && primaryCost > 0)
            health.costFactor = serving.costUsd(tokensIn, tokensOut) / primaryCost;
    }
    return health;
}

} // namespace Switchyard
