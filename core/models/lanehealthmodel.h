#pragma once

#include "observe/lanehealth.h"

#include <QAbstractTableModel>

namespace Switchyard {

// Every lane at a glance for the console (issue 19): which route serves it now and since when,
// the share of its recent traffic that fell back, what that costs against its primary, and a
// plain sentence when it is not served by its primary. Rows change in place; the set of rows only
// with the configuration's lanes.
class LaneHealthModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        Lane,
        Health,
        ServedBy,
        Since,
        FellBack,
        CostFactor,
        ExtraCost,
        Summary,
        ColumnCount
    };
    // LevelRole: the Health column's LaneHealth::Level, for a badge.
    enum Role { LevelRole = Qt::UserRole, SortRole };

    explicit LaneHealthModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setConfig(const Config &config);
    void setRoutes(const QList<RouteSnapshot> &routes, qint64 nowMs);
    // `endedAtMs` as LaneHealthTracker::addRequest takes it.
    void addTraces(const QList<TraceRecord> &traces, qint64 endedAtMs = -1);
    void clear();
    // The lanes as of `nowMs`: rows that changed are updated, the others left alone.
    void refresh(qint64 nowMs);

    const LaneHealth &health(int row) const { return m_rows.at(row); }
    static QString levelText(LaneHealth::Level level);
    static QString summaryText(const LaneHealth &health);

private:
    LaneHealthTracker m_tracker;
    QList<LaneHealth> m_rows;
};

} // namespace Switchyard
