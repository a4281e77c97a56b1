#include "routesview.h"

#include "drilldialog.h"
#include "lanehealthview.h"
#include "link/gatewaylink.h"
#include "models/routetablemodel.h"
#include "statebadgedelegate.h"

#include <QAction>
#include <QHeaderView>
#include <QIcon>
#include <QLabel>
#include <QMessageBox>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

namespace Switchyard {

RoutesView::RoutesView(
    GatewayLink *gateway, RouteTableModel *model, LaneHealthModel *lanes, QWidget *parent)
    : QWidget(parent)
    , m_gateway(gateway)
    , m_model(model)
    , m_proxy(new QSortFilterProxyModel(this))
    , m_table(new QTableView(this))
    , m_hint(new QLabel(this))
    , m_lanes(new LaneHealthView(lanes, this))
{
    setObjectName(QStringLiteral("routesView"));
    m_proxy->setSourceModel(model);
    m_proxy->setSortRole(RouteTableModel::SortRole);
    m_table->setModel(m_proxy);
    m_table->setItemDelegateForColumn(RouteTableModel::State, new StateBadgeDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(RouteTableModel::Name, Qt::AscendingOrder);
    m_table->verticalHeader()->hide();
    m_table->setAlternatingRowColors(true);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(
        RouteTableModel::LastError, QHeaderView::Stretch);

    auto *toolbar = new QToolBar(tr("Route actions"), this);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    QStringList iconNames { QStringLiteral("drain"), QStringLiteral("restore"),
        QStringLiteral("restore-staged"), QStringLiteral("stage"), QStringLiteral("probe"),
        QStringLiteral("drill") };
    auto makeAction = [&](const QString &text, const QKeySequence &shortcut, const QString &tip) {
        auto *action = toolbar->addAction(text);
        action->setIcon(QIcon(QStringLiteral(":/icons/actions/%1.svg").arg(iconNames.takeFirst())));
        action->setShortcut(shortcut);
        action->setShortcutContext(Qt::WindowShortcut);
        action->setToolTip(
            QStringLiteral("%1 (%2)").arg(tip, shortcut.toString(QKeySequence::NativeText)));
        return action;
    };
    m_drain = makeAction(tr("Drain"), QKeySequence(tr("Ctrl+D")),
        tr("Take the route out of traffic; probes continue"));
    m_restore = makeAction(
        tr("Restore"), QKeySequence(tr("Ctrl+R")), tr("Back to automatic, full traffic at once"));
    m_stagedRestore = makeAction(tr("Restore staged"), QKeySequence(tr("Ctrl+Shift+R")),
        tr("Back to automatic through the recovery steps"));
    m_stage = makeAction(tr("Stage recovery"), QKeySequence(tr("Ctrl+G")),
        tr("Ramp the route's traffic up in steps from now on"));
    m_probe = makeAction(
        tr("Probe now"), QKeySequence(tr("Ctrl+P")), tr("Send a health probe at once"));
    m_drill
        = makeAction(tr("Drill…"), QKeySequence(tr("Ctrl+L")), tr("Inject a failure for a while"));

    connect(m_drain, &QAction::triggered, this, &RoutesView::drain);
    connect(m_restore, &QAction::triggered, this, [this] { restore(false); });
    connect(m_stagedRestore, &QAction::triggered, this, [this] { restore(true); });
    connect(m_stage, &QAction::triggered, this, [this] {
        if (!selectedRoute().isEmpty())
            m_gateway->stageRecovery(selectedRoute());
    });
    connect(m_probe, &QAction::triggered, this, [this] {
        if (!selectedRoute().isEmpty())
            m_gateway->probeNow(selectedRoute());
    });
    connect(m_drill, &QAction::triggered, this, &RoutesView::drill);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
        &RoutesView::updateActions);
    connect(model, &QAbstractItemModel::dataChanged, this, &RoutesView::updateActions);

    m_hint->setWordWrap(true);
    m_hint->setText(
        tr("Select a route to act on it. Drain and Restore move live traffic and ask first."));
    // Picking a lane selects the route that serves it, ready for an action.
    connect(m_lanes, &LaneHealthView::routePicked, this, &RoutesView::selectRoute);
    auto *routes = new QWidget(this);
    auto *routesLayout = new QVBoxLayout(routes);
    routesLayout->setContentsMargins(0, 0, 0, 0);
    routesLayout->addWidget(toolbar);
    routesLayout->addWidget(m_table, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_lanes);
    layout->addWidget(routes, 1);
    layout->addWidget(m_hint);
    m_confirm = [this](const QString &title, const QString &text) {
        return QMessageBox::question(
                   this, title, text, QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
            == QMessageBox::Yes;
    };
    updateActions();
}

QString RoutesView::selectedRoute() const
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return QString();
    return m_proxy->mapToSource(rows.first())
        .siblingAtColumn(RouteTableModel::Name)
        .data()
        .toString();
}

void RoutesView::selectRoute(const QString &route)
{
    const int row = m_model->rowOf(route);
    if (row < 0)
        return;
    m_table->selectRow(m_proxy->mapFromSource(m_model->index(row, 0)).row());
}

void RoutesView::updateActions()
{
    const QString route = selectedRoute();
    const int row = m_model->rowOf(route);
    const std::optional<BreakerState> state
        = row < 0 ? std::nullopt : std::optional(m_model->snapshot(row).state);
    const bool any = row >= 0;
    m_drain->setEnabled(any && state != BreakerState::Drained);
    m_restore->setEnabled(any && state != BreakerState::Closed);
    m_stagedRestore->setEnabled(
        any && state != BreakerState::Closed && state != BreakerState::Recovering);
    m_stage->setEnabled(any && state != BreakerState::Recovering);
    m_probe->setEnabled(any);
    m_drill->setEnabled(any && state != BreakerState::Drilling);
}

bool RoutesView::confirmLiveChange(const QString &title, const QString &text)
{
    return m_confirm ? m_confirm(title, text) : true;
}

void RoutesView::drain()
{
    const QString route = selectedRoute();
    if (route.isEmpty())
        return;
    const RouteSnapshot &snapshot = m_model->snapshot(m_model->rowOf(route));
    if (!confirmLiveChange(tr("Drain %1?").arg(route),
            tr("%1 serves %2 requests/s with %3 in flight. Draining sends all of its traffic to "
               "the "
               "next routes of its lanes (%4) until you restore it.")
                .arg(route)
                .arg(snapshot.requestsPerSecond, 0, 'f', 1)
                .arg(snapshot.inFlight)
                .arg(snapshot.lanes.join(QLatin1String(", ")))))
        return;
    m_gateway->drain(route);
}

void RoutesView::restore(bool staged)
{
    const QString route = selectedRoute();
    if (route.isEmpty())
        return;
    if (!staged
        && !confirmLiveChange(tr("Restore %1 at once?").arg(route),
            tr("%1 gets its full share of traffic immediately. If it may still be unwell, "
               "Restore staged ramps it up in steps instead.")
                .arg(route)))
        return;
    m_gateway->restore(route, staged);
}

void RoutesView::drill()
{
    const QString route = selectedRoute();
    if (route.isEmpty())
        return;
    DrillDialog dialog(route, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    m_gateway->drill(route, dialog.fault(), dialog.seconds());
}

} // namespace Switchyard
