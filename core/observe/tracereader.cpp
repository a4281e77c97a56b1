#include "observe/tracereader.h"

#include "observe/tracedatabase.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariant>

namespace Switchyard {

TraceReader::TraceReader(QString path)
    : m_path(std::move(path))
    , m_connection(TraceDatabase::connectionName(QStringLiteral("reader")))
{
}

TraceReader::~TraceReader()
{
    TraceDatabase::closeConnection(m_connection);
}

bool TraceReader::open(QString *error)
{
    m_open = TraceDatabase::openConnection(m_connection, m_path, error);
    return m_open;
}

QList<TraceRecord> TraceReader::query(const TraceQuery &filter, const QSet<QString> &skip) const
{
    QList<TraceRecord> result;
    if (!m_open || filter.limit <= 0)
        return result;
    QString sql = QStringLiteral("SELECT detail FROM traces WHERE 1=1");
    QVariantList values;
    if (!filter.lane.isEmpty()) {
        sql += QStringLiteral(" AND lane = ?");
        values.append(filter.lane);
    }
    if (!filter.route.isEmpty()) {
        sql += QStringLiteral(" AND route = ?");
        values.append(filter.route);
    }
    if (!filter.failureClass.isEmpty()) {
        sql += QStringLiteral(" AND class = ?");
        values.append(filter.failureClass);
    }
    sql += QStringLiteral(" ORDER BY started_at DESC, rowid DESC LIMIT ?");
    values.append(filter.limit + int(skip.size()));
    QSqlQuery query(QSqlDatabase::database(m_connection));
    query.prepare(sql);
    for (const QVariant &value : std::as_const(values))
        query.addBindValue(value);
    if (!query.exec())
        return result;
    while (query.next() && result.size() < filter.limit) {
        TraceRecord trace = TraceRecord::fromStoredForm(query.value(0).toByteArray());
        if (!skip.contains(trace.id))
            result.append(std::move(trace));
    }
    return result;
}

std::optional<TraceRecord> TraceReader::find(const QString &id) const
{
    if (!m_open)
        return std::nullopt;
    QSqlQuery query(QSqlDatabase::database(m_connection));
    query.prepare(QStringLiteral("SELECT detail FROM traces WHERE id = ?"));
    query.addBindValue(id);
    if (!query.exec() || !query.next())
        return std::nullopt;
    return TraceRecord::fromStoredForm(query.value(0).toByteArray());
}

QList<StateEvent> TraceReader::recentEvents(int limit) const
{
    QList<StateEvent> events;
    if (!m_open)
        return events;
    QSqlQuery query(QSqlDatabase::database(m_connection));
    query.prepare(
        QStringLiteral("SELECT at, route, from_state, to_state, reason, by_operator, kind FROM "
                       "(SELECT * FROM events ORDER BY id DESC LIMIT ?) ORDER BY id"));
    query.addBindValue(limit);
    if (query.exec()) {
        while (query.next())
            events.append(TraceDatabase::eventFrom(query));
    }
    return events;
}

void TraceReader::readIncident(
    IncidentReportBuilder *builder, const QSet<QString> &skip, qint64 eventsBeforeMs) const
{
    if (!m_open)
        return;
    QSqlQuery traces(QSqlDatabase::database(m_connection));
    traces.setForwardOnly(true); // one row in memory at a time, however long the range
    traces.prepare(QStringLiteral("SELECT id, detail FROM traces WHERE started_at >= ? AND "
                                  "started_at <= ? ORDER BY started_at, rowid"));
    traces.addBindValue(builder->fromMs());
    traces.addBindValue(builder->toMs());
    if (traces.exec()) {
        while (traces.next()) {
            if (skip.contains(traces.value(0).toString()))
                continue;
            const TraceRecord trace = TraceRecord::fromStoredForm(traces.value(1).toByteArray());
            if (!builder->addTrace(trace))
                break;
        }
    }
    QSqlQuery events(QSqlDatabase::database(m_connection));
    events.setForwardOnly(true);
    events.prepare(
        QStringLiteral("SELECT at, route, from_state, to_state, reason, by_operator, kind FROM "
                       "events WHERE at >= ? AND at <= ? AND at < ? ORDER BY id"));
    events.addBindValue(builder->fromMs());
    events.addBindValue(builder->toMs());
    events.addBindValue(eventsBeforeMs);
    if (events.exec()) {
        while (events.next())
            builder->addEvent(TraceDatabase::eventFrom(events));
    }
}

QList<CostPoint> TraceReader::spendSince(qint64 utcMs) const
{
    QList<CostPoint> points;
    if (!m_open)
        return points;
    QSqlQuery query(QSqlDatabase::database(m_connection));
    query.prepare(QStringLiteral(
        "SELECT minute, lane, route, cost_usd, fallback_cost_usd, tokens_in, tokens_out, "
        "requests, cache_read_tokens, cache_write_tokens FROM spend WHERE minute >= ?"));
    query.addBindValue(utcMs);
    if (query.exec()) {
        while (query.next()) {
            points.append(CostPoint { query.value(0).toLongLong(), query.value(1).toString(),
                query.value(2).toString(), query.value(3).toDouble(), query.value(4).toDouble(),
                query.value(5).toLongLong(), query.value(6).toLongLong(), query.value(7).toInt(),
                query.value(8).toLongLong(), query.value(9).toLongLong() });
        }
    }
    return points;
}

} // namespace Switchyard
