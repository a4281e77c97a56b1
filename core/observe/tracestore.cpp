#include "observe/tracestore.h"

#include <QDir>
#include <QHash>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QMutexLocker>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QTimer>
#include <QUuid>
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
constexpr int YieldEveryTraces = 8; // about half a millisecond of work each
constexpr int RetentionEveryFlushes = 25; // about every 5 s
constexpr qint64 SpendKeptMs = qint64(8) * 24 * 3600 * 1000;

// Each step brings the schema from version i to i + 1. Steps are only ever appended.
const QList<QStringList> &migrationSteps()
{
    static const QList<QStringList> steps {
        { // 0 → 1: traces
            QStringLiteral(
                "CREATE TABLE traces (id TEXT PRIMARY KEY, started_at INTEGER NOT NULL, lane TEXT, "
                "route TEXT, class TEXT, status INTEGER, fallback INTEGER, duration_ms INTEGER, "
                "cost_usd REAL, fallback_cost_usd REAL, tokens_in INTEGER, tokens_out INTEGER, "
                "detail TEXT NOT NULL)"),
            QStringLiteral("CREATE INDEX traces_started_at ON traces(started_at)") },
        { // 1 → 2: state events, spend per minute, filter indexes
            QStringLiteral(
                "CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, "
                "route TEXT, from_state TEXT, to_state TEXT, reason TEXT, by_operator INTEGER)"),
            QStringLiteral(
                "CREATE TABLE spend (minute INTEGER NOT NULL, lane TEXT NOT NULL, route TEXT NOT "
                "NULL, "
                "cost_usd REAL, fallback_cost_usd REAL, tokens_in INTEGER, tokens_out INTEGER, "
                "requests INTEGER, PRIMARY KEY (minute, lane, route))"),
            QStringLiteral("CREATE INDEX traces_route ON traces(route)"),
            QStringLiteral("CREATE INDEX traces_lane ON traces(lane)") },
    };
    return steps;
}

bool openConnection(const QString &name, const QString &path, QString *error)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    db.setDatabaseName(path);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!db.open()) {
        *error = db.lastError().text();
        return false;
    }
    QSqlQuery pragma(db);
    pragma.exec(QStringLiteral("PRAGMA journal_mode=WAL"));
    pragma.exec(QStringLiteral("PRAGMA synchronous=NORMAL"));
    return true;
}

void closeConnection(const QString &name)
{
    if (name.isEmpty())
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(name, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
}

StateEvent eventFrom(const QSqlQuery &row)
{
    StateEvent event;
    event.time = QDateTime::fromMSecsSinceEpoch(row.value(0).toLongLong(), Qt::UTC);
    event.route = row.value(1).toString();
    event.from = parseBreakerState(row.value(2).toString()).value_or(BreakerState::Closed);
    event.to = parseBreakerState(row.value(3).toString()).value_or(BreakerState::Closed);
    event.reason = row.value(4).toString();
    event.byOperator = row.value(5).toBool();
    return event;
}

} // namespace

// Lives on the store's writer thread with a connection of its own; writes what the engine hands
// it in one transaction per interval, and enforces retention.
class TraceWriter final : public QObject {
    Q_OBJECT
public:
    explicit TraceWriter(QString path)
        : m_path(std::move(path))
        , m_connection(QStringLiteral("switchyard-writer-")
              + QUuid::createUuid().toString(QUuid::WithoutBraces))
    {
    }

    ~TraceWriter() override { closeConnection(m_connection); }

