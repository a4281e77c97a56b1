#include "lanehealthview.h"

#include "models/lanehealthmodel.h"
#include "statebadgedelegate.h"
#include "statestyle.h"
#include "tableviews.h"

#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace Switchyard {

namespace {

std::optional<Badge> levelBadge(const QModelIndex &index)
{
    const QVariant level = index.data(LaneHealthModel::LevelRole);
    if (!level.isValid())
        return std::nullopt;
    switch (level.value<LaneHealth::Level>()) {
    case LaneHealth::Level::Healthy:
        return Badge { StateStyle::stateColor(BreakerState::Closed),
            QStringLiteral(":/icons/states/closed.svg") };
    case LaneHealth::Level::FallingBack:
        return Badge { StateStyle::stateColor(BreakerState::HalfOpen),
            QStringLiteral(":/icons/states/half_open.svg") };
    case LaneHealth::Level::Degraded:
    case LaneHealth::Level::NoRoute:
        return Badge { StateStyle::stateColor(BreakerState::Open),
            QStringLiteral(":/icons/states/open.svg") };
    }
    return std::nullopt;
}

} // namespace

LaneHealthView::LaneHealthView(LaneHealthModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
{
    setObjectName(QStringLiteral("laneHealth"));
    auto *proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(model);
    proxy->setSortRole(LaneHealthModel::SortRole);
    m_table = makeTable(proxy, this);
    m_table->setAccessibleName(tr("Lane health"));
    m_table->setItemDelegateForColumn(
        LaneHealthModel::Health, new StateBadgeDelegate(&levelBadge, m_table));
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(LaneHealthModel::Lane, Qt::AscendingOrder);
    m_table->horizontalHeader()->setSectionResizeMode(
        LaneHealthModel::Summary, QHeaderView::Stretch);
    m_table->setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    // The sentence wraps rather than being cut (German runs longer); rows grow to hold it.
    m_table->setWordWrap(true);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);

    auto *title = new QLabel(tr("<b>Lanes</b> — who serves each one now"), this);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(title);
    layout->addWidget(m_table);

    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this, proxy] {
        const QModelIndexList rows = m_table->selectionModel()->selectedRows();
        if (!rows.isEmpty())
            Q_EMIT routePicked(m_model->health(proxy->mapToSource(rows.first()).row()).servedBy);
    });
    connect(model, &QAbstractItemModel::modelReset, this, &LaneHealthView::fitHeight);
    connect(model, &QAbstractItemModel::rowsInserted, this, &LaneHealthView::fitHeight);
    connect(model, &QAbstractItemModel::dataChanged, this, &LaneHealthView::fitHeight);
    fitHeight();
}

void LaneHealthView::fitHeight()
{
    // Every lane without scrolling, up to a handful; beyond that the table scrolls. Each row as
    // tall as its wrapped sentence needs, with the columns as wide as they are now.
    const int minimum = m_table->fontMetrics().height() + 10;
    m_table->verticalHeader()->setMinimumSectionSize(minimum);
    const int shown = qMin(m_model->rowCount(), 6);
    int height = shown == 0 ? minimum : 0;
    for (int row = 0; row < shown; ++row)
        height += qMax(static_cast<QAbstractItemView *>(m_table)->sizeHintForRow(row), minimum);
    m_table->setFixedHeight(
        m_table->horizontalHeader()->sizeHint().height() + height + 2 * m_table->frameWidth() + 2);
}

} // namespace Switchyard
