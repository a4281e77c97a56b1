#include "engine/workercontrol.h"

#include "engine/enginecall.h"

namespace Switchyard {

WorkerControl::WorkerControl(
    GatewayControl &engine, QObject *engineObject, std::shared_ptr<ReturnAddress> home)
    : m_engine(engine)
    , m_engineObject(engineObject)
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

void WorkerControl::readRoutes(RoutesRead done)
{
    later<QList<RouteSnapshot>>(std::move(done),
        [](GatewayControl &engine, RoutesRead answer) { engine.readRoutes(answer); });
}

void WorkerControl::readState(StateRead done)
{
    later<StatePicture>(std::move(done),
        [](GatewayControl &engine, StateRead answer) { engine.readState(answer); });
}

void WorkerControl::runCommand(const RouteCommand &command, CommandDone done)
{
    later<QString>(std::move(done), [command](GatewayControl &engine, CommandDone answer) {
        engine.runCommand(command, answer);
    });
}

void WorkerControl::readMetrics(MetricsRead done)
{
    later<QByteArray>(std::move(done),
        [](GatewayControl &engine, MetricsRead answer) { engine.readMetrics(answer); });
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

void WorkerControl::readProviders(ProvidersRead done)
{
    later<QList<ProviderSnapshot>>(std::move(done),
        [](GatewayControl &engine, ProvidersRead answer) { engine.readProviders(answer); });
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