    bool isOpen() const { return m_open; }

Q_SIGNALS:
    void writeFailed(qint64 lost, const QString &error);
    void writeRecovered();

public:
    void start()
    {
#ifdef Q_OS_LINUX
        // Background work: under load the request path should win the CPU, and a batch that
        // waits a little longer costs nothing. Nice 10 still gets its share, so the queue drains.
        ::setpriority(PRIO_PROCESS, pid_t(::syscall(SYS_gettid)), 10);
#endif
        QString error;
        if (!openConnection(m_connection, m_path, &error)) {
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

    // False when the queue is full and the trace was dropped.
    bool enqueue(const TraceRecord &trace, const QList<CostPoint> &spend)
    {
        QMutexLocker lock(&m_mutex);
        if (m_traces.size() >= TraceStore::MaxQueuedTraces)
            return false;
        m_traces.append(trace);
        m_spend.append(spend);
        return true;
    }

    void enqueueEvent(const StateEvent &event)
    {
        QMutexLocker lock(&m_mutex);
        m_events.append(event);
    }

    void setRetention(const TraceRetention &retention)
    {
        QMutexLocker lock(&m_mutex);
        m_retention = retention;
    }

    qint64 count() const
    {
        QMutexLocker lock(&m_mutex);
        return m_count;
    }

    void write()
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
            QString failure;
            db.transaction();
            QSqlQuery insert(db);
            insert.prepare(QStringLiteral("INSERT OR REPLACE INTO traces (id, started_at, lane, "
                                          "route, class, status, fallback, duration_ms, "
                                          "cost_usd, fallback_cost_usd, tokens_in, tokens_out, "
                                          "detail) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"));
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
                insert.addBindValue(trace.status);
                insert.addBindValue(int(trace.fallback));
                insert.addBindValue(trace.durationMs);
                insert.addBindValue(trace.costUsd);
                insert.addBindValue(trace.fallbackCostUsd);
                insert.addBindValue(trace.tokensIn);
                insert.addBindValue(trace.tokensOut);
                insert.addBindValue(QString::fromUtf8(
                    QJsonDocument(trace.toJson()).toJson(QJsonDocument::Compact)));
                if (!insert.exec()) {
                    ++lost;
                    failure = insert.lastError().text();
                }
            }
            QSqlQuery upsert(db);
            upsert.prepare(QStringLiteral(
                "INSERT INTO spend (minute, lane, route, cost_usd, fallback_cost_usd, tokens_in, "
                "tokens_out, requests) "
                "VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(minute, lane, route) DO UPDATE SET "
                "cost_usd = cost_usd + excluded.cost_usd, fallback_cost_usd = fallback_cost_usd + "
                "excluded.fallback_cost_usd, tokens_in = tokens_in + excluded.tokens_in, "
                "tokens_out = tokens_out + "
                "excluded.tokens_out, requests = requests + excluded.requests"));
            // One row per minute, lane and route however many requests it holds.
            QList<CostPoint> merged;
            QHash<std::pair<qint64, std::pair<QString, QString>>, qsizetype> rowOf;
            for (const CostPoint &point : std::as_const(spend)) {
                const std::pair<qint64, std::pair<QString, QString>> key { point.minuteUtcMs,
                    { point.lane, point.route } };
                const auto row = rowOf.constFind(key);
                if (row == rowOf.cend()) {
                    rowOf.insert(key, merged.size());
                    merged.append(point);
                    continue;
                }
                CostPoint &sum = merged[*row];
                sum.costUsd += point.costUsd;
                sum.fallbackCostUsd += point.fallbackCostUsd;
                sum.tokensIn += point.tokensIn;
                sum.tokensOut += point.tokensOut;
                sum.requests += point.requests;
            }
            for (const CostPoint &point : std::as_const(merged)) {
                upsert.addBindValue(point.minuteUtcMs);
                upsert.addBindValue(point.lane);
                upsert.addBindValue(point.route);
                upsert.addBindValue(point.costUsd);
                upsert.addBindValue(point.fallbackCostUsd);
                upsert.addBindValue(point.tokensIn);
                upsert.addBindValue(point.tokensOut);
                upsert.addBindValue(point.requests);
                upsert.exec();
            }
            QSqlQuery insertEvent(db);
            insertEvent.prepare(
                QStringLiteral("INSERT INTO events (at, route, from_state, to_state, reason, "
                               "by_operator) VALUES (?,?,?,?,?,?)"));
            for (const StateEvent &event : std::as_const(events)) {
                insertEvent.addBindValue(event.time.toMSecsSinceEpoch());
                insertEvent.addBindValue(event.route);
                insertEvent.addBindValue(breakerStateName(event.from));
                insertEvent.addBindValue(breakerStateName(event.to));
                insertEvent.addBindValue(event.reason);
                insertEvent.addBindValue(int(event.byOperator));
                insertEvent.exec();
            }
            if (!db.commit()) {
                // Nothing of the batch is kept: a full disk, a broken file, a lock held too long.
                failure = db.lastError().text();
                lost = traces.size();
                db.rollback();
            }
            if (lost > 0) {
                m_failing = true;
                Q_EMIT writeFailed(lost, failure);
            } else if (m_failing && !traces.isEmpty()) {
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

private:
    void enforce(QSqlDatabase &db, const TraceRetention &retention)
    {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QSqlQuery prune(db);
        qint64 removed = 0;
        prune.prepare(QStringLiteral("DELETE FROM traces WHERE started_at < ?"));
        prune.addBindValue(now - retention.maxAgeMs);
        if (prune.exec())
            removed += prune.numRowsAffected();
        // Requests refused before routing (no lane) are kept apart, so that a flood of them
        // cannot push real traces out.
        prune.prepare(QStringLiteral(
            "DELETE FROM traces WHERE IFNULL(lane, '') = '' AND rowid <= (SELECT rowid FROM "
            "traces WHERE IFNULL(lane, '') = '' ORDER BY rowid DESC LIMIT 1 OFFSET ?)"));
        prune.addBindValue(TraceStore::RefusedKept);
        if (prune.exec())
            removed += prune.numRowsAffected();
        prune.prepare(QStringLiteral(
            "DELETE FROM traces WHERE lane <> '' AND rowid <= (SELECT rowid FROM traces "
            "WHERE lane <> '' ORDER BY rowid DESC LIMIT 1 OFFSET ?)"));
        prune.addBindValue(retention.maxCount);
        if (prune.exec())
            removed += prune.numRowsAffected();
        prune.prepare(QStringLiteral("DELETE FROM events WHERE at < ?"));
        prune.addBindValue(now - retention.maxAgeMs);
        prune.exec();
        prune.prepare(QStringLiteral("DELETE FROM spend WHERE minute < ?"));
        prune.addBindValue(now - qMax(SpendKeptMs, retention.maxAgeMs));
        prune.exec();
        QMutexLocker lock(&m_mutex);
        m_count = qMax<qint64>(0, m_count - removed);
    }

    QString m_path;
    QString m_connection;
    QTimer *m_flushTimer = nullptr;
    mutable QMutex m_mutex;
    QList<TraceRecord> m_traces;
    QList<CostPoint> m_spend;
    QList<StateEvent> m_events;
    TraceRetention m_retention;
    qint64 m_count = 0;
    int m_flushes = 0;
    bool m_open = false;
    bool m_failing = false;
};

TraceStore::TraceStore(QObject *parent)
    : QObject(parent)
{
    m_writerThread.setObjectName(QStringLiteral("switchyard-traces"));
}

TraceStore::~TraceStore()
{
    if (m_writer) {
        flush();
        m_writerThread.quit();
        m_writerThread.wait();
    }
    closeConnection(m_readConnection);
}

bool TraceStore::migrate(const QString &connectionName, QString *error)
{
    QSqlDatabase db = QSqlDatabase::database(connectionName, false);
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("PRAGMA user_version")) || !query.next()) {
        *error = query.lastError().text();
        return false;
    }
    const int version = query.value(0).toInt();
    if (version > SchemaVersion) {
        *error
            = QStringLiteral("the trace database has schema version %1, newer than this build's %2")
                  .arg(version)
                  .arg(SchemaVersion);
        return false;
    }
    for (int step = version; step < SchemaVersion; ++step) {
        db.transaction();
        for (const QString &statement : migrationSteps().at(step)) {
            if (!query.exec(statement)) {
                *error = QStringLiteral("migration to version %1 failed: %2")
                             .arg(step + 1)
                             .arg(query.lastError().text());
                db.rollback();
                return false;
            }
        }
        query.exec(QStringLiteral("PRAGMA user_version = %1").arg(step + 1));
        db.commit();
    }
    return true;
}

