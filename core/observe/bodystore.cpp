#include "observe/bodystore.h"

#include "observe/tracedatabase.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimer>
#include <QVariant>

#include <limits>
#include <memory>

Q_LOGGING_CATEGORY(lcBodies, "switchyard.observe.bodies", QtInfoMsg)

namespace Switchyard {

namespace {

constexpr QFileDevice::Permissions OwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
constexpr int PruneEveryMs = 3600 * 1000;

} // namespace

// The store's connection, on the store's thread.
class BodyDatabase final : public QObject {
public:
    ~BodyDatabase() override { TraceDatabase::closeConnection(m_connection); }

    bool open(const QString &path, QString *error)
    {
        m_connection = TraceDatabase::connectionName(QStringLiteral("bodies"));
        if (!TraceDatabase::openConnection(m_connection, path, error))
            return false;
        QSqlQuery query(QSqlDatabase::database(m_connection));
        if (!query.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS captures (trace_id TEXT PRIMARY "
                                       "KEY, captured_at INTEGER NOT NULL, bodies BLOB NOT NULL)"))
            || !query.exec(QStringLiteral(
                "CREATE INDEX IF NOT EXISTS captures_time ON captures(captured_at)"))) {
            *error = query.lastError().text();
            return false;
        }
        // What retention deletes is overwritten on disk, not left in free pages.
        query.exec(QStringLiteral("PRAGMA secure_delete = ON"));
        m_pruneTimer = new QTimer(this);
        connect(m_pruneTimer, &QTimer::timeout, this,
            [this] { prune(QDateTime::currentMSecsSinceEpoch()); });
        m_pruneTimer->start(PruneEveryMs);
        return true;
    }

    void write(const CapturedBodies &bodies)
    {
        QSqlQuery query(QSqlDatabase::database(m_connection));
        query.prepare(QStringLiteral(
            "INSERT OR REPLACE INTO captures (trace_id, captured_at, bodies) VALUES (?, ?, ?)"));
        query.addBindValue(bodies.traceId);
        query.addBindValue(bodies.capturedAtUtcMs);
        query.addBindValue(QJsonDocument(bodies.toJson()).toJson(QJsonDocument::Compact));
        if (!query.exec())
            qCWarning(lcBodies) << "cannot keep the bodies of trace" << bodies.traceId << ":"
                                << query.lastError().text();
        else if (++m_sinceCount >= 256) {
            m_sinceCount = 0;
            pruneBeyondCount();
        }
    }

    std::optional<CapturedBodies> read(const QString &traceId) const
    {
        QSqlQuery query(QSqlDatabase::database(m_connection));
        query.prepare(QStringLiteral("SELECT bodies FROM captures WHERE trace_id = ?"));
        query.addBindValue(traceId);
        if (!query.exec() || !query.next())
            return std::nullopt;
        return CapturedBodies::fromJson(
            QJsonDocument::fromJson(query.value(0).toByteArray()).object());
    }

    void prune(qint64 nowUtcMs)
    {
        QSqlQuery query(QSqlDatabase::database(m_connection));
        query.prepare(QStringLiteral("DELETE FROM captures WHERE captured_at < ?"));
        query.addBindValue(nowUtcMs - qint64(m_retentionHours) * 3600 * 1000);
        if (!query.exec())
            qCWarning(lcBodies) << "cannot delete old bodies:" << query.lastError().text();
        pruneBeyondCount();
        // And out of the write-ahead log, which would otherwise hold them until it is reused.
        query.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"));
    }

    void pruneBeyondCount()
    {
        QSqlQuery query(QSqlDatabase::database(m_connection));
        query.exec(QStringLiteral("DELETE FROM captures WHERE trace_id IN (SELECT trace_id FROM "
                                  "captures ORDER BY captured_at DESC LIMIT -1 OFFSET %1)")
                       .arg(BodyStore::MaxKept));
    }

    int m_retentionHours = 24;

private:
    QString m_connection;
    QTimer *m_pruneTimer = nullptr;
    int m_sinceCount = 0;
};

