#include "models/eventlistmodel.h"

#include <algorithm>

namespace Switchyard {

EventListModel::EventListModel(int capacity, QObject *parent)
    : QAbstractTableModel(parent)
    , m_capacity(capacity)
{
}

int EventListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

int EventListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const StateEvent &event = m_events.at(size_t(index.row()));
    if (role == ToStateRole)
        return event.isRoute() ? QVariant::fromValue(event.to) : QVariant();
    if (role == SortRole && index.column() == Time)
        return event.time.toMSecsSinceEpoch();
    if (role != Qt::DisplayRole && role != SortRole && role != Qt::ToolTipRole)
        return {};
    if (!event.isRoute() && (index.column() == From || index.column() == To))
        return QString();
    switch (Column(index.column())) {
    case Time:
        return event.time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    case Route:
        return event.isRoute() ? event.route
            : event.isConfig() ? tr("(configuration)")
                               : tr("(fleet)");
    case From:
        return breakerStateLabel(event.from);
    case To:
        return breakerStateLabel(event.to);
    case By:
        return event.byOperator ? tr("operator") : tr("automatic");
    case Reason:
        return event.reason;
    case ColumnCount:
        break;
    }
    return {};
}

QVariant EventListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Time:
        return tr("Time");
    case Route:
        return tr("Route");
    case From:
        return tr("From", "previous breaker state");
    case To:
        return tr("To", "new breaker state");
    case By:
        return tr("By");
    case Reason:
        return tr("Reason");
    case ColumnCount:
        break;
    }
    return {};
}

void EventListModel::addHistory(const QList<StateEvent> &events)
{
    auto same = [](const StateEvent &a, const StateEvent &b) {
        return a.time == b.time && a.kind == b.kind && a.route == b.route && a.to == b.to
            && a.reason == b.reason;
    };
    QList<StateEvent> fresh;
    for (const StateEvent &event : events) {
        if (std::none_of(m_events.cbegin(), m_events.cend(),
                [&](const StateEvent &shown) { return same(shown, event); }))
            fresh.append(event);
    }
    addEvents(fresh);
}

void EventListModel::clear()
{
    if (m_events.empty())
        return;
    beginResetModel();
    m_events.clear();
    endResetModel();
}

void EventListModel::addEvents(const QList<StateEvent> &events)
{
    if (events.isEmpty())
        return;
    const int incoming = int(qMin<qsizetype>(events.size(), m_capacity));
    const int overflow = int(m_events.size()) + incoming - m_capacity;
    if (overflow > 0) {
        beginRemoveRows(QModelIndex(), int(m_events.size()) - overflow, int(m_events.size()) - 1);
        m_events.erase(m_events.end() - overflow, m_events.end());
        endRemoveRows();
    }
    beginInsertRows(QModelIndex(), 0, incoming - 1);
    for (qsizetype i = events.size() - incoming; i < events.size(); ++i)
        m_events.push_front(events.at(i));
    endInsertRows();
}

} // namespace Switchyard
