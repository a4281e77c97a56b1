#pragma once

#include "proxy/gatewaycontrol.h"

#include <memory>

class QObject;

namespace Switchyard {

class ReturnAddress;

// The admin API of an I/O thread: what it asks goes to the engine's GatewayControl on the engine
// thread, in the engine's turn, and the answer comes back through the thread's ReturnAddress.
// The thread never waits for it: a scrape of /metrics, a load balancer's /readyz or an operator's
// drain leaves the streams it serves flowing while the engine is busy with other work.
class WorkerControl final : public GatewayControl {
public:
    WorkerControl(
        GatewayControl &engine, QObject *engineObject, std::shared_ptr<ReturnAddress> home);

    void readRoutes(RoutesRead done) override;
    void readState(StateRead done) override;
    void runCommand(const RouteCommand &command, CommandDone done) override;
    void readMetrics(MetricsRead done) override;
    void queryTraces(const TraceQuery &query, TracesRead done) override;
    void findTrace(const QString &id, TraceFound done) override;
    void readIncident(qint64 fromMs, qint64 toMs, IncidentRead done) override;
    void readBodies(const QString &traceId, BodiesRead done) override;
    void replay(const QString &traceId, const QString &route, Replayed done) override;
    void readProviders(ProvidersRead done) override;
    void runProviderTest(const QString &provider) override;
    void rereadSecrets() override;
    void readHistory(
        std::function<void()> taken, std::function<void(const History &history)> done) override;
    void proposeConfig(const QJsonObject &json, const Config &config, ConfigAnswered done) override;

private:
    // Runs `call` on the engine thread with the engine's control; `done`, handed the answer there,
    // is wrapped to run here.
    template <typename Answer, typename Call>
    void later(std::function<void(const Answer &)> done, Call call);
    template <typename Call> void onEngine(Call call);

    GatewayControl &m_engine;
    QObject *m_engineObject;
    std::shared_ptr<ReturnAddress> m_home;
};

} // namespace Switchyard
