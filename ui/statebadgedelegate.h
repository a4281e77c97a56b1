#pragma once

#include <QStyledItemDelegate>

namespace Switchyard {

// Paints a route's breaker state as a rounded badge: its colour and its name, never colour alone.
class StateBadgeDelegate final : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
        const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace Switchyard
