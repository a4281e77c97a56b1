#pragma once

#include "routing/breaker.h"
#include "routing/retrybudget.h"

#include <QString>

#include <array>

namespace Switchyard {

// The last few hundred durations of one kind, for their percentiles.
class DurationSamples final {
public:
    void record(qint64 ms);
    qint64 percentile(double fraction) const; // -1 with no samples
    int count() const { return m_count; }

private:
    static constexpr int Samples = 256;
    std::array<qint64, Samples> m_samples {};
    int m_count = 0;
    int m_next = 0;
};

// Latency and rate figures of one route over a short recent history, for the console,
// /admin/state and a lane's hedge.
class RouteStats final {
public:
    void recordLatency(qint64 ms) { m_latencies.record(ms); }
    // How long a successful call took to its first content: a stream's first token, or the whole
    // answer otherwise. Kept apart, since a whole answer takes far longer than a first token.
    void recordFirstContent(qint64 ms, bool stream)
    {
        (stream ? m_firstTokens : m_wholeAnswers).record(ms);
    }
    void recordRequest(qint64 nowMs);
    qint64 percentile(double fraction) const { return m_latencies.percentile(fraction); }
    const DurationSamples &firstContent(bool stream) const
    {
        return stream ? m_firstTokens : m_wholeAnswers;
    }
    double requestsPerSecond(qint64 nowMs) const;

private:
    static constexpr int RateWindowSeconds = 10;
    DurationSamples m_latencies;
    DurationSamples m_firstTokens;
    DurationSamples m_wholeAnswers;
    std::array<std::pair<qint64, int>, RateWindowSeconds> m_perSecond {};
};

// What the engine remembers about one route between requests.
class RouteState final {
public:
    RouteState(const QString &route, const Clock &clock)
        : retryBudget(clock)
        , breaker(route, clock)
    {
    }

    RetryBudget retryBudget;
    CircuitBreaker breaker;
    RouteStats stats;
    qint64 cooldownUntilMs = 0; // set by a 429's Retry-After: no traffic before then
    QString misconfiguredReason; // set by an auth failure; cleared by the next success
    QString lastError;
    qint64 lastErrorAtUtcMs = 0; // wall clock, for people
    int inFlight = 0;
    qint64 lastTrafficMs = 0;
    qint64 lastProbeMs = 0;
    bool probeInFlight = false;
    bool lastProbeOk = true;
    QString lastProbeResult;
};

} // namespace Switchyard
