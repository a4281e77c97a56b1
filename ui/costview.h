#pragma once

#include <QWidget>

class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QTimer;

namespace Switchyard {

class CostSeriesModel;

// The Cost view: spend per route over time, stacked, with the fallback-caused part drawn as its
// own line, a range of 15 min / 1 h / 24 h and the totals. The only file that knows Qt Charts,
// so moving to Qt Graphs touches nothing else.
class CostView final : public QWidget {
    Q_OBJECT
public:
    explicit CostView(CostSeriesModel *model, QWidget *parent = nullptr);

    void rebuild();
    QString totalsText() const;
    // The range's tokens, prompt-cache reads and writes apart.
    QString tokensLine() const;

private:
    CostSeriesModel *m_model;
    QChart *m_chart;
    QChartView *m_view;
    QComboBox *m_range;
    QLabel *m_totals;
    QTimer *m_refresh;
};

} // namespace Switchyard
