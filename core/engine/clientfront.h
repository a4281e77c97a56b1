#pragma once

#include "http/httpconnection.h"
#include "observe/costledger.h"
#include "observe/trace.h"
#include "proxy/gatewayservices.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QSslConfiguration>

#include <functional>
#include <memory>
#include <optional>

class QObject;

namespace Switchyard {

class AdminEvents;
class EngineInbox;
class GatewayControl;
class HttpListener;
class IoWorkers;
class ProxyService;
class StateLock;

// Where the gateway's clients are served. With one worker, on the engine's own thread: a
// listener and the ProxyService it hands requests to, with the engine's services as they are.
// With more, on the I/O threads (IoWorkers), each with its own listener, ProxyService and
// upstream connections; what they share with the engine thread is the state behind the
// StateLock, which the engine holds whenever it is awake, and what their requests hand over
// comes back through the EngineInbox. Either way this keeps the listeners' limits and
// certificate current and tells every /admin/events stream what finished.
//
// Engine thread only.
class ClientFront final {
public:
    // `control`: the engine's answers to the admin API. `adminEventsMade`: for each
    // /admin/events stream as it is made, to connect to what the engine publishes.
    ClientFront(GatewayControl &control, QObject *engine, EngineInbox &inbox,
        std::function<void(AdminEvents *)> adminEventsMade);
    ~ClientFront(); // stop()s

    // Serves on `address`:`port` (0: ephemeral) with `workers` threads. This thread's requests
    // use `services` (kept by reference: it outlives this); the I/O threads' use `shared`, whose
    // state is behind `lock`. The port, or 0 and why.
    quint16 listen(int workers, const QHostAddress &address, quint16 port,
        const std::optional<QSslConfiguration> &tls, const ListenerLimits &limits,
        const GatewayServices &services, const GatewayServices &shared, StateLock *lock,
        QString *error);
    bool isListening() const { return m_listener || m_workers; }
    // The I/O threads serving, 1 when it is this one.
    int threadCount() const;

    // For the connections accepted from now on.
    void setLimits(const ListenerLimits &limits);
    void setTls(const QSslConfiguration &tls);

    // Tells the /admin/events streams that are listened to.
    void publishTrace(const TraceRecord &trace, const QList<CostPoint> &spend);
    // The I/O threads' own metrics (Prometheus text); empty with none.
    QByteArray metricsText() const;

    // Closes the listeners. The I/O threads end first, and what their last requests handed over
    // (traces, bodies, breaker events) is taken up before they go. Not from inside a
    // StateLock::Held of the engine thread's own.
    void stop();

private:
    quint16 listenOnThisThread(const QHostAddress &address, quint16 port,
        const std::optional<QSslConfiguration> &tls, const ListenerLimits &limits,
        const GatewayServices &services, QString *error);
    void stopIoThreads();

    GatewayControl &m_control;
    QObject *m_engine;
    EngineInbox &m_inbox;
    std::function<void(AdminEvents *)> m_adminEventsMade;
    ProxyService *m_proxy = nullptr; // this thread's; made once, kept across restarts
    HttpListener *m_listener = nullptr;
    std::unique_ptr<IoWorkers> m_workers; // none: this thread serves the clients
    QList<AdminEvents *> m_ioEvents; // the I/O threads' /admin/events streams
};

} // namespace Switchyard
