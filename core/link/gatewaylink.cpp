#include "link/gatewaylink.h"

namespace Switchyard {

void GatewayLink::drain(const QString &route)
{
    submit(RouteCommand { route, RouteCommand::Action::Drain });
}

void GatewayLink::restore(const QString &route, bool staged)
{
    submit(RouteCommand {
        route, staged ? RouteCommand::Action::RestoreStaged : RouteCommand::Action::Restore });
}

void GatewayLink::stageRecovery(const QString &route)
{
    submit(RouteCommand { route, RouteCommand::Action::StageRecovery });
}

void GatewayLink::probeNow(const QString &route)
{
    submit(RouteCommand { route, RouteCommand::Action::ProbeNow });
}

void GatewayLink::drill(const QString &route, DrillFault fault, int seconds)
{
    submit(RouteCommand { route, RouteCommand::Action::Drill, fault, seconds });
}

} // namespace Switchyard
