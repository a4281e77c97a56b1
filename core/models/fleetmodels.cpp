#include "models/fleetmodels.h"

#include <QDateTime>
#include <QLocale>

#include <algorithm>
#include <map>
#include <set>

namespace Switchyard {

FleetMemberModel::FleetMemberModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int FleetMemberModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_members.size());
}

int FleetMemberModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString FleetMemberModel::healthText(const FleetMember &member)
{
    if (!member.alive) {
        return tr("Silent since %1")
            .arg(
                QDateTime::fromMSecsSinceEpoch(member.seenMs).toString(QStringLiteral("HH:mm:ss")));
    }
    if (member.ready())
        return tr("Ready");
    //: %1: the lanes (comma-separated) where this instance has no route it would try
    return tr("Not ready: no route for %1").arg(member.lanesWithoutRoute.join(QLatin1String(", ")));
}

QString FleetMemberModel::routesText(const FleetMember &member)
{
    // Counted per state, in the order an operator reads them: what is wrong first.
    std::map<BreakerState, int> counts;
    for (BreakerState state : member.routeStates)
        ++counts[state];
    QStringList parts;
    for (BreakerState state : { BreakerState::Open, BreakerState::HalfOpen, BreakerState::Drained,
             BreakerState::Drilling, BreakerState::Recovering, BreakerState::Closed }) {
        if (const auto it = counts.find(state); it != counts.end())
            parts.append(
                QStringLiteral("%1 %2").arg(it->second).arg(breakerStateLabel(state).toLower()));
    }
    return parts.isEmpty() ? tr("no routes") : parts.join(QStringLiteral(" · "));
}

QVariant FleetMemberModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const FleetMember &member = m_members.at(index.row());
    if (role == ReadyRole)
        return member.alive && member.ready();
    if (role == SortRole) {
        switch (Column(index.column())) {
        case SpentToday:
            return member.spentTodayUsd;
        case LastHeard:
            return member.seenMs;
        case Health:
            return member.alive ? (member.ready() ? 2 : 1) : 0;
        default:
            return data(index, Qt::DisplayRole);
        }
    }
    if (role == Qt::ToolTipRole && index.column() == Health && !member.alive)
        return tr("Not heard from for more than ten seconds: stopped, or cut off from Redis.");
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (Column(index.column())) {
    case Instance:
        //: the fleet's instance this console is attached to, or runs
        return index.row() == 0 ? tr("%1 (this one)").arg(member.instance) : member.instance;
    case Health:
        return healthText(member);
    case Routes:
        return routesText(member);
    case SpentToday:
        return QStringLiteral("$%1").arg(member.spentTodayUsd, 0, 'f', 4);
    case LastHeard:
        return QDateTime::fromMSecsSinceEpoch(member.seenMs).toString(QStringLiteral("HH:mm:ss"));
    case LatestAction:
        if (member.lastAnswer.isEmpty())
            return QStringLiteral("–");
        //: a fleet instance's answer to an operator action has not come yet
        return member.answerPending ? tr("%1 (waiting)").arg(member.lastAnswer) : member.lastAnswer;
    case Address:
        return member.address;
    case ColumnCount:
        break;
    }
    return {};
}

QVariant FleetMemberModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Instance:
        return tr("Instance");
    case Health:
        return tr("Health");
    case Routes:
        return tr("Routes");
    case SpentToday:
        return tr("Spent today");
    case LastHeard:
        return tr("Last heard");
    case LatestAction:
        return tr("Latest action");
    case Address:
        return tr("Address");
    case ColumnCount:
        break;
    }
    return {};
}

void FleetMemberModel::setFleet(const FleetStatus &fleet)
{
    const QList<FleetMember> next = fleet.enabled ? fleet.members : QList<FleetMember>();
    // Rows whose instance is gone leave; new ones are inserted where they belong; the rest
    // change in place.
    for (qsizetype row = m_members.size() - 1; row >= 0; --row) {
        const QString &name = m_members.at(row).instance;
        const bool kept = std::any_of(next.cbegin(), next.cend(),
            [&name](const FleetMember &member) { return member.instance == name; });
        if (!kept) {
            beginRemoveRows(QModelIndex(), int(row), int(row));
            m_members.removeAt(row);
            endRemoveRows();
        }
    }
    for (qsizetype row = 0; row < next.size(); ++row) {
        const FleetMember &member = next.at(row);
        const auto found = std::find_if(m_members.cbegin() + row, m_members.cend(),
            [&member](const FleetMember &known) { return known.instance == member.instance; });
        if (found == m_members.cend()) {
            beginInsertRows(QModelIndex(), int(row), int(row));
            m_members.insert(row, member);
            endInsertRows();
            continue;
        }
        const int from = int(found - m_members.cbegin());
        if (from != row) {
            beginMoveRows(QModelIndex(), from, from, QModelIndex(), int(row));
            m_members.move(from, row);
            endMoveRows();
        }
        if (m_members.at(row) != member) {
            m_members[row] = member;
            Q_EMIT dataChanged(index(int(row), 0), index(int(row), ColumnCount - 1));
        }
    }
    // Left over only when `next` names an instance twice: one row per name.
    if (m_members.size() > next.size()) {
        beginRemoveRows(QModelIndex(), int(next.size()), int(m_members.size()) - 1);
        m_members.resize(next.size());
        endRemoveRows();
    }
}

FleetRouteModel::FleetRouteModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int FleetRouteModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_routes.size());
}

int FleetRouteModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() || m_instances.isEmpty() ? 0 : int(m_instances.size()) + 1;
}

QVariant FleetRouteModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const QString &route = m_routes.at(index.row());
    if (index.column() == 0)
        return role == Qt::DisplayRole || role == Qt::ToolTipRole ? QVariant(route) : QVariant();
    const FleetMember &member = m_members.at(index.column() - 1);
    const auto state = member.routeStates.constFind(route);
    const bool known = state != member.routeStates.cend();
    switch (role) {
    case StateRole:
        return known ? QVariant::fromValue(*state) : QVariant();
    case HasStateRole:
        return known;
    case Qt::DisplayRole:
        return known ? breakerStateLabel(*state) : QString();
    case Qt::ToolTipRole:
        //: %1: a route, %2: a fleet instance, %3: the route's state there
        return known
            ? QVariant(tr("%1 on %2: %3").arg(route, member.instance, breakerStateLabel(*state)))
            : QVariant(tr("%1 has no route %2").arg(member.instance, route));
    default:
        return {};
    }
}

QVariant FleetRouteModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0
        || section > m_instances.size())
        return {};
    return section == 0 ? tr("Route") : m_instances.at(section - 1);
}

void FleetRouteModel::setFleet(const FleetStatus &fleet)
{
    QStringList instances;
    std::set<QString> names; // sorted, once each
    const QList<FleetMember> members = fleet.enabled ? fleet.members : QList<FleetMember>();
    for (const FleetMember &member : members) {
        instances.append(member.instance);
        for (auto it = member.routeStates.cbegin(); it != member.routeStates.cend(); ++it)
            names.insert(it.key());
    }
    const QStringList routes(names.cbegin(), names.cend());
    if (instances != m_instances || routes != m_routes) {
        beginResetModel();
        m_instances = instances;
        m_routes = routes;
        m_members = members;
        endResetModel();
        return;
    }
    if (members == m_members)
        return;
    m_members = members;
    if (!m_routes.isEmpty())
        Q_EMIT dataChanged(index(0, 1), index(int(m_routes.size()) - 1, int(m_instances.size())));
}

} // namespace Switchyard
