#include "engine/epolleventdispatcher.h"

#include "proxy/statelock.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QScopeGuard>
#include <QSocketNotifier>
#include <QTimerEvent>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace Switchyard {

Q_LOGGING_CATEGORY(lcDispatcher, "switchyard.dispatcher")

namespace {

// Ready descriptors taken per wake-up; more wait for the next pass (epoll is level-triggered and
// hands the rest out in turn, so none starves).
constexpr int kEventsPerWakeUp = 512;

quint32 wantedEvents(bool read, bool write, bool exception)
{
    return (read ? EPOLLIN : 0u) | (write ? EPOLLOUT : 0u) | (exception ? EPOLLPRI : 0u);
}

} // namespace

EpollEventDispatcher::EpollEventDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
{
    m_epoll = epoll_create1(EPOLL_CLOEXEC);
    m_wakeFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (m_epoll < 0 || m_wakeFd < 0)
        return;
    // A second set with the wake-up descriptor alone, for passes that leave sockets out
    // (ExcludeSocketNotifiers): made once, so such a pass needs no descriptors of its own.
    m_wakeOnlyEpoll = epoll_create1(EPOLL_CLOEXEC);
    epoll_event event {};
    event.events = EPOLLIN;
    event.data.fd = m_wakeFd;
    if (m_wakeOnlyEpoll < 0 || epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wakeFd, &event) != 0
        || epoll_ctl(m_wakeOnlyEpoll, EPOLL_CTL_ADD, m_wakeFd, &event) != 0) {
        ::close(m_epoll);
        m_epoll = -1;
    }
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    for (const int fd : { m_wakeFd, m_epoll, m_wakeOnlyEpoll }) {
        if (fd >= 0)
            ::close(fd);
    }
}

bool EpollEventDispatcher::isValid() const
{
    return m_epoll >= 0 && m_wakeFd >= 0;
}

void EpollEventDispatcher::holdWhileAwake(StateLock *lock)
{
    releaseHold();
    m_awakeLock = lock;
    if (m_depth > 0)
        takeHold(); // set from inside an event: the rest of this pass is awake too
}

void EpollEventDispatcher::takeHold()
{
    if (m_awakeLock && !m_holding) {
        m_awakeLock->lock();
        m_holding = true;
    }
}

