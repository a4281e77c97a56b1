#include "upstream/http1connections.h"

#include <QTcpSocket>

namespace Switchyard {

namespace {

// Servers close idle connections after a few seconds (nginx 75 s, Node 5 s, uvicorn 5 s); ours
// are dropped sooner, so a reuse rarely meets a close in flight.
constexpr qint64 IdleCutoffMs = 4000;

} // namespace

Http1Connections::Http1Connections(QObject *parent)
    : QObject(parent)
    , m_tlsSessions(SteadyClock::instance(), this)
    , m_sweep(this)
    , m_idleCutoffMs(IdleCutoffMs)
{
    m_clock.start();
    m_sweep.setInterval(int(m_idleCutoffMs / 2));
    connect(&m_sweep, &QTimer::timeout, this, &Http1Connections::sweep);
}

QString Http1Connections::endpoint(
    bool tls, const QString &host, quint16 port, const QByteArray &trust)
{
    QString name = host + QLatin1Char(':') + QString::number(port);
    // A space is in no host name, so no plain endpoint can spell a TLS one.
    if (tls)
        name = QLatin1String("https ") + QString::fromLatin1(trust.toHex()) + QLatin1Char(' ')
            + name;
    return name;
}

void Http1Connections::setIdleCutoffMs(qint64 milliseconds)
{
    m_idleCutoffMs = milliseconds;
    m_sweep.setInterval(int(qMax<qint64>(1, milliseconds / 2)));
}

void Http1Connections::drop(const QString &key, QTcpSocket *socket)
{
    m_idle[key].removeOne(socket);
    if (m_idle[key].isEmpty())
        m_idle.remove(key);
    m_idleSince.remove(socket);
    socket->disconnect(this);
    socket->abort();
    socket->deleteLater();
    if (m_idleSince.isEmpty())
        m_sweep.stop();
}

void Http1Connections::sweep()
{
    // Idle sockets used to be checked only when reused: after a burst, dozens stayed open.
    const qint64 now = m_clock.elapsed();
    QList<std::pair<QString, QTcpSocket *>> stale;
    for (auto it = m_idle.cbegin(); it != m_idle.cend(); ++it) {
        for (QTcpSocket *socket : it.value()) {
            if (now - m_idleSince.value(socket) >= m_idleCutoffMs)
                stale.append({ it.key(), socket });
        }
    }
    for (const auto &[key, socket] : stale)
        drop(key, socket);
}

QTcpSocket *Http1Connections::take(const QString &endpoint)
{
    QList<QTcpSocket *> &idle = m_idle[endpoint];
    while (!idle.isEmpty()) {
        QTcpSocket *socket = idle.takeLast(); // the most recently used is the least likely stale
        socket->disconnect(this);
        const qint64 idleMs = m_clock.elapsed() - m_idleSince.take(socket);
        if (m_idleSince.isEmpty())
            m_sweep.stop();
        if (socket->state() == QAbstractSocket::ConnectedState && socket->bytesAvailable() == 0
            && idleMs < m_idleCutoffMs)
            return socket;
        socket->deleteLater();
    }
    m_idle.remove(endpoint);
    return nullptr;
}

void Http1Connections::release(const QString &key, QTcpSocket *socket)
{
    socket->setParent(this);
    // Full: the longest idle goes first, it is the likeliest to be closed by the server anyway.
    if (m_idle.value(key).size() >= MaxIdlePerEndpoint)
        drop(key, m_idle.value(key).constFirst());
    if (m_idleSince.size() >= MaxIdle) {
        auto oldest = m_idleSince.cbegin();
        for (auto it = m_idleSince.cbegin(); it != m_idleSince.cend(); ++it) {
            if (it.value() < oldest.value())
                oldest = it;
        }
        QTcpSocket *victim = oldest.key();
        for (auto it = m_idle.cbegin(); it != m_idle.cend(); ++it) {
            if (it.value().contains(victim)) {
                drop(it.key(), victim);
                break;
            }
        }
    }
    // An idle connection that the server closes, or that says anything unasked, is dropped.
    m_idleSince.insert(socket, m_clock.elapsed());
    connect(socket, &QTcpSocket::disconnected, this, [this, key, socket] { drop(key, socket); });
    connect(socket, &QTcpSocket::readyRead, this, [this, key, socket] { drop(key, socket); });
    m_idle[key].append(socket);
    if (!m_sweep.isActive())
        m_sweep.start();
}

} // namespace Switchyard
