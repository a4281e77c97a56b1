#include "routing/routestate.h"

#include <algorithm>
#include <vector>

namespace Switchyard {

void RouteStats::recordLatency(qint64 ms)
{
    m_latencies[size_t(m_latencyNext)] = ms;
    m_latencyNext = (m_latencyNext + 1) % Samples;
    m_latencyCount = std::min(m_latencyCount + 1, Samples);
}

void RouteStats::recordRequest(qint64 nowMs)
{
    const qint64 second = nowMs / 1000;
    auto &slot = m_perSecond[size_t(second % RateWindowSeconds)];
    if (slot.first != second)
        slot = { second, 0 };
    ++slot.second;
}

qint64 RouteStats::percentile(double fraction) const
{
    if (m_latencyCount == 0)
        return -1;
    std::vector<qint64> sorted(m_latencies.begin(), m_latencies.begin() + m_latencyCount);
    const size_t index = std::min(sorted.size() - 1, size_t(fraction * double(sorted.size())));
    std::nth_element(sorted.begin(), sorted.begin() + qsizetype(index), sorted.end());
    return sorted[index];
}

double RouteStats::requestsPerSecond(qint64 nowMs) const
{
    // Whole seconds only: the current one is still filling up.
    const qint64 second = nowMs / 1000;
    int total = 0;
    for (const auto &[slotSecond, count] : m_perSecond) {
        if (slotSecond < second && slotSecond >= second - RateWindowSeconds + 1)
            total += count;
    }
    return double(total) / double(RateWindowSeconds - 1);
}

} // namespace Switchyard
