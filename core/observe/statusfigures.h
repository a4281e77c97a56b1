#pragma once

#include "observe/trace.h"
#include "routing/routesnapshot.h"

#include <QList>
#include <QStringList>

#include <deque>

namespace Switchyard {

// What the console's status bar says, worked out from route snapshots and finished requests so
// that it tells the truth (issue 19): every route that cannot serve fully is counted and named,
// a stream that broke after it started is an error, and the figures decay with time when traffic
// stops instead of keeping the last minute of an incident on screen.
class StatusFigures final {
public:
    // Request rate over this window...
    static constexpr qint64 RateWindowMs = 10000;
    // ...and the share that failed, over this one.
    static constexpr qint64 ErrorWindowMs = 60000;

    // `endedAtMs`: on the clock trafficAt() is asked with; -1 for the trace's own end. A console
    // attached to a gateway whose clock differs counts live requests as they arrive.
    void addRequest(const TraceRecord &trace, qint64 endedAtMs = -1);
    void setRoutes(const QList<RouteSnapshot> &routes);
    void clear();

    struct Traffic {
        double requestsPerSecond = 0;
        int requests = 0; // ended within the error window
        int failed = 0; // of those
        int panics = 0; // of those: sent to a route whose breaker was open, as a last resort
        double errorShare() const { return requests ? double(failed) / requests : 0.0; }
    };
    // As of `nowMs`: what ended longer ago than the windows no longer counts.
    Traffic trafficAt(qint64 nowMs);

    // Routes that do not serve fully, grouped by why, most serious first.
    enum class Trouble { Open, HalfOpen, Misconfigured, Drilling, Recovering, Drained };
    struct Troubled {
        Trouble trouble;
        QStringList routes;
    };
    QList<Troubled> troubles() const { return m_troubles; }
    // Open, half-open or misconfigured: the route takes no traffic it should (the console warns);
    // the others are an operator's choice or a recovery under way.
    static bool stopsTraffic(Trouble trouble)
    {
        return trouble == Trouble::Open || trouble == Trouble::HalfOpen
            || trouble == Trouble::Misconfigured;
    }

private:
    struct Ended {
        qint64 atMs;
        bool failed;
        bool panic;
    };
    std::deque<Ended> m_ended; // oldest first, within the error window
    QList<Troubled> m_troubles;
};

} // namespace Switchyard
