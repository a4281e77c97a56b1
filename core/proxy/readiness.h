#pragma once

#include "config/config.h"
#include "routing/routesnapshot.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>

namespace Switchyard {

// Whether the gateway can answer each of its lanes now, for `GET /readyz` (a load balancer's or
// an orchestrator's readiness check). `/healthz` says only that the process serves HTTP.
struct Readiness {
    // Lanes where no route of the chain or the degraded slot would be tried: every breaker open,
    // drained or drilling, or every key missing or refused.
    QStringList lanesWithoutRoute;
    bool ready() const { return lanesWithoutRoute.isEmpty(); }
    // {"status": "ready"|"not_ready", "lanes_without_route": […], "lanes": {…}}
    QByteArray toJson() const;
    QJsonObject lanes; // lane → {"eligible": [routes]}
};

Readiness readinessOf(const Config &config, const QList<RouteSnapshot> &routes);

} // namespace Switchyard
