#pragma once

#include "upstream/tlssessions.h"

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QTimer>

class QTcpSocket;

namespace Switchyard {

// Idle keep-alive connections to upstreams, by endpoint: host and port, and for HTTPS the trust
// the connection was verified under, so a connection one provider's certificate authorities
// accepted never carries a request for a provider that trusts others. One per thread.
class Http1Connections final : public QObject {
    Q_OBJECT
public:
    explicit Http1Connections(QObject *parent = nullptr);

    // Idle connections kept at most, per host and port and in all: a burst's worth of sockets
    // is not held for ever, and never near the open-files limit.
    static constexpr int MaxIdlePerEndpoint = 64;
    static constexpr int MaxIdle = 512;

    // The name connections are pooled under: "host:port" for plain HTTP; for HTTPS the scheme and
    // `trust` (what names the certificate authorities the connection was verified against) too.
    static QString endpoint(bool tls, const QString &host, quint16 port, const QByteArray &trust);

    // An idle connection to `endpoint`, or nullptr when there is none.
    QTcpSocket *take(const QString &endpoint);
    // Keeps a connection whose last exchange ended cleanly for the next request.
    void release(const QString &endpoint, QTcpSocket *socket);
    int idleCount() const { return int(m_idleSince.size()); }

    // What new TLS connections offer to resume, and when a burst of them starts its handshakes.
    TlsSessions &tlsSessions() { return m_tlsSessions; }
    // How long a connection may idle before it is closed (default 4 s); for tests.
    void setIdleCutoffMs(qint64 milliseconds);

private:
    void drop(const QString &key, QTcpSocket *socket);
    void sweep();

    QHash<QString, QList<QTcpSocket *>> m_idle; // oldest first
    QHash<QTcpSocket *, qint64> m_idleSince; // on m_clock
    TlsSessions m_tlsSessions;
    QElapsedTimer m_clock;
    QTimer m_sweep; // closes what idled past the cutoff, while anything idles
    qint64 m_idleCutoffMs;
};

} // namespace Switchyard
