#pragma once

#include <QAbstractEventDispatcher>
#include <QtGlobal>

namespace Switchyard {

// A thread's event dispatcher that can put a socket's work behind the rest of what is ready
// (the I/O threads' EpollEventDispatcher): a TLS handshake, a millisecond of CPU per step, beside
// streams whose chunks each want a few microseconds at once. Here, below the dispatcher's own
// layer, so that the upstream client can ask for it.
class SocketPriority {
public:
    virtual ~SocketPriority() = default;

    // Makes the socket `fd`, whose notifiers the dispatcher holds, background work or ordinary
    // again.
    virtual void setBackground(qintptr fd, bool background) = 0;

    // On this thread's dispatcher; nothing where it cannot (Qt's own dispatchers).
    static void setBackgroundHere(qintptr fd, bool background)
    {
        if (auto *dispatcher = dynamic_cast<SocketPriority *>(QAbstractEventDispatcher::instance()))
            dispatcher->setBackground(fd, background);
    }
};

} // namespace Switchyard
