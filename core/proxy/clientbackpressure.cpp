#include "proxy/clientbackpressure.h"

namespace Switchyard {

ClientBackpressure::ClientBackpressure(
    QTcpSocket *socket, qint64 maxPendingBytes, int stalledMs, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_maxPendingBytes(maxPendingBytes)
    , m_stalledMs(stalledMs)
{
    if (socket)
        connect(socket, &QIODevice::bytesWritten, this, &ClientBackpressure::onBytesWritten);
}

void ClientBackpressure::timerEvent(QTimerEvent *event)
{
    if (!m_stallTimer.fired(event)) {
        QObject::timerEvent(event);
        return;
    }
    if (!m_behind)
        return;
    Q_EMIT stalled(QStringLiteral("client read nothing for %1 ms with %2 bytes queued; "
                                  "dropped and the upstream call cancelled")
                       .arg(m_stalledMs)
                       .arg(m_socket ? m_socket->bytesToWrite() : 0));
}

void ClientBackpressure::check()
{
    if (!m_socket || m_socket->bytesToWrite() <= m_maxPendingBytes)
        return;
    if (!m_behind) {
        m_behind = true;
        m_stallTimer.start(m_stalledMs);
    }
    // Again while behind: the attempt writing now may be another than the one paused first.
    Q_EMIT fellBehind();
}

void ClientBackpressure::onBytesWritten()
{
    if (!m_behind || !m_socket || m_socket->bytesToWrite() > m_maxPendingBytes / 2)
        return;
    m_behind = false;
    m_stallTimer.stop();
    Q_EMIT caughtUp();
}

void ClientBackpressure::stop()
{
    m_stallTimer.stop();
    m_behind = false;
    if (m_socket)
        m_socket->disconnect(this);
}

} // namespace Switchyard
