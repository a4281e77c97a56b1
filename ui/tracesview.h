#pragma once

#include <QWidget>

#include <functional>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace Switchyard {

class BodiesPanel;
class GatewayLink;
class TimelineWidget;
class TraceFilterModel;
class TraceListModel;
struct TraceRecord;

// The Traces view: recent requests, filtered, and the selected one's timeline; a request found
// by the id a caller saw (from the list, or the gateway's trace store), and the selected ones
// exported for a bug report or a post-mortem.
class TracesView final : public QWidget {
    Q_OBJECT
public:
    TracesView(TraceListModel *model, GatewayLink *gateway, QWidget *parent = nullptr);

    void setLanesAndRoutes(const QStringList &lanes, const QStringList &routes);
    void selectRow(int row); // and scrolls to it
    // Selects the newest request shown that `matches`; false when none does.
    bool selectNewest(const std::function<bool(const TraceRecord &)> &matches);
    TimelineWidget *timeline() const { return m_timeline; }
    BodiesPanel *bodies() const { return m_bodies; }
    TraceFilterModel *filter() const { return m_filter; }

    // Shows the request with this X-Switchyard-Request-Id: selected in the list when it is
    // there, else read from the gateway's trace store; says so when there is none.
    void findRequest(const QString &id);
    // The selected requests, newest first, as a JSON array; false (with `error`) when the file
    // cannot be written.
    bool exportSelected(const QString &path, QString *error) const;
    QList<TraceRecord> selectedTraces() const;

private:
    void showSelected();
    void chooseExportFile();

    TraceListModel *m_model;
    GatewayLink *m_gateway;
    QLineEdit *m_search;
    QLabel *m_found;
    QPushButton *m_export;
    TraceFilterModel *m_filter;
    QTableView *m_table;
    TimelineWidget *m_timeline;
    BodiesPanel *m_bodies;
    QComboBox *m_api;
    QComboBox *m_lane;
    QComboBox *m_route;
    QComboBox *m_class;
    QCheckBox *m_onlyFallbacks;
    QCheckBox *m_onlyErrors;
};

} // namespace Switchyard
