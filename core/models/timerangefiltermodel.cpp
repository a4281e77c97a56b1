#include "models/timerangefiltermodel.h"

namespace Switchyard {

TimeRangeFilterModel::TimeRangeFilterModel(int timeColumn, int timeRole, QObject *parent)
    : QSortFilterProxyModel(parent)
    , m_timeColumn(timeColumn)
    , m_timeRole(timeRole)
{
}

void TimeRangeFilterModel::setRange(qint64 fromMs, qint64 toMs)
{
    if (fromMs == m_fromMs && toMs == m_toMs)
        return;
    // Qt 6.4 has no beginFilterChange(); invalidateFilter() re-runs the filter in place.
    m_fromMs = fromMs;
    m_toMs = toMs;
    invalidateFilter();
}

bool TimeRangeFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QVariant time
        = sourceModel()->index(sourceRow, m_timeColumn, sourceParent).data(m_timeRole);
    if (!time.isValid())
        return false;
    const qint64 ms = time.toLongLong();
    return ms >= m_fromMs && ms <= m_toMs;
}

} // namespace Switchyard
