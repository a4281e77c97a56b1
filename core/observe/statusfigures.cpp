#include "observe/statusfigures.h"

#include <algorithm>
#include <optional>

namespace Switchyard {

namespace {

// A route counts once, under the most serious thing wrong with it: a drilling route whose key
// is missing is misconfigured first.
std::optional<StatusFigures::Trouble> troubleOf(const RouteSnapshot &route)
{
    using Trouble = StatusFigures::Trouble;
    switch (route.state) {
    case BreakerState::Open:
        return Trouble::Open;
    case BreakerState::HalfOpen:
        return Trouble::HalfOpen;
    default:
        break;
    }
    if (!route.misconfigured.isEmpty())
        return Trouble::Misconfigured;
    switch (route.state) {
    case BreakerState::Drilling:
        return Trouble::Drilling;
    case BreakerState::Recovering:
        return Trouble::Recovering;
    case BreakerState::Drained:
        return Trouble::Drained;
    default:
        return std::nullopt;
    }
}

} // namespace

void StatusFigures::addRequest(const TraceRecord &trace, qint64 endedAtMs)
{
    const Ended ended { endedAtMs >= 0 ? endedAtMs : trace.startedAtUtcMs + trace.durationMs,
        trace.failed(), trace.panic };
    // Traces arrive nearly in order; one that ended a little earlier still goes where it belongs.
    const auto at = std::upper_bound(m_ended.begin(), m_ended.end(), ended.atMs,
        [](qint64 atMs, const Ended &other) { return atMs < other.atMs; });
    m_ended.insert(at, ended);
}

void StatusFigures::setRoutes(const QList<RouteSnapshot> &routes)
{
    m_troubles.clear();
    for (Trouble trouble : { Trouble::Open, Trouble::HalfOpen, Trouble::Misconfigured,
             Trouble::Drilling, Trouble::Recovering, Trouble::Drained }) {
        QStringList names;
        for (const RouteSnapshot &route : routes) {
            if (troubleOf(route) == trouble)
                names.append(route.name);
        }
        if (!names.isEmpty()) {
            names.sort();
            m_troubles.append({ trouble, names });
        }
    }
}

void StatusFigures::clear()
{
    m_ended.clear();
    m_troubles.clear();
}

StatusFigures::Traffic StatusFigures::trafficAt(qint64 nowMs)
{
    while (!m_ended.empty() && m_ended.front().atMs < nowMs - ErrorWindowMs)
        m_ended.pop_front();
    Traffic traffic;
    int recent = 0;
    for (const Ended &ended : m_ended) {
        ++traffic.requests;
        traffic.failed += ended.failed ? 1 : 0;
        traffic.panics += ended.panic ? 1 : 0;
        recent += ended.atMs >= nowMs - RateWindowMs ? 1 : 0;
    }
    traffic.requestsPerSecond = double(recent) / (RateWindowMs / 1000.0);
    return traffic;
}

} // namespace Switchyard
