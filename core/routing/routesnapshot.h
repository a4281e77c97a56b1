#pragma once

#include "routing/breaker.h"

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

namespace Switchyard {

// An immutable picture of one route, handed from the engine thread to the console and /admin/state.
struct RouteSnapshot {
    QString name;
    QString provider;
    QString model;
    BreakerState state = BreakerState::Closed;
    qint64 cooldownRemainingMs = 0;
    qint64 rateLimitedRemainingMs = 0; // a 429's Retry-After keeps traffic away this long
    int recoveryStep = 0; // 0-based index into the recovery steps
    int recoveryStepCount = 0;
    double trafficShare = 1.0;
    qint64 stepRemainingMs = 0;
    double failureRate = 0.0;
    int callsInWindow = 0;
    int consecutiveFailures = 0;
    qint64 p50Ms = -1;
    qint64 p95Ms = -1;
    double requestsPerSecond = 0.0;
    int inFlight = 0;
    qint64 stateSinceUtcMs = 0; // when the breaker entered its state; 0: since the gateway started
    QString lastError; // since the route was last healthy: cleared once it closes after it
    qint64 lastErrorAtUtcMs = 0;
    QString misconfigured;
    QString drillFault;
    qint64 drillRemainingMs = 0;
    bool lastProbeOk = true;
    QString lastProbeResult;
    QStringList lanes; // the lanes whose chain or degraded slot holds this route
};

// Why a route takes no traffic now; nullopt when it does (a recovering route takes its share).
enum class Unavailability { Open, HalfOpen, Drained, Drilling, Misconfigured, RateLimited };
inline std::optional<Unavailability> unavailabilityOf(const RouteSnapshot &route)
{
    if (!route.misconfigured.isEmpty())
        return Unavailability::Misconfigured;
    switch (route.state) {
    case BreakerState::Open:
        return Unavailability::Open;
    case BreakerState::HalfOpen:
        return Unavailability::HalfOpen;
    case BreakerState::Drained:
        return Unavailability::Drained;
    case BreakerState::Drilling:
        return Unavailability::Drilling;
    case BreakerState::Closed:
    case BreakerState::Recovering:
        break;
    }
    if (route.rateLimitedRemainingMs > 0)
        return Unavailability::RateLimited;
    return std::nullopt;
}

} // namespace Switchyard

Q_DECLARE_METATYPE(Switchyard::RouteSnapshot)
