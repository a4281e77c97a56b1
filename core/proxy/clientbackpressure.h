#pragma once

#include <QObject>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

#include "http/oneshottimer.h"

namespace Switchyard {

// How far the caller of a stream is behind. Past `maxPendingBytes` waiting in its socket the
// upstream should stop being read (fellBehind); once half of that has gone out, read again
// (caughtUp). A caller that reads nothing for `stalledMs` meanwhile is given up on (stalled), so a
// client that stops reading holds neither memory nor an upstream call for long.
class ClientBackpressure final : public QObject {
    Q_OBJECT
public:
    ClientBackpressure(QTcpSocket *socket, qint64 maxPendingBytes, int stalledMs, QObject *parent);

    // After bytes were written for the caller; says fellBehind each time the caller is behind.
    void check();
    bool behind() const { return m_behind; }
    // The request has ended: no more signals.
    void stop();

Q_SIGNALS:
    void fellBehind();
    void caughtUp();
    void stalled(const QString &reason);

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    void onBytesWritten();

    QPointer<QAbstractSocket> m_socket; // see ClientResponse::m_socket
    qint64 m_maxPendingBytes;
    int m_stalledMs;
    OneShotTimer m_stallTimer { this, Qt::CoarseTimer };
    bool m_behind = false;
};

} // namespace Switchyard
