#include "routecarddelegate.h"

#include "models/chainmodel.h"
#include "statestyle.h"

#include <QApplication>
#include <QPainter>

namespace Switchyard {

RouteCardDelegate::RouteCardDelegate(bool numbered, QObject *parent)
    : QStyledItemDelegate(parent)
    , m_numbered(numbered)
{
}

QSize RouteCardDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const
{
    const QFontMetrics metrics(option.font);
    return QSize(260, 2 * metrics.height() + 18);
}

void RouteCardDelegate::paint(
    QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem background = option;
    initStyleOption(&background, index);
    background.text.clear();
    QStyle *style = option.widget ? option.widget->style() : QApplication::style();
    style->drawPrimitive(QStyle::PE_PanelItemViewItem, &background, painter, option.widget);

    const QPalette &colors = option.palette;
    const bool selected = option.state & QStyle::State_Selected;
    const QColor text = colors.color(selected ? QPalette::HighlightedText : QPalette::Text);
    const QRect card = option.rect.adjusted(4, 3, -4, -3);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(QPen(colors.color(QPalette::Mid), 1));
    painter->setBrush(Qt::NoBrush);
    painter->drawRoundedRect(QRectF(card).adjusted(0.5, 0.5, -0.5, -0.5), 5, 5);

    QFont bold = option.font;
    bold.setBold(true);
    const QFontMetrics boldMetrics(bold);
    const QFontMetrics metrics(option.font);
    int x = card.left() + 8;
    const int firstLine = card.top() + 4;
    if (m_numbered) {
        painter->setFont(bold);
        painter->setPen(text);
        const QString position
            = QStringLiteral("%1.").arg(index.data(ChainModel::PositionRole).toInt());
        painter->drawText(QRect(x, firstLine, 28, boldMetrics.height()), Qt::AlignLeft, position);
        x += 28;
    }
    painter->setFont(bold);
    painter->setPen(text);
    const QString name = index.data(Qt::DisplayRole).toString();
    painter->drawText(
        QRect(x, firstLine, boldMetrics.horizontalAdvance(name) + 2, boldMetrics.height()),
        Qt::AlignLeft, name);
    int badgeLeft = x + boldMetrics.horizontalAdvance(name) + 10;

    // The live state, in words on its colour; a refused key wins over the breaker's state.
    const QString misconfigured = index.data(ChainModel::MisconfiguredRole).toString();
    const QVariant state = index.data(ChainModel::StateRole);
    if (!misconfigured.isEmpty() || state.isValid()) {
        const QString label = !misconfigured.isEmpty()
            ? tr("Misconfigured")
            : breakerStateLabel(state.value<BreakerState>());
        const QColor fill = !misconfigured.isEmpty()
            ? StateStyle::classColor(FailureClass::AuthError)
            : StateStyle::stateColor(state.value<BreakerState>());
        const QRect badge(
            badgeLeft, firstLine, boldMetrics.horizontalAdvance(label) + 14, boldMetrics.height());
        painter->setPen(Qt::NoPen);
        painter->setBrush(fill);
        painter->drawRoundedRect(badge, badge.height() / 2.0, badge.height() / 2.0);
        painter->setPen(StateStyle::textOn(fill));
        painter->drawText(badge, Qt::AlignCenter, label);
    }

    painter->setFont(option.font);
    painter->setPen(text);
    const QRect detail(
        x, firstLine + boldMetrics.height() + 4, card.right() - x - 6, metrics.height());
    painter->drawText(detail, Qt::AlignLeft,
        metrics.elidedText(
            index.data(ChainModel::DetailRole).toString(), Qt::ElideRight, detail.width()));
    painter->restore();
}

} // namespace Switchyard
