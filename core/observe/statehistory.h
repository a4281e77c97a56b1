#pragma once

#include "observe/trace.h"
#include "routing/breaker.h"
#include "routing/routesnapshot.h"

#include <QHash>
#include <QList>
#include <QMap>
#include <QStringList>

namespace Switchyard {

// Each route's states over time, and the traffic beside them (issue 19): what the console's
// History view draws. Built from the state events, the route snapshots (a refused key is a
// state no event announces) and the requests the console has seen. Bounded: events, panic marks
// and misconfigured spells are capped, traffic kept in 10-second buckets for KeptMs.
class StateHistory final {
public:
    static constexpr qint64 BucketMs = 10000;
    static constexpr qint64 KeptMs = qint64(25) * 3600 * 1000;
    static constexpr int MaxEventsPerRoute = 2000;
    static constexpr int MaxMarksPerRoute = 1000;

    // What a stretch of a route's row shows: its breaker state, or a key the gateway cannot use.
    struct Segment {
        qint64 fromMs = 0;
        qint64 toMs = 0;
        BreakerState state = BreakerState::Closed;
        bool misconfigured = false;
        bool known = true; // false before this history knew the route: nothing is claimed there
        bool operator==(const Segment &other) const = default;
    };
    struct RouteHistory {
        QString route;
        QList<Segment> segments; // in time order, covering the range without gaps
        QList<qint64> panics; // requests sent to it in panic mode (every breaker open)
    };
    struct Traffic {
        qint64 fromMs = 0;
        int requests = 0;
        int failed = 0;
        bool operator==(const Traffic &other) const = default;
    };

    // The routes as they are now (their order is the rows'); `nowMs` is when a key is first seen
    // refused or accepted again.
    void setRoutes(const QList<RouteSnapshot> &routes, qint64 nowMs);
    void addEvent(const StateEvent &event);
    void addRequest(const TraceRecord &trace);
    void clear();

    QList<RouteHistory> routes(qint64 fromMs, qint64 toMs) const;
    // Requests by when they started, in buckets of `bucketMs` (a multiple of BucketMs) from
    // `fromMs` on.
    QList<Traffic> traffic(qint64 fromMs, qint64 toMs, qint64 bucketMs) const;
    // Before this, requests may have happened that this history never saw (the console was not
    // running, or only some history was read back): since the console watched, or its oldest
    // request read back, whichever is older; -1 before either.
    qint64 trafficKnownSinceMs() const
    {
        if (m_firstRequestMs < 0 || m_watchingSinceMs < 0)
            return qMax(m_firstRequestMs, m_watchingSinceMs);
        return qMin(m_firstRequestMs, m_watchingSinceMs);
    }
    // Before this, a route's state is not known (no event, no snapshot of it yet); -1: never.
    qint64 statesKnownSinceMs() const { return m_statesKnownSinceMs; }

private:
    struct Change {
        qint64 atMs;
        BreakerState from;
        BreakerState to;
    };
    struct Spell {
        qint64 fromMs;
        qint64 toMs; // max while it lasts
    };
    QStringList m_order;
    QHash<QString, BreakerState> m_current;
    QHash<QString, QList<Change>> m_changes; // per route, in time order
    QHash<QString, QList<Spell>> m_misconfigured;
    QHash<QString, QList<qint64>> m_panics;
    QMap<qint64, Traffic> m_traffic; // by bucket start
    qint64 m_firstRequestMs = -1;
    qint64 m_statesKnownSinceMs = -1;
    qint64 m_watchingSinceMs = -1; // the first routes seen
    qint64 m_nowMs = 0; // the latest time the routes were seen at
};

} // namespace Switchyard
