#include "models/chainpreviewmodel.h"

#include <QDateTime>

namespace Switchyard {

namespace {

QString dollars(double usd)
{
    return QLatin1Char('$') + QString::number(usd, 'f', usd > 0 && usd < 0.01 ? 5 : 4);
}

} // namespace

ChainPreviewModel::ChainPreviewModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int ChainPreviewModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_preview.rows.size());
}

int ChainPreviewModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ChainPreviewModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ChainPreview::Row &row = m_preview.rows.at(index.row());
    if (role == ChangedRole)
        return row.wouldServe != row.servedBy;
    if (role == Qt::TextAlignmentRole)
        return index.column() == Tokens || index.column() == CostThen || index.column() == CostNow
            ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
            : QVariant();
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (Column(index.column())) {
    case Time:
        return QDateTime::fromMSecsSinceEpoch(row.atMs).toString(QStringLiteral("HH:mm:ss"));
    case Needs: {
        QStringList needs = capabilityNames(row.needs);
        if (row.stream && !needs.contains(QLatin1String("stream")))
            needs.append(QStringLiteral("stream"));
        return needs.isEmpty() ? tr("plain chat") : needs.join(QLatin1String(", "));
    }
    case Tokens:
        return row.estimatedTokens > 0 ? QString::number(row.estimatedTokens) : QStringLiteral("–");
    case ServedThen:
        return row.servedBy.isEmpty() ? tr("failed") : row.servedBy;
    case WouldServe:
        if (row.wouldServe.isEmpty())
            return tr("no route");
        return row.byDegraded ? tr("%1 (degraded)").arg(row.wouldServe) : row.wouldServe;
    case Skipped: {
        QStringList parts;
        for (const ChainPreview::Skip &skip : row.skipped)
            parts.append(QStringLiteral("%1: %2").arg(skip.route, skip.why));
        return parts.join(QLatin1String("; "));
    }
    case CostThen:
        return dollars(row.costThen);
    case CostNow:
        return row.wouldServe.isEmpty() ? QStringLiteral("–") : dollars(row.costNow);
    case ColumnCount:
        break;
    }
    return {};
}

QVariant ChainPreviewModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Time:
        return tr("Time");
    case Needs:
        return tr("Needed");
    case Tokens:
        return tr("Tokens");
    case ServedThen:
        return tr("Served then");
    case WouldServe:
        return tr("Would be served by");
    case Skipped:
        return tr("Skipped, and why");
    case CostThen:
        return tr("Cost then");
    case CostNow:
        return tr("Would cost");
    case ColumnCount:
        break;
    }
    return {};
}

void ChainPreviewModel::setPreview(const ChainPreview &preview)
{
    beginResetModel();
    m_preview = preview;
    endResetModel();
}

QString ChainPreviewModel::summary() const
{
    if (m_preview.rows.isEmpty())
        return tr("No recent request of this lane to try the chain on.");
    return tr("Of the last %1 requests, %2 would be served by another route and %3 by none; "
              "they would cost %4 instead of %5.")
        .arg(m_preview.rows.size())
        .arg(m_preview.elsewhere)
        .arg(m_preview.unserved)
        .arg(dollars(m_preview.costNow), dollars(m_preview.costThen));
}

} // namespace Switchyard
