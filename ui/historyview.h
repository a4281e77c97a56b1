#pragma once

#include <QWidget>

class QComboBox;
class QLabel;
class QTableView;
class QTimer;

namespace Switchyard {

class EventListModel;
class StateHistory;
class StateHistoryWidget;
class TimeRangeFilterModel;
class TraceListModel;

// The History view: every route's states over a chosen range, the request and error rates
// beneath on the same time axis, and, for a moment clicked, the events and requests of it.
class HistoryView final : public QWidget {
    Q_OBJECT
public:
    HistoryView(const StateHistory *history, EventListModel *events, TraceListModel *traces,
        QWidget *parent = nullptr);

    // Draws the range ending at `nowMs`.
    void refresh(qint64 nowMs);
    // Lists the events and requests around `atMs` (what a click does).
    void pickMoment(qint64 atMs);
    StateHistoryWidget *chart() const { return m_chart; }
    QTableView *eventTable() const { return m_eventTable; }
    QTableView *requestTable() const { return m_requestTable; }
    qint64 rangeMs() const;

Q_SIGNALS:
    // A request in the moment's list was opened: show it in Traces.
    void requestOpened(const QString &id);

protected:
    void showEvent(QShowEvent *event) override;

private:
    const StateHistory *m_history;
    QComboBox *m_range;
    StateHistoryWidget *m_chart;
    QLabel *m_moment;
    TimeRangeFilterModel *m_eventsAtMoment;
    TimeRangeFilterModel *m_requestsAtMoment;
    QTableView *m_eventTable;
    QTableView *m_requestTable;
    QTimer *m_clock;
    qint64 m_bucketMs = 0;
};

} // namespace Switchyard
