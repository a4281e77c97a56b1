#include "routing/routestate.h"

#include <algorithm>
#include <vector>

namespace Switchyard {

void DurationSamples::record(qint64 ms)
{
    m_samples[size_t(m_next)] = ms;
    m_next = (m_next + 1) % Samples;
    m_count = std::min(m_count + 1, Samples);
}

qint64 DurationSamples::percentile(double fraction) const
{
    if (m_count == 0)
        return -1;
    std::vector<qint64> sorted(m_samples.begin(), m_samples.begin() + m_count);
    const size_t index = std::min(sorted.size() - 1, size_t(fraction * double(sorted.size())));
    std::nth_element(sorted.begin(), sorted.begin() + qsizetype(index), sorted.end());
    return sorted[index];
}

void RouteStats::recordRequest(qint64 nowMs)
{
    const qint64 second = nowMs / 1000;
    auto &slot = m_perSecond[size_t(second % RateWindowSeconds)];
    if (slot.first != second)
        slot = { second, 0 };
    ++slot.second;
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