void EpollEventDispatcher::releaseHold()
{
    if (m_holding) {
        m_holding = false;
        m_awakeLock->unlock();
    }
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    // Awake from here to the wait, and again after it; given back when the outermost call returns,
    // so that a thread never ends, or does anything outside its event loop, holding it.
    ++m_depth;
    takeHold();
    const auto leave = qScopeGuard([this] {
        if (--m_depth == 0)
            releaseHold();
    });
    m_interrupted.storeRelaxed(0);
    emit awake();
    QCoreApplication::sendPostedEvents();

    const bool includeNotifiers = !flags.testFlag(QEventLoop::ExcludeSocketNotifiers);
    const bool mayWait = flags.testFlag(QEventLoop::WaitForMoreEvents);
    if (m_interrupted.loadRelaxed())
        return false;

    // Whatever is posted from now on calls wakeUp(), which makes the eventfd readable, so blocking
    // here cannot miss it. aboutToBlock comes first: a timer its slots start counts for the wait.
    if (mayWait)
        emit aboutToBlock();
    const int timeoutMs = mayWait ? millisecondsToNextTimer() : 0;

    applyChanges();
    epoll_event events[kEventsPerWakeUp];
    // Socket notifiers left out, the wait is on the wake-up descriptor alone, so a ready socket
    // cannot make this pass spin.
    const int epoll = includeNotifiers ? m_epoll : m_wakeOnlyEpoll;
    int ready = -1;
    // Nothing to do until an event comes: the other threads may have the state meanwhile.
    if (timeoutMs != 0)
        releaseHold();
    do
        ready = epoll_wait(epoll, events, kEventsPerWakeUp, timeoutMs);
    while (ready < 0 && errno == EINTR);
    takeHold();
    if (ready < 0)
        qCWarning(lcDispatcher, "epoll_wait failed: %s", strerror(errno));

    int activated = 0;
    if (ready > 0) {
        // Gathered first and delivered after: a notifier deleted, or a descriptor closed and its
        // number reused, by an earlier delivery of this pass is recognised by its serial number;
        // one already delivered by a nested loop of an earlier delivery, by its pass number.
        const quint64 pass = ++m_passes;
        struct Pending {
            int fd;
            Watch Descriptor::*watch;
            quint64 serial;
        };
        std::vector<Pending> pending;
        pending.reserve(size_t(ready));
        std::vector<Pending> background; // after the rest, and only BackgroundPerPass of them
        int backgroundDescriptors = 0;
        for (int i = 0; i < ready; ++i) {
            const int fd = events[i].data.fd;
            const quint32 what = events[i].events;
            if (fd == m_wakeFd) {
                drainWakeUps();
                ++activated;
                continue;
            }
            const auto found = m_descriptors.find(fd);
            if (found == m_descriptors.end())
                continue;
            const Descriptor &descriptor = found->second;
            // Left for a later pass: still ready then, so epoll reports it again.
            if (descriptor.background && ++backgroundDescriptors > BackgroundPerPass)
                continue;
            std::vector<Pending> &queue = descriptor.background ? background : pending;
            if ((what & (EPOLLIN | EPOLLHUP | EPOLLERR)) && descriptor.read.notifier)
                queue.push_back({ fd, &Descriptor::read, descriptor.read.serial });
            if ((what & (EPOLLOUT | EPOLLHUP | EPOLLERR)) && descriptor.write.notifier)
                queue.push_back({ fd, &Descriptor::write, descriptor.write.serial });
            // Qt's dispatchers tell an exception notifier of a hang-up or an error too.
            if ((what & (EPOLLPRI | EPOLLHUP | EPOLLERR)) && descriptor.exception.notifier)
                queue.push_back({ fd, &Descriptor::exception, descriptor.exception.serial });
        }
        pending.insert(pending.end(), background.begin(), background.end());
        for (const Pending &entry : pending) {
            const auto found = m_descriptors.find(entry.fd);
            if (found == m_descriptors.end())
                continue;
            Watch &watch = found->second.*(entry.watch);
            if (!watch.notifier || watch.serial != entry.serial || watch.deliveredInPass > pass)
                continue;
            watch.deliveredInPass = pass;
            QEvent event(QEvent::SockAct);
            QCoreApplication::sendEvent(watch.notifier, &event);
            ++activated;
        }
    }

    activated += activateDueTimers();
    return activated > 0;
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    Descriptor &descriptor = m_descriptors[fd];
    Watch &watch = notifier->type() == QSocketNotifier::Read ? descriptor.read
        : notifier->type() == QSocketNotifier::Write         ? descriptor.write
                                                             : descriptor.exception;
    watch.notifier = notifier;
    watch.serial = m_nextSerial++;
    updateDescriptor(fd);
}

void EpollEventDispatcher::setBackground(qintptr fd, bool background)
{
    // Only a descriptor held now: an entry made here would outlive the socket, and its number's
    // next owner would inherit the mark.
    const auto found = m_descriptors.find(int(fd));
    if (found != m_descriptors.end())
        found->second.background = background;
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    const auto found = m_descriptors.find(fd);
    if (found == m_descriptors.end())
        return;
    Descriptor &descriptor = found->second;
    for (Watch *watch : { &descriptor.read, &descriptor.write, &descriptor.exception }) {
        if (watch->notifier == notifier)
            *watch = Watch {};
    }
    updateDescriptor(fd);
}

void EpollEventDispatcher::updateDescriptor(int fd)
{
    // Told to the kernel only before the next wait: a socket written to and flushed within one
    // pass turns its write notifier on and off again, and then nothing needs telling at all. The
    // last notifier of a descriptor leaving is told at once, though: the descriptor is closed
    // next, and a socket opened meanwhile may get its number.
    Descriptor &descriptor = m_descriptors[fd];
    if (!descriptor.read.notifier && !descriptor.write.notifier && !descriptor.exception.notifier) {
        applyChange(fd);
        return;
    }
    if (!descriptor.changed) {
        descriptor.changed = true;
        m_changed.push_back(fd);
    }
}

