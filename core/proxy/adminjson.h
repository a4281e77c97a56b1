#pragma once

#include "cluster/fleetstatus.h"
#include "observe/costledger.h"
#include "proxy/gatewaycontrol.h"
#include "routing/breaker.h"
#include "routing/providersnapshot.h"
#include "routing/routesnapshot.h"

#include <QJsonArray>
#include <QJsonObject>

// The admin API's JSON for the values the console shows, both ways: the gateway writes them
// (/admin/state, /admin/events, /admin/history) and an attached console reads them back into
// the same value types its models take, so a view cannot tell an attached gateway from its own.
// Never a secret: a provider's key appears as where it comes from, never as its value.
namespace Switchyard::AdminJson {

QJsonObject fromRoute(const RouteSnapshot &route);
RouteSnapshot toRoute(const QString &name, const QJsonObject &json);
QJsonArray fromRoutes(const QList<RouteSnapshot> &routes); // each with its "name"
QList<RouteSnapshot> toRoutes(const QJsonArray &json);

QJsonObject fromEvent(const StateEvent &event);
StateEvent toEvent(const QJsonObject &json);

QJsonObject fromCost(const CostPoint &point);
CostPoint toCost(const QJsonObject &json);

QJsonObject fromFleet(const FleetStatus &fleet);
FleetStatus toFleet(const QJsonObject &json);

QJsonObject fromProvider(const ProviderSnapshot &provider);

// GET /admin/incident.
QJsonObject fromIncident(const IncidentReport &report);
IncidentReport toIncident(const QJsonObject &json);

// GET /admin/history, and the console stream's first event.
QJsonObject fromHistory(const GatewayControl::History &history);
ProviderSnapshot toProvider(const QJsonObject &json);

template <typename T, typename F> QJsonArray arrayOf(const QList<T> &values, F write)
{
    QJsonArray array;
    for (const T &value : values)
        array.append(write(value));
    return array;
}

// At most `max` of them: a gateway elsewhere cannot make the console hold what it likes.
template <typename T, typename F>
QList<T> listOf(const QJsonValue &json, F read, qsizetype max = 100000)
{
    QList<T> values;
    const QJsonArray array = json.toArray();
    for (qsizetype i = 0; i < array.size() && i < max; ++i)
        values.append(read(array.at(i).toObject()));
    return values;
}

// The most providers a console takes from a gateway elsewhere (each with up to
// MaxKeysPerProvider keys).
inline constexpr qsizetype MaxProvidersListed = 256;

} // namespace Switchyard::AdminJson
