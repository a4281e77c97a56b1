#include "models/chainmodel.h"

#include <QMimeData>

namespace Switchyard {

namespace {

QString tokens(qint64 count)
{
    if (count >= 1000000 && count % 100000 == 0)
        return QStringLiteral("%1M").arg(double(count) / 1e6);
    if (count >= 1000)
        return QStringLiteral("%1k").arg(count / 1000);
    return QString::number(count);
}

} // namespace

ChainModel::ChainModel(bool editable, QObject *parent)
    : QAbstractListModel(parent)
    , m_editable(editable)
{
}

int ChainModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_routes.size());
}

QString ChainModel::detailOf(const RouteConfig &route)
{
    // The price first: it is what a narrow card must not cut off.
    QStringList parts;
    if (route.price.inputPerMTok > 0 || route.price.outputPerMTok > 0)
        parts.append(tr("$%1 / $%2 per MTok")
                         .arg(route.price.inputPerMTok, 0, 'f', 2)
                         .arg(route.price.outputPerMTok, 0, 'f', 2));
    else
        parts.append(tr("no price set"));
    if (route.contextWindow > 0)
        parts.append(tr("%1 context").arg(tokens(route.contextWindow)));
    const QStringList capabilities = capabilityNames(route.capabilities);
    parts.append(
        capabilities.isEmpty() ? tr("plain chat") : capabilities.join(QStringLiteral(" · ")));
    return parts.join(QStringLiteral(" · "));
}

QVariant ChainModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const QString &name = m_routes.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::EditRole:
        return name;
    case StateRole: {
        const auto state = m_states.constFind(name);
        return state == m_states.cend() ? QVariant() : QVariant::fromValue(state->state);
    }
    case MisconfiguredRole:
        return m_states.value(name).misconfigured;
    case DetailRole: {
        const auto route = m_config.routes.constFind(name);
        return route == m_config.routes.cend() ? tr("not in the configuration") : detailOf(*route);
    }
    case PositionRole:
        return index.row() + 1;
    case Qt::ToolTipRole:
        return QString(data(index, DetailRole).toString() + QLatin1Char('\n')
            + (m_editable ? tr("Drag to reorder; drop a route from the list on the right to add it")
                          : tr("Drag into the chain to add it there")));
    default:
        return {};
    }
}

Qt::ItemFlags ChainModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return m_editable ? Qt::ItemIsDropEnabled : Qt::NoItemFlags;
    // Items take drops too (the drop lands before them): a drop on an item never replaces it.
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled
        | (m_editable ? Qt::ItemIsDropEnabled : Qt::NoItemFlags);
}

Qt::DropActions ChainModel::supportedDropActions() const
{
    return m_editable ? Qt::MoveAction | Qt::CopyAction : Qt::IgnoreAction;
}

Qt::DropActions ChainModel::supportedDragActions() const
{
    return m_editable ? Qt::MoveAction : Qt::CopyAction;
}

QStringList ChainModel::mimeTypes() const
{
    return { QString::fromLatin1(MimeType) };
}

QMimeData *ChainModel::mimeData(const QModelIndexList &indexes) const
{
    QStringList names;
    for (const QModelIndex &index : indexes) {
        if (index.isValid())
            names.append(m_routes.at(index.row()));
    }
    auto *data = new QMimeData;
    data->setData(QString::fromLatin1(MimeType), names.join(QLatin1Char('\n')).toUtf8());
    return data;
}

bool ChainModel::canDropMimeData(
    const QMimeData *data, Qt::DropAction, int, int, const QModelIndex &) const
{
    return m_editable && data && data->hasFormat(QString::fromLatin1(MimeType));
}

bool ChainModel::dropMimeData(
    const QMimeData *data, Qt::DropAction action, int row, int column, const QModelIndex &parent)
{
    if (!canDropMimeData(data, action, row, column, parent))
        return false;
    int target = row >= 0 ? row : parent.isValid() ? parent.row() : rowCount();
    const QStringList names
        = QString::fromUtf8(data->data(QString::fromLatin1(MimeType))).split(QLatin1Char('\n'));
    for (const QString &name : names) {
        // Only a route of the configuration: a drop from elsewhere adds nothing unknown.
        if (name.isEmpty() || (!m_config.routes.isEmpty() && !m_config.routes.contains(name)))
            continue;
        insertRoute(target, name);
        target = int(m_routes.indexOf(name)) + 1;
    }
    // Done here, moves included: the view must not remove the dragged row afterwards (that is
    // how a move onto an item used to lose the route it was dropped on).
    return false;
}

void ChainModel::setRoutes(const QStringList &routes)
{
    beginResetModel();
    m_routes = routes;
    m_routes.removeAll(QString());
    m_routes.removeDuplicates();
    endResetModel();
}

void ChainModel::setRouteInfo(const Config &config, const QHash<QString, RouteSnapshot> &states)
{
    m_config = config;
    m_states = states;
    if (!m_routes.isEmpty())
        Q_EMIT dataChanged(
            index(0), index(rowCount() - 1), { StateRole, MisconfiguredRole, DetailRole });
}

void ChainModel::insertRoute(int row, const QString &route)
{
    row = qBound(0, row, rowCount());
    const int existing = int(m_routes.indexOf(route));
    if (existing >= 0) {
        // Before row `row` as the chain is now: the route's own row does not count.
        moveRoute(existing, row > existing ? row - 1 : row);
        return;
    }
    beginInsertRows(QModelIndex(), row, row);
    m_routes.insert(row, route);
    endInsertRows();
    Q_EMIT edited();
}

void ChainModel::removeRoute(int row)
{
    if (row < 0 || row >= rowCount())
        return;
    beginRemoveRows(QModelIndex(), row, row);
    m_routes.removeAt(row);
    endRemoveRows();
    Q_EMIT edited();
}

void ChainModel::moveRoute(int from, int to)
{
    if (from < 0 || from >= rowCount() || to < 0 || to >= rowCount() || from == to)
        return;
    // beginMoveRows wants the row before which it lands, counted before the move.
    beginMoveRows(QModelIndex(), from, from, QModelIndex(), to > from ? to + 1 : to);
    m_routes.move(from, to);
    endMoveRows();
    Q_EMIT edited();
}

} // namespace Switchyard
