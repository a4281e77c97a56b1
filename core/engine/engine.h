#pragma once

#include "config/config.h"
#include "engine/activeconfig.h"
#include "observe/trace.h"
#include "routing/clock.h"

#include <QHash>
#include <QObject>

#include <memory>

namespace Switchyard {

class HttpListener;
class ProxyService;
class RouteState;
class UpstreamPool;

// The gateway: listener, upstream clients and routing state. Lives in its own thread;
// its public methods may be called from any thread and re-route themselves there.
class Engine final : public QObject {
    Q_OBJECT
public:
    explicit Engine(const Clock &clock = SteadyClock::instance(), QObject *parent = nullptr);
    ~Engine() override;

    // Applies `config` and starts listening on its address (or `listenOverride`, "HOST:PORT").
    void start(const Switchyard::Config &config, const QString &listenOverride = QString());
    // Swaps the running config; requests in flight finish on the config they started with.
    void applyConfig(const Switchyard::Config &config);
    void stop();

    // Engine thread only.
    std::shared_ptr<const ActiveConfig> activeConfig() const { return m_active; }
    RouteState &routeState(const QString &route);
    UpstreamPool &upstreams() { return *m_upstreams; }
    const Clock &clock() const { return m_clock; }
    quint16 listeningPort() const { return m_port; }

Q_SIGNALS:
    void started(const QString &address);
    void startFailed(const QString &error);
    void configApplied();
    void requestFinished(const Switchyard::TraceRecord &trace);

private:
    void install(const Config &config);

    const Clock &m_clock;
    std::shared_ptr<const ActiveConfig> m_active;
    QHash<QString, std::shared_ptr<RouteState>> m_routeStates;
    UpstreamPool *m_upstreams = nullptr;
    ProxyService *m_proxy = nullptr;
    HttpListener *m_listener = nullptr;
    quint16 m_port = 0;
};

} // namespace Switchyard
