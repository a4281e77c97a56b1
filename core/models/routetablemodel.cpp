#include "models/routetablemodel.h"

#include <QDateTime>

namespace Switchyard {

namespace {

bool sameDisplay(const RouteSnapshot &a, const RouteSnapshot &b)
{
    return a.state == b.state && a.failureRate == b.failureRate && a.p50Ms == b.p50Ms
        && a.p95Ms == b.p95Ms && a.requestsPerSecond == b.requestsPerSecond
        && a.inFlight == b.inFlight
        && RouteTableModel::progressText(a) == RouteTableModel::progressText(b)
        && a.lastError == b.lastError && a.misconfigured == b.misconfigured
        && a.stateSinceUtcMs == b.stateSinceUtcMs && a.lastErrorAtUtcMs == b.lastErrorAtUtcMs;
}

// A time of today as HH:mm:ss; of another day with its date.
QString clockTime(qint64 utcMs)
{
    const QDateTime at = QDateTime::fromMSecsSinceEpoch(utcMs);
    return at.date() == QDate::currentDate() ? at.toString(QStringLiteral("HH:mm:ss"))
                                             : at.toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

QString milliseconds(qint64 ms)
{
    return ms < 0 ? QStringLiteral("–") : RouteTableModel::tr("%1 ms").arg(ms);
}

} // namespace

RouteTableModel::RouteTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int RouteTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_routes.size());
}

int RouteTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString RouteTableModel::progressText(const RouteSnapshot &route)
{
    if (route.state == BreakerState::Open)
        return tr("cooldown %1 s").arg((route.cooldownRemainingMs + 999) / 1000);
    if (route.state == BreakerState::Recovering)
        return tr("step %1 of %2 · %3% traffic · next in %4 s")
            .arg(route.recoveryStep + 1)
            .arg(route.recoveryStepCount)
            .arg(qRound(route.trafficShare * 100))
            .arg((route.stepRemainingMs + 999) / 1000);
    if (route.state == BreakerState::Drilling)
        return tr("drill %1 · %2 s left")
            .arg(route.drillFault)
            .arg((route.drillRemainingMs + 999) / 1000);
    if (route.state == BreakerState::Drained)
        return route.lastProbeResult.isEmpty() ? tr("probes continue")
                                               : tr("last probe: %1").arg(route.lastProbeResult);
    if (!route.misconfigured.isEmpty())
        return tr("misconfigured");
    if (route.rateLimitedRemainingMs > 0)
        //: a provider's 429 Retry-After keeps traffic away from the route for this long
        return tr("rate limited · %1 s left").arg((route.rateLimitedRemainingMs + 999) / 1000);
    return QString();
}

QVariant RouteTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const RouteSnapshot &route = m_routes.at(index.row());
    if (role == StateRole)
        return QVariant::fromValue(route.state);
    if (role == SnapshotRole)
        return QVariant::fromValue(route);
    if (role == SortRole) {
        switch (Column(index.column())) {
        case Name:
            return route.name;
        case State:
            return int(route.state);
        case Since:
            return route.stateSinceUtcMs;
        case FailureRate:
            return route.failureRate;
        case P50:
            return route.p50Ms;
        case P95:
            return route.p95Ms;
        case RequestsPerSecond:
            return route.requestsPerSecond;
        case InFlight:
            return route.inFlight;
        case Progress:
            return progressText(route);
        case LastError:
            return route.lastError;
        case ColumnCount:
            break;
        }
        return {};
    }
    if (role == Qt::ToolTipRole) {
        if (index.column() == LastError || index.column() == Progress)
            return route.misconfigured.isEmpty() ? route.lastError : route.misconfigured;
        if (index.column() == Name)
            return tr("%1 on %2 · lanes: %3")
                .arg(route.model, route.provider, route.lanes.join(QLatin1String(", ")));
        return {};
    }
    if (role == Qt::TextAlignmentRole && index.column() >= FailureRate
        && index.column() <= InFlight)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (Column(index.column())) {
    case Name:
        return route.name;
    case State:
        return breakerStateLabel(route.state);
    case Since:
        //: when a route's breaker entered its state; before any change, since the start
        return route.stateSinceUtcMs > 0 ? clockTime(route.stateSinceUtcMs) : tr("start");
    case FailureRate:
        return route.callsInWindow == 0 ? QStringLiteral("–")
                                        : tr("%1%").arg(qRound(route.failureRate * 100));
    case P50:
        return milliseconds(route.p50Ms);
    case P95:
        return milliseconds(route.p95Ms);
    case RequestsPerSecond:
        return QString::number(route.requestsPerSecond, 'f', 1);
    case InFlight:
        return route.inFlight;
    case Progress:
        return progressText(route);
    case LastError:
        if (!route.misconfigured.isEmpty())
            return route.misconfigured;
        return route.lastError.isEmpty()
            ? QString()
            : QStringLiteral("%1  %2").arg(clockTime(route.lastErrorAtUtcMs), route.lastError);
    case ColumnCount:
        break;
    }
    return {};
}

QVariant RouteTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Name:
        return tr("Route");
    case State:
        return tr("State");
    case Since:
        return tr("Since");
    case FailureRate:
        return tr("Failures");
    case P50:
        return tr("p50");
    case P95:
        return tr("p95");
    case RequestsPerSecond:
        return tr("Req/s");
    case InFlight:
        return tr("In flight");
    case Progress:
        return tr("Cooldown / recovery");
    case LastError:
        return tr("Last error");
    case ColumnCount:
        break;
    }
    return {};
}

int RouteTableModel::rowOf(const QString &route) const
{
    for (int row = 0; row < m_routes.size(); ++row) {
        if (m_routes.at(row).name == route)
            return row;
    }
    return -1;
}

void RouteTableModel::setSnapshots(const QList<RouteSnapshot> &snapshots)
{
    // Routes that are gone leave, new ones join at the end, the rest change in place.
    for (int row = int(m_routes.size()) - 1; row >= 0; --row) {
        const bool kept = std::any_of(snapshots.cbegin(), snapshots.cend(),
            [&](const RouteSnapshot &s) { return s.name == m_routes.at(row).name; });
        if (!kept) {
            beginRemoveRows(QModelIndex(), row, row);
            m_routes.removeAt(row);
            endRemoveRows();
        }
    }
    for (const RouteSnapshot &snapshot : snapshots) {
        const int row = rowOf(snapshot.name);
        if (row < 0) {
            beginInsertRows(QModelIndex(), int(m_routes.size()), int(m_routes.size()));
            m_routes.append(snapshot);
            endInsertRows();
        } else if (!sameDisplay(m_routes.at(row), snapshot)
            || m_routes.at(row).lanes != snapshot.lanes) {
            m_routes[row] = snapshot;
            Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
        } else {
            m_routes[row] = snapshot;
        }
    }
}

} // namespace Switchyard
