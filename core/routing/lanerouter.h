#pragma once

#include "config/config.h"

namespace Switchyard {

// Where a request goes: a lane's chain, or one pinned route; or why it goes nowhere.
struct RoutingTarget {
    bool found = false;
    QString notFoundMessage;

    QString lane; // the lane's name; for a pinned route, "route:<name>"
    bool pinned = false;
    QStringList chain;
    QString degraded;
    QStringList policyFallbacks;
    RetryPolicy retry;
    int deadlineMs = 120000;
    double budgetUsdPerDay = 0.0; // the lane's spend cap; 0: none
    Continuation continuation = Continuation::Off;
    HedgeSettings hedge; // never for a pinned route: it has nothing to hedge with
};

// Picks the lane or route for a request (SPEC §4): the X-Switchyard-Lane header first,
// then a model naming a lane, then a model naming a route (pinned, no fallback), then a lane
// whose `models` list the model (by name or glob), then the default lane if the config allows
// unknown models there.
RoutingTarget resolveTarget(const Config &config, const QString &model, const QString &laneHeader);

// `model` names a lane or a route, or a lane lists it: it needs no default lane to be served.
bool namesATarget(const Config &config, const QString &model);

} // namespace Switchyard
