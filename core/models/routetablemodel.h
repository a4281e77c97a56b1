#pragma once

#include "routing/routesnapshot.h"

#include <QAbstractTableModel>

namespace Switchyard {

// Every route with its live state, for the console's Routes view. Fed with engine snapshots and
// merged row by row: unchanged rows are not touched, so the view repaints only what moved.
class RouteTableModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        Name,
        State,
        Since,
        FailureRate,
        P50,
        P95,
        RequestsPerSecond,
        InFlight,
        Progress,
        LastError,
        ColumnCount
    };
    enum Role { StateRole = Qt::UserRole, SortRole, SnapshotRole };

    explicit RouteTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setSnapshots(const QList<RouteSnapshot> &snapshots);
    const RouteSnapshot &snapshot(int row) const { return m_routes.at(row); }
    int rowOf(const QString &route) const;

    static QString progressText(const RouteSnapshot &route);

private:
    QList<RouteSnapshot> m_routes;
};

} // namespace Switchyard
