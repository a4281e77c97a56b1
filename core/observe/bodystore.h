#pragma once

#include "observe/capturedbodies.h"

#include <QObject>
#include <QThread>

#include <atomic>
#include <functional>
#include <optional>

namespace Switchyard {

class BodyDatabase;

// Keeps captured bodies (capture.bodies, issue 22) in a SQLite file of their own beside the trace
// journal, readable by the user alone: the file is made 0600 before SQLite opens it, and SQLite
// gives its -wal and -shm files the database's own mode. Writes and reads run in order on a
// thread of its own, so the engine thread never waits for the disk and a read asked after a
// write finds it. Retention deletes what is older than capture.retention_hours, every hour.
class BodyStore final : public QObject {
    Q_OBJECT
public:
    // Captures waiting to be written, in bytes, at most: beyond it a capture is dropped and
    // counted, so a disk that cannot keep up never grows the gateway without bound.
    static constexpr qint64 MaxQueuedBytes = 64 * 1024 * 1024;
    // Captures kept at most, whatever the retention: the oldest go first.
    static constexpr int MaxKept = 20000;

    explicit BodyStore(QObject *parent = nullptr);
    ~BodyStore() override;

    // Opens (creating) the store at `path`, its file for this user alone. Answers once it is open.
    bool open(const QString &path, QString *error);
    bool isOpen() const { return !m_path.isEmpty(); }
    QString path() const { return m_path; }
    // For the file beside a trace journal ("work.sqlite" → "work.bodies.sqlite").
    static QString pathBeside(const QString &journalPath);
    void setRetentionHours(int hours);

    // False when it was dropped (too much waits to be written already). Bodies given unredacted
    // are redacted on the store's thread before they are written.
    bool store(const CapturedBodies &bodies);
    bool store(UnredactedCapture &&capture);
    // The bodies of trace `traceId`, later, in the thread of `context` (which must outlive this
    // store: the answer still comes when the store is replaced meanwhile); nullopt when none
    // were kept.
    using BodiesRead = std::function<void(const std::optional<CapturedBodies> &bodies)>;
    void read(const QString &traceId, QObject *context, BodiesRead done);
    // Deletes what is older than the retention at `nowUtcMs`, and the oldest beyond MaxKept.
    void prune(qint64 nowUtcMs);
    // Blocks until everything asked so far is done; for shutdown and tests.
    void flush();
    qint64 dropped() const { return m_dropped; }

private:
    QThread m_thread;
    BodyDatabase *m_database = nullptr;
    QString m_path;
    std::atomic<qint64> m_queuedBytes { 0 };
    std::atomic<qint64> m_dropped { 0 };
};

} // namespace Switchyard
