#include "observe/costledger.h"

namespace Switchyard {

namespace {

QString cellKey(const QString &lane, const QString &route)
{
    return lane + QLatin1Char('\n') + route;
}

} // namespace

qint64 CostLedger::utcDayStart(qint64 utcMs)
{
    constexpr qint64 DayMs = 24 * 3600 * 1000;
    return utcMs - utcMs % DayMs;
}

QList<CostPoint> CostLedger::pointsOf(const TraceRecord &trace)
{
    const qint64 minute = trace.startedAtUtcMs - trace.startedAtUtcMs % MinuteMs;
    QList<CostPoint> points;
    auto pointFor = [&](const QString &route) -> CostPoint & {
        for (CostPoint &point : points) {
            if (point.route == route)
                return point;
        }
        points.append(CostPoint { minute, trace.lane, route });
        return points.last();
    };
    for (const AttemptRecord &attempt : trace.attempts) {
        if (attempt.skipped
            || (attempt.costUsd == 0.0 && attempt.tokensIn == 0 && attempt.tokensOut == 0))
            continue;
        CostPoint &point = pointFor(attempt.route);
        point.costUsd += attempt.costUsd;
        if (attempt.byFallback)
            point.fallbackCostUsd += attempt.costUsd;
        point.tokensIn += attempt.tokensIn;
        point.tokensOut += attempt.tokensOut;
        point.cacheReadTokens += attempt.cacheReadTokens;
        point.cacheWriteTokens += attempt.cacheWriteTokens;
    }
    if (!trace.route.isEmpty())
        ++pointFor(trace.route).requests;
    return points;
}

void CostLedger::add(const QList<CostPoint> &points)
{
    for (const CostPoint &point : points) {
        CostPoint &cell = m_minutes[point.minuteUtcMs][cellKey(point.lane, point.route)];
        if (cell.route.isEmpty()) {
            cell.minuteUtcMs = point.minuteUtcMs;
            cell.lane = point.lane;
            cell.route = point.route;
        }
        cell.costUsd += point.costUsd;
        cell.fallbackCostUsd += point.fallbackCostUsd;
        cell.tokensIn += point.tokensIn;
        cell.tokensOut += point.tokensOut;
        cell.cacheReadTokens += point.cacheReadTokens;
        cell.cacheWriteTokens += point.cacheWriteTokens;
        cell.requests += point.requests;
        DayTotals &day = m_days[utcDayStart(point.minuteUtcMs)];
        day.byRoute[point.route] += point.costUsd;
        day.byLane[point.lane] += point.costUsd;
    }
}

void CostLedger::prune(qint64 olderThanUtcMs)
{
    while (!m_minutes.isEmpty() && m_minutes.firstKey() < olderThanUtcMs)
        m_minutes.erase(m_minutes.begin());
    // A day's totals go with the last of its minutes.
    constexpr qint64 DayMs = 24 * 3600 * 1000;
    while (!m_days.isEmpty() && m_days.firstKey() + DayMs <= olderThanUtcMs)
        m_days.erase(m_days.begin());
}

double CostLedger::routeSpendOnDay(const QString &route, qint64 nowUtcMs) const
{
    const qint64 start = utcDayStart(nowUtcMs);
    const auto day = m_days.constFind(start);
    return (day == m_days.cend() ? 0.0 : day->byRoute.value(route))
        + (start == m_fleetDay ? m_fleet.byRoute.value(route) : 0.0);
}

double CostLedger::laneSpendOnDay(const QString &lane, qint64 nowUtcMs) const
{
    const qint64 start = utcDayStart(nowUtcMs);
    const auto day = m_days.constFind(start);
    return (day == m_days.cend() ? 0.0 : day->byLane.value(lane))
        + (start == m_fleetDay ? m_fleet.byLane.value(lane) : 0.0);
}

CostLedger::DayTotals CostLedger::ownSpendOnDay(qint64 nowUtcMs) const
{
    return m_days.value(utcDayStart(nowUtcMs));
}

void CostLedger::setFleetSpend(qint64 dayStartUtcMs, const DayTotals &others)
{
    m_fleetDay = dayStartUtcMs;
    m_fleet = others;
}

QList<CostPoint> CostLedger::pointsSince(qint64 utcMs) const
{
    QList<CostPoint> points;
    for (auto it = m_minutes.lowerBound(utcMs); it != m_minutes.cend(); ++it) {
        for (const CostPoint &point : it.value())
            points.append(point);
    }
    return points;
}

} // namespace Switchyard
