#pragma once

#include "proxy/gatewaycontrol.h"

#include <atomic>
#include <memory>

class QObject;

namespace Switchyard {

class ReturnAddress;

// The admin API of an I/O thread: what it asks goes to the engine's GatewayControl on the engine
// thread, and the answers come back to the I/O thread — at once for a snapshot or a command
// (askEngine), later through the thread's ReturnAddress for what is read from disk.
class WorkerControl final : public GatewayControl {
public:
    WorkerControl(GatewayControl &engine, QObject *engineObject, const std::atomic<bool> &stopping,
        std::shared_ptr<ReturnAddress> home);

    QList<RouteSnapshot> routeSnapshots() const override;
    QList<StateEvent> recentEvents() const override;
    bool execute(const RouteCommand &command, QString *error) override;
    void queryTraces(const TraceQuery &query, TracesRead done) override;
    void findTrace(const QString &id, TraceFound done) override;
    void readIncident(qint64 fromMs, qint64 toMs, IncidentRead done) override;
    void readBodies(const QString &traceId, BodiesRead done) override;
    void replay(const QString &traceId, const QString &route, Replayed done) override;
    QList<ProviderSnapshot> providerSnapshots() const override;
    FleetStatus fleetStatus() const override;
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
    const std::atomic<bool> &m_stopping;
    std::shared_ptr<ReturnAddress> m_home;
};

} // namespace Switchyard
