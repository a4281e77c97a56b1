#pragma once

#include "observe/costledger.h"
#include "observe/trace.h"
#include "routing/breaker.h"

#include <QMutex>
#include <QObject>
#include <QTimer>

class QSqlDatabase;

namespace Switchyard {

struct TraceRetention {
    qint64 maxAgeMs = qint64(168) * 3600 * 1000;
    int maxCount = 100000;
    // The share of plain successes written (traces.success_sample_ratio); TraceStore decides.
    double successSampleRatio = 1.0;
};

// Lives on the store's writer thread with a connection of its own; writes what the engine hands
// it in one transaction per interval, and enforces retention.
class TraceWriter final : public QObject {
    Q_OBJECT
public:
    // Traces not yet written that the writer holds at most; beyond it new ones are dropped and
    // reported, so a store that cannot keep up never grows the process without bound.
    static constexpr int MaxQueuedTraces = 50000;
    // Requests refused before routing kept at most, apart from max_count: a flood of them never
    // evicts a real trace.
    static constexpr int RefusedKept = 1000;

    explicit TraceWriter(QString path);
    ~TraceWriter() override;

    // In the writer thread: opens the connection and starts the batches.
    void start();
    bool isOpen() const { return m_open; }

    // From any thread. False when the queue is full and the trace was dropped.
    bool enqueue(const TraceRecord &trace, const QList<CostPoint> &spend);
    // The spend of a request whose trace is not written. False when the queue is full.
    bool enqueueSpend(const QList<CostPoint> &spend);
    void enqueueEvent(const StateEvent &event);
    void setRetention(const TraceRetention &retention);
    qint64 count() const;

    // In the writer thread: one batch, now.
    void write();

Q_SIGNALS:
    // `lost` traces and `lostSpend` spend records (a request's, on one route) are not stored.
    void writeFailed(qint64 lost, qint64 lostSpend, const QString &error);
    void writeRecovered();

private:
    void enforce(QSqlDatabase &db, const TraceRetention &retention);

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

} // namespace Switchyard
