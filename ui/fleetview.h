#pragma once

#include <QWidget>

class QLabel;
class QTableView;

namespace Switchyard {

class FleetMemberModel;
class FleetRouteModel;
struct FleetStatus;

// The Fleet view, shown when the gateway shares its state with others through Redis: each
// instance's health and how it took the latest operator action, then every route's state on
// every instance side by side.
class FleetView final : public QWidget {
    Q_OBJECT
public:
    FleetView(FleetMemberModel *members, FleetRouteModel *routes, QWidget *parent = nullptr);

    void showFleet(const Switchyard::FleetStatus &fleet);

private:
    QLabel *m_summary;
    QTableView *m_members;
    QTableView *m_routes;
};

} // namespace Switchyard
