#pragma once

#include <QWidget>

#include <functional>

class QCheckBox;
class QComboBox;
class QTableView;

namespace Switchyard {

class TimelineWidget;
class TraceFilterModel;
class TraceListModel;
struct TraceRecord;

// The Traces view: recent requests, filtered, and the selected one's timeline.
class TracesView final : public QWidget {
    Q_OBJECT
public:
    explicit TracesView(TraceListModel *model, QWidget *parent = nullptr);

    void setLanesAndRoutes(const QStringList &lanes, const QStringList &routes);
    void selectRow(int row);
    // Selects the newest request shown that `matches`; false when none does.
    bool selectNewest(const std::function<bool(const TraceRecord &)> &matches);
    TimelineWidget *timeline() const { return m_timeline; }
    TraceFilterModel *filter() const { return m_filter; }

private:
    void showSelected();

    TraceListModel *m_model;
    TraceFilterModel *m_filter;
    QTableView *m_table;
    TimelineWidget *m_timeline;
    QComboBox *m_api;
    QComboBox *m_lane;
    QComboBox *m_route;
    QComboBox *m_class;
    QCheckBox *m_onlyFallbacks;
    QCheckBox *m_onlyErrors;
};

} // namespace Switchyard
