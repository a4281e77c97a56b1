#include "routing/lanerouter.h"

namespace Switchyard {

namespace {

RoutingTarget fromLane(const Config &config, const LaneConfig &lane)
{
    RoutingTarget target;
    target.found = true;
    target.lane = lane.name;
    target.chain = lane.chain;
    target.degraded = lane.degraded;
    target.policyFallbacks = lane.policyFallbacks;
    target.retry = lane.retry;
    target.deadlineMs = lane.deadlineMs;
    target.budgetUsdPerDay = lane.budgetUsdPerDay;
    target.continuation = lane.continuation;
    target.hedge = lane.hedge;
    Q_UNUSED(config);
    return target;
}

// The lane whose `models` fit `model` best: an exact name before any glob, then the glob with the
// most literal characters; a tie goes to the lane first by name.
const LaneConfig *laneListing(const Config &config, const QString &model)
{
    const LaneConfig *best = nullptr;
    int bestScore = -1;
    for (const LaneConfig &lane : config.lanes) {
        for (const ModelPattern &pattern : lane.models) {
            const int score = pattern.matchScore(model);
            if (score > bestScore) {
                best = &lane;
                bestScore = score;
            }
        }
    }
    return best;
}

RoutingTarget notFound(const Config &config, const QString &what)
{
    RoutingTarget target;
    QStringList lanes = config.lanes.keys();
    target.notFoundMessage
        = QStringLiteral("%1 is neither a lane nor a route of this gateway. Lanes: %2.")
              .arg(what,
                  lanes.isEmpty() ? QStringLiteral("(none)") : lanes.join(QLatin1String(", ")));
    return target;
}

} // namespace

bool namesATarget(const Config &config, const QString &model)
{
    return config.lanes.contains(model) || config.routes.contains(model)
        || laneListing(config, model) != nullptr;
}

RoutingTarget resolveTarget(const Config &config, const QString &model, const QString &laneHeader)
{
    if (!laneHeader.isEmpty()) {
        const auto lane = config.lanes.constFind(laneHeader);
        if (lane == config.lanes.cend())
            return notFound(
                config, QStringLiteral("The lane '%1' named by X-Switchyard-Lane").arg(laneHeader));
        return fromLane(config, *lane);
    }
    if (const auto lane = config.lanes.constFind(model); lane != config.lanes.cend())
        return fromLane(config, *lane);
    if (const auto route = config.routes.constFind(model); route != config.routes.cend()) {
        RoutingTarget target;
        target.found = true;
        target.pinned = true;
        target.lane = QStringLiteral("route:") + route->name;
        target.chain = QStringList { route->name };
        // A pinned route still retries the way the default lane does; it only never falls back.
        if (const auto lane = config.lanes.constFind(config.defaultLane);
            lane != config.lanes.cend()) {
            target.retry = lane->retry;
            target.deadlineMs = lane->deadlineMs;
        }
        return target;
    }
    if (const LaneConfig *lane = laneListing(config, model))
        return fromLane(config, *lane);
    // A request that names no model is what the default lane is for; unknown_model decides only
    // for names that match nothing.
    if (model.isEmpty() || config.unknownModel == UnknownModelPolicy::DefaultLane) {
        if (const auto lane = config.lanes.constFind(config.defaultLane);
            lane != config.lanes.cend())
            return fromLane(config, *lane);
    }
    if (model.isEmpty())
        return notFound(config, QStringLiteral("A request without a model (and no default_lane)"));
    return notFound(config, QStringLiteral("The model '%1'").arg(model));
}

} // namespace Switchyard
