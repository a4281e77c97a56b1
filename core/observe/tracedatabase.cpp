#include "observe/tracedatabase.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>
#include <QVariant>

namespace Switchyard::TraceDatabase {

namespace {

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
        { // 2 → 3: prompt-cache tokens in the spend per minute (issue 17)
            QStringLiteral(
                "ALTER TABLE spend ADD COLUMN cache_read_tokens INTEGER NOT NULL DEFAULT 0"),
            QStringLiteral(
                "ALTER TABLE spend ADD COLUMN cache_write_tokens INTEGER NOT NULL DEFAULT 0") },
        { // 3 → 4: configuration changes in the event log (issue 18)
            QStringLiteral("ALTER TABLE events ADD COLUMN kind TEXT NOT NULL DEFAULT 'route'") },
        { // 4 → 5: a trace's detail is CBOR (TraceRecord::storedForm), which a build that reads
          // only JSON must not take for an empty trace; refused requests have an empty lane,
          // which the index of lanes finds, where some were kept with none.
            QStringLiteral("UPDATE traces SET lane = '' WHERE lane IS NULL") },
    };
    return steps;
}

} // namespace

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
    event.kind = StateEvent::kindNamed(row.value(6).toString());
    return event;
}

QString connectionName(const QString &role)
{
    return QStringLiteral("switchyard-%1-").arg(role)
        + QUuid::createUuid().toString(QUuid::WithoutBraces);
}

bool migrate(const QString &connectionName, QString *error)
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

} // namespace Switchyard::TraceDatabase
