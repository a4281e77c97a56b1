#include "statebadgedelegate.h"

#include "models/routetablemodel.h"
#include "statestyle.h"

#include <QIcon>
#include <QPainter>

namespace Switchyard {

void StateBadgeDelegate::paint(
    QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem plain = option;
    initStyleOption(&plain, index);
    plain.text.clear();
    QStyledItemDelegate::paint(painter, plain, QModelIndex()); // selection background only

    const BreakerState state = index.data(RouteTableModel::StateRole).value<BreakerState>();
    const QString text = index.data(Qt::DisplayRole).toString();
    const QColor fill = StateStyle::stateColor(state);
    const QFontMetrics metrics(option.font);
    const int width = metrics.horizontalAdvance(text) + 16;
    const int height = metrics.height() + 4;
    const QRect badge(
        option.rect.left() + 4, option.rect.center().y() - height / 2 + 1, width, height);

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(Qt::NoPen);
    painter->setBrush(fill);
    painter->drawRoundedRect(badge, height / 2.0, height / 2.0);
    const QIcon icon(QStringLiteral(":/icons/states/%1.svg").arg(breakerStateName(state)));
    const int iconSize = height - 4;
    icon.paint(painter, QRect(badge.right() + 4, badge.top() + 2, iconSize, iconSize));
    painter->setPen(StateStyle::textOn(fill));
    QFont bold = option.font;
    bold.setBold(true);
    painter->setFont(bold);
    painter->drawText(badge, Qt::AlignCenter, text);
    painter->restore();
}

QSize StateBadgeDelegate::sizeHint(
    const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    // Measured in bold, as painted, so that no badge is clipped.
    QFont bold = option.font;
    bold.setBold(true);
    const QFontMetrics metrics(bold);
    return QSize(
        metrics.horizontalAdvance(index.data(Qt::DisplayRole).toString()) + 28 + metrics.height(),
        metrics.height() + 10);
}

} // namespace Switchyard