bool TraceStore::open(const QString &directory, QString *error)
{
    if (!QDir().mkpath(directory)) {
        *error = QStringLiteral("cannot create %1").arg(directory);
        return false;
    }
    // What callers asked and what they were answered is theirs alone: the folder is its owner's,
    // and so is the database (SQLite gives its -wal and -shm files the database's mode).
    QFile::setPermissions(
        directory, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    const QString path = QDir(directory).filePath(QStringLiteral("traces.sqlite"));
    {
        QFile database(path);
        if (!database.exists() && database.open(QIODevice::WriteOnly))
            database.close();
        for (const QString &file :
            QStringList { path, path + QStringLiteral("-wal"), path + QStringLiteral("-shm") }) {
            if (QFile::exists(file))
                QFile::setPermissions(file, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        }
    }
    const QString name
        = QStringLiteral("switchyard-reader-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    if (!openConnection(name, path, error) || !migrate(name, error)) {
        closeConnection(name);
        return false;
    }
    m_readConnection = name;
    m_writer = new TraceWriter(path);
    m_writer->moveToThread(&m_writerThread);
    connect(m_writer, &TraceWriter::writeFailed, this, &TraceStore::writeFailed);
    connect(m_writer, &TraceWriter::writeRecovered, this, &TraceStore::writeRecovered);
    connect(&m_writerThread, &QThread::finished, m_writer, &QObject::deleteLater);
    m_writerThread.start();
    QMetaObject::invokeMethod(m_writer, &TraceWriter::start, Qt::BlockingQueuedConnection);
    if (!m_writer->isOpen()) {
        // Nothing would ever be written: keep traces in memory only, and say so.
        m_writerThread.quit();
        m_writerThread.wait();
        m_writer = nullptr;
        closeConnection(m_readConnection);
        m_readConnection.clear();
        *error = QStringLiteral("the trace writer cannot open %1").arg(path);
        return false;
    }
    return true;
}

void TraceStore::setRetention(const TraceRetention &retention)
{
    if (m_writer)
        m_writer->setRetention(retention);
}

void TraceStore::append(const TraceRecord &trace, const QList<CostPoint> &spend)
{
    m_recent.push_back(trace);
    if (m_recent.size() > RecentKept)
        m_recent.pop_front();
    if (m_writer && !m_writer->enqueue(trace, spend))
        Q_EMIT writeFailed(
            1, QStringLiteral("the trace writer is %1 traces behind").arg(MaxQueuedTraces));
}

void TraceStore::appendEvent(const StateEvent &event)
{
    if (m_writer)
        m_writer->enqueueEvent(event);
}

void TraceStore::flush()
{
    if (m_writer)
        QMetaObject::invokeMethod(m_writer, &TraceWriter::write, Qt::BlockingQueuedConnection);
}

QList<TraceRecord> TraceStore::query(const TraceQuery &filter) const
{
    auto matches = [&](const TraceRecord &trace) {
        return (filter.lane.isEmpty() || trace.lane == filter.lane)
            && (filter.route.isEmpty() || trace.route == filter.route)
            && (filter.failureClass.isEmpty()
                || failureClassName(trace.finalClass) == filter.failureClass);
    };
    QList<TraceRecord> result;
    QSet<QString> seen;
    // Newest first: what is still in memory, then the database for anything older.
    for (auto it = m_recent.crbegin(); it != m_recent.crend() && result.size() < filter.limit;
         ++it) {
        if (matches(*it)) {
            result.append(*it);
            seen.insert(it->id);
        }
    }
    if (result.size() >= filter.limit || m_readConnection.isEmpty())
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
    values.append(filter.limit + int(seen.size()));
    QSqlQuery query(QSqlDatabase::database(m_readConnection));
    query.prepare(sql);
    for (const QVariant &value : std::as_const(values))
        query.addBindValue(value);
    if (!query.exec())
        return result;
    while (query.next() && result.size() < filter.limit) {
        TraceRecord trace
            = TraceRecord::fromJson(QJsonDocument::fromJson(query.value(0).toByteArray()).object());
        if (!seen.contains(trace.id))
            result.append(std::move(trace));
    }
    return result;
}

std::optional<TraceRecord> TraceStore::find(const QString &id) const
{
    for (auto it = m_recent.crbegin(); it != m_recent.crend(); ++it) {
        if (it->id == id)
            return *it;
    }
    if (m_readConnection.isEmpty())
        return std::nullopt;
    QSqlQuery query(QSqlDatabase::database(m_readConnection));
    query.prepare(QStringLiteral("SELECT detail FROM traces WHERE id = ?"));
    query.addBindValue(id);
    if (!query.exec() || !query.next())
        return std::nullopt;
    return TraceRecord::fromJson(QJsonDocument::fromJson(query.value(0).toByteArray()).object());
}

QList<StateEvent> TraceStore::recentEvents(int limit) const
{
    QList<StateEvent> events;
    if (m_readConnection.isEmpty())
        return events;
    QSqlQuery query(QSqlDatabase::database(m_readConnection));
    query.prepare(QStringLiteral("SELECT at, route, from_state, to_state, reason, by_operator FROM "
                                 "(SELECT * FROM events ORDER BY id DESC LIMIT ?) ORDER BY id"));
    query.addBindValue(limit);
    if (query.exec()) {
        while (query.next())
            events.append(eventFrom(query));
    }
    return events;
}

QList<CostPoint> TraceStore::spendSince(qint64 utcMs) const
{
    QList<CostPoint> points;
    if (m_readConnection.isEmpty())
        return points;
    QSqlQuery query(QSqlDatabase::database(m_readConnection));
    query.prepare(QStringLiteral(
        "SELECT minute, lane, route, cost_usd, fallback_cost_usd, tokens_in, tokens_out, "
        "requests FROM spend WHERE minute >= ?"));
    query.addBindValue(utcMs);
    if (query.exec()) {
        while (query.next()) {
            points.append(CostPoint { query.value(0).toLongLong(), query.value(1).toString(),
                query.value(2).toString(), query.value(3).toDouble(), query.value(4).toDouble(),
                query.value(5).toLongLong(), query.value(6).toLongLong(), query.value(7).toInt() });
        }
    }
    return points;
}

qint64 TraceStore::storedCount() const
{
    return m_writer ? m_writer->count() : 0;
}

} // namespace Switchyard

#include "tracestore.moc"
