#pragma once

#include <QStyledItemDelegate>

namespace Switchyard {

// Draws a route of a chain as a card (ChainModel's roles): its place in the chain, its name, its
// live state as a badge with the state's name, and what it can do, its context window and price.
class RouteCardDelegate final : public QStyledItemDelegate {
    Q_OBJECT
public:
    // `numbered`: a chain's cards show their place; a palette's do not.
    RouteCardDelegate(bool numbered, QObject *parent);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
        const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    bool m_numbered;
};

} // namespace Switchyard
