#include "models/tracelistmodel.h"

#include <QDateTime>

namespace Switchyard {

TraceListModel::TraceListModel(int capacity, QObject *parent)
    : QAbstractTableModel(parent)
    , m_capacity(capacity)
{
}

int TraceListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_traces.size());
}

int TraceListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TraceListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const TraceRecord &trace = m_traces.at(size_t(index.row()));
    switch (role) {
    case TraceRole:
        return QVariant::fromValue(trace);
    case ClassRole:
        return failureClassName(trace.finalClass);
    case FallbackRole:
        return trace.fallback;
    case ErrorRole:
        return trace.endedInError(); // a stream that broke after it started included

    case SortRole:
        switch (Column(index.column())) {
        case Time:
            return trace.startedAtUtcMs;
        case Status:
            return trace.status;
        case Attempts:
            return trace.upstreamAttempts();
        case Duration:
            return trace.durationMs;
        case Cost:
            return trace.costUsd;
        default:
            return data(index, Qt::DisplayRole);
        }
    case Qt::ToolTipRole:
        return trace.id;
    case Qt::TextAlignmentRole:
        if (index.column() >= Attempts)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (Column(index.column())) {
    case Time:
        return QDateTime::fromMSecsSinceEpoch(trace.startedAtUtcMs)
            .toLocalTime()
            .toString(QStringLiteral("HH:mm:ss.zzz"));
    case Api:
        return trace.endpoint;
    case Lane:
        return trace.lane;
    case Route:
        if (trace.route.isEmpty())
            return QStringLiteral("–");
        return trace.fallback ? tr("%1 (fallback)").arg(trace.route) : trace.route;
    case Status:
        return trace.status;
    case Class:
        return failureClassName(trace.finalClass);
    case Attempts:
        return trace.upstreamAttempts();
    case Duration:
        return tr("%1 ms").arg(trace.durationMs);
    case Cost:
        return QStringLiteral("$%1").arg(trace.costUsd, 0, 'f', 5);
    case ColumnCount:
        break;
    }
    return {};
}

QVariant TraceListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Time:
        return tr("Time");
    case Api:
        return tr("API", "the API a caller spoke: chat completions, Messages, Responses");
    case Lane:
        return tr("Lane");
    case Route:
        return tr("Route");
    case Status:
        return tr("Status");
    case Class:
        return tr("Class", "failure class of a request");
    case Attempts:
        return tr("Attempts");
    case Duration:
        return tr("Duration");
    case Cost:
        return tr("Cost");
    case ColumnCount:
        break;
    }
    return {};
}

void TraceListModel::addTraces(const QList<TraceRecord> &traces)
{
    if (traces.isEmpty())
        return;
    const int incoming = int(qMin<qsizetype>(traces.size(), m_capacity));
    // Make room first, so that the window never exceeds its capacity.
    const int overflow = int(m_traces.size()) + incoming - m_capacity;
    if (overflow > 0) {
        beginRemoveRows(QModelIndex(), int(m_traces.size()) - overflow, int(m_traces.size()) - 1);
        m_traces.erase(m_traces.end() - overflow, m_traces.end());
        endRemoveRows();
    }
    beginInsertRows(QModelIndex(), 0, incoming - 1);
    for (qsizetype i = traces.size() - incoming; i < traces.size(); ++i)
        m_traces.push_front(traces.at(i));
    endInsertRows();
}

void TraceListModel::clear()
{
    if (m_traces.empty())
        return;
    beginResetModel();
    m_traces.clear();
    endResetModel();
}

TraceFilterModel::TraceFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(TraceListModel::SortRole);
}

void TraceFilterModel::setApi(const QString &api)
{
    m_api = api;
    invalidateFilter();
}

void TraceFilterModel::setLane(const QString &lane)
{
    m_lane = lane;
    invalidateFilter();
}

void TraceFilterModel::setRoute(const QString &route)
{
    m_route = route;
    invalidateFilter();
}

void TraceFilterModel::setFailureClass(const QString &failureClass)
{
    m_class = failureClass;
    invalidateFilter();
}

void TraceFilterModel::setOnlyFallbacks(bool only)
{
    m_onlyFallbacks = only;
    invalidateFilter();
}

void TraceFilterModel::setOnlyErrors(bool only)
{
    m_onlyErrors = only;
    invalidateFilter();
}

bool TraceFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    Q_UNUSED(sourceParent);
    const TraceRecord &trace = static_cast<const TraceListModel *>(sourceModel())->trace(sourceRow);
    if (!m_api.isEmpty() && trace.endpoint != m_api)
        return false;
    if (!m_lane.isEmpty() && trace.lane != m_lane)
        return false;
    if (!m_route.isEmpty() && trace.route != m_route)
        return false;
    if (!m_class.isEmpty() && failureClassName(trace.finalClass) != m_class)
        return false;
    if (m_onlyFallbacks && !trace.fallback)
        return false;
    if (m_onlyErrors && !trace.endedInError())
        return false;
    return true;
}

} // namespace Switchyard
