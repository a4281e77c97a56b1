#pragma once

#include "observe/trace.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

#include <deque>

namespace Switchyard {

// The recent requests, newest first, in a bounded window: the console never holds more than
// `capacity` traces however long it runs (the rest are in the trace store).
class TraceListModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Time, Api, Lane, Route, Status, Class, Attempts, Duration, Cost, ColumnCount };
    enum Role { TraceRole = Qt::UserRole, SortRole, ClassRole, FallbackRole, ErrorRole };

    explicit TraceListModel(int capacity = 2000, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // `traces` oldest first, as the engine publishes them.
    void addTraces(const QList<TraceRecord> &traces);
    // Forgets every row: an attached console's history is replaced after a reconnection.
    void clear();
    const TraceRecord &trace(int row) const { return m_traces.at(size_t(row)); }

private:
    int m_capacity;
    std::deque<TraceRecord> m_traces; // newest first
};

// Filters the trace list the way an on-call engineer narrows it down.
class TraceFilterModel final : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit TraceFilterModel(QObject *parent = nullptr);

    // The caller's API (TraceRecord::endpoint): chat.completions, messages, responses, ...
    void setApi(const QString &api);
    void setLane(const QString &lane);
    void setRoute(const QString &route);
    void setFailureClass(const QString &failureClass);
    void setOnlyFallbacks(bool only);
    void setOnlyErrors(bool only);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_api;
    QString m_lane;
    QString m_route;
    QString m_class;
    bool m_onlyFallbacks = false;
    bool m_onlyErrors = false;
};

} // namespace Switchyard
