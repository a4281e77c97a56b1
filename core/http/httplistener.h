#pragma once

#include "http/httpconnection.h"

#include <QHostAddress>
#include <QObject>
#include <QSslConfiguration>
#include <QTcpServer>
#include <QTimer>

#include <atomic>
#include <memory>

namespace Switchyard {

// The gateway's listening socket: accepts clients and gives each an HttpConnection. Keeps the
// number of open connections below what the open-files limit allows (with room for upstream
// connections and files), pausing accept instead of spinning on EMFILE, and says so.
class HttpListener final : public QObject {
    Q_OBJECT
public:
    explicit HttpListener(HttpHandlers handlers, QObject *parent = nullptr);
    ~HttpListener() override;

    // Serves HTTPS with `tls` (certificate and key): before listen() it makes the listener a TLS
    // one; afterwards it only replaces the certificate for the clients that come next.
    void setTls(const QSslConfiguration &tls);
    bool usesTls() const;

    // Returns the port listened on, 0 on failure.
    quint16 listen(const QHostAddress &address, quint16 port);
    // Serves on a socket already listening (one of several sharing a port); false if Qt refuses
    // it, and then the caller still owns it.
    bool adopt(qintptr listeningSocket);
    // Clients accepted so far; may be read from any thread.
    quint64 accepted() const { return m_accepted.load(std::memory_order_relaxed); }
    // For connections accepted from now on.
    void setLimits(const ListenerLimits &limits) { m_limits = limits; }
    // How many client connections may be open at once (from the open-files limit by default).
    void setMaxConnections(int connections) { m_maxConnections = connections; }
    int maxConnections() const { return m_maxConnections; }
    int connectionCount() const { return m_connections; }

private:
    void onNewConnection();
    void onConnectionClosed();
    void pause(const QString &why);

    void useServer(std::unique_ptr<QTcpServer> server);

    std::unique_ptr<QTcpServer> m_server; // a QSslServer with setTls()
    std::shared_ptr<const HttpHandlers> m_handlers;
    ListenerLimits m_limits;
    int m_connections = 0;
    std::atomic<quint64> m_accepted = 0;
    int m_maxConnections = 0;
    bool m_paused = false;
    QTimer m_retryAccept; // after an accept error, try again a little later, not at once
};

} // namespace Switchyard
