#include "http/deferredflush.h"

#include <QAbstractEventDispatcher>
#include <QAbstractSocket>
#include <QPointer>

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
    // The socket's own thread's list: flushAfterThisEvent is only ever called there.
    t_pending.sockets.emplace_back(socket);
    if (t_pending.posted)
        return;
    // The dispatcher is this thread's for as long as its loop runs, so the call cannot be lost to
    // a receiver deleted in the meantime (a socket would be).
    if (QAbstractEventDispatcher *dispatcher = QAbstractEventDispatcher::instance()) {
        t_pending.posted = true;
        QMetaObject::invokeMethod(dispatcher, &flushPending, Qt::QueuedConnection);
    }
}

} // namespace Switchyard
