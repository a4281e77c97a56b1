#include "engine/snapshotpublisher.h"

#include "routing/clock.h"

#include <QSet>

#include <algorithm>

namespace Switchyard {

SnapshotPublisher::SnapshotPublisher(
    const Clock &clock, RoutePictures routes, ProviderPictures providers, QObject *parent)
    : QObject(parent)
    , m_clock(clock)
    , m_routes(std::move(routes))
    , m_providers(std::move(providers))
{
}

void SnapshotPublisher::addTrace(const TraceRecord &trace, const QList<CostPoint> &spend)
{
    m_unpublishedTraces.append(trace);
    if (m_unpublishedTraces.size() > UnpublishedTracesKept)
        m_unpublishedTraces.remove(0, m_unpublishedTraces.size() - UnpublishedTracesKept);
    m_unpublishedCost.append(spend);
}

bool SnapshotPublisher::tick(bool routesChanged, bool countdownsRunning)
{
    // Countdowns change with time alone, so routes in timed states are republished even when idle.
    const qint64 now = m_clock.nowMs();
    if (!(routesChanged || countdownsRunning || !m_unpublishedTraces.isEmpty())
        || now - m_lastPublishMs < PublishIntervalMs)
        return false;
    m_lastPublishMs = now;
    Q_EMIT routesUpdated(m_routes());
    publishProviders();
    if (!m_unpublishedTraces.isEmpty() && !m_historyPending) {
        Q_EMIT tracesAdded(std::exchange(m_unpublishedTraces, {}));
        Q_EMIT costAdded(std::exchange(m_unpublishedCost, {}));
    }
    return true;
}

void SnapshotPublisher::publishProviders()
{
    QList<ProviderSnapshot> snapshots = m_providers();
    if (snapshots == m_publishedProviders)
        return;
    m_publishedProviders = snapshots;
    Q_EMIT providersUpdated(snapshots);
}

void SnapshotPublisher::beginHistory()
{
    m_unpublishedTraces.clear(); // part of the history
    m_unpublishedCost.clear();
    m_historyPending = true;
}

void SnapshotPublisher::finishHistory(
    QList<TraceRecord> traces, const QList<StateEvent> &events, const QList<CostPoint> &spend)
{
    std::reverse(traces.begin(), traces.end()); // oldest first, like tracesAdded
    // A trace that finished while the history was read may be in both: the history has it.
    QSet<QString> inHistory;
    for (const TraceRecord &trace : std::as_const(traces))
        inHistory.insert(trace.id);
    m_unpublishedTraces.removeIf(
        [&inHistory](const TraceRecord &trace) { return inHistory.contains(trace.id); });
    Q_EMIT historyPublished(traces, events, spend);
    m_historyPending = false;
    Q_EMIT routesUpdated(m_routes());
    m_publishedProviders = m_providers();
    Q_EMIT providersUpdated(m_publishedProviders);
}

} // namespace Switchyard
