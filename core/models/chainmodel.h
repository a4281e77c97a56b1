#pragma once

#include "config/config.h"
#include "routing/routesnapshot.h"

#include <QAbstractListModel>
#include <QHash>

namespace Switchyard {

// A lane's chain as the console edits it, or the routes it may take from: route names, and what
// the view draws of each (its live state, what it can do, its context window and price). Drag and
// drop always inserts: a route dropped on another lands before it, one already in the chain
// moves, and none is lost or doubled.
class ChainModel final : public QAbstractListModel {
    Q_OBJECT
public:
    static constexpr const char *MimeType = "application/x-switchyard-routes";
    enum Role {
        StateRole = Qt::UserRole, // BreakerState; invalid while the route's state is not known
        MisconfiguredRole, // why its key cannot be used, or empty
        DetailRole, // "tools · stream · 128k context · $2.50 / $10.00 per MTok"
        PositionRole, // 1-based place in the chain
    };

    // `editable`: a chain, which takes drops; otherwise a palette to drag from.
    explicit ChainModel(bool editable, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    Qt::DropActions supportedDropActions() const override;
    Qt::DropActions supportedDragActions() const override;
    QStringList mimeTypes() const override;
    QMimeData *mimeData(const QModelIndexList &indexes) const override;
    bool canDropMimeData(const QMimeData *data, Qt::DropAction action, int row, int column,
        const QModelIndex &parent) const override;
    bool dropMimeData(const QMimeData *data, Qt::DropAction action, int row, int column,
        const QModelIndex &parent) override;

    void setRoutes(const QStringList &routes);
    QStringList routes() const { return m_routes; }
    // What each route is and how it is now, for DetailRole and StateRole.
    void setRouteInfo(const Config &config, const QHash<QString, RouteSnapshot> &states);

    // Puts `route` before row `row` (rowCount(): at the end); one already here moves there.
    void insertRoute(int row, const QString &route);
    void removeRoute(int row);
    // Moves the route at `from` so that it ends up at row `to`.
    void moveRoute(int from, int to);

    static QString detailOf(const RouteConfig &route);

Q_SIGNALS:
    // The operator changed the chain (not setRoutes).
    void edited();

private:
    bool m_editable;
    QStringList m_routes;
    Config m_config;
    QHash<QString, RouteSnapshot> m_states;
};

} // namespace Switchyard
