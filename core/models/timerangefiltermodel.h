#pragma once

#include <QSortFilterProxyModel>

namespace Switchyard {

// The rows of a model (traces, events) whose time lies in a range: what the History view lists
// for the moment clicked. The time is read from `timeColumn` in `timeRole`, in ms since the epoch.
class TimeRangeFilterModel final : public QSortFilterProxyModel {
    Q_OBJECT
public:
    TimeRangeFilterModel(int timeColumn, int timeRole, QObject *parent = nullptr);

    // Inclusive; an empty range (from > to) shows nothing.
    void setRange(qint64 fromMs, qint64 toMs);
    qint64 fromMs() const { return m_fromMs; }
    qint64 toMs() const { return m_toMs; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    int m_timeColumn;
    int m_timeRole;
    qint64 m_fromMs = 1;
    qint64 m_toMs = 0;
};

} // namespace Switchyard
