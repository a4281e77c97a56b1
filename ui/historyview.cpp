#include "historyview.h"

#include "models/eventlistmodel.h"
#include "models/timerangefiltermodel.h"
#include "models/tracelistmodel.h"
#include "observe/statehistory.h"
#include "statehistorywidget.h"
#include "tableviews.h"

#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QScrollArea>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace Switchyard {

namespace {

// A swatch of each state as the chart draws it, with its name.
QWidget *legend(QWidget *parent)
{
    auto *box = new QWidget(parent);
    auto *layout = new QHBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    const QList<std::pair<BreakerState, bool>> states { { BreakerState::Closed, false },
        { BreakerState::Open, false }, { BreakerState::HalfOpen, false },
        { BreakerState::Recovering, false }, { BreakerState::Drained, false },
        { BreakerState::Drilling, false }, { BreakerState::Closed, true } };
    for (const auto &[state, misconfigured] : states) {
        QPixmap swatch(16, 12);
        swatch.fill(Qt::white);
        QPainter painter(&swatch);
        painter.fillRect(swatch.rect(), StateHistoryWidget::brushFor(state, misconfigured));
        painter.setPen(Qt::darkGray);
        painter.drawRect(swatch.rect().adjusted(0, 0, -1, -1));
        painter.end();
        auto *icon = new QLabel(box);
        icon->setPixmap(swatch);
        layout->addWidget(icon);
        layout->addWidget(new QLabel(StateHistoryWidget::labelFor(state, misconfigured), box));
        layout->addSpacing(6);
    }
    QPixmap unknown(16, 12);
    unknown.fill(Qt::white);
    QPainter painter(&unknown);
    painter.fillRect(unknown.rect(), QBrush(Qt::darkGray, Qt::BDiagPattern));
    painter.end();
    auto *unknownIcon = new QLabel(box);
    unknownIcon->setPixmap(unknown);
    layout->addWidget(unknownIcon);
    layout->addWidget(new QLabel(HistoryView::tr("Not known"), box));
    layout->addSpacing(6);
    auto *panic = new QLabel(HistoryView::tr("▼ panic request"), box);
    panic->setToolTip(HistoryView::tr("A request sent to this route while every breaker was open"));
    layout->addWidget(panic);
    return box;
}

} // namespace

HistoryView::HistoryView(
    const StateHistory *history, EventListModel *events, TraceListModel *traces, QWidget *parent)
    : QWidget(parent)
    , m_history(history)
    , m_range(new QComboBox(this))
    , m_chart(new StateHistoryWidget(this))
    , m_moment(new QLabel(this))
    , m_eventsAtMoment(
          new TimeRangeFilterModel(EventListModel::Time, EventListModel::SortRole, this))
    , m_requestsAtMoment(
          new TimeRangeFilterModel(TraceListModel::Time, TraceListModel::SortRole, this))
    , m_clock(new QTimer(this))
{
    setObjectName(QStringLiteral("historyView"));
    m_range->addItem(tr("Last 5 minutes"), qint64(5) * 60 * 1000);
    m_range->addItem(tr("Last 15 minutes"), qint64(15) * 60 * 1000);
    m_range->addItem(tr("Last hour"), qint64(3600) * 1000);
    m_range->addItem(tr("Last 6 hours"), qint64(6) * 3600 * 1000);
    m_range->addItem(tr("Last 24 hours"), qint64(24) * 3600 * 1000);
    m_range->setAccessibleName(tr("Range"));
    connect(m_range, &QComboBox::currentIndexChanged, this,
        [this] { refresh(QDateTime::currentMSecsSinceEpoch()); });

    m_eventsAtMoment->setSourceModel(events);
    m_requestsAtMoment->setSourceModel(traces);
    m_eventTable = makeTable(m_eventsAtMoment, this);
    m_requestTable = makeTable(m_requestsAtMoment, this);
    m_eventTable->setAccessibleName(tr("Events of the moment"));
    m_requestTable->setAccessibleName(tr("Requests of the moment"));
    m_requestTable->setToolTip(tr("Double-click a request to see its attempts in Traces"));
    connect(m_requestTable, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        const QString id = index.data(TraceListModel::TraceRole).value<TraceRecord>().id;
        if (!id.isEmpty())
            Q_EMIT requestOpened(id);
    });
    connect(m_chart, &StateHistoryWidget::momentPicked, this, &HistoryView::pickMoment);
    m_moment->setText(tr("Click a moment in the chart to list its events and requests."));
    m_moment->setWordWrap(true);

    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Range:"), this));
    top->addWidget(m_range);
    top->addSpacing(16);
    top->addWidget(legend(this));
    top->addStretch(1);

    auto *scroll = new QScrollArea(this);
    scroll->setWidget(m_chart);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff); // the chart fits the width

    auto *lists = new QSplitter(Qt::Horizontal, this);
    lists->addWidget(m_eventTable);
    lists->addWidget(m_requestTable);
    auto *moment = new QWidget(this);
    auto *momentLayout = new QVBoxLayout(moment);
    momentLayout->setContentsMargins(0, 0, 0, 0);
    momentLayout->addWidget(m_moment);
    momentLayout->addWidget(lists, 1);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(scroll);
    split->addWidget(moment);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(split, 1);

    // Live while shown: the range's right edge is now.
    m_clock->setInterval(1000);
    connect(m_clock, &QTimer::timeout, this, [this] {
        if (isVisible())
            refresh(QDateTime::currentMSecsSinceEpoch());
    });
    m_clock->start();
}

qint64 HistoryView::rangeMs() const
{
    return m_range->currentData().toLongLong();
}

void HistoryView::refresh(qint64 nowMs)
{
    const qint64 from = nowMs - rangeMs();
    // About one bucket per four pixels, in whole 10-second steps.
    const int width = qMax(100, m_chart->width() - 170);
    const qint64 raw = rangeMs() / qMax(1, width / 4);
    m_bucketMs = qMax(StateHistory::BucketMs, raw - raw % StateHistory::BucketMs);
    m_chart->setHistory(m_history->routes(from, nowMs), m_history->traffic(from, nowMs, m_bucketMs),
        m_bucketMs, from, nowMs, m_history->trafficKnownSinceMs());
}

void HistoryView::pickMoment(qint64 atMs)
{
    // Half a bucket either side, at least five seconds: a click near a change finds its event.
    const qint64 margin = qMax<qint64>(5000, m_bucketMs / 2);
    m_chart->setPicked(atMs);
    m_eventsAtMoment->setRange(atMs - margin, atMs + margin);
    m_requestsAtMoment->setRange(atMs - margin, atMs + margin);
    // Sized to the moment's rows at once (the moment may be drawn before the loop turns again).
    for (QTableView *table : { m_eventTable, m_requestTable })
        table->horizontalHeader()->resizeSections(QHeaderView::ResizeToContents);
    const QString from
        = QDateTime::fromMSecsSinceEpoch(atMs - margin).toString(QStringLiteral("HH:mm:ss"));
    const QString to
        = QDateTime::fromMSecsSinceEpoch(atMs + margin).toString(QStringLiteral("HH:mm:ss"));
    m_moment->setText(tr("%1 – %2: %n event(s), and %3 request(s) of those this console holds.",
        nullptr, m_eventsAtMoment->rowCount())
                          .arg(from, to)
                          .arg(m_requestsAtMoment->rowCount()));
}

void HistoryView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refresh(QDateTime::currentMSecsSinceEpoch());
}

} // namespace Switchyard
