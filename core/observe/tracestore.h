#pragma once

#include "observe/costledger.h"
#include "observe/trace.h"
#include "observe/tracedatabase.h"
#include "observe/tracereader.h"
#include "observe/tracewriter.h"

#include <QObject>
#include <QThread>

#include <deque>
#include <functional>
#include <optional>

namespace Switchyard {

// Keeps every request's trace and every state event in SQLite (WAL) under the data directory,
// so history survives a restart. Writes are batched on a writer thread, reads answered by a
// reader thread, each with a connection of its own: the thread that owns the store (the
// engine's) never waits for the disk. The recent traces stay in memory too, so a trace can be
// read back the moment its request ends. Reads answer through a callback, always later, in the
// store's thread.
class TraceStore final : public QObject {
    Q_OBJECT
public:
    static constexpr int SchemaVersion = TraceDatabase::SchemaVersion;
    static constexpr int RecentKept = 2000;
    static constexpr int MaxQueuedTraces = TraceWriter::MaxQueuedTraces;
    static constexpr int RefusedKept = TraceWriter::RefusedKept;

    explicit TraceStore(QObject *parent = nullptr);
    ~TraceStore() override;

    // Opens (creating or migrating) `fileName` in `directory`. On failure the store still keeps
    // recent traces in memory and `error` says why nothing is persisted.
    bool open(const QString &directory, QString *error,
        const QString &fileName = QStringLiteral("traces.sqlite"));
    // The database a configuration's traces, events and spend are kept in, under the data
    // folder: each file its own ("work-1a2b3c4d.sqlite", named after the file and its full path),
    // the built-in demo ("" here) its own too, so a console on a new configuration starts clean.
    static QString fileNameFor(const QString &configPath);
    // Before 0.2 every configuration's journal was traces.sqlite in the data folder. The default
    // configuration's journal (`fileName` under traces/) takes it over, once, so an upgraded
    // gateway keeps its history and today's spend.
    static void adoptSharedJournal(const QString &dataDirectory, const QString &fileName);
    void setRetention(const TraceRetention &retention);
    // Deletes the store once every read asked of it has been answered (each caller gets its
    // answer, in this thread), at once when none is out. For a journal that moves to another
    // file while reads are on their way.
    void deleteWhenIdle();

    // Keeps the trace among the recent ones, and hands it to the writer unless it is a plain
    // success that traces.success_sample_ratio leaves out; its spend is written either way. A
    // plain success written as a sample is written with its sampleWeight (1/ratio).
    void append(const TraceRecord &trace, const QList<CostPoint> &spend);
    // Whether the request with this id is among the `ratio` share kept.
    static bool sampled(const QString &id, double ratio);
    void appendEvent(const StateEvent &event);
    // Blocks until everything appended so far is written; for shutdown and tests.
    void flush();

    using TracesRead = std::function<void(const QList<TraceRecord> &traces)>;
    using TraceFound = std::function<void(const std::optional<TraceRecord> &trace)>;
    using HistoryRead
        = std::function<void(const QList<StateEvent> &events, const QList<CostPoint> &spend)>;
    // Newest first: what is in memory, then the database for anything older.
    void query(const TraceQuery &query, TracesRead done);
    void find(const QString &id, TraceFound done);
    using IncidentRead = std::function<void(const IncidentReport &report)>;
    // The report of [fromMs, toMs] from the stored traces and events and those still in memory;
    // `recentEvents` (oldest first) are the newest events, which may not be written yet.
    void readIncident(qint64 fromMs, qint64 toMs, const Config &config,
        const QList<StateEvent> &recentEvents, IncidentRead done);
    // The last `events` state events and the spend since `spendSinceUtcMs`, for a start-up.
    void readHistory(int events, qint64 spendSinceUtcMs, HistoryRead done);
    qint64 storedCount() const;

    // Brings a database at any older schema version up to SchemaVersion; public for tests.
    static bool migrate(const QString &connectionName, QString *error);

Q_SIGNALS:
    // Writing failed: `lost` traces, and `lostSpend` spend records (a request's cost and tokens
    // on one route), are not stored. Emitted on every failed batch.
    void writeFailed(qint64 lost, qint64 lostSpend, const QString &error);
    // A batch was written after failures.
    void writeRecovered();

private:
    // Runs `work` on the reader's thread and hands its result to `done` here, later.
    template <typename Result>
    void read(std::function<Result(const TraceReader &)> work, std::function<void(Result)> done);

    QThread m_writerThread;
    QThread m_readerThread;
    TraceWriter *m_writer = nullptr;
    TraceReader *m_reader = nullptr;
    std::deque<TraceRecord> m_recent; // newest last
    // Memory holds every request that started after this and has finished: it is when the store
    // opened, or the latest start among the traces dropped from m_recent since (a long stream
    // may outstay shorter requests that started after it).
    qint64 m_recentCompleteAfterMs = 0;
    std::optional<TraceRetention> m_retention; // for the writer, once open() makes it
    // The running traces.success_sample_ratio: 1 until the config sets the retention.
    double successSampleRatio() const
    {
        return m_retention ? m_retention->successSampleRatio : 1.0;
    }
    int m_readsOut = 0; // asked of the reader, not answered yet
    bool m_retiring = false;
};

} // namespace Switchyard
