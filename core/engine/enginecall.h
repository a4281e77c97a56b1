#pragma once

#include "proxy/statelock.h"

#include <QMetaObject>
#include <QMutex>
#include <QObject>
#include <QPointer>
#include <QSemaphore>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

namespace Switchyard {

// How an I/O thread asks the engine thread something that only the engine can answer at once (a
// route snapshot, an operator's command, the metrics page): `ask` runs on the engine's thread, in
// its turn, and this thread waits for the answer. Never while holding the StateLock (the engine
// needs it to run anything), and never past `stopping`: an engine that is stopping waits for its
// I/O threads to end and answers nothing more, so the caller gets nullopt instead.
template <typename Result>
std::optional<Result> askEngine(
    QObject *engine, const std::atomic<bool> &stopping, std::function<Result()> ask)
{
    Q_ASSERT(!StateLock::heldHere());
    struct Call {
        QSemaphore answered;
        Result result {};
    };
    auto call = std::make_shared<Call>();
    QMetaObject::invokeMethod(
        engine,
        [call, ask = std::move(ask)] {
            call->result = ask();
            call->answered.release();
        },
        Qt::QueuedConnection);
    // A short wait, again and again: a stop is noticed within it.
    constexpr int PatienceStepMs = 20;
    while (!call->answered.tryAcquire(1, PatienceStepMs)) {
        if (stopping.load())
            return std::nullopt;
    }
    return std::move(call->result);
}

// Where the engine thread sends the answers of an I/O thread's later questions (a stored trace,
// an incident report): to the I/O thread's own object, until that thread closes the box on its
// way out. Answers after that are dropped: nobody is left to give them to.
class ReturnAddress final {
public:
    explicit ReturnAddress(QObject *home)
        : m_home(home)
    {
    }
    template <typename Call> void post(Call &&call)
    {
        const QMutexLocker locked(&m_mutex);
        if (m_home)
            QMetaObject::invokeMethod(m_home, std::forward<Call>(call), Qt::QueuedConnection);
    }
    void close()
    {
        const QMutexLocker locked(&m_mutex);
        m_home = nullptr;
    }

private:
    QMutex m_mutex;
    QObject *m_home;
};

} // namespace Switchyard
