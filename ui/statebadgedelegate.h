#pragma once

#include <QColor>
#include <QStyledItemDelegate>

#include <functional>
#include <optional>

namespace Switchyard {

// How a cell's badge looks: its fill and the icon beside it (a resource path).
struct Badge {
    QColor fill;
    QString icon;
};

// Paints a state as a rounded badge: its colour, its name and an icon, never colour alone. By
// default a route's breaker state (RouteTableModel::StateRole); any other state through `badgeOf`.
class StateBadgeDelegate final : public QStyledItemDelegate {
    Q_OBJECT
public:
    // nullopt: the cell has no badge and is painted as usual.
    using BadgeOf = std::function<std::optional<Badge>(const QModelIndex &index)>;

    explicit StateBadgeDelegate(QObject *parent = nullptr);
    StateBadgeDelegate(BadgeOf badgeOf, QObject *parent);

    static std::optional<Badge> breakerBadge(const QModelIndex &index);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
        const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    BadgeOf m_badgeOf;
};

} // namespace Switchyard
