#include "costview.h"

#include "models/costseriesmodel.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QLocale>
#include <QStackedBarSeries>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>

namespace Switchyard {

namespace {

const QList<QColor> &routeColors()
{
    static const QList<QColor> colors { QColor(0x2f, 0x7f, 0xd0), QColor(0x2e, 0x9d, 0x4f),
        QColor(0xe0, 0x8e, 0x0b), QColor(0x8e, 0x44, 0xad), QColor(0x0f, 0x76, 0x6e),
        QColor(0xc0, 0x6c, 0x84), QColor(0x6b, 0x72, 0x80) };
    return colors;
}

} // namespace

CostView::CostView(CostSeriesModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_chart(new QChart)
    , m_view(new QChartView(m_chart, this))
    , m_range(new QComboBox(this))
    , m_totals(new QLabel(this))
    , m_refresh(new QTimer(this))
{
    setObjectName(QStringLiteral("costView"));
    m_range->addItem(tr("Last 15 minutes"), int(CostSeriesModel::Range::FifteenMinutes));
    m_range->addItem(tr("Last hour"), int(CostSeriesModel::Range::OneHour));
    m_range->addItem(tr("Last 24 hours"), int(CostSeriesModel::Range::OneDay));
    m_range->setCurrentIndex(0);
    m_model->setRange(CostSeriesModel::Range::FifteenMinutes, QDateTime::currentMSecsSinceEpoch());
    connect(m_range, &QComboBox::currentIndexChanged, this, [this] {
        m_model->setRange(CostSeriesModel::Range(m_range->currentData().toInt()),
            QDateTime::currentMSecsSinceEpoch());
        rebuild();
    });
    m_view->setRenderHint(QPainter::Antialiasing);
    // The chart follows the window's palette, so a dark desktop gets a dark chart.
    if (palette().color(QPalette::Window).lightness() < 128)
        m_chart->setTheme(QChart::ChartThemeDark);
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->setTitle(tr("Spend per route (USD)"));
    m_totals->setWordWrap(true);
    m_totals->setTextInteractionFlags(Qt::TextSelectableByMouse);

    // The window slides with time, so it is rebuilt on a calm timer rather than per request.
    m_refresh->setInterval(5000);
    connect(m_refresh, &QTimer::timeout, this, [this] {
        m_model->refresh(QDateTime::currentMSecsSinceEpoch());
        rebuild();
    });
    m_refresh->start();

    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Range:"), this));
    top->addWidget(m_range);
    top->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_totals);
    rebuild();
}

QString CostView::totalsText() const
{
    return m_totals->text();
}

void CostView::rebuild()
{
    m_chart->removeAllSeries();
    // removeAxis() gives the axis back to us: it is ours to delete (two leaked every refresh).
    for (QAbstractAxis *axis : m_chart->axes()) {
        m_chart->removeAxis(axis);
        delete axis;
    }

    const int rows = m_model->rowCount();
    QStringList categories;
    for (int row = 0; row < rows; ++row)
        categories.append(m_model->headerData(row, Qt::Vertical).toString());
    // Label only every few buckets so the axis stays readable at any width.
    const int labelEvery = qMax(1, rows / 8);
    for (int row = 0; row < rows; ++row) {
        if (row % labelEvery != 0)
            categories[row] = QString(row, QChar(0x200b)); // unique, invisible
    }

    auto *bars = new QStackedBarSeries;
    const QStringList routes = m_model->routes();
    double maximum = 0;
    QList<double> stacked(rows, 0.0);
    for (int column = 0; column < routes.size(); ++column) {
        auto *set = new QBarSet(routes.at(column));
        set->setColor(routeColors().at(column % routeColors().size()));
        for (int row = 0; row < rows; ++row) {
            const double value
                = m_model->index(row, column).data(CostSeriesModel::ValueRole).toDouble();
            set->append(value);
            stacked[row] += value;
        }
        bars->append(set);
    }
    for (double value : std::as_const(stacked))
        maximum = qMax(maximum, value);
    auto *fallback = new QLineSeries;
    fallback->setName(tr("caused by fallback"));
    QPen pen(QColor(0xd1, 0x34, 0x38));
    pen.setWidth(3);
    pen.setStyle(Qt::DashLine);
    fallback->setPen(pen);
    for (int row = 0; row < rows; ++row)
        fallback->append(row,
            m_model->index(row, m_model->fallbackColumn())
                .data(CostSeriesModel::ValueRole)
                .toDouble());

    m_chart->addSeries(bars);
    m_chart->addSeries(fallback);
    auto *x = new QBarCategoryAxis;
    x->append(categories);
    auto *y = new QValueAxis;
    y->setRange(0, maximum > 0 ? maximum * 1.15 : 0.01);
    y->setLabelFormat(QStringLiteral("$%.4f"));
    y->setTitleText(tr("USD per %1 min").arg(m_model->bucketMs() / 60000));
    m_chart->addAxis(x, Qt::AlignBottom);
    m_chart->addAxis(y, Qt::AlignLeft);
    bars->attachAxis(x);
    bars->attachAxis(y);
    fallback->attachAxis(x);
    fallback->attachAxis(y);

    QStringList perRoute;
    for (const QString &route : routes)
        perRoute.append(
            QStringLiteral("%1 $%2").arg(route).arg(m_model->routeTotal(route), 0, 'f', 4));
    m_totals->setText(
        tr("Total in range: $%1 · of which caused by fallback: $%2 · %3")
            .arg(m_model->total(), 0, 'f', 4)
            .arg(m_model->fallbackTotal(), 0, 'f', 4)
            .arg(perRoute.isEmpty() ? tr("no spend yet") : perRoute.join(QStringLiteral(" · ")))
        + QLatin1Char('\n') + tokensLine());
}

QString CostView::tokensLine() const
{
    // Agent traffic is mostly prompt-cache reads, priced far below fresh input: shown apart, so
    // that the spend above can be read.
    const CostSeriesModel::Tokens tokens = m_model->tokens();
    const QLocale locale;
    return tr("Tokens in range: %1 prompt (%2 read from the prompt cache, %3 written to it) · %4 "
              "output")
        .arg(locale.toString(tokens.in), locale.toString(tokens.cacheRead),
            locale.toString(tokens.cacheWrite), locale.toString(tokens.out));
}

} // namespace Switchyard
