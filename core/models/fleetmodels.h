#pragma once

#include "cluster/fleetstatus.h"

#include <QAbstractTableModel>

namespace Switchyard {

// The fleet's instances as the console lists them: each one's health, routes, spend and how it
// took the latest operator action. The instance the console is attached to comes first.
class FleetMemberModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        Instance,
        Health,
        Routes,
        SpentToday,
        LastHeard,
        LatestAction,
        Address,
        ColumnCount
    };
    enum Role { SortRole = Qt::UserRole, ReadyRole };

    explicit FleetMemberModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Merged by instance name: rows that stay are updated in place.
    void setFleet(const Switchyard::FleetStatus &fleet);

    static QString healthText(const FleetMember &member);
    static QString routesText(const FleetMember &member);

private:
    QList<FleetMember> m_members;
};

// The fleet's route states side by side: a row per route, a column per instance (after the
// route's name). A cell is empty where that instance's config has no such route.
class FleetRouteModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    // The state a cell shows, for the badge delegate (the same role as the route table's).
    enum Role { StateRole = Qt::UserRole, HasStateRole };

    explicit FleetRouteModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // A new instance or route changes the shape (rare: a reset); otherwise cells change in place.
    void setFleet(const Switchyard::FleetStatus &fleet);

private:
    QStringList m_instances;
    QStringList m_routes;
    QList<FleetMember> m_members; // in the order of m_instances
};

} // namespace Switchyard
