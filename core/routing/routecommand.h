#pragma once

#include "routing/breaker.h"

#include <QMetaType>
#include <QString>

namespace Switchyard {

// An operator's command for one route (SPEC §7), from the console or the admin API.
struct RouteCommand {
    enum class Action { Drain, Restore, RestoreStaged, StageRecovery, ProbeNow, Drill };
    QString route;
    Action action = Action::Drain;
    DrillFault fault = DrillFault::ServiceUnavailable;
    int seconds = 0;
    // Another instance of the fleet where the operator acted; empty when it was here.
    QString fromInstance;
};

} // namespace Switchyard

Q_DECLARE_METATYPE(Switchyard::RouteCommand)
