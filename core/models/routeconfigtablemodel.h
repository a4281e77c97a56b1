#pragma once

#include "config/config.h"

#include <QAbstractTableModel>

namespace Switchyard {

// The routes of the configuration as written — provider, model, capabilities, window, prices and
// the lanes that use them — for editing in the Providers view. Changes only when a config is
// applied, so it is rebuilt then rather than merged.
class RouteConfigTableModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, Provider, Model, Capabilities, ContextWindow, Price, Lanes, ColumnCount };

    explicit RouteConfigTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setConfig(const Config &config);

private:
    struct Row {
        RouteConfig route;
        QStringList lanes;
    };
    QList<Row> m_rows;
};

} // namespace Switchyard
