#include "http/httplistener.h"

#include <QLoggingCategory>
#include <QSslServer>
#include <QTcpSocket>

#include <sys/resource.h>

Q_LOGGING_CATEGORY(lcListener, "switchyard.listener", QtInfoMsg)

namespace Switchyard {

namespace {

// File descriptors kept free of client connections: upstream connections (the idle pool alone
// may hold 512), the trace database, the config file, the keychain's bus.
constexpr rlim_t ReservedDescriptors = 640;
constexpr rlim_t MaxConnections = 16384;

// Raises the soft open-files limit to the hard one, as servers do (systemd's default soft limit
// of 1,024 is meant for select(); we poll), and returns the soft limit in force.
rlim_t raiseOpenFilesLimit()
{
    rlimit limit {};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return 1024;
    if (limit.rlim_cur < limit.rlim_max) {
        rlimit raised = limit;
        raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? rlim_t(1) << 20 : limit.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0)
            limit = raised;
    }
    return limit.rlim_cur;
}

} // namespace

HttpListener::HttpListener(HttpHandlers handlers, QObject *parent)
    : QObject(parent)
    , m_handlers(std::make_shared<const HttpHandlers>(std::move(handlers)))
    , m_retryAccept(this)
{
    const rlim_t files = raiseOpenFilesLimit();
    // Bounded by memory as well: each open connection may hold a head and a body in reading.
    m_maxConnections = int(qBound<rlim_t>(32,
        files > ReservedDescriptors * 2 ? files - ReservedDescriptors : files / 2, MaxConnections));
    m_retryAccept.setSingleShot(true);
    m_retryAccept.setInterval(200);
    connect(&m_retryAccept, &QTimer::timeout, this, [this] {
        if (m_connections < m_maxConnections) {
            m_paused = false;
            m_server->resumeAccepting();
        }
    });
    useServer(std::make_unique<QTcpServer>());
}

HttpListener::~HttpListener() = default;

void HttpListener::useServer(std::unique_ptr<QTcpServer> server)
{
    m_server = std::move(server);
    connect(m_server.get(), &QTcpServer::pendingConnectionAvailable, this,
        &HttpListener::onNewConnection);
    connect(m_server.get(), &QTcpServer::acceptError, this, [this](QAbstractSocket::SocketError) {
        // Out of descriptors (EMFILE) most likely: the listening socket stays readable, and
        // retrying at once would spin a core. Wait a little, or for a connection to close.
        pause(QStringLiteral("accepting failed (%1)").arg(m_server->errorString()));
        m_retryAccept.start();
    });
}

void HttpListener::setTls(const QSslConfiguration &tls)
{
    if (auto *secure = qobject_cast<QSslServer *>(m_server.get())) {
        secure->setSslConfiguration(tls); // a renewed certificate, for the next clients
        return;
    }
    if (m_server->isListening())
        return; // plain or TLS is chosen at listen()
    auto secure = std::make_unique<QSslServer>();
    secure->setSslConfiguration(tls);
    // A client that connects and never finishes its handshake is dropped, not kept.
    secure->setHandshakeTimeout(m_limits.readTimeoutMs);
    useServer(std::move(secure));
}

bool HttpListener::usesTls() const
{
    return qobject_cast<QSslServer *>(m_server.get()) != nullptr;
}

quint16 HttpListener::listen(const QHostAddress &address, quint16 port)
{
    // Qt's default backlog is 50: a burst of new clients beyond it (a team's agents reconnecting
    // after a deploy) waits for the kernel's SYN retry, one second and then three, before the
    // gateway sees it. The kernel caps this at net.core.somaxconn.
    m_server->setListenBacklogSize(4096);
    if (!m_server->listen(address, port))
        return 0;
    return m_server->serverPort();
}

bool HttpListener::adopt(qintptr listeningSocket)
{
    return m_server->setSocketDescriptor(listeningSocket);
}

void HttpListener::pause(const QString &why)
{
    if (m_paused)
        return;
    m_paused = true;
    m_server->pauseAccepting();
    qCWarning(lcListener).noquote()
        << QStringLiteral("%1 with %2 client connections open; new clients wait until one "
                          "closes")
               .arg(why)
               .arg(m_connections);
}

void HttpListener::onNewConnection()
{
    while (m_server->hasPendingConnections()) {
        if (m_connections >= m_maxConnections) {
            pause(QStringLiteral("at the connection limit (%1, from the open-files limit)")
                      .arg(m_maxConnections));
            return;
        }
        QTcpSocket *socket = m_server->nextPendingConnection();
        if (!socket)
            return;
        ++m_connections;
        m_accepted.fetch_add(1, std::memory_order_relaxed);
        auto *connection = new HttpConnection(socket, m_limits, m_handlers, this);
        connect(connection, &QObject::destroyed, this, &HttpListener::onConnectionClosed);
    }
}

void HttpListener::onConnectionClosed()
{
    --m_connections;
    if (m_paused && m_connections < m_maxConnections && !m_retryAccept.isActive()) {
        m_paused = false;
        qCInfo(lcListener) << "accepting new clients again";
        m_server->resumeAccepting();
        onNewConnection();
    }
}

} // namespace Switchyard
