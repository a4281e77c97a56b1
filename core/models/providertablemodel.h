#pragma once

#include "config/config.h"
#include "engine/routesnapshot.h"

#include <QAbstractTableModel>

namespace Switchyard {

// The configured providers and whether their keys work, for the Providers view.
class ProviderTableModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, Kind, BaseUrl, Key, KeyStatus, Routes, ColumnCount };

    explicit ProviderTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setConfig(const Config &config);
    void setSnapshots(const QList<RouteSnapshot> &routes);

private:
    struct Row {
        ProviderConfig provider;
        QStringList routes;
        QString keyStatus;
    };
    QList<Row> m_rows;
};

} // namespace Switchyard
