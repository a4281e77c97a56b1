#include "observe/tracewriter.h"

#include "observe/tracedatabase.h"

#include <QDateTime>
#include <QHash>
#include <QLoggingCategory>
#include <QMutexLocker>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QVariant>

#ifdef Q_OS_LINUX
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

Q_LOGGING_CATEGORY(lcStore, "switchyard.observe", QtInfoMsg)

namespace Switchyard {

namespace {

constexpr int FlushIntervalMs = 200;
constexpr int YieldEveryTraces = 8; // a tenth of a millisecond of work or so each
constexpr int DeleteSliceRows = 64; // a few tenths of a millisecond
constexpr int CommitEverySlices = 16; // a pass over a large backlog is not one huge transaction
constexpr int RetentionEveryFlushes = 25; // about every 5 s
constexpr qint64 SpendKeptMs = qint64(8) * 24 * 3600 * 1000;

} // namespace

TraceWriter::TraceWriter(QString path)
    : m_path(std::move(path))
    , m_connection(TraceDatabase::connectionName(QStringLiteral("writer")))
{
}

TraceWriter::~TraceWriter()
{
    TraceDatabase::closeConnection(m_connection);
}

void TraceWriter::start()
{
#ifdef Q_OS_LINUX
    // Background work: under load the request path should win the CPU, and a batch that
    // waits a little longer costs nothing. Nice 10 still gets its share, so the queue drains.
    ::setpriority(PRIO_PROCESS, pid_t(::syscall(SYS_gettid)), 10);
#endif
    QString error;
    if (!TraceDatabase::openConnection(m_connection, m_path, &error)) {
        qCWarning(lcStore) << "trace writer cannot open the database:" << error;
        return;
    }
    m_open = true;
    m_flushTimer = new QTimer(this);
    m_flushTimer->setInterval(FlushIntervalMs);
    connect(m_flushTimer, &QTimer::timeout, this, &TraceWriter::write);
    m_flushTimer->start();
    QSqlQuery count(QSqlDatabase::database(m_connection));
    if (count.exec(QStringLiteral("SELECT COUNT(*) FROM traces")) && count.next())
        m_count = count.value(0).toLongLong();
}

bool TraceWriter::enqueue(const TraceRecord &trace, const QList<CostPoint> &spend)
{
    QMutexLocker lock(&m_mutex);
    if (m_traces.size() >= TraceWriter::MaxQueuedTraces)
        return false;
    m_traces.append(trace);
    m_spend.append(spend);
    return true;
}

bool TraceWriter::enqueueSpend(const QList<CostPoint> &spend)
{
    QMutexLocker lock(&m_mutex);
    if (m_spend.size() >= TraceWriter::MaxQueuedTraces)
        return false;
    m_spend.append(spend);
    return true;
}

void TraceWriter::enqueueEvent(const StateEvent &event)
{
    QMutexLocker lock(&m_mutex);
    m_events.append(event);
}

void TraceWriter::setRetention(const TraceRetention &retention)
{
    QMutexLocker lock(&m_mutex);
    m_retention = retention;
}

qint64 TraceWriter::count() const
{
    QMutexLocker lock(&m_mutex);
    return m_count;
}

void TraceWriter::write()
{
    QList<TraceRecord> traces;
    QList<CostPoint> spend;
    QList<StateEvent> events;
    TraceRetention retention;
    {
        QMutexLocker lock(&m_mutex);
        traces.swap(m_traces);
        spend.swap(m_spend);
        events.swap(m_events);
        retention = m_retention;
    }
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    if (!db.isOpen())
        return;
    if (!traces.isEmpty() || !events.isEmpty() || !spend.isEmpty()) {
        qint64 lost = 0;
        qint64 lostSpend = 0; // spend records (a request's, on one route) not stored
        QString failure;
        db.transaction();
        QSqlQuery insert(db);
        // Only the columns a query selects by; everything else is in the detail. (The table's
        // status, fallback, duration, cost and token columns stay NULL: binding them cost the
        // writer a tenth of its time, and no query reads them.)
        insert.prepare(QStringLiteral("INSERT OR REPLACE INTO traces (id, started_at, lane, "
                                      "route, class, detail) VALUES (?,?,?,?,?,?)"));
        int sinceYield = 0;
        for (const TraceRecord &trace : std::as_const(traces)) {
            // A batch is tens of milliseconds of work. In slices, it never holds a CPU long
            // enough to delay whatever shares it: the engine, the caller, the upstream.
            if (++sinceYield == YieldEveryTraces) {
                sinceYield = 0;
                QThread::yieldCurrentThread();
            }
            insert.addBindValue(trace.id);
            insert.addBindValue(trace.startedAtUtcMs);
            // A null QString binds as SQL NULL, which neither `lane = ''` nor
            // `lane <> ''` matches: refused requests (no lane) are stored as ''.
            insert.addBindValue(trace.lane.isNull() ? QStringLiteral("") : trace.lane);
            insert.addBindValue(trace.route.isNull() ? QStringLiteral("") : trace.route);
            insert.addBindValue(failureClassName(trace.finalClass));
            insert.addBindValue(trace.storedForm());
            if (!insert.exec()) {
                ++lost;
                failure = insert.lastError().text();
            }
        }
        QSqlQuery upsert(db);
        upsert.prepare(QStringLiteral(
            "INSERT INTO spend (minute, lane, route, cost_usd, fallback_cost_usd, tokens_in, "
            "tokens_out, requests, cache_read_tokens, cache_write_tokens) "
            "VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(minute, lane, route) DO UPDATE SET "
            "cost_usd = cost_usd + excluded.cost_usd, fallback_cost_usd = fallback_cost_usd + "
            "excluded.fallback_cost_usd, tokens_in = tokens_in + excluded.tokens_in, "
            "tokens_out = tokens_out + excluded.tokens_out, requests = requests + "
            "excluded.requests, cache_read_tokens = cache_read_tokens + "
            "excluded.cache_read_tokens, cache_write_tokens = cache_write_tokens + "
            "excluded.cache_write_tokens"));
        // One row per minute, lane and route however many requests it holds.
        QList<CostPoint> merged;
        QList<qint64> recordsIn; // of each merged row: how many records it sums
        QHash<std::pair<qint64, std::pair<QString, QString>>, qsizetype> rowOf;
        for (const CostPoint &point : std::as_const(spend)) {
            const std::pair<qint64, std::pair<QString, QString>> key { point.minuteUtcMs,
                { point.lane, point.route } };
            const auto row = rowOf.constFind(key);
            if (row == rowOf.cend()) {
                rowOf.insert(key, merged.size());
                merged.append(point);
                recordsIn.append(1);
                continue;
            }
            ++recordsIn[*row];
            CostPoint &sum = merged[*row];
            sum.costUsd += point.costUsd;
            sum.fallbackCostUsd += point.fallbackCostUsd;
            sum.tokensIn += point.tokensIn;
            sum.tokensOut += point.tokensOut;
            sum.cacheReadTokens += point.cacheReadTokens;
            sum.cacheWriteTokens += point.cacheWriteTokens;
            sum.requests += point.requests;
        }
        for (qsizetype row = 0; row < merged.size(); ++row) {
            const CostPoint &point = merged.at(row);
            upsert.addBindValue(point.minuteUtcMs);
            upsert.addBindValue(point.lane);
            upsert.addBindValue(point.route);
            upsert.addBindValue(point.costUsd);
            upsert.addBindValue(point.fallbackCostUsd);
            upsert.addBindValue(point.tokensIn);
            upsert.addBindValue(point.tokensOut);
            upsert.addBindValue(point.requests);
            upsert.addBindValue(point.cacheReadTokens);
            upsert.addBindValue(point.cacheWriteTokens);
            if (!upsert.exec()) {
                lostSpend += recordsIn.at(row);
                failure = upsert.lastError().text();
            }
        }
        QSqlQuery insertEvent(db);
        insertEvent.prepare(
            QStringLiteral("INSERT INTO events (at, route, from_state, to_state, reason, "
                           "by_operator, kind) VALUES (?,?,?,?,?,?,?)"));
        for (const StateEvent &event : std::as_const(events)) {
            insertEvent.addBindValue(event.time.toMSecsSinceEpoch());
            insertEvent.addBindValue(event.route);
            insertEvent.addBindValue(breakerStateName(event.from));
            insertEvent.addBindValue(breakerStateName(event.to));
            insertEvent.addBindValue(event.reason);
            insertEvent.addBindValue(int(event.byOperator));
            insertEvent.addBindValue(event.kindName());
            insertEvent.exec();
        }
        const bool committed = db.commit();
        if (!committed) {
            // Nothing of the batch is kept: a full disk, a broken file, a lock held too long.
            // (With successes sampled, a batch may hold only spend: its loss is said all the same.)
            failure = db.lastError().text();
            lost = traces.size();
            lostSpend = spend.size();
            db.rollback();
        }
        if (lost > 0 || lostSpend > 0 || !committed) {
            m_failing = true;
            Q_EMIT writeFailed(lost, lostSpend, failure);
        } else if (m_failing) {
            m_failing = false;
            Q_EMIT writeRecovered();
        }
        QMutexLocker lock(&m_mutex);
        m_count += traces.size() - lost;
    }
    if (++m_flushes % RetentionEveryFlushes == 0
        || count() > retention.maxCount + retention.maxCount / 10)
        enforce(db, retention);
}

void TraceWriter::enforce(QSqlDatabase &db, const TraceRetention &retention)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    // One transaction for 16 slices: each slice committed on its own wrote the same index and
    // table pages to the log again, and a pass's commits were most of the writer's time.
    if (!db.transaction()) {
        qCWarning(lcStore) << "trace retention could not begin:" << db.lastError().text();
        return;
    }
    bool committed = true;
    QSqlQuery prune(db);
    qint64 removed = 0;
    prune.prepare(QStringLiteral("DELETE FROM traces WHERE started_at < ?"));
    prune.addBindValue(now - retention.maxAgeMs);
    if (prune.exec())
        removed += prune.numRowsAffected();
    // Requests refused before routing (no lane) are kept apart, so that a flood of them cannot
    // push real traces out. Each kind's oldest are deleted from the table's oldest end: finding
    // the cut by walking back from the newest row read the whole table on every pass.
    const auto countWhere = [&db](const QString &condition) {
        QSqlQuery count(db);
        return count.exec(QStringLiteral("SELECT COUNT(*) FROM traces WHERE ") + condition)
                && count.next()
            ? count.value(0).toLongLong()
            : qint64(0);
    };
    // In slices, as the writing: thousands of rows in one statement held a CPU for milliseconds,
    // and whatever else was woken on it (the upstream, the caller) waited that long.
    const auto deleteOldest = [&db, &committed](const QString &condition, qint64 excess) {
        QSqlQuery oldest(db);
        oldest.prepare(QStringLiteral("DELETE FROM traces WHERE rowid IN (SELECT rowid FROM "
                                      "traces WHERE %1 ORDER BY rowid LIMIT ?)")
                           .arg(condition));
        qint64 deleted = 0;
        int slices = 0;
        while (deleted < excess) {
            oldest.addBindValue(qMin<qint64>(excess - deleted, DeleteSliceRows));
            if (!oldest.exec() || oldest.numRowsAffected() <= 0)
                break;
            deleted += oldest.numRowsAffected();
            if (++slices % CommitEverySlices == 0) {
                const bool sliceCommitted = db.commit();
                committed = committed && sliceCommitted;
                if (!db.transaction())
                    break;
            }
            QThread::yieldCurrentThread();
        }
        return deleted;
    };
    // Refused requests are few (kept to RefusedKept), so they are counted; the routed ones are
    // what is left of the count this writer keeps, which counting would cost a walk of the
    // index however many are kept.
    const QString refused = QStringLiteral("lane = ''");
    const qint64 refusedCount = countWhere(refused);
    const qint64 routedCount = count() - removed - refusedCount; // removed so far: by age
    removed += deleteOldest(refused, refusedCount - TraceWriter::RefusedKept);
    removed += deleteOldest(QStringLiteral("lane <> ''"), routedCount - retention.maxCount);
    prune.prepare(QStringLiteral("DELETE FROM events WHERE at < ?"));
    prune.addBindValue(now - retention.maxAgeMs);
    prune.exec();
    prune.prepare(QStringLiteral("DELETE FROM spend WHERE minute < ?"));
    prune.addBindValue(now - qMax(SpendKeptMs, retention.maxAgeMs));
    prune.exec();
    committed = db.commit() && committed;
    if (committed) {
        QMutexLocker lock(&m_mutex);
        m_count = qMax<qint64>(0, m_count - removed);
        return;
    }
    // Some of it may be kept and some not (SQLite rolls a transaction back by itself on a full
    // disk, and the statements after run on their own): the count is read, not guessed, or every
    // later pass would delete by a wrong one.
    qCWarning(lcStore) << "trace retention could not be applied whole:" << db.lastError().text();
    db.rollback();
    QSqlQuery recount(db);
    if (recount.exec(QStringLiteral("SELECT COUNT(*) FROM traces")) && recount.next()) {
        QMutexLocker lock(&m_mutex);
        m_count = recount.value(0).toLongLong();
    }
}

} // namespace Switchyard
