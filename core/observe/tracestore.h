#pragma once

#include "observe/costledger.h"
#include "observe/trace.h"
#include "routing/breaker.h"

#include <QMutex>
#include <QObject>
#include <QThread>

#include <deque>
#include <optional>

namespace Switchyard {

class TraceWriter;

struct TraceQuery {
    int limit = 50;
    QString lane;
    QString route;
    QString failureClass;
};

struct TraceRetention {
    qint64 maxAgeMs = qint64(168) * 3600 * 1000;
    int maxCount = 100000;
};

// Keeps every request's trace and every state event in SQLite (WAL) under the data directory,
// so history survives a restart. Writes are batched on a writer thread of their own, off the
// request path; reads come from a connection of the engine thread plus the recent traces still
// in memory, so a trace can be read back the moment its request ends.
class TraceStore final : public QObject {
    Q_OBJECT
public:
    static constexpr int SchemaVersion = 2;
    static constexpr int RecentKept = 2000;

    explicit TraceStore(QObject *parent = nullptr);
    ~TraceStore() override;

    // Opens (creating or migrating) traces.sqlite in `directory`. On failure the store still keeps
    // recent traces in memory and `error` says why nothing is persisted.
    bool open(const QString &directory, QString *error);
    void setRetention(const TraceRetention &retention);

    void append(const TraceRecord &trace, const QList<CostPoint> &spend);
    void appendEvent(const StateEvent &event);
    // Blocks until everything appended so far is written; for shutdown and tests.
    void flush();

    // Traces not yet written that the writer holds at most; beyond it new ones are dropped and
    // reported, so a store that cannot keep up never grows the process without bound.
    static constexpr int MaxQueuedTraces = 50000;
    // Requests refused before routing kept at most, apart from max_count: a flood of them never
    // evicts a real trace.
    static constexpr int RefusedKept = 1000;

    QList<TraceRecord> query(const TraceQuery &query) const;
    std::optional<TraceRecord> find(const QString &id) const;
    QList<StateEvent> recentEvents(int limit) const;
    QList<CostPoint> spendSince(qint64 utcMs) const;
    qint64 storedCount() const;

    // Brings a database at any older schema version up to SchemaVersion; public for tests.
    static bool migrate(const QString &connectionName, QString *error);

Q_SIGNALS:
    // Writing failed: `lost` traces are not stored. Emitted on every failed batch.
    void writeFailed(qint64 lost, const QString &error);
    // A batch was written after failures.
    void writeRecovered();

private:
    QString m_readConnection;
    QThread m_writerThread;
    TraceWriter *m_writer = nullptr;
    std::deque<TraceRecord> m_recent; // newest last
};

} // namespace Switchyard
