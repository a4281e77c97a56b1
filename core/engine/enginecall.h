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
#include <vector>

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
        std::atomic<bool> abandoned = false;
        Result result {};
    };
    auto call = std::make_shared<Call>();
    QMetaObject::invokeMethod(
        engine,
        [call, ask = std::move(ask)] {
            // A question given up is not answered: what it would read may be gone, and what it
            // would do (an operator's command) was already refused to its caller.
            if (call->abandoned.load())
                return;
            call->result = ask();
            call->answered.release();
        },
        Qt::QueuedConnection);
    // A short wait, again and again: a stop is noticed within it.
    constexpr int PatienceStepMs = 20;
    while (!call->answered.tryAcquire(1, PatienceStepMs)) {
        if (stopping.load()) {
            call->abandoned = true;
            // The engine may have begun it meanwhile: then its answer is as good as any.
            if (call->answered.tryAcquire(1, 0))
                break;
            return std::nullopt;
        }
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

// What the I/O threads hand the engine thread — finished requests' traces, kept bodies, breaker
// events — queued in the order they came, and the engine woken once for all that waits instead of
// once per item: a wake-up is a system call on each side and a turn of the engine's loop, which
// under load cost more than recording a trace.
class EngineInbox final {
public:
    explicit EngineInbox(QObject *engine)
        : m_engine(engine)
    {
    }

    // Any thread.
    void post(std::function<void()> item)
    {
        const QMutexLocker locked(&m_mutex);
        m_items.push_back(std::move(item));
        if (m_wakeSent)
            return;
        m_wakeSent = true;
        QMetaObject::invokeMethod(
            m_engine, [this] { takeUp(); }, Qt::QueuedConnection);
    }

    // The engine thread: runs what waits, in order.
    void takeUp()
    {
        std::vector<std::function<void()>> items;
        {
            const QMutexLocker locked(&m_mutex);
            items.swap(m_items);
            m_wakeSent = false;
        }
        for (const std::function<void()> &item : items)
            item();
    }

private:
    QObject *m_engine;
    QMutex m_mutex;
    std::vector<std::function<void()>> m_items;
    bool m_wakeSent = false;
};

} // namespace Switchyard