void EpollEventDispatcher::applyChanges()
{
    std::vector<int> changed;
    changed.swap(m_changed);
    for (const int fd : changed)
        applyChange(fd);
}

void EpollEventDispatcher::applyChange(int fd)
{
    const auto found = m_descriptors.find(fd);
    if (found == m_descriptors.end())
        return;
    Descriptor &descriptor = found->second;
    descriptor.changed = false;
    const quint32 wanted = wantedEvents(
        descriptor.read.notifier, descriptor.write.notifier, descriptor.exception.notifier);
    if (wanted == descriptor.watched) {
        if (wanted == 0)
            m_descriptors.erase(found);
        return;
    }

    if (wanted == 0) {
        // Out of the set entirely, not merely with no events: epoll reports a hang-up or an error
        // on every descriptor it holds, and nobody would take it.
        if (descriptor.watched)
            epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
        m_descriptors.erase(found);
        return;
    }
    epoll_event event {};
    event.events = wanted;
    event.data.fd = fd;
    int result = epoll_ctl(m_epoll, descriptor.watched ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &event);
    if (result != 0 && errno == EEXIST) // closed and reopened under the same number behind our back
        result = epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &event);
    else if (result != 0 && errno == ENOENT)
        result = epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &event);
    if (result != 0) {
        qCWarning(lcDispatcher, "cannot watch descriptor %d: %s", fd, strerror(errno));
        descriptor.watched = 0;
        return;
    }
    descriptor.watched = wanted;
}

void EpollEventDispatcher::registerTimer(
    int timerId, qint64 interval, Qt::TimerType timerType, QObject *object)
{
    Timer &timer = m_timers[timerId];
    timer.object = object;
    timer.intervalMs = std::max<qint64>(interval, 0);
    timer.type = timerType;
    timer.deadline = Clock::now() + std::chrono::milliseconds(timer.intervalMs);
    timer.firing = false;
    m_timersOfObject[object].push_back(timerId);
    schedule(timerId, timer);
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    const auto found = m_timers.find(timerId);
    if (found == m_timers.end())
        return false;
    const auto owner = m_timersOfObject.find(found->second.object);
    if (owner != m_timersOfObject.end()) {
        std::erase(owner->second, timerId);
        if (owner->second.empty())
            m_timersOfObject.erase(owner);
    }
    m_timers.erase(found);
    compactHeapIfStale();
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    const auto owner = m_timersOfObject.find(object);
    if (owner == m_timersOfObject.end())
        return false;
    for (const int timerId : owner->second)
        m_timers.erase(timerId);
    m_timersOfObject.erase(owner);
    compactHeapIfStale();
    return true;
}

QList<QAbstractEventDispatcher::TimerInfo> EpollEventDispatcher::registeredTimers(
    QObject *object) const
{
    QList<TimerInfo> infos;
    const auto owner = m_timersOfObject.find(object);
    if (owner == m_timersOfObject.end())
        return infos;
    for (const int timerId : owner->second) {
        const Timer &timer = m_timers.at(timerId);
        infos.append(TimerInfo(timerId, int(timer.intervalMs), timer.type));
    }
    return infos;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    const auto found = m_timers.find(timerId);
    return found == m_timers.end() ? -1 : millisecondsUntil(found->second.deadline);
}

int EpollEventDispatcher::millisecondsUntil(Clock::time_point deadline)
{
    // Rounded up: waking a fraction of a millisecond early would only spin.
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    return int(std::clamp<qint64>(left.count(), 0, std::numeric_limits<int>::max()));
}

void EpollEventDispatcher::wakeUp()
{
    // Any thread may call this (every postEvent to our thread does); one write per wake-up is
    // enough, the flag keeps a burst of posts from writing once each.
    if (m_wakeUpPending.testAndSetAcquire(0, 1)) {
        const quint64 one = 1;
        [[maybe_unused]] const auto written = ::write(m_wakeFd, &one, sizeof one);
    }
}

void EpollEventDispatcher::interrupt()
{
    m_interrupted.storeRelaxed(1);
    wakeUp();
}

