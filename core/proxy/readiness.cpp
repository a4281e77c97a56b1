#include "proxy/readiness.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>

namespace Switchyard {

namespace {

// States in which a route takes ordinary or trial traffic. A rate-limited route still counts:
// its wait is seconds, and the gateway answers meanwhile from the rest of the chain or queues.
bool takesTraffic(const RouteSnapshot &route)
{
    switch (route.state) {
    case BreakerState::Closed:
    case BreakerState::HalfOpen:
    case BreakerState::Recovering:
        return route.misconfigured.isEmpty();
    case BreakerState::Open:
    case BreakerState::Drained:
    case BreakerState::Drilling:
        return false;
    }
    return false;
}

} // namespace

QByteArray Readiness::toJson() const
{
    return QJsonDocument(
        QJsonObject { { QStringLiteral("status"),
                          ready() ? QStringLiteral("ready") : QStringLiteral("not_ready") },
            { QStringLiteral("lanes_without_route"),
                QJsonArray::fromStringList(lanesWithoutRoute) },
            { QStringLiteral("lanes"), lanes } })
        .toJson(QJsonDocument::Compact);
}

Readiness readinessOf(const Config &config, const QList<RouteSnapshot> &routes)
{
    QHash<QString, const RouteSnapshot *> byName;
    for (const RouteSnapshot &route : routes)
        byName.insert(route.name, &route);
    Readiness readiness;
    for (const LaneConfig &lane : config.lanes) {
        QStringList candidates = lane.chain;
        if (!lane.degraded.isEmpty())
            candidates.append(lane.degraded);
        QStringList eligible;
        for (const QString &name : std::as_const(candidates)) {
            const RouteSnapshot *route = byName.value(name);
            if (route && takesTraffic(*route) && !eligible.contains(name))
                eligible.append(name);
        }
        if (eligible.isEmpty())
            readiness.lanesWithoutRoute.append(lane.name);
        readiness.lanes.insert(lane.name,
            QJsonObject { { QStringLiteral("eligible"), QJsonArray::fromStringList(eligible) } });
    }
    readiness.lanesWithoutRoute.sort();
    return readiness;
}

} // namespace Switchyard
