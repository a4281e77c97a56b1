#include "fleetview.h"

#include "cluster/fleetstatus.h"
#include "models/fleetmodels.h"
#include "statebadgedelegate.h"

#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace Switchyard {

namespace {

QWidget *titled(const QString &title, QWidget *content, QWidget *parent)
{
    auto *box = new QWidget(parent);
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *label = new QLabel(title, box);
    QFont bold = label->font();
    bold.setBold(true);
    label->setFont(bold);
    layout->addWidget(label);
    layout->addWidget(content, 1);
    return box;
}

} // namespace

FleetView::FleetView(FleetMemberModel *members, FleetRouteModel *routes, QWidget *parent)
    : QWidget(parent)
    , m_summary(new QLabel(this))
    , m_members(new QTableView(this))
    , m_routes(new QTableView(this))
{
    setObjectName(QStringLiteral("fleetView"));
    m_summary->setObjectName(QStringLiteral("fleetSummary"));
    m_summary->setWordWrap(true);

    auto *sorted = new QSortFilterProxyModel(this);
    sorted->setSourceModel(members);
    sorted->setSortRole(FleetMemberModel::SortRole);
    m_members->setObjectName(QStringLiteral("fleetMembers"));
    m_members->setModel(sorted);
    m_members->setSortingEnabled(true);
    m_members->sortByColumn(-1, Qt::AscendingOrder); // this instance first, as the model has it
    m_members->verticalHeader()->hide();
    m_members->setAlternatingRowColors(true);
    m_members->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_members->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_members->horizontalHeader()->setStretchLastSection(true);

    m_routes->setObjectName(QStringLiteral("fleetRoutes"));
    m_routes->setModel(routes);
    // Every column after the route's name is an instance's: its state as a badge.
    m_routes->setItemDelegate(new StateBadgeDelegate(m_routes));
    m_routes->verticalHeader()->hide();
    m_routes->setAlternatingRowColors(true);
    m_routes->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_routes->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(titled(tr("Instances"), m_members, splitter));
    splitter->addWidget(titled(tr("Route states on each instance"), m_routes, splitter));
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(splitter, 1);
}

void FleetView::showFleet(const FleetStatus &fleet)
{
    if (!fleet.connected) {
        m_summary->setText(tr("⚠ Redis is unreachable (%1). This instance serves on its own "
                              "state; the others are not shown until Redis is back.")
                               .arg(fleet.problem));
        return;
    }
    int ready = 0;
    int alive = 0;
    for (const FleetMember &member : fleet.members) {
        alive += member.alive ? 1 : 0;
        ready += member.alive && member.ready() ? 1 : 0;
    }
    //: %1: this instance's name; %n: instances heard from; %2: how many of them are ready
    m_summary->setText(tr("Instance %1 shares its state with the fleet through Redis. %n "
                          "instance(s) alive, %2 ready. Route actions taken here apply to "
                          "every instance; each one's answer is under Latest action.",
        nullptr, alive)
                           .arg(fleet.instance)
                           .arg(ready));
}

} // namespace Switchyard