void EpollEventDispatcher::drainWakeUps()
{
    quint64 count = 0;
    [[maybe_unused]] const auto read = ::read(m_wakeFd, &count, sizeof count);
    m_wakeUpPending.storeRelease(0);
}

void EpollEventDispatcher::schedule(int timerId, Timer &timer)
{
    timer.generation = m_nextGeneration++;
    m_heap.push_back({ timer.deadline, timerId, timer.generation });
    std::push_heap(m_heap.begin(), m_heap.end(), std::greater<>());
}

void EpollEventDispatcher::compactHeapIfStale()
{
    // A restarted QTimer leaves its old entry behind until that entry's deadline; rebuilding once
    // stale entries outnumber live ones keeps the heap within twice the live timers, at O(1) per
    // restart on average.
    if (m_heap.size() <= 2 * m_timers.size() + 64)
        return;
    m_heap.clear();
    m_heap.reserve(m_timers.size());
    for (const auto &[timerId, timer] : m_timers)
        m_heap.push_back({ timer.deadline, timerId, timer.generation });
    std::make_heap(m_heap.begin(), m_heap.end(), std::greater<>());
}

int EpollEventDispatcher::millisecondsToNextTimer()
{
    while (!m_heap.empty()) {
        const HeapEntry &top = m_heap.front();
        const auto found = m_timers.find(top.timerId);
        if (found != m_timers.end() && found->second.generation == top.generation)
            return millisecondsUntil(top.deadline);
        std::pop_heap(m_heap.begin(), m_heap.end(), std::greater<>());
        m_heap.pop_back();
    }
    return -1;
}

int EpollEventDispatcher::activateDueTimers()
{
    // Taken off the heap before any fires, so a timer that falls due again while this pass runs (a
    // zero interval, or one rescheduled into the past) waits for the next pass, as with Qt's.
    const Clock::time_point now = Clock::now();
    struct Due {
        int timerId;
        quint64 generation;
    };
    std::vector<Due> due;
    while (!m_heap.empty() && m_heap.front().deadline <= now) {
        const HeapEntry entry = m_heap.front();
        std::pop_heap(m_heap.begin(), m_heap.end(), std::greater<>());
        m_heap.pop_back();
        const auto found = m_timers.find(entry.timerId);
        if (found != m_timers.end() && found->second.generation == entry.generation)
            due.push_back({ entry.timerId, 0 });
    }
    for (Due &entry : due) {
        // Next deadline one interval after this one, or one interval from now when the thread fell
        // so far behind that it passed (no burst of catch-up events). Rescheduled only once all
        // due ones are off the heap: a zero interval would otherwise be due again at once.
        Timer &timer = m_timers.at(entry.timerId);
        timer.deadline += std::chrono::milliseconds(timer.intervalMs);
        if (timer.deadline < now)
            timer.deadline = now + std::chrono::milliseconds(timer.intervalMs);
        schedule(entry.timerId, timer);
        entry.generation = timer.generation;
    }

    int activated = 0;
    for (const auto [timerId, generation] : due) {
        // Looked up again each time: an earlier timer's handler may have killed this one, or
        // restarted it under the same id, or fired it already from a nested event loop.
        auto found = m_timers.find(timerId);
        if (found == m_timers.end() || found->second.generation != generation
            || found->second.firing)
            continue;
        found->second.firing = true;
        QTimerEvent event(timerId);
        // A zero-interval timer is not news (as with Qt's): processEvents(flags, maxtime) loops
        // while something happened, and would spin for all of maxtime.
        if (found->second.intervalMs > 0)
            ++activated;
        QCoreApplication::sendEvent(found->second.object, &event);
        found = m_timers.find(timerId);
        if (found != m_timers.end())
            found->second.firing = false;
    }
    return activated;
}

QAbstractEventDispatcher *ioEventDispatcher()
{
    // Qt's dispatcher stays available by name, to measure the two side by side and as a way out
    // should the epoll one misbehave somewhere.
    if (qgetenv("SWITCHYARD_EVENT_DISPATCHER") == "qt")
        return nullptr;
    auto dispatcher = std::make_unique<EpollEventDispatcher>();
    if (!dispatcher->isValid())
        return nullptr;
    return dispatcher.release();
}

} // namespace Switchyard
