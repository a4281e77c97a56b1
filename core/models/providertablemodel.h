#pragma once

#include "routing/providersnapshot.h"

#include <QAbstractTableModel>

namespace Switchyard {

// The running config's providers, whether their keys work and how their last Test went, for the
// Providers view. Merged row by row from the engine's snapshots.
class ProviderTableModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, Kind, BaseUrl, Key, KeyStatus, LastTest, Routes, ColumnCount };
    enum Role {
        KeyStateRole = Qt::UserRole, // KeyState as int
        KeychainNameRole, // the keychain entry of its key, empty when the key is not in one
    };

    explicit ProviderTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setProviders(const QList<ProviderSnapshot> &providers);
    const ProviderSnapshot *provider(const QString &name) const;

    static QString keyStateText(KeyState state);
    // Where a key is read from, for people: "keychain entry 'x'", "environment variable X".
    static QString keySourceText(const SecretRef &ref);

private:
    QList<ProviderSnapshot> m_rows;
};

} // namespace Switchyard
