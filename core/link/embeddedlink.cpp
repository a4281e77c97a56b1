#include "link/embeddedlink.h"

#include "engine/configcontroller.h"
#include "engine/engine.h"

#include <QCoreApplication>
#include <QPointer>

namespace Switchyard {

namespace {

// An answer the engine gives on its own thread, handed back to this one through the application
// object (which outlives both), and to `done` only if `context` still exists there.
template <typename Value, typename Done> auto handedBack(QObject *context, Done done)
{
    return [guard = QPointer<QObject>(context), done = std::move(done)](const Value &value) {
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [guard, done, value] {
                if (guard)
                    done(value);
            },
            Qt::QueuedConnection);
    };
}

} // namespace

EmbeddedLink::EmbeddedLink(Engine *engine, ConfigController *config, QObject *parent)
    : GatewayLink(parent)
    , m_engine(engine)
    , m_config(config)
{
    connect(engine, &Engine::started, this, [this](const QString &address) {
        m_address = address;
        Q_EMIT addressChanged(address);
    });
    connect(config, &ConfigController::applied, this, &GatewayLink::configApplied);
    connect(config, &ConfigController::reloaded, this, &GatewayLink::configChangedElsewhere);
    connect(config, &ConfigController::reloadRefused, this, &GatewayLink::configReloadRefused);
    connect(engine, &Engine::routesUpdated, this, &GatewayLink::routesUpdated);
    connect(engine, &Engine::tracesAdded, this, &GatewayLink::tracesAdded);
    connect(engine, &Engine::costAdded, this, &GatewayLink::costAdded);
    connect(engine, &Engine::routeStateChanged, this, &GatewayLink::eventRecorded);
    connect(engine, &Engine::providersUpdated, this, &GatewayLink::providersUpdated);
    connect(engine, &Engine::fleetUpdated, this, &GatewayLink::fleetUpdated);
    connect(engine, &Engine::storageProblemChanged, this, &GatewayLink::storageProblemChanged);
    connect(engine, &Engine::historyPublished, this, &GatewayLink::historyPublished);
    // Another configuration runs on a journal of its own: the console starts again from its
    // history, which the engine publishes next.
    connect(engine, &Engine::journalChanged, this, &GatewayLink::historyCleared);
    connect(engine, &Engine::commandFailed, this, &GatewayLink::commandFailed);
}

QJsonObject EmbeddedLink::configJson() const
{
    return m_config->json();
}

const Config &EmbeddedLink::config() const
{
    return m_config->config();
}

QString EmbeddedLink::configLocation() const
{
    return m_config->isSaved() ? m_config->path() : QString();
}

void EmbeddedLink::proposeConfig(const QJsonObject &json, QObject *context, Done done)
{
    m_config->propose(json, context, std::move(done));
}

void EmbeddedLink::submit(const RouteCommand &command)
{
    m_engine->submit(command);
}

void EmbeddedLink::testProvider(const QString &provider)
{
    m_engine->testProvider(provider);
}

void EmbeddedLink::reloadSecrets()
{
    m_engine->reloadSecrets();
}

void EmbeddedLink::findTrace(const QString &id, QObject *context, TraceFound done)
{
    m_engine->findTrace(id, handedBack<std::optional<TraceRecord>>(context, std::move(done)));
}

void EmbeddedLink::readBodies(const QString &traceId, QObject *context, BodiesRead done)
{
    m_engine->readBodies(traceId,
        handedBack<std::optional<CapturedBodies>>(
            context, [done = std::move(done)](const std::optional<CapturedBodies> &bodies) {
                done(bodies, QString());
            }));
}

void EmbeddedLink::replay(
    const QString &traceId, const QString &route, QObject *context, Replayed done)
{
    m_engine->replay(traceId, route, handedBack<ReplayResult>(context, std::move(done)));
}

void EmbeddedLink::readIncident(qint64 fromMs, qint64 toMs, QObject *context, IncidentRead done)
{
    m_engine->readIncident(fromMs, toMs,
        handedBack<IncidentReport>(context,
            [done = std::move(done)](const IncidentReport &report) { done(report, QString()); }));
}

} // namespace Switchyard
