#pragma once

#include "http/socketpriority.h"

#include <QAbstractEventDispatcher>
#include <QAtomicInt>

#include <chrono>
#include <unordered_map>
#include <vector>

class QSocketNotifier;

namespace Switchyard {

class StateLock;

// The engine thread's event dispatcher. Qt's own dispatchers (GLib's, or QEventDispatcherUNIX)
// hand every socket to poll() on every wake-up, so with a thousand open streams each token
// costs a walk over two thousand descriptors; this one keeps the descriptors in an epoll set
// and is told only about the ready ones. Timers sit in a binary heap keyed by deadline.
//
// Written by hand: Qt has no public epoll dispatcher and Debian packages none. It delivers
// what Qt's dispatchers deliver — posted events first, then ready socket notifiers, then due
// timers, each timer at most once per pass — so QTcpSocket, QTimer and QNetworkAccessManager
// work on it unchanged. Linux only; ioEventDispatcher() falls back to Qt's dispatcher elsewhere or
// when SWITCHYARD_EVENT_DISPATCHER=qt is set (for side-by-side benchmarks).
class EpollEventDispatcher final : public QAbstractEventDispatcher, public SocketPriority {
    Q_OBJECT

public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    // False when the kernel refused an epoll set or an eventfd; the caller then keeps Qt's.
    bool isValid() const;

    // From now on the thread holds `lock` whenever it is not waiting for events (see StateLock):
    // taken on waking, given back before each wait and when the outermost processEvents()
    // returns. Null: holds nothing. Called on the dispatcher's own thread.
    void holdWhileAwake(StateLock *lock);

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    void registerTimer(
        int timerId, qint64 interval, Qt::TimerType timerType, QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override;
    void interrupt() override;

    // Ready background descriptors delivered at most per pass, after every other ready one.
    static constexpr int BackgroundPerPass = 2;
    // SocketPriority: a pass delivers every other ready descriptor first and then at most
    // BackgroundPerPass background ones; the rest stay ready (epoll reports them again) for the
    // next pass, so a burst of handshakes delays a chunk by a couple of steps, not by all of them.
    // The mark is forgotten with the descriptor's last notifier, and not taken for a descriptor
    // this dispatcher does not hold.
    void setBackground(qintptr fd, bool background) override;

private:
    using Clock = std::chrono::steady_clock;

    void takeHold();
    void releaseHold();

    struct Watch {
        QSocketNotifier *notifier = nullptr;
        quint64 serial = 0; // new for every registration, so a stale readiness is recognised
        quint64 deliveredInPass = 0;
    };
    struct Descriptor {
        Watch read;
        Watch write;
        Watch exception;
        quint32 watched = 0; // the events epoll holds for it now; 0 = not in the set
        bool changed = false; // listed in m_changed
        bool background = false; // see setBackground
    };
    struct Timer {
        QObject *object = nullptr;
        qint64 intervalMs = 0;
        Qt::TimerType type = Qt::CoarseTimer;
        Clock::time_point deadline;
        quint64 generation = 0; // matches the heap entry that is current
        bool firing = false; // inside its own timerEvent (a nested loop must not re-fire it)
    };
    struct HeapEntry {
        Clock::time_point deadline;
        int timerId;
        quint64 generation;
        bool operator>(const HeapEntry &other) const { return deadline > other.deadline; }
    };

    void updateDescriptor(int fd);
    void applyChanges();
    void applyChange(int fd);
    void schedule(int timerId, Timer &timer);
    void compactHeapIfStale();
    int activateDueTimers();
    int millisecondsToNextTimer(); // -1 = no timer; drops stale entries from the top
    static int millisecondsUntil(Clock::time_point deadline); // 0 when past
    void drainWakeUps();

    int m_epoll = -1;
    int m_wakeFd = -1;
    int m_wakeOnlyEpoll = -1;
    quint64 m_passes = 0; // passes that gathered ready descriptors, nested ones included
    StateLock *m_awakeLock = nullptr;
    bool m_holding = false; // m_awakeLock, once (nested passes do not take it again)
    int m_depth = 0; // processEvents() calls in progress
    QAtomicInt m_wakeUpPending = 0;
    QAtomicInt m_interrupted = 0;

    std::unordered_map<int, Descriptor> m_descriptors;
    std::vector<int> m_changed; // descriptors whose notifiers changed since the last wait
    std::unordered_map<int, Timer> m_timers;
    std::unordered_map<QObject *, std::vector<int>> m_timersOfObject;
    std::vector<HeapEntry> m_heap; // min-heap; entries whose generation is stale are skipped
    quint64 m_nextGeneration = 1;
    quint64 m_nextSerial = 1;
};

// The dispatcher for a thread that serves sockets (the engine's, an I/O thread's): the epoll one,
// or null for Qt's default (SWITCHYARD_EVENT_DISPATCHER=qt, or no epoll). The caller hands it to
// QThread, which owns it.
QAbstractEventDispatcher *ioEventDispatcher();

} // namespace Switchyard