BodyStore::BodyStore(QObject *parent)
    : QObject(parent)
{
    m_thread.setObjectName(QStringLiteral("switchyard-bodies"));
}

BodyStore::~BodyStore()
{
    if (m_database) {
        // After every write asked for, in its own thread.
        QMetaObject::invokeMethod(
            m_database, [database = m_database] { delete database; }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
}

QString BodyStore::pathBeside(const QString &journalPath)
{
    const QFileInfo journal(journalPath);
    return journal.dir().filePath(journal.completeBaseName() + QStringLiteral(".bodies.sqlite"));
}

bool BodyStore::open(const QString &path, QString *error)
{
    if (m_database)
        return false; // one store per file: a new file is a new store
    QDir().mkpath(QFileInfo(path).absolutePath());
    // The file exists, for this user alone, before SQLite writes a byte into it.
    QFile file(path);
    if (!file.open(QIODevice::ReadWrite, OwnerOnly) || !file.setPermissions(OwnerOnly)) {
        *error = QStringLiteral("cannot create %1: %2").arg(path, file.errorString());
        return false;
    }
    file.close();
    for (const QString &sidecar :
        { QString(path + QStringLiteral("-wal")), QString(path + QStringLiteral("-shm")) }) {
        if (QFile::exists(sidecar))
            QFile::setPermissions(sidecar, OwnerOnly);
    }
    m_thread.start();
    m_database = new BodyDatabase;
    m_database->moveToThread(&m_thread);
    bool opened = false;
    QMetaObject::invokeMethod(
        m_database, [this, path, error, &opened] { opened = m_database->open(path, error); },
        Qt::BlockingQueuedConnection);
    if (opened)
        m_path = path;
    return opened;
}

void BodyStore::setRetentionHours(int hours)
{
    if (!m_database)
        return;
    QMetaObject::invokeMethod(
        m_database, [database = m_database, hours] { database->m_retentionHours = hours; });
}

bool BodyStore::store(const CapturedBodies &bodies)
{
    return store(
        UnredactedCapture { bodies, Redactor(), {}, std::numeric_limits<qint64>::max(), {} });
}

bool BodyStore::store(UnredactedCapture &&capture)
{
    if (!m_database)
        return false;
    const qint64 bytes = capture.bytes();
    // Counted before any work is done on them: a disk that cannot keep up costs no redaction.
    if (m_queuedBytes + bytes > MaxQueuedBytes) {
        ++m_dropped;
        qCWarning(lcBodies) << "dropped the bodies of trace" << capture.bodies.traceId
                            << ": too many wait to be written";
        return false;
    }
    m_queuedBytes += bytes;
    QMetaObject::invokeMethod(m_database,
        [this, capture = std::make_shared<UnredactedCapture>(std::move(capture)), bytes] {
            m_database->write(std::move(*capture).redacted());
            m_queuedBytes -= bytes;
        });
    return true;
}

void BodyStore::read(const QString &traceId, QObject *context, BodiesRead done)
{
    if (!m_database) {
        QMetaObject::invokeMethod(
            context, [done] { done(std::nullopt); }, Qt::QueuedConnection);
        return;
    }
    // The context outlives this store, and the store its thread (the destructor waits for it).
    QMetaObject::invokeMethod(m_database, [database = m_database, context, traceId, done] {
        std::optional<CapturedBodies> bodies = database->read(traceId);
        QMetaObject::invokeMethod(
            context, [done, bodies] { done(bodies); }, Qt::QueuedConnection);
    });
}

void BodyStore::prune(qint64 nowUtcMs)
{
    if (m_database)
        QMetaObject::invokeMethod(
            m_database, [database = m_database, nowUtcMs] { database->prune(nowUtcMs); });
}

void BodyStore::flush()
{
    if (m_database)
        QMetaObject::invokeMethod(
            m_database, [] {}, Qt::BlockingQueuedConnection);
}

} // namespace Switchyard
