#include "models/keytablemodel.h"

#include "models/providertablemodel.h"

#include <QHash>
#include <QLocale>
#include <QSet>

#include <algorithm>

namespace Switchyard {

KeyTableModel::KeyTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int KeyTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int KeyTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant KeyTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    const KeySnapshot &key = row.key;
    switch (role) {
    case ProviderRole:
        return row.provider;
    case KeychainNameRole:
        return key.ref.source == SecretRef::Source::Keychain ? key.ref.name : QString();
    case StateRole:
        return int(key.state);
    case SortRole:
        switch (Column(index.column())) {
        case Weight:
            return key.weight;
        case State:
            return int(key.state);
        case Cooldown:
            return key.coolingRemainingMs;
        case Calls:
            return key.calls;
        case RateLimited:
            return key.rateLimited;
        case Rejections:
            return key.rejections;
        default:
            return data(index, Qt::DisplayRole);
        }
    case Qt::TextAlignmentRole:
        return index.column() >= Cooldown && index.column() <= Rejections
            ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
            : QVariant();
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        break;
    default:
        return {};
    }
    switch (Column(index.column())) {
    case Provider:
        return row.provider;
    case Label:
        return key.label;
    case Source:
        return ProviderTableModel::keySourceText(key.ref);
    case Weight:
        return QLocale().toString(key.weight, 'g', 4);
    case State:
        if (role == Qt::ToolTipRole && !key.detail.isEmpty())
            return key.detail;
        return ProviderTableModel::keyStateText(key.state);
    case Cooldown:
        if (key.coolingRemainingMs <= 0)
            return QString();
        //: A rate-limited key's rest that remains, in seconds.
        return tr("%n s", nullptr, int((key.coolingRemainingMs + 999) / 1000));
    case Calls:
        return QLocale().toString(key.calls);
    case RateLimited:
        return QLocale().toString(key.rateLimited);
    case Rejections:
        return QLocale().toString(key.rejections);
    case ColumnCount:
        break;
    }
    return {};
}

QVariant KeyTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || (role != Qt::DisplayRole && role != Qt::ToolTipRole))
        return {};
    switch (Column(section)) {
    case Provider:
        return tr("Provider");
    case Label:
        return tr("Key");
    case Source:
        return tr("Read from");
    case Weight:
        return role == Qt::ToolTipRole
            ? tr("Its share of the conversations, relative to the pool's other keys")
            : tr("Weight");
    case State:
        return tr("State");
    case Cooldown:
        return role == Qt::ToolTipRole ? tr("How long a rate-limited key still rests")
                                       : tr("Rests for");
    case Calls:
        return role == Qt::ToolTipRole ? tr("Calls sent with it since the gateway started")
                                       : tr("Calls");
    case RateLimited:
        return role == Qt::ToolTipRole ? tr("Answers of 429 it got") : tr("Rate-limited");
    case Rejections:
        return role == Qt::ToolTipRole ? tr("Answers of 401 or 403 it got") : tr("Rejected");
    case ColumnCount:
        break;
    }
    return {};
}

void KeyTableModel::setProviders(const QList<ProviderSnapshot> &providers)
{
    QList<Row> rows;
    for (const ProviderSnapshot &provider : providers) {
        for (const KeySnapshot &key : provider.keys)
            rows.append({ provider.name, key });
    }
    // By provider and label, so that a merge is linear in the keys, however many.
    const auto idOf
        = [](const Row &row) -> QString { return row.provider + QChar(u'\n') + row.key.label; };
    QSet<QString> named;
    for (const Row &row : std::as_const(rows))
        named.insert(idOf(row));
    // Rows that went away, then rows that changed, then rows that are new: no reset, so the
    // selection survives every countdown.
    for (int row = int(m_rows.size()) - 1; row >= 0; --row) {
        if (!named.contains(idOf(m_rows.at(row)))) {
            beginRemoveRows(QModelIndex(), row, row);
            m_rows.removeAt(row);
            endRemoveRows();
        }
    }
    QHash<QString, int> rowOf;
    for (int row = 0; row < int(m_rows.size()); ++row)
        rowOf.insert(idOf(m_rows.at(row)), row);
    for (const Row &fresh : std::as_const(rows)) {
        const auto existing = rowOf.constFind(idOf(fresh));
        if (existing != rowOf.cend()) {
            Row &current = m_rows[*existing];
            if (current == fresh)
                continue;
            current = fresh;
            Q_EMIT dataChanged(index(*existing, 0), index(*existing, ColumnCount - 1));
            continue;
        }
        const int row = int(m_rows.size());
        beginInsertRows(QModelIndex(), row, row);
        m_rows.append(fresh);
        endInsertRows();
        rowOf.insert(idOf(fresh), row);
    }
}

} // namespace Switchyard
