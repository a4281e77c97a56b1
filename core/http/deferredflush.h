#pragma once

#include <QByteArray>

class QAbstractSocket;

namespace Switchyard {

// Writes `socket`'s buffered output once the event being handled now is done, together with every
// other socket of this thread written to meanwhile: one posted call per pass, however many.
//
// Left to itself a QAbstractSocket sends nothing on write(): it switches its write notifier on,
// waits for the event loop to say the socket is writable (it nearly always is), writes, and
// switches the notifier off; two epoll_ctl calls and a trip through the loop for every stream
// event. Flushing at once instead would run the socket's error and disconnect signals in the
// middle of whatever wrote (an upstream's readyRead, say), which is why this waits until that
// has returned.
void flushAfterThisEvent(QAbstractSocket *socket);

// Sends `bytes` on `socket` once the event being handled now is done, as flushAfterThisEvent does,
// but without QAbstractSocket's write buffer where it can: a plain TCP socket whose buffer is
// empty is written with send(2) straight from these bytes, and only what the kernel does not take
// goes into the socket's buffer (and is sent from there as it drains, with bytesWritten). That
// buffer keeps a 32 KiB block for the rest of the socket's life once it was used at all: two per
// open stream (the caller's and the upstream's), most of what a stream cost (issue 20).
// A TLS socket, or one with output already queued, is written through QAbstractSocket as before.
void writeAfterThisEvent(QAbstractSocket *socket, const QByteArray &bytes);

// Sends what writeAfterThisEvent holds for `socket` now: before a graceful close, which waits
// only for what QAbstractSocket holds.
void writePendingNow(QAbstractSocket *socket);

} // namespace Switchyard
