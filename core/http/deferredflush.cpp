#include "http/deferredflush.h"

#include <QAbstractEventDispatcher>
#include <QAbstractSocket>
#include <QPointer>
#include <QSslSocket>
#include <QThread>

#include <utility>
#include <vector>

#include <sys/socket.h>

#include <cerrno>

namespace Switchyard {

namespace {

struct Pending {
    QPointer<QAbstractSocket> socket;
    QByteArray bytes; // writeAfterThisEvent's, not yet in the socket's buffer; empty: flush only
};

struct PendingFlushes {
    std::vector<Pending> sockets;
    bool posted = false;
};

thread_local PendingFlushes t_pending;

// send(2) on the socket itself: only a plain, connected TCP socket with nothing queued in
// QAbstractSocket, so that bytes never overtake ones Qt still holds, and never bypass TLS.
bool sendsDirectly(QAbstractSocket *socket)
{
    return socket->socketType() == QAbstractSocket::TcpSocket && !qobject_cast<QSslSocket *>(socket)
        && socket->state() == QAbstractSocket::ConnectedState && socket->socketDescriptor() >= 0;
}

// Hands `bytes` to the kernel as far as it takes them, the rest to the socket's own buffer. An
// error (the peer is gone) is left to the socket to find on its own write, so that it reports it
// as it always does.
void deliver(QAbstractSocket *socket, const QByteArray &bytes)
{
    qsizetype sent = 0;
    if (sendsDirectly(socket) && socket->bytesToWrite() == 0) {
        const int descriptor = int(socket->socketDescriptor());
        while (sent < bytes.size()) {
            const ssize_t written = ::send(descriptor, bytes.constData() + sent,
                size_t(bytes.size() - sent), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (written > 0)
                sent += written;
            else if (written < 0 && errno == EINTR)
                continue;
            else
                break; // EAGAIN: the kernel is full; anything else: the socket will say
        }
    }
    if (sent < bytes.size())
        socket->write(sent == 0 ? bytes : bytes.mid(sent));
}

void flushEntry(const Pending &entry)
{
    if (!entry.socket)
        return;
    if (!entry.bytes.isEmpty())
        deliver(entry.socket, entry.bytes);
    if (entry.socket && entry.socket->bytesToWrite() > 0)
        entry.socket->flush();
}

void flushPending()
{
    std::vector<Pending> sockets;
    sockets.swap(t_pending.sockets);
    t_pending.posted = false;
    for (const Pending &entry : sockets)
        flushEntry(entry);
}

// The entry of `socket` for this pass, made if it has none. A head and its first event, or a
// burst of events, come one after another: the last entry is nearly always the one.
Pending *entryFor(QAbstractSocket *socket)
{
    for (auto it = t_pending.sockets.rbegin(); it != t_pending.sockets.rend(); ++it) {
        if (it->socket == socket)
            return &*it;
    }
    return nullptr;
}

// Posts the pass's flush once; false when there is no loop to post to.
bool postFlush()
{
    QAbstractEventDispatcher *dispatcher = QAbstractEventDispatcher::instance();
    if (!dispatcher)
        return false;
    if (!t_pending.posted) {
        // The dispatcher is this thread's for as long as its loop runs, so the call cannot be
        // lost to a receiver deleted in the meantime (a socket would be).
        t_pending.posted = true;
        QMetaObject::invokeMethod(dispatcher, &flushPending, Qt::QueuedConnection);
    }
    return true;
}

} // namespace

void flushAfterThisEvent(QAbstractSocket *socket)
{
    if (!socket)
        return;
    // The list of the socket's own thread: a socket is only ever written to there.
    Q_ASSERT(socket->thread() == QThread::currentThread());
    if (!postFlush())
        return; // no loop to flush from: the socket's own write notifier will do
    if (!entryFor(socket))
        t_pending.sockets.push_back({ socket, QByteArray() });
}

void writeAfterThisEvent(QAbstractSocket *socket, const QByteArray &bytes)
{
    if (!socket || bytes.isEmpty())
        return;
    Q_ASSERT(socket->thread() == QThread::currentThread());
    Pending *entry = entryFor(socket);
    // Behind bytes already in the socket's buffer, or without a loop to send from later: the
    // socket's buffer, in order.
    if ((!entry || entry->bytes.isEmpty())
        && (socket->bytesToWrite() > 0 || !sendsDirectly(socket))) {
        socket->write(bytes);
        flushAfterThisEvent(socket);
        return;
    }
    if (!postFlush()) {
        socket->write(bytes);
        return;
    }
    if (entry)
        entry->bytes += bytes;
    else
        t_pending.sockets.push_back({ socket, bytes });
}

void writePendingNow(QAbstractSocket *socket)
{
    if (Pending *entry = entryFor(socket)) {
        const QByteArray bytes = std::exchange(entry->bytes, QByteArray());
        if (!bytes.isEmpty())
            deliver(socket, bytes);
    }
}

} // namespace Switchyard
