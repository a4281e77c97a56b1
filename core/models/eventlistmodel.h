#pragma once

#include "routing/breaker.h"

#include <QAbstractTableModel>

#include <deque>

namespace Switchyard {

// State changes and operator actions, newest first, in a bounded window.
class EventListModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Time, Route, From, To, By, Reason, ColumnCount };
    enum Role { SortRole = Qt::UserRole, ToStateRole };

    explicit EventListModel(int capacity = 2000, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // `events` oldest first.
    void addEvents(const QList<StateEvent> &events);
    // The event log of the recent past, oldest first: the ones already shown (they happened
    // while the history was read, and came live as well) are left out.
    void addHistory(const QList<StateEvent> &events);
    // Forgets every row: an attached console's history is replaced after a reconnection.
    void clear();

private:
    int m_capacity;
    std::deque<StateEvent> m_events; // newest first
};

} // namespace Switchyard
