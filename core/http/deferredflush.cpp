#include "http/deferredflush.h"

#include <QAbstractEventDispatcher>
#include <QAbstractSocket>
#include <QPointer>
#include <QThread>

#include <vector>

namespace Switchyard {

namespace {

struct PendingFlushes {
    std::vector<QPointer<QAbstractSocket>> sockets;
    bool posted = false;
};

thread_local PendingFlushes t_pending;

void flushPending()
{
    std::vector<QPointer<QAbstractSocket>> sockets;
    sockets.swap(t_pending.sockets);
    t_pending.posted = false;
    for (const QPointer<QAbstractSocket> &socket : sockets) {
        if (socket)
            socket->flush();
    }
}

} // namespace

void flushAfterThisEvent(QAbstractSocket *socket)
{
    if (!socket)
        return;
    // The list of the socket's own thread: a socket is only ever written to there.
    Q_ASSERT(socket->thread() == QThread::currentThread());
    QAbstractEventDispatcher *dispatcher = QAbstractEventDispatcher::instance();
    if (!dispatcher)
        return; // no loop to flush from: the socket's own write notifier will do
    // A head and its first event, or a burst of events, come one after another.
    if (t_pending.sockets.empty() || t_pending.sockets.back() != socket)
        t_pending.sockets.emplace_back(socket);
    if (t_pending.posted)
        return;
    // The dispatcher is this thread's for as long as its loop runs, so the call cannot be lost to
    // a receiver deleted in the meantime (a socket would be).
    t_pending.posted = true;
    QMetaObject::invokeMethod(dispatcher, &flushPending, Qt::QueuedConnection);
}

} // namespace Switchyard
