#pragma once

#include "proxy/statelock.h"

#include <QMetaObject>
#include <QMutex>
#include <QObject>
#include <QTimer>

#include <functional>
#include <utility>
#include <vector>

namespace Switchyard {

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
// events — queued in the order they came. A wake-up is a system call on each side, a turn of the
// engine's loop and a round of the I/O threads waiting for the lock the engine then holds: under
// load that cost more than recording a trace. So the first item after a quiet spell wakes the
// engine at once, and while items keep coming the engine comes back for them at most every
// PaceMs, all of them at a time. What the engine is asked meanwhile must still find what came
// before the question (a trace read right after its answer): the engine takes up its inbox
// before any call queued to it (Engine::event).
//
// Between events the engine takes its items up without its hold on the state lock: a batch of
// traces is the engine's own work (its publisher, the console's streams, the store), and held
// it kept every I/O thread's next decision waiting for all of it. An item takes the lock itself
// for what it changes of the shared state.
class EngineInbox final {
public:
    static constexpr int PaceMs = 5;

    explicit EngineInbox(QObject *engine, StateLock *stateLock = nullptr, int paceMs = PaceMs)
        : m_engine(engine)
        , m_stateLock(stateLock)
        , m_paceMs(paceMs)
    {
    }

    // Whether the engine comes back on its own within the pace (items are coming).
    bool isPaced() const
    {
        const QMutexLocker locked(&m_mutex);
        return m_paced;
    }

    // Any thread. An `urgent` item wakes the engine even within its pace: what it records is
    // read by the next request's decision (spend that a cap counts).
    void post(std::function<void()> item, bool urgent = false)
    {
        const QMutexLocker locked(&m_mutex);
        m_items.push_back(std::move(item));
        if (m_wakeQueued || (m_paced && !urgent))
            return;
        m_wakeQueued = true;
        QMetaObject::invokeMethod(
            m_engine,
            [this] {
                {
                    const QMutexLocker locked(&m_mutex);
                    m_wakeQueued = false;
                }
                takeUpInPace();
            },
            Qt::QueuedConnection);
    }

    // The engine thread: runs what waits, in order, now, as its caller holds the state.
    void takeUp() { runAll(takeAll(), false); }
    // The engine thread, between events (nothing of its own under way): the same without the
    // engine's hold on the state lock.
    void takeUpBetweenEvents() { runAll(takeAll(), true); }

private:
    // The engine thread.
    void takeUpInPace()
    {
        std::vector<std::function<void()>> items;
        {
            const QMutexLocker locked(&m_mutex);
            items.swap(m_items);
            // Nothing came since the last time: the next item wakes the engine itself.
            const bool takenMeanwhile = std::exchange(m_takenOutOfPace, false);
            if ((!items.empty() || takenMeanwhile) && !m_paced) {
                m_paced = true;
                QTimer::singleShot(m_paceMs, m_engine, [this] {
                    {
                        const QMutexLocker locked(&m_mutex);
                        m_paced = false;
                    }
                    takeUpInPace();
                });
            }
        }
        runAll(std::move(items), true);
    }

    std::vector<std::function<void()>> takeAll()
    {
        std::vector<std::function<void()>> items;
        const QMutexLocker locked(&m_mutex);
        items.swap(m_items);
        m_takenOutOfPace = m_takenOutOfPace || !items.empty();
        return items;
    }

    void runAll(std::vector<std::function<void()>> items, bool betweenEvents)
    {
        if (items.empty())
            return;
        std::optional<StateLock::Released> released;
        if (betweenEvents)
            released.emplace(m_stateLock);
        for (const std::function<void()> &item : items)
            item();
    }

    QObject *m_engine;
    StateLock *m_stateLock;
    const int m_paceMs;
    mutable QMutex m_mutex;
    std::vector<std::function<void()>> m_items;
    bool m_wakeQueued = false; // a wake-up is on its way
    bool m_paced = false; // the engine comes back within PaceMs
    // Items came meanwhile, taken up before a call to the engine: it is not a quiet spell.
    bool m_takenOutOfPace = false;
};

} // namespace Switchyard
