#pragma once

#include "proxy/gatewaycontrol.h"

namespace Switchyard::Testing {

// A gateway that answers no question of the admin API: a test derives from it and answers the
// ones it is about.
class StubGatewayControl : public GatewayControl {
public:
    void readRoutes(RoutesRead) override { }
    void readState(StateRead) override { }
    void runCommand(const RouteCommand &, CommandDone) override { }
    void readMetrics(MetricsRead) override { }
    void queryTraces(const TraceQuery &, TracesRead) override { }
    void findTrace(const QString &, TraceFound) override { }
    void readIncident(qint64, qint64, IncidentRead) override { }
    void readBodies(const QString &, BodiesRead) override { }
    void replay(const QString &, const QString &, Replayed) override { }
    void readProviders(ProvidersRead) override { }
    void runProviderTest(const QString &) override { }
    void rereadSecrets() override { }
    void readHistory(std::function<void()>, std::function<void(const History &)>) override { }
    void proposeConfig(const QJsonObject &, const Config &, ConfigAnswered) override { }
};

} // namespace Switchyard::Testing
