#include "observe/statehistory.h"

#include <algorithm>
#include <limits>

namespace Switchyard {

namespace {

constexpr qint64 Forever = std::numeric_limits<qint64>::max();

template <typename T> void keepAtMost(QList<T> &list, int most)
{
    if (list.size() > most)
        list.remove(0, list.size() - most);
}

} // namespace

void StateHistory::setRoutes(const QList<RouteSnapshot> &routes, qint64 nowMs)
{
    if (m_statesKnownSinceMs < 0 || nowMs < m_statesKnownSinceMs)
        m_statesKnownSinceMs = nowMs;
    if (m_watchingSinceMs < 0)
        m_watchingSinceMs = nowMs;
    m_nowMs = qMax(m_nowMs, nowMs);
    m_order.clear();
    for (const RouteSnapshot &route : routes) {
        m_order.append(route.name);
        m_current.insert(route.name, route.state);
        QList<Spell> &spells = m_misconfigured[route.name];
        const bool open = !spells.isEmpty() && spells.last().toMs == Forever;
        if (!route.misconfigured.isEmpty() && !open) {
            spells.append({ nowMs, Forever });
            keepAtMost(spells, MaxEventsPerRoute);
        } else if (route.misconfigured.isEmpty() && open) {
            spells.last().toMs = nowMs;
        }
    }
}

void StateHistory::addEvent(const StateEvent &event)
{
    if (!event.isRoute() || event.route.isEmpty())
        return;
    QList<Change> &changes = m_changes[event.route];
    const Change change { event.time.toMSecsSinceEpoch(), event.from, event.to };
    // An event tells the state just before it too.
    if (m_statesKnownSinceMs < 0 || change.atMs < m_statesKnownSinceMs)
        m_statesKnownSinceMs = change.atMs;
    // Nearly always the newest; history read back after live events goes where it belongs.
    const auto at = std::upper_bound(changes.begin(), changes.end(), change.atMs,
        [](qint64 atMs, const Change &other) { return atMs < other.atMs; });
    changes.insert(at, change);
    keepAtMost(changes, MaxEventsPerRoute);
}

void StateHistory::addRequest(const TraceRecord &trace)
{
    const qint64 started = trace.startedAtUtcMs;
    // A request from the far future (a skewed clock, a bad trace) would push every real one out.
    if (m_nowMs > 0 && started > m_nowMs + 3600 * 1000)
        return;
    if (m_firstRequestMs < 0 || started < m_firstRequestMs)
        m_firstRequestMs = started;
    Traffic &bucket = m_traffic[started - started % BucketMs];
    bucket.fromMs = started - started % BucketMs;
    ++bucket.requests;
    bucket.failed += trace.failed() ? 1 : 0;
    if (trace.panic && !trace.route.isEmpty()) {
        QList<qint64> &panics = m_panics[trace.route];
        panics.append(started);
        keepAtMost(panics, MaxMarksPerRoute);
    }
    // A day and an hour, in buckets: older ones go.
    const qint64 oldest = qMax(m_nowMs, m_traffic.lastKey()) - KeptMs;
    while (!m_traffic.isEmpty() && m_traffic.firstKey() < oldest)
        m_traffic.erase(m_traffic.begin());
    if (m_firstRequestMs < oldest)
        m_firstRequestMs = m_traffic.firstKey();
}

void StateHistory::clear()
{
    m_changes.clear();
    m_misconfigured.clear();
    m_panics.clear();
    m_traffic.clear();
    m_firstRequestMs = -1;
    m_statesKnownSinceMs = -1;
    m_watchingSinceMs = -1;
}

QList<StateHistory::RouteHistory> StateHistory::routes(qint64 fromMs, qint64 toMs) const
{
    QList<RouteHistory> histories;
    for (const QString &name : m_order) {
        RouteHistory history;
        history.route = name;
        const QList<Change> changes = m_changes.value(name);
        // The state at `fromMs`: after the last change before it, else before the first after it,
        // else (no change known) the state it is in now.
        BreakerState state = m_current.value(name, BreakerState::Closed);
        auto next = std::upper_bound(changes.cbegin(), changes.cend(), fromMs,
            [](qint64 atMs, const Change &change) { return atMs < change.atMs; });
        if (next != changes.cbegin())
            state = std::prev(next)->to;
        else if (next != changes.cend())
            state = next->from;
        qint64 start = fromMs;
        for (; next != changes.cend() && next->atMs <= toMs; ++next) {
            if (next->atMs > start)
                history.segments.append({ start, next->atMs, state, false });
            state = next->to;
            start = qMax(start, next->atMs);
        }
        history.segments.append({ start, toMs, state, false });

        // A refused key overrides the breaker's state where it held: split the segments there.
        for (const Spell &spell : m_misconfigured.value(name)) {
            const qint64 a = qMax(spell.fromMs, fromMs);
            const qint64 b = qMin(spell.toMs, toMs);
            if (a >= b)
                continue;
            QList<Segment> split;
            for (const Segment &segment : std::as_const(history.segments)) {
                if (segment.toMs <= a || segment.fromMs >= b || segment.misconfigured) {
                    split.append(segment);
                    continue;
                }
                if (segment.fromMs < a)
                    split.append({ segment.fromMs, a, segment.state, false });
                split.append(
                    { qMax(segment.fromMs, a), qMin(segment.toMs, b), segment.state, true });
                if (segment.toMs > b)
                    split.append({ b, segment.toMs, segment.state, false });
            }
            history.segments = split;
        }
        // Before anything was known of the routes: unknown, not the state it happened to be in.
        const qint64 known = m_statesKnownSinceMs < 0 ? toMs : m_statesKnownSinceMs;
        if (known > fromMs) {
            QList<Segment> split;
            for (const Segment &segment : std::as_const(history.segments)) {
                if (segment.fromMs >= known) {
                    split.append(segment);
                    continue;
                }
                Segment before = segment;
                before.toMs = qMin(segment.toMs, known);
                before.known = false;
                split.append(before);
                if (segment.toMs > known) {
                    Segment after = segment;
                    after.fromMs = known;
                    split.append(after);
                }
            }
            history.segments = split;
        }
        for (qint64 panic : m_panics.value(name)) {
            if (panic >= fromMs && panic <= toMs)
                history.panics.append(panic);
        }
        histories.append(history);
    }
    return histories;
}

QList<StateHistory::Traffic> StateHistory::traffic(
    qint64 fromMs, qint64 toMs, qint64 bucketMs) const
{
    QList<Traffic> buckets;
    bucketMs = qMax(BucketMs, bucketMs - bucketMs % BucketMs);
    const qint64 first = fromMs - fromMs % BucketMs;
    for (qint64 start = first; start < toMs; start += bucketMs) {
        Traffic sum { start, 0, 0 };
        for (auto it = m_traffic.lowerBound(start);
             it != m_traffic.cend() && it.key() < start + bucketMs; ++it) {
            sum.requests += it->requests;
            sum.failed += it->failed;
        }
        buckets.append(sum);
    }
    return buckets;
}

} // namespace Switchyard
