#pragma once

#include "routing/breaker.h"
#include "routing/retrybudget.h"

#include <QString>

#include <array>

namespace Switchyard {

// Latency and rate figures of one route over a short recent history, for the console and
// /admin/state.
class RouteStats final {
public:
    void recordLatency(qint64 ms);
    void recordRequest(qint64 nowMs);
    qint64 percentile(double fraction) const; // -1 with no samples
    double requestsPerSecond(qint64 nowMs) const;

private:
    static constexpr int Samples = 256;
    static constexpr int RateWindowSeconds = 10;
    std::array<qint64, Samples> m_latencies {};
    int m_latencyCount = 0;
    int m_latencyNext = 0;
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
    int inFlight = 0;
    qint64 lastTrafficMs = 0;
    qint64 lastProbeMs = 0;
    bool probeInFlight = false;
    bool lastProbeOk = true;
    QString lastProbeResult;
};

} // namespace Switchyard
