#include "engine/workercontrol.h"

#include "engine/enginecall.h"

namespace Switchyard {

WorkerControl::WorkerControl(GatewayControl &engine, QObject *engineObject,
    const std::atomic<bool> &stopping, std::shared_ptr<ReturnAddress> home)
    : m_engine(engine)
    , m_engineObject(engineObject)
    , m_stopping(stopping)
    , m_home(std::move(home))
{
}

template <typename Call> void WorkerControl::onEngine(Call call)
{
    QMetaObject::invokeMethod(
        m_engineObject, [&engine = m_engine, call = std::move(call)] { call(engine); },
        Qt::QueuedConnection);
}

template <typename Answer, typename Call>
void WorkerControl::later(std::function<void(const Answer &)> done, Call call)
{
    onEngine(
        [home = m_home, done = std::move(done), call = std::move(call)](GatewayControl &engine) {
            call(engine, [home, done](const Answer &answer) {
                home->post([done, answer] { done(answer); });
            });
        });
}

QList<RouteSnapshot> WorkerControl::routeSnapshots() const
{
    return askEngine<QList<RouteSnapshot>>(m_engineObject, m_stopping, [&engine = m_engine] {
        return engine.routeSnapshots();
    }).value_or(QList<RouteSnapshot>());
}

QList<StateEvent> WorkerControl::recentEvents() const
{
    return askEngine<QList<StateEvent>>(m_engineObject, m_stopping, [&engine = m_engine] {
        return engine.recentEvents();
    }).value_or(QList<StateEvent>());
}

bool WorkerControl::execute(const RouteCommand &command, QString *error)
{
    using Outcome = std::pair<bool, QString>;
    const std::optional<Outcome> outcome
        = askEngine<Outcome>(m_engineObject, m_stopping, [&engine = m_engine, command] {
              QString why;
              const bool done = engine.execute(command, &why);
              return Outcome { done, why };
          });
    if (!outcome) {
        *error = QStringLiteral("the gateway is stopping");
        return false;
    }
    *error = outcome->second;
    return outcome->first;
}

void WorkerControl::queryTraces(const TraceQuery &query, TracesRead done)
{
    later<QList<TraceRecord>>(std::move(done),
        [query](GatewayControl &engine, TracesRead answer) { engine.queryTraces(query, answer); });
}

void WorkerControl::findTrace(const QString &id, TraceFound done)
{
    later<std::optional<TraceRecord>>(std::move(done),
        [id](GatewayControl &engine, TraceFound answer) { engine.findTrace(id, answer); });
}

void WorkerControl::readIncident(qint64 fromMs, qint64 toMs, IncidentRead done)
{
    later<IncidentReport>(
        std::move(done), [fromMs, toMs](GatewayControl &engine, IncidentRead answer) {
            engine.readIncident(fromMs, toMs, answer);
        });
}

void WorkerControl::readBodies(const QString &traceId, BodiesRead done)
{
    later<std::optional<CapturedBodies>>(
        std::move(done), [traceId](GatewayControl &engine, BodiesRead answer) {
            engine.readBodies(traceId, answer);
        });
}

void WorkerControl::replay(const QString &traceId, const QString &route, Replayed done)
{
    later<ReplayResult>(std::move(done), [traceId, route](GatewayControl &engine, Replayed answer) {
        engine.replay(traceId, route, answer);
    });
}

QList<ProviderSnapshot> WorkerControl::providerSnapshots() const
{
    return askEngine<QList<ProviderSnapshot>>(m_engineObject, m_stopping, [&engine = m_engine] {
        return engine.providerSnapshots();
    }).value_or(QList<ProviderSnapshot>());
}

FleetStatus WorkerControl::fleetStatus() const
{
    return askEngine<FleetStatus>(m_engineObject, m_stopping, [&engine = m_engine] {
        return engine.fleetStatus();
    }).value_or(FleetStatus());
}

void WorkerControl::runProviderTest(const QString &provider)
{
    onEngine([provider](GatewayControl &engine) { engine.runProviderTest(provider); });
}

void WorkerControl::rereadSecrets()
{
    onEngine([](GatewayControl &engine) { engine.rereadSecrets(); });
}

void WorkerControl::readHistory(
    std::function<void()> taken, std::function<void(const History &history)> done)
{
    // The moment it is taken comes back here too, in order with what the engine publishes to this
    // thread: what arrived before it is in the history.
    later<History>(std::move(done),
        [home = m_home, taken = std::move(taken)](
            GatewayControl &engine, std::function<void(const History &)> answer) {
            std::function<void()> takenHere;
            if (taken)
                takenHere = [home, taken] { home->post(taken); };
            engine.readHistory(takenHere, answer);
        });
}

void WorkerControl::proposeConfig(
    const QJsonObject &json, const Config &config, ConfigAnswered done)
{
    later<ConfigAnswer>(
        std::move(done), [json, config](GatewayControl &engine, ConfigAnswered answer) {
            engine.proposeConfig(json, config, answer);
        });
}

} // namespace Switchyard
