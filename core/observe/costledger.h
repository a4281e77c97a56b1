#pragma once

#include "observe/trace.h"

#include <QHash>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>

namespace Switchyard {

// Spend of one lane on one route during one UTC minute.
struct CostPoint {
    qint64 minuteUtcMs = 0; // start of the minute, ms since the epoch
    QString lane;
    QString route;
    double costUsd = 0.0;
    double fallbackCostUsd = 0.0; // the part spent only because a fallback happened
    qint64 tokensIn = 0; // every prompt token, cached ones included
    qint64 tokensOut = 0;
    int requests = 0;
    qint64 cacheReadTokens = 0; // of tokensIn
    qint64 cacheWriteTokens = 0; // of tokensIn
};

// What the traffic costs, per route and lane and minute (SPEC §8), and the daily totals the
// spend caps compare against (SPEC §4, class `budget`).
class CostLedger final {
public:
    static constexpr qint64 MinuteMs = 60000;

    // The spend one finished request adds, one point per (lane, route) it touched.
    static QList<CostPoint> pointsOf(const TraceRecord &trace);

    void add(const QList<CostPoint> &points);
    // Another configuration runs with a journal of its own: this instance's spend so far is its.
    void forgetOwnSpend()
    {
        m_minutes.clear();
        m_days.clear();
    }
    void prune(qint64 olderThanUtcMs);

    // Today's (UTC) totals, kept as points are added: a spend-cap check on the request path is
    // two hash lookups, however much traffic the day has had. In a fleet they include what the
    // other instances spent, as last heard (setFleetSpend).
    double routeSpendOnDay(const QString &route, qint64 nowUtcMs) const;
    double laneSpendOnDay(const QString &lane, qint64 nowUtcMs) const;

    // This instance's own totals of the day of `nowUtcMs`, per lane and per route.
    struct DayTotals {
        QHash<QString, double> byRoute;
        QHash<QString, double> byLane;
    };
    DayTotals ownSpendOnDay(qint64 nowUtcMs) const;
    // What the rest of the fleet spent on the UTC day starting at `dayStartUtcMs`.
    void setFleetSpend(qint64 dayStartUtcMs, const DayTotals &others);
    QList<CostPoint> pointsSince(qint64 utcMs) const;

    static qint64 utcDayStart(qint64 utcMs);

private:
    qint64 m_fleetDay = -1;
    DayTotals m_fleet;
    QMap<qint64, QHash<QString, CostPoint>> m_minutes; // minute → "lane\nroute" → point
    QMap<qint64, DayTotals> m_days; // UTC day start → totals
};

} // namespace Switchyard

Q_DECLARE_METATYPE(Switchyard::CostPoint)
