#include "engine/ioworkers.h"

#include "engine/enginecall.h"
#include "engine/epolleventdispatcher.h"
#include "engine/workercontrol.h"
#include "http/httplistener.h"
#include "proxy/adminservice.h"
#include "proxy/proxyservice.h"
#include "upstream/upstreampool.h"

#include <QAbstractEventDispatcher>
#include <QCoreApplication>
#include <QThread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace Switchyard {

namespace {

// As HttpListener::listen: room for a burst of new clients (the kernel caps it at somaxconn).
constexpr int ListenBacklog = 4096;

enum class Sharing { Shared, Alone };

// A listening socket that shares `port` with the gateway's other threads' (SO_REUSEPORT; only
// sockets of the same user may join, as the kernel checks), or, Alone, a socket bound to it and
// nothing more. -1 and why when it cannot be had. By hand because QTcpServer has no way to set
// SO_REUSEPORT before it binds; it binds as QTcpServer does otherwise.
int openListener(const QHostAddress &address, quint16 port, Sharing sharing, QString *error)
{
    sockaddr_storage storage {};
    socklen_t length = 0;
    const bool ipv4 = address.protocol() == QAbstractSocket::IPv4Protocol;
    if (ipv4) {
        auto *in = reinterpret_cast<sockaddr_in *>(&storage);
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        in->sin_addr.s_addr = htonl(address.toIPv4Address());
        length = sizeof(sockaddr_in);
    } else { // an IPv6 address, or any (both families, as QTcpServer listens)
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(&storage);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        const Q_IPV6ADDR bytes = address.protocol() == QAbstractSocket::IPv6Protocol
            ? address.toIPv6Address()
            : QHostAddress(QHostAddress::AnyIPv6).toIPv6Address();
        std::memcpy(&in6->sin6_addr, bytes.c, sizeof bytes.c);
        in6->sin6_scope_id = address.scopeId().toUInt();
        length = sizeof(sockaddr_in6);
    }
    const int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *error = QString::fromLocal8Bit(strerror(errno));
        return -1;
    }
    const int on = 1;
    // As QTcpServer: an IPv6 address takes IPv6 clients only, "any" both families; said
    // explicitly, since the system's default varies.
    const int ipv6Only = address.protocol() == QAbstractSocket::IPv6Protocol ? 1 : 0;
    const bool shared = sharing == Sharing::Shared;
    if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0
        || (shared && ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0)
        || (!ipv4 && ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &ipv6Only, sizeof ipv6Only) != 0)
        || ::bind(fd, reinterpret_cast<const sockaddr *>(&storage), length) != 0
        || (shared && ::listen(fd, ListenBacklog) != 0)) {
        *error = QString::fromLocal8Bit(strerror(errno));
        ::close(fd);
        return -1;
    }
    return fd;
}

quint16 portOf(int fd)
{
    sockaddr_storage storage {};
    socklen_t length = sizeof storage;
    if (::getsockname(fd, reinterpret_cast<sockaddr *>(&storage), &length) != 0)
        return 0;
    return ntohs(storage.ss_family == AF_INET
            ? reinterpret_cast<const sockaddr_in *>(&storage)->sin_port
            : reinterpret_cast<const sockaddr_in6 *>(&storage)->sin6_port);
}

// What one I/O thread runs, made and destroyed on that thread.
class IoServer final : public QObject {
public:
    IoServer(const GatewayServices &services, GatewayControl &control, QObject *engine)
        : m_services(services)
        , m_engineControl(control)
        , m_engine(engine)
    {
    }

    void build()
    {
        m_home = std::make_shared<ReturnAddress>(this);
        m_control = std::make_unique<WorkerControl>(m_engineControl, m_engine, m_home);
        m_upstreams = new UpstreamPool(this);
        m_services.upstreams = m_upstreams;
        m_proxy = new ProxyService(m_services, *m_control, this);
        m_listener = new HttpListener(m_proxy->listenerHandlers(), this);
    }

    bool serve(int fd, const std::optional<QSslConfiguration> &tls, const ListenerLimits &limits,
        int share)
    {
        m_listener->setLimits(limits);
        if (tls)
            m_listener->setTls(*tls);
        m_listener->setMaxConnections(qMax(16, m_listener->maxConnections() / share));
        return m_listener->adopt(fd);
    }

    void shutDown()
    {
        // Answers from the engine stop here: none comes any more, and those on their way would
        // reach objects deleted below.
        m_home->close();
        QCoreApplication::removePostedEvents(this, QEvent::MetaCall);
        // Clients first, then what their requests use (as the engine does for its own).
        delete m_listener;
        m_listener = nullptr;
        delete m_proxy;
        m_proxy = nullptr;
        delete m_upstreams;
        m_upstreams = nullptr;
        m_control.reset();
    }

    HttpListener *listener() const { return m_listener; }
    AdminEvents *events() const { return m_proxy->admin()->events(); }

private:
    GatewayServices m_services;
    GatewayControl &m_engineControl;
    QObject *m_engine;
    std::shared_ptr<ReturnAddress> m_home;
    std::unique_ptr<WorkerControl> m_control;
    UpstreamPool *m_upstreams = nullptr;
    ProxyService *m_proxy = nullptr;
    HttpListener *m_listener = nullptr;
};

} // namespace

