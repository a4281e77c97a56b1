#include "engine/engine.h"

#include "proxy/httplistener.h"
#include "proxy/proxyservice.h"
#include "routing/routestate.h"
#include "upstream/upstreampool.h"

#include <QHostAddress>
#include <QHostInfo>
#include <QLoggingCategory>
#include <QThread>

Q_LOGGING_CATEGORY(lcEngine, "switchyard.engine", QtInfoMsg)

namespace Switchyard {

Engine::Engine(const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_clock(clock)
{
    qRegisterMetaType<Switchyard::Config>();
    qRegisterMetaType<Switchyard::TraceRecord>();
}

Engine::~Engine() = default;

RouteState &Engine::routeState(const QString &route)
{
    std::shared_ptr<RouteState> &state = m_routeStates[route];
    if (!state)
        state = std::make_shared<RouteState>(m_clock);
    return *state;
}

void Engine::install(const Config &config)
{
    auto active = std::make_shared<ActiveConfig>();
    active->config = config;
    for (const ProviderConfig &provider : config.providers) {
        const ResolvedSecret key = SecretResolver::resolve(provider.apiKey);
        if (!key.ok)
            qCWarning(lcEngine).noquote()
                << QStringLiteral("provider %1: %2; its routes are skipped as misconfigured")
                       .arg(provider.name, key.error);
        active->providerKeys.insert(provider.name, key);
    }
    // Routing state survives a reload for routes that still exist.
    for (auto it = m_routeStates.begin(); it != m_routeStates.end();) {
        if (config.routes.contains(it.key()))
            ++it;
        else
            it = m_routeStates.erase(it);
    }
    m_active = std::move(active);
}

void Engine::start(const Config &config, const QString &listenOverride)
{
    if (QThread::currentThread() != thread()) {
        QMetaObject::invokeMethod(
            this, [this, config, listenOverride] { start(config, listenOverride); },
            Qt::QueuedConnection);
        return;
    }
    Config effective = config;
    if (!listenOverride.isEmpty()
        && !parseListenAddress(listenOverride, &effective.listenHost, &effective.listenPort)) {
        Q_EMIT startFailed(QStringLiteral("--listen %1: must be HOST:PORT").arg(listenOverride));
        return;
    }
    if (!effective.listensOnLoopbackOnly() && !effective.adminToken.isSet()) {
        Q_EMIT startFailed(
            QStringLiteral("refusing to listen on %1 without an admin_token: a non-loopback "
                           "listener needs one")
                .arg(effective.listenAddress()));
        return;
    }
    install(effective);
    if (!m_upstreams)
        m_upstreams = new UpstreamPool(this);
    if (!m_proxy)
        m_proxy = new ProxyService(this);
    delete m_listener;
    m_listener = new HttpListener([this](const QHttpServerRequest &request,
                                      QTcpSocket *socket) { m_proxy->handle(request, socket); },
        this);

    const QHostAddress address = effective.listenHost == QLatin1String("localhost")
        ? QHostAddress(QHostAddress::LocalHost)
        : QHostAddress(effective.listenHost);
    m_port = m_listener->listen(address, effective.listenPort);
    if (m_port == 0) {
        delete m_listener;
        m_listener = nullptr;
        Q_EMIT startFailed(QStringLiteral("cannot listen on %1 (is the port in use?)")
                               .arg(effective.listenAddress()));
        return;
    }
    effective.listenPort = m_port;
    qCInfo(lcEngine).noquote() << "listening on" << effective.listenAddress();
    Q_EMIT started(effective.listenAddress());
}

void Engine::applyConfig(const Config &config)
{
    if (QThread::currentThread() != thread()) {
        QMetaObject::invokeMethod(
            this, [this, config] { applyConfig(config); }, Qt::QueuedConnection);
        return;
    }
    Config effective = config;
    if (m_active) {
        // The listener stays where it is; moving it is a restart, not a reload.
        effective.listenHost = m_active->config.listenHost;
        effective.listenPort = m_active->config.listenPort;
    }
    install(effective);
    Q_EMIT configApplied();
}

void Engine::stop()
{
    delete m_listener;
    m_listener = nullptr;
    m_port = 0;
}

} // namespace Switchyard
