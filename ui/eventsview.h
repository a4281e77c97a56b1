#pragma once

#include <QWidget>

class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

namespace Switchyard {

class EventListModel;

// The Events view: state changes and operator actions, newest first, filterable by text.
class EventsView final : public QWidget {
    Q_OBJECT
public:
    explicit EventsView(EventListModel *model, QWidget *parent = nullptr);

    QSortFilterProxyModel *filter() const { return m_filter; }

private:
    QSortFilterProxyModel *m_filter;
    QTableView *m_table;
    QLineEdit *m_search;
};

} // namespace Switchyard
