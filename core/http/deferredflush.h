#pragma once

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

} // namespace Switchyard
