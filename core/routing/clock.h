#pragma once

#include <QtGlobal>

#include <atomic>

namespace Switchyard {

// A monotonic millisecond clock; injected wherever a decision depends on time,
// so tests move time by hand instead of sleeping.
class Clock {
public:
    virtual ~Clock() = default;
    virtual qint64 nowMs() const = 0;
};

// The real monotonic clock.
class SteadyClock final : public Clock {
public:
    qint64 nowMs() const override;
    static const SteadyClock &instance();
};

// A clock that only moves when told to; for tests. The test's thread moves it while the
// gateway's threads read it.
class ManualClock final : public Clock {
public:
    explicit ManualClock(qint64 startMs = 1000000)
        : m_nowMs(startMs)
    {
    }
    qint64 nowMs() const override { return m_nowMs.load(); }
    void advance(qint64 ms) { m_nowMs += ms; }

private:
    std::atomic<qint64> m_nowMs;
};

} // namespace Switchyard
