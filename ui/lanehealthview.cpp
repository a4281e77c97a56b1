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
    fitHeight();
}

void LaneHealthView::fitHeight()
{
    // Every lane without scrolling, up to a handful; beyond that the table scrolls.
    const int rows = qBound(1, m_model->rowCount(), 6);
    const int rowHeight = qMax(
        m_table->verticalHeader()->defaultSectionSize(), m_table->fontMetrics().height() + 10);
    m_table->verticalHeader()->setDefaultSectionSize(rowHeight);
    m_table->setFixedHeight(m_table->horizontalHeader()->sizeHint().height() + rows * rowHeight
        + 2 * m_table->frameWidth() + 2);
}

} // namespace Switchyard
