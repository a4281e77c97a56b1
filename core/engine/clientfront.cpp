#include "engine/clientfront.h"

#include "engine/enginecall.h"
#include "engine/epolleventdispatcher.h"
#include "engine/ioworkers.h"
#include "http/httplistener.h"
#include "proxy/adminevents.h"
#include "proxy/adminservice.h"
#include "proxy/proxyservice.h"

#include <QAbstractEventDispatcher>
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcEngine)

namespace Switchyard {

ClientFront::ClientFront(GatewayControl &control, QObject *engine, EngineInbox &inbox,
    std::function<void(AdminEvents *)> adminEventsMade)
    : m_control(control)
    , m_engine(engine)
    , m_inbox(inbox)
    , m_adminEventsMade(std::move(adminEventsMade))
{
}

ClientFront::~ClientFront()
{
    stop();
    delete m_proxy;
}

quint16 ClientFront::listen(int workers, const QHostAddress &address, quint16 port,
    const std::optional<QSslConfiguration> &tls, const ListenerLimits &limits,
    const GatewayServices &services, const GatewayServices &shared, StateLock *lock, QString *error)
{
    if (workers <= 1)
        return listenOnThisThread(address, port, tls, limits, services, error);
    // The engine thread's code reads and writes the shared state without a word: it holds the
    // lock whenever it is awake, and only its own dispatcher can do that.
    auto *dispatcher = qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance());
    if (!dispatcher) {
        qCWarning(lcEngine) << "workers: the I/O threads need the epoll event dispatcher; the "
                               "engine thread serves the clients itself";
        return listenOnThisThread(address, port, tls, limits, services, error);
    }
    m_workers = std::make_unique<IoWorkers>(workers, shared, m_control, m_engine);
    m_ioEvents = m_workers->events();
    for (AdminEvents *events : std::as_const(m_ioEvents))
        m_adminEventsMade(events);
    dispatcher->holdWhileAwake(lock); // before the first client can come
    const quint16 listening = m_workers->listen(address, port, tls, limits, error);
    if (listening == 0) {
        stopIoThreads();
        return 0;
    }
    qCInfo(lcEngine).noquote() << workers << "I/O threads serve the clients";
    return listening;
}

quint16 ClientFront::listenOnThisThread(const QHostAddress &address, quint16 port,
    const std::optional<QSslConfiguration> &tls, const ListenerLimits &limits,
    const GatewayServices &services, QString *error)
{
    if (!m_proxy) {
        m_proxy = new ProxyService(services, m_control, m_engine);
        m_adminEventsMade(m_proxy->admin()->events());
    }
    delete m_listener;
    m_listener = new HttpListener(m_proxy->listenerHandlers(), m_engine);
    m_listener->setLimits(limits);
    if (tls)
        m_listener->setTls(*tls);
    const quint16 listening = m_listener->listen(address, port);
    if (listening == 0) {
        delete m_listener;
        m_listener = nullptr;
        *error = QStringLiteral("is the port in use?");
    }
    return listening;
}

int ClientFront::threadCount() const
{
    return m_workers ? m_workers->count() : 1;
}

void ClientFront::setLimits(const ListenerLimits &limits)
{
    if (m_listener)
        m_listener->setLimits(limits);
    if (m_workers)
        m_workers->setLimits(limits);
}

void ClientFront::setTls(const QSslConfiguration &tls)
{
    if (m_listener)
        m_listener->setTls(tls);
    if (m_workers)
        m_workers->setTls(tls);
}

void ClientFront::publishTrace(const TraceRecord &trace, const QList<CostPoint> &spend)
{
    if (m_proxy)
        m_proxy->admin()->events()->publishTrace(trace, spend);
    for (AdminEvents *events : std::as_const(m_ioEvents)) {
        if (!events->isListenedTo())
            continue;
        QMetaObject::invokeMethod(
            events, [events, trace, spend] { events->publishTrace(trace, spend); },
            Qt::QueuedConnection);
    }
}

QByteArray ClientFront::metricsText() const
{
    if (!m_workers)
        return {};
    QByteArray text = "# HELP switchyard_io_thread_connections_total Clients accepted by each I/O "
                      "thread (workers).\n"
                      "# TYPE switchyard_io_thread_connections_total counter\n";
    const QList<quint64> accepted = m_workers->connectionsAccepted();
    for (qsizetype index = 0; index < accepted.size(); ++index)
        text += "switchyard_io_thread_connections_total{thread=\"" + QByteArray::number(index + 1)
            + "\"} " + QByteArray::number(accepted.at(index)) + "\n";
    return text;
}

void ClientFront::stop()
{
    stopIoThreads();
    delete m_listener;
    m_listener = nullptr;
}

void ClientFront::stopIoThreads()
{
    if (!m_workers)
        return;
    // Their last requests may wait for the lock: the engine gives it up for good.
    if (auto *dispatcher
        = qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance()))
        dispatcher->holdWhileAwake(nullptr);
    m_ioEvents.clear();
    m_workers->stop();
    // What their last requests handed over (traces, bodies, breaker events), before anything
    // that reads it is flushed or goes. Only that: other calls queued to the engine (a console's,
    // an admin question given up) run in their turn, as on any engine.
    m_inbox.takeUp();
    m_workers.reset();
}

} // namespace Switchyard