class IoThread final {
public:
    IoThread(int index, const GatewayServices &services, GatewayControl &control, QObject *engine)
        : m_server(new IoServer(services, control, engine))
    {
        m_thread.setObjectName(QStringLiteral("switchyard-io-%1").arg(index));
        if (QAbstractEventDispatcher *dispatcher = ioEventDispatcher())
            m_thread.setEventDispatcher(dispatcher);
        m_server->moveToThread(&m_thread);
        m_thread.start();
        QMetaObject::invokeMethod(
            m_server, [this] { m_server->build(); }, Qt::BlockingQueuedConnection);
        m_events = m_server->events();
    }

    ~IoThread()
    {
        stop();
        delete m_server; // its thread has ended: nothing of it runs any more
    }

    bool serve(int fd, const std::optional<QSslConfiguration> &tls, const ListenerLimits &limits,
        int share)
    {
        bool served = false;
        QMetaObject::invokeMethod(
            m_server, [&] { served = m_server->serve(fd, tls, limits, share); },
            Qt::BlockingQueuedConnection);
        return served;
    }

    template <typename Call> void post(Call call)
    {
        QMetaObject::invokeMethod(
            m_server, [server = m_server, call] { call(*server->listener()); },
            Qt::QueuedConnection);
    }

    void stop()
    {
        if (!m_thread.isRunning())
            return;
        QMetaObject::invokeMethod(
            m_server, [this] { m_server->shutDown(); }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }

    AdminEvents *events() const { return m_events; }
    // Read from the engine thread; the listener goes away only while that thread waits in stop().
    quint64 accepted() const
    {
        const HttpListener *listener = m_server->listener();
        return listener ? listener->accepted() : 0;
    }

private:
    QThread m_thread;
    IoServer *m_server;
    AdminEvents *m_events = nullptr;
};

IoWorkers::IoWorkers(
    int count, const GatewayServices &services, GatewayControl &control, QObject *engine)
{
    for (int index = 1; index <= count; ++index)
        m_threads.push_back(std::make_unique<IoThread>(index, services, control, engine));
}

IoWorkers::~IoWorkers()
{
    stop();
}

quint16 IoWorkers::listen(const QHostAddress &address, quint16 port,
    const std::optional<QSslConfiguration> &tls, const ListenerLimits &limits, QString *error)
{
    // SO_REUSEPORT would let these sockets join another process's on the same port (a second
    // gateway of the same user, say), and the kernel would share the clients out between the
    // two. So the port is first bound as QTcpServer binds it, alone: in use, that fails as a
    // single-threaded gateway's listen() does.
    if (port != 0) {
        const int probe = openListener(address, port, Sharing::Alone, error);
        if (probe < 0)
            return 0;
        ::close(probe);
    }
    // All of them before any thread serves: a port is either the gateway's, whole, or not.
    std::vector<int> sockets;
    const auto closeFrom = [&sockets](size_t first) {
        for (size_t index = first; index < sockets.size(); ++index)
            ::close(sockets[index]);
    };
    for (size_t index = 0; index < m_threads.size(); ++index) {
        const int fd = openListener(address, port, Sharing::Shared, error);
        if (fd < 0) {
            closeFrom(0);
            return 0;
        }
        sockets.push_back(fd);
        port = portOf(fd); // an ephemeral port is chosen by the first, and joined by the others
    }
    for (size_t index = 0; index < sockets.size(); ++index) {
        if (!m_threads[index]->serve(sockets[index], tls, limits, count())) {
            *error = QStringLiteral("an I/O thread could not take its listening socket");
            closeFrom(index); // the earlier ones are their listeners' now, and stop() ends them
            return 0;
        }
    }
    return port;
}

void IoWorkers::setLimits(const ListenerLimits &limits)
{
    for (const std::unique_ptr<IoThread> &thread : m_threads)
        thread->post([limits](HttpListener &listener) { listener.setLimits(limits); });
}

void IoWorkers::setTls(const QSslConfiguration &tls)
{
    for (const std::unique_ptr<IoThread> &thread : m_threads)
        thread->post([tls](HttpListener &listener) { listener.setTls(tls); });
}

QList<AdminEvents *> IoWorkers::events() const
{
    QList<AdminEvents *> events;
    for (const std::unique_ptr<IoThread> &thread : m_threads)
        events.append(thread->events());
    return events;
}

QList<quint64> IoWorkers::connectionsAccepted() const
{
    QList<quint64> accepted;
    for (const std::unique_ptr<IoThread> &thread : m_threads)
        accepted.append(thread->accepted());
    return accepted;
}

void IoWorkers::stop()
{
    Q_ASSERT(!StateLock::heldHere());
    for (const std::unique_ptr<IoThread> &thread : m_threads)
        thread->stop();
}

} // namespace Switchyard
