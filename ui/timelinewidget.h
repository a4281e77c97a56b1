#pragma once

#include "observe/trace.h"

#include <QWidget>

namespace Switchyard {

// One request's attempts on a shared time axis: a bar per attempt (connecting, waiting for the
// first byte, receiving), coloured by class, with backoff gaps and skipped routes marked.
class TimelineWidget final : public QWidget {
    Q_OBJECT
public:
    explicit TimelineWidget(QWidget *parent = nullptr);

    void setTrace(const TraceRecord &trace);
    const TraceRecord &trace() const { return m_trace; }
    int barCount() const; // attempts drawn as bars (skipped routes are rows without a bar)
    // The rectangle of attempt `row`'s bar, for tooltips and tests; empty for a skipped route.
    QRect barRect(int row) const;
    // What the tooltip over attempt `row` says.
    QString tooltipFor(int row) const;

    // The attempt whose row is at `y`, -1 for none (a skipped route is a row too).
    int rowAt(int y) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    // An attempt's row was clicked: its bodies, where they were kept, are shown (BodiesPanel).
    void attemptClicked(int row);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    bool event(QEvent *event) override;

private:
    QRect plotArea() const;
    int xFor(qint64 ms) const;
    int rowHeight() const;
    int legendHeight() const;
    QString legendText() const;
    int keyHeight() const; // the legend's key, wrapped to the widget's width

    TraceRecord m_trace;
};

} // namespace Switchyard
