#pragma once

#include <QWidget>

#include <functional>

class QAction;
class QLabel;
class QSortFilterProxyModel;
class QTableView;

namespace Switchyard {

class GatewayLink;
class LaneHealthModel;
class LaneHealthView;
class RouteTableModel;

// The Routes view: the lanes at a glance, every route's live state, and the operator's actions on
// the selected route.
class RoutesView final : public QWidget {
    Q_OBJECT
public:
    using Confirm = std::function<bool(const QString &title, const QString &text)>;

    RoutesView(GatewayLink *gateway, RouteTableModel *model, LaneHealthModel *lanes,
        QWidget *parent = nullptr);

    // Replaces the confirmation dialog (tests answer it without a modal loop).
    void setConfirm(Confirm confirm) { m_confirm = std::move(confirm); }
    void selectRoute(const QString &route);
    QString selectedRoute() const;

    QAction *drainAction() const { return m_drain; }
    QAction *restoreAction() const { return m_restore; }
    QAction *stagedRestoreAction() const { return m_stagedRestore; }
    QAction *stageAction() const { return m_stage; }
    QAction *probeAction() const { return m_probe; }
    QAction *drillAction() const { return m_drill; }
    LaneHealthView *laneHealthView() const { return m_lanes; }

private:
    void updateActions();
    bool confirmLiveChange(const QString &title, const QString &text);
    void drain();
    void restore(bool staged);
    void drill();

    GatewayLink *m_gateway;
    RouteTableModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_table;
    QLabel *m_hint;
    LaneHealthView *m_lanes;
    QAction *m_drain;
    QAction *m_restore;
    QAction *m_stagedRestore;
    QAction *m_stage;
    QAction *m_probe;
    QAction *m_drill;
    Confirm m_confirm;
};

} // namespace Switchyard
