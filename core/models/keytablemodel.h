#pragma once

#include "routing/providersnapshot.h"

#include <QAbstractTableModel>

namespace Switchyard {

// Every key of every provider (one, or each of a pool) as the Providers view lists them: label,
// where it is read from, weight, state, cooldown and what it has been through; never a key's
// value. Merged row by row from the engine's provider snapshots.
class KeyTableModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        Provider,
        Label,
        State,
        Cooldown,
        Weight,
        Calls,
        RateLimited,
        Rejections,
        Source,
        ColumnCount
    };
    enum Role {
        ProviderRole = Qt::UserRole, // the provider's name, for a filter on one provider
        KeychainNameRole, // the key's keychain entry, empty when it is not in one
        StateRole, // KeyState as int
        SortRole, // raw values: numbers as numbers
    };

    explicit KeyTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setProviders(const QList<ProviderSnapshot> &providers);

private:
    struct Row {
        QString provider;
        KeySnapshot key;
        bool operator==(const Row &other) const = default;
    };
    QList<Row> m_rows;
};

} // namespace Switchyard
