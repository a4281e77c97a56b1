#pragma once

#include "observe/statehistory.h"

#include <QWidget>

namespace Switchyard {

// Paints each route's states as a row of segments over a time range, with the request rate and
// the error rate beneath on the same time axis. A state shows by its colour, a pattern of its own
// and its name where it fits (the legend and tooltips name the rest); a click picks a moment.
class StateHistoryWidget final : public QWidget {
    Q_OBJECT
public:
    explicit StateHistoryWidget(QWidget *parent = nullptr);

    void setHistory(const QList<StateHistory::RouteHistory> &routes,
        const QList<StateHistory::Traffic> &traffic, qint64 bucketMs, qint64 fromMs, qint64 toMs,
        qint64 trafficKnownSinceMs);
    // The time under x, and where a time is drawn; the pick (-1: none).
    qint64 timeAt(int x) const;
    int xAt(qint64 ms) const;
    void setPicked(qint64 ms);
    qint64 picked() const { return m_picked; }

    // How each state is drawn, for the legend as well.
    static QBrush brushFor(BreakerState state, bool misconfigured);
    static QString labelFor(BreakerState state, bool misconfigured);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    void momentPicked(qint64 atMs);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    bool event(QEvent *event) override;

private:
    QRect plotRect() const;
    QRect rowRect(int row) const;
    QRect requestsRect() const;
    QRect errorsRect() const;
    QString toolTipAt(const QPoint &point) const;

    QList<StateHistory::RouteHistory> m_routes;
    QList<StateHistory::Traffic> m_traffic;
    qint64 m_bucketMs = StateHistory::BucketMs;
    qint64 m_fromMs = 0;
    qint64 m_toMs = 1;
    qint64 m_knownSinceMs = -1;
    qint64 m_picked = -1;
};

} // namespace Switchyard
