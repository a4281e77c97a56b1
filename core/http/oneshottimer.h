#pragma once

#include <QBasicTimer>
#include <QTimerEvent>

namespace Switchyard {

// A single-shot timer with no object of its own, for what every open stream holds several of (a
// request's deadline, an attempt's phase and total timeouts, a stalled client's grace): a QTimer
// is a QObject with a private part and a signal connection, some 250 bytes per timer and a
// signal per timeout (issue 20). Its owner's timerEvent asks each of its timers whether the event
// is theirs.
class OneShotTimer final {
public:
    // `owner` gets the timeouts in its timerEvent; it must outlive the timer (a member of it).
    explicit OneShotTimer(QObject *owner, Qt::TimerType type = Qt::PreciseTimer)
        : m_owner(owner)
        , m_type(type)
    {
    }
    void start(int milliseconds) { m_timer.start(qMax(0, milliseconds), m_type, m_owner); }
    void stop() { m_timer.stop(); }
    bool isActive() const { return m_timer.isActive(); }
    // True when `event` is this timer's timeout, which then stops it (once, like a single shot).
    bool fired(const QTimerEvent *event)
    {
        if (!m_timer.isActive() || event->timerId() != m_timer.timerId())
            return false;
        m_timer.stop();
        return true;
    }

private:
    QBasicTimer m_timer;
    QObject *m_owner;
    Qt::TimerType m_type;
};

} // namespace Switchyard
