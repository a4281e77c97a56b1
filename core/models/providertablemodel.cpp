#include "models/providertablemodel.h"

namespace Switchyard {

ProviderTableModel::ProviderTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int ProviderTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ProviderTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ProviderTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    const Row &row = m_rows.at(index.row());
    switch (Column(index.column())) {
    case Name:
        return row.provider.name;
    case Kind:
        return row.provider.kind;
    case BaseUrl:
        return row.provider.kind == QLatin1String("simulated") ? tr("(in-process simulation)")
                                                               : row.provider.baseUrl.toString();
    case Key:
        return row.provider.apiKey.isSet() ? row.provider.apiKey.describe() : tr("none");
    case KeyStatus:
        return row.keyStatus;
    case Routes:
        return row.routes.join(QLatin1String(", "));
    case ColumnCount:
        break;
    }
    return {};
}

QVariant ProviderTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Name:
        return tr("Provider");
    case Kind:
        return tr("Kind");
    case BaseUrl:
        return tr("Base URL");
    case Key:
        return tr("Key reference");
    case KeyStatus:
        return tr("Key status");
    case Routes:
        return tr("Routes");
    case ColumnCount:
        break;
    }
    return {};
}

void ProviderTableModel::setConfig(const Config &config)
{
    beginResetModel(); // only when a config is applied, not per tick
    m_rows.clear();
    for (const ProviderConfig &provider : config.providers) {
        Row row { provider, {}, provider.apiKey.isSet() ? tr("set") : tr("not needed") };
        for (const RouteConfig &route : config.routes) {
            if (route.provider == provider.name)
                row.routes.append(route.name);
        }
        m_rows.append(row);
    }
    endResetModel();
}

void ProviderTableModel::setSnapshots(const QList<RouteSnapshot> &routes)
{
    for (int i = 0; i < m_rows.size(); ++i) {
        Row &row = m_rows[i];
        QString status = row.provider.apiKey.isSet() ? tr("set") : tr("not needed");
        for (const RouteSnapshot &route : routes) {
            if (route.provider == row.provider.name && !route.misconfigured.isEmpty()) {
                status = route.misconfigured;
                break;
            }
        }
        if (status != row.keyStatus) {
            row.keyStatus = status;
            Q_EMIT dataChanged(index(i, KeyStatus), index(i, KeyStatus));
        }
    }
}

} // namespace Switchyard
