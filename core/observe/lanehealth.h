#pragma once

#include "config/config.h"
#include "observe/trace.h"
#include "routing/routesnapshot.h"

#include <QHash>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QStringList>

namespace Switchyard {

// How one lane is served right now (issue 19): what the console's lane strip shows and the
// incident report tells.
struct LaneHealth {
    enum class Level {
        Healthy, // its primary serves it
        FallingBack, // a later route of its chain serves it, or the primary only in part
        Degraded, // no route of the chain can: the degraded route answers
        NoRoute, // nothing can serve it
    };
    QString lane;
    Level level = Level::Healthy;
    QString primary; // the chain's first route
    QString servedBy; // empty when nothing can serve
    // servedBy is recovering and takes only this share; `restTo` takes the rest (may be empty).
    double servedShare = 1.0;
    QString restTo;
    // When the lane came to be served this way: the moment the last route ahead of servedBy
    // dropped out (or servedBy itself began recovering); 0 since the gateway started.
    qint64 sinceUtcMs = 0;
    // A route ahead of servedBy that cannot serve, and why.
    struct Unavailable {
        using Why = Unavailability;
        QString route;
        Why why = Why::Open;
        bool operator==(const Unavailable &other) const = default;
    };
    QList<Unavailable> unavailable;
    int requests = 0; // that ended within the share window
    int fellBack = 0; // of them, answered by a route other than their first choice
    int failed = 0; // of them, ended in an error of an upstream or the gateway
    // servedBy's price over the primary's, for this lane's recent mix of prompt and answer tokens;
    // negative when either route has no price.
    double costFactor = -1.0;
    // Spent by fallback beyond what the primary would have cost, within the spend window.
    double extraUsd = 0.0;

    bool operator==(const LaneHealth &other) const = default;
};

// Works out every lane's health from the configuration, the routes' states and the requests that
// recently ended. Bounded whatever the traffic: requests are added up in BucketMs buckets per
// lane, kept for the spend window, and none are kept of lanes the configuration does not have.
class LaneHealthTracker final {
public:
    static constexpr qint64 ShareWindowMs = 5 * 60 * 1000;
    static constexpr qint64 SpendWindowMs = 60 * 60 * 1000;
    static constexpr qint64 BucketMs = 10 * 1000;

    void setConfig(const Config &config);
    // `nowMs`: when these states were seen. A refused key or a rate limit has no state change of
    // its own to date it: it counts from when it was first seen.
    void setRoutes(const QList<RouteSnapshot> &routes, qint64 nowMs);
    // `endedAtMs`: on the clock assess() is asked with; -1 for the trace's own end.
    void addRequest(const TraceRecord &trace, qint64 endedAtMs = -1);
    void clear();
    // Every lane of the configuration, in its order, as of `nowMs`.
    QList<LaneHealth> assess(qint64 nowMs);

    // The route a request would have gone to had nothing failed: its first attempt or skip for a
    // reason other than being unable to serve it at all.
    static QString firstChoiceOf(const TraceRecord &trace);
    // What one request spent by fallback beyond what its first choice would have cost for the
    // same tokens (negative when the fallback was cheaper); 0 when it did not fall back or a
    // price is unknown.
    static double extraCostOf(const TraceRecord &trace, const Config &config);
    // Whether `route` can take a lane's traffic now (a recovering route takes its share).
    static bool canServe(const RouteSnapshot &route);

private:
    // The requests that ended within one bucket, added up.
    struct Ended {
        int requests = 0;
        int fellBack = 0;
        int failed = 0;
        qint64 tokensIn = 0;
        qint64 tokensOut = 0;
        double extraUsd = 0.0;
    };
    LaneHealth assessLane(const LaneConfig &lane, qint64 nowMs) const;

    Config m_config;
    QHash<QString, RouteSnapshot> m_routes;
    // Routes kept out by a refused key or a rate limit: why, and since when it was first seen.
    QHash<QString, std::pair<LaneHealth::Unavailable::Why, qint64>> m_outSince;
    QHash<QString, QMap<qint64, Ended>> m_ended; // per lane, by bucket start
    qint64 sinceOf(const RouteSnapshot &route) const;
};

} // namespace Switchyard

Q_DECLARE_METATYPE(Switchyard::LaneHealth::Level)
