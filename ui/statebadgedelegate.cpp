#include "statebadgedelegate.h"

#include "models/routetablemodel.h"
#include "statestyle.h"

#include <QApplication>
#include <QIcon>
#include <QPainter>
#include <QPen>

namespace Switchyard {

StateBadgeDelegate::StateBadgeDelegate(QObject *parent)
    : StateBadgeDelegate(&StateBadgeDelegate::breakerBadge, parent)
{
}

StateBadgeDelegate::StateBadgeDelegate(BadgeOf badgeOf, QObject *parent)
    : QStyledItemDelegate(parent)
    , m_badgeOf(std::move(badgeOf))
{
}

std::optional<Badge> StateBadgeDelegate::breakerBadge(const QModelIndex &index)
{
    const QVariant stateValue = index.data(RouteTableModel::StateRole);
    if (!stateValue.isValid()) // a cell with no state: a route's name, or no such route there
        return std::nullopt;
    const BreakerState state = stateValue.value<BreakerState>();
    return Badge { StateStyle::stateColor(state),
        QStringLiteral(":/icons/states/%1.svg").arg(breakerStateName(state)) };
}

void StateBadgeDelegate::paint(
    QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const std::optional<Badge> look = m_badgeOf(index);
    if (!look) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    // The row's background and selection only: the item's own painting would draw its text
    // (elided into a stray mark at the badge's left edge).
    QStyleOptionViewItem background = option;
    initStyleOption(&background, index);
    QStyle *style = option.widget ? option.widget->style() : QApplication::style();
    style->drawPrimitive(QStyle::PE_PanelItemViewItem, &background, painter, option.widget);

    const QString text = index.data(Qt::DisplayRole).toString();
    const QColor fill = look->fill;
    // Measured in the bold it is painted in: measured plain, a long name overflows the badge.
    QFont bold = option.font;
    bold.setBold(true);
    const QFontMetrics metrics(bold);
    const int width = metrics.horizontalAdvance(text) + 16;
    const int height = metrics.height() + 4;
    const QRect badge(
        option.rect.left() + 4, option.rect.center().y() - height / 2 + 1, width, height);

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    // On a selected row the badge keeps an outline in the selection's text colour, so that a blue
    // Recovering badge stays apart from a blue selection.
    if (option.state & QStyle::State_Selected)
        painter->setPen(QPen(option.palette.color(QPalette::HighlightedText), 1.5));
    else
        painter->setPen(Qt::NoPen);
    painter->setBrush(fill);
    const QRectF pill = QRectF(badge).adjusted(0.5, 0.5, -0.5, -0.5);
    painter->drawRoundedRect(pill, pill.height() / 2, pill.height() / 2);
    const QIcon icon(look->icon);
    const int iconSize = height - 4;
    icon.paint(painter, QRect(badge.right() + 4, badge.top() + 2, iconSize, iconSize));
    painter->setPen(StateStyle::textOn(fill));
    painter->setFont(bold);
    painter->drawText(badge, Qt::AlignCenter, text);
    painter->restore();
}

QSize StateBadgeDelegate::sizeHint(
    const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    if (!m_badgeOf(index))
        return QStyledItemDelegate::sizeHint(option, index);
    // Measured in bold, as painted, so that no badge is clipped.
    QFont bold = option.font;
    bold.setBold(true);
    const QFontMetrics metrics(bold);
    return QSize(
        metrics.horizontalAdvance(index.data(Qt::DisplayRole).toString()) + 28 + metrics.height(),
        metrics.height() + 10);
}

} // namespace Switchyard
