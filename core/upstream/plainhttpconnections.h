#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QTimer>

class QTcpSocket;

namespace Switchyard {

// Idle keep-alive connections to plain-HTTP upstreams, by host and port. Engine thread only.
class PlainHttpConnections final : public QObject {
    Q_OBJECT
public:
    explicit PlainHttpConnections(QObject *parent = nullptr);

    // Idle connections kept at most, per host and port and in all: a burst's worth of sockets
    // is not held for ever, and never near the open-files limit.
    static constexpr int MaxIdlePerEndpoint = 64;
    static constexpr int MaxIdle = 512;

    // An idle connection to host:port, or nullptr when there is none.
    QTcpSocket *take(const QString &host, quint16 port);
    // Keeps a connection whose last exchange ended cleanly for the next request.
    void release(const QString &host, quint16 port, QTcpSocket *socket);
    int idleCount() const { return int(m_idleSince.size()); }
    // How long a connection may idle before it is closed (default 4 s); for tests.
    void setIdleCutoffMs(qint64 milliseconds);

private:
    void drop(const QString &key, QTcpSocket *socket);
    void sweep();

    QHash<QString, QList<QTcpSocket *>> m_idle; // oldest first
    QHash<QTcpSocket *, qint64> m_idleSince; // on m_clock
    QElapsedTimer m_clock;
    QTimer m_sweep; // closes what idled past the cutoff, while anything idles
    qint64 m_idleCutoffMs;
};

} // namespace Switchyard
