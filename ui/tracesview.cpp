#include "tracesview.h"

#include "models/tracelistmodel.h"
#include "timelinewidget.h"
#include "translate/callerprotocol.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace Switchyard {

TracesView::TracesView(TraceListModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_filter(new TraceFilterModel(this))
    , m_table(new QTableView(this))
    , m_timeline(new TimelineWidget(this))
    , m_api(new QComboBox(this))
    , m_lane(new QComboBox(this))
    , m_route(new QComboBox(this))
    , m_class(new QComboBox(this))
    , m_onlyFallbacks(new QCheckBox(tr("Only fallbacks"), this))
    , m_onlyErrors(new QCheckBox(tr("Only errors"), this))
{
    setObjectName(QStringLiteral("tracesView"));
    m_filter->setSourceModel(model);
    m_table->setModel(m_filter);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->setAlternatingRowColors(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(TraceListModel::Route, QHeaderView::Stretch);

    m_api->setObjectName(QStringLiteral("apiFilter"));
    m_api->addItem(tr("All APIs"), QString());
    for (const QString &api : CallerProtocol::apiNames())
        m_api->addItem(api, api);
    m_class->addItem(tr("All classes"), QString());
    for (FailureClass failureClass : allFailureClasses())
        m_class->addItem(failureClassName(failureClass), failureClassName(failureClass));
    setLanesAndRoutes({}, {});

    connect(m_api, &QComboBox::currentIndexChanged, this,
        [this] { m_filter->setApi(m_api->currentData().toString()); });
    connect(m_lane, &QComboBox::currentIndexChanged, this,
        [this] { m_filter->setLane(m_lane->currentData().toString()); });
    connect(m_route, &QComboBox::currentIndexChanged, this,
        [this] { m_filter->setRoute(m_route->currentData().toString()); });
    connect(m_class, &QComboBox::currentIndexChanged, this,
        [this] { m_filter->setFailureClass(m_class->currentData().toString()); });
    connect(m_onlyFallbacks, &QCheckBox::toggled, m_filter, &TraceFilterModel::setOnlyFallbacks);
    connect(m_onlyErrors, &QCheckBox::toggled, m_filter, &TraceFilterModel::setOnlyErrors);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
        &TracesView::showSelected);

    auto *filters = new QHBoxLayout;
    filters->addWidget(new QLabel(tr("Filter:"), this));
    filters->addWidget(m_api);
    filters->addWidget(m_lane);
    filters->addWidget(m_route);
    filters->addWidget(m_class);
    filters->addWidget(m_onlyFallbacks);
    filters->addWidget(m_onlyErrors);
    filters->addStretch(1);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_table);
    splitter->addWidget(m_timeline);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addWidget(splitter, 1);
}

void TracesView::setLanesAndRoutes(const QStringList &lanes, const QStringList &routes)
{
    const QString lane = m_lane->currentData().toString();
    const QString route = m_route->currentData().toString();
    m_lane->clear();
    m_lane->addItem(tr("All lanes"), QString());
    for (const QString &name : lanes)
        m_lane->addItem(name, name);
    m_lane->setCurrentIndex(qMax(0, m_lane->findData(lane)));
    m_route->clear();
    m_route->addItem(tr("All routes"), QString());
    for (const QString &name : routes)
        m_route->addItem(name, name);
    m_route->setCurrentIndex(qMax(0, m_route->findData(route)));
}

void TracesView::selectRow(int row)
{
    m_table->selectRow(row);
}

bool TracesView::selectNewest(const std::function<bool(const TraceRecord &)> &matches)
{
    for (int row = 0; row < m_filter->rowCount(); ++row) {
        if (matches(m_model->trace(m_filter->mapToSource(m_filter->index(row, 0)).row()))) {
            selectRow(row);
            return true;
        }
    }
    return false;
}

void TracesView::showSelected()
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return;
    m_timeline->setTrace(m_model->trace(m_filter->mapToSource(rows.first()).row()));
}

} // namespace Switchyard
