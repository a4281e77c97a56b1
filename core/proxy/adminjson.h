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

template <typename T, typename F> QList<T> listOf(const QJsonValue &json, F read)
{
    QList<T> values;
    for (const QJsonValue &value : json.toArray())
        values.append(read(value.toObject()));
    return values;
}

} // namespace Switchyard::AdminJson
