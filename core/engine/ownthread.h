#pragma once

#include <QMetaObject>
#include <QObject>
#include <QThread>

#include <utility>

namespace Switchyard {

// For a worker's public methods that may be called from any thread (Zeal's pattern): when called
// from another thread, queues `call` to `object`'s own thread and returns true, and the method
// returns; called in that thread, returns false and the method goes on at once.
template <typename Call> bool queuedToOwnThread(QObject *object, Call &&call)
{
    if (QThread::currentThread() == object->thread())
        return false;
    QMetaObject::invokeMethod(object, std::forward<Call>(call), Qt::QueuedConnection);
    return true;
}

} // namespace Switchyard
