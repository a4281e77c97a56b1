#include "models/routeconfigtablemodel.h"

#include <QLocale>

namespace Switchyard {

RouteConfigTableModel::RouteConfigTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int RouteConfigTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int RouteConfigTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RouteConfigTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    const Row &row = m_rows.at(index.row());
    const QLocale locale;
    switch (Column(index.column())) {
    case Name:
        return row.route.name;
    case Provider:
        return row.route.provider;
    case Model:
        return row.route.model;
    case Capabilities:
        return capabilityNames(row.route.capabilities).join(QLatin1String(", "));
    case ContextWindow:
        return row.route.contextWindow > 0 ? locale.toString(row.route.contextWindow)
                                           : tr("unknown");
    case Price:
        if (row.route.price.inputPerMTok == 0 && row.route.price.outputPerMTok == 0)
            return tr("not set");
        //: Prices in USD per million input and output tokens
        return tr("$%1 in / $%2 out")
            .arg(locale.toString(row.route.price.inputPerMTok),
                locale.toString(row.route.price.outputPerMTok));
    case Lanes:
        return row.lanes.isEmpty() ? tr("(no lane)") : row.lanes.join(QLatin1String(", "));
    case ColumnCount:
        break;
    }
    return {};
}

QVariant RouteConfigTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Name:
        return tr("Route");
    case Provider:
        return tr("Provider");
    case Model:
        return tr("Model");
    case Capabilities:
        return tr("Capabilities");
    case ContextWindow:
        return tr("Context window");
    case Price:
        return tr("Price per million tokens");
    case Lanes:
        return tr("Used by lanes");
    case ColumnCount:
        break;
    }
    return {};
}

void RouteConfigTableModel::setConfig(const Config &config)
{
    beginResetModel();
    m_rows.clear();
    for (const RouteConfig &route : config.routes) {
        Row row { route, {} };
        for (const LaneConfig &lane : config.lanes) {
            if (lane.chain.contains(route.name) || lane.degraded == route.name
                || lane.policyFallbacks.contains(route.name))
                row.lanes.append(lane.name);
        }
        m_rows.append(row);
    }
    endResetModel();
}

} // namespace Switchyard
