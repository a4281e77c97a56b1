#pragma once

#include "observe/costledger.h"
#include "observe/trace.h"
#include "routing/providersnapshot.h"
#include "routing/routesnapshot.h"

#include <QObject>

#include <functional>

namespace Switchyard {

class Clock;

// What the console sees of the engine (SPEC §10), coalesced: finished requests and their spend
// in batches, route pictures when something changed or a countdown runs, provider pictures when
// they differ — a few times a second at most, however heavy the traffic. A console that opens
// gets the history first; what finishes meanwhile follows it as news. Engine thread only.
class SnapshotPublisher final : public QObject {
    Q_OBJECT
public:
    static constexpr int PublishIntervalMs = 250;
    static constexpr int UnpublishedTracesKept = 1000;

    using RoutePictures = std::function<QList<RouteSnapshot>()>;
    using ProviderPictures = std::function<QList<ProviderSnapshot>()>;

    SnapshotPublisher(const Clock &clock, RoutePictures routes, ProviderPictures providers,
        QObject *parent = nullptr);

    void addTrace(const TraceRecord &trace, const QList<CostPoint> &spend);
    // Each maintenance tick: publishes what is due. True when the routes went out (the caller's
    // "changed" mark is then spent).
    bool tick(bool routesChanged, bool countdownsRunning);
    // Now, if they differ from what was last published.
    void publishProviders();

    // From now on traces wait for the history, which is as of now.
    void beginHistory();
    void finishHistory(
        QList<TraceRecord> traces, const QList<StateEvent> &events, const QList<CostPoint> &spend);

Q_SIGNALS:
    void routesUpdated(const QList<Switchyard::RouteSnapshot> &routes);
    void providersUpdated(const QList<Switchyard::ProviderSnapshot> &providers);
    void tracesAdded(const QList<Switchyard::TraceRecord> &traces);
    void costAdded(const QList<Switchyard::CostPoint> &points);
    void historyPublished(const QList<Switchyard::TraceRecord> &traces,
        const QList<Switchyard::StateEvent> &events, const QList<Switchyard::CostPoint> &cost);

private:
    const Clock &m_clock;
    RoutePictures m_routes;
    ProviderPictures m_providers;
    QList<TraceRecord> m_unpublishedTraces;
    QList<CostPoint> m_unpublishedCost;
    QList<ProviderSnapshot> m_publishedProviders;
    qint64 m_lastPublishMs = 0;
    bool m_historyPending = false;
};

} // namespace Switchyard
