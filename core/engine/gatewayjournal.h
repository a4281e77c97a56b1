#pragma once

#include "observe/costledger.h"
#include "observe/metrics.h"
#include "observe/trace.h"
#include "observe/tracestore.h"
#include "routing/clock.h"

#include <QList>
#include <QObject>
#include <QString>

#include <functional>

namespace Switchyard {

class StateLock;

// What the gateway did, kept: every trace and state event to the store (when one can be opened),
// the cost ledger the spend caps read, the metrics, the recent state events, and a storage
// problem while the store cannot write. Lives in the engine thread; reads answer later, there.
class GatewayJournal final : public QObject {
    Q_OBJECT
public:
    static constexpr int KeptEvents = 500;
    // The cost chart's 24 h, and today for the caps.
    static constexpr qint64 LedgerKeptMs = qint64(25) * 3600 * 1000;

    explicit GatewayJournal(const Clock &clock, QObject *parent = nullptr);

    // Opens the store at `path` and reads today's spend and the recent state events back; `ready`
    // runs when they are in, at once if there is no store to read. Opening another file closes
    // the current one (after writing what it holds) and starts from what the new one remembers;
    // the metrics, which count for the process, carry on.
    void open(const QString &path, std::function<void()> ready);
    bool isOpen() const { return m_store != nullptr; }
    void setRetention(const TraceRetention &retention);

    // Returns the spend the trace adds. The ledger, which other threads read holding
    // `ledgerLock`, is changed holding it.
    QList<CostPoint> recordTrace(const TraceRecord &trace, StateLock *ledgerLock = nullptr);
    // A request refused before routing: counted always, traced only as a sample (a flood of them
    // must not fill the store or evict real traces). True when it was traced.
    bool sampleRefusal(const TraceRecord &trace);
    void recordEvent(const StateEvent &event);

    const CostLedger &ledger() const { return m_ledger; }
    // For the fleet's spend, which the caps count with this instance's own.
    CostLedger &ledger() { return m_ledger; }
    QList<StateEvent> recentEvents() const { return m_events; }
    // `states`: each route's breaker state as a number, as of the caller's last tick.
    QByteArray metricsText(const QList<QPair<QString, int>> &states) const;
    void queryTraces(const TraceQuery &query, TraceStore::TracesRead done);
    void findTrace(const QString &id, TraceStore::TraceFound done);
    // The incident report of [fromMs, toMs], read off this thread; `done` runs in it.
    void readIncident(
        qint64 fromMs, qint64 toMs, const Config &config, TraceStore::IncidentRead done);
    // Forgets spend older than the ledger keeps; cheap to call often.
    void prune(qint64 wallNowMs);
    // Blocks until every trace so far is written.
    void flush();

Q_SIGNALS:
    // Traces cannot be written (the disk is full, say): what, said once per episode. An empty
    // text when writing works again.
    void storageProblemChanged(const QString &problem);

private:
    const Clock &m_clock;
    TraceStore *m_store = nullptr;
    QString m_storePath;
    quint64 m_generation = 0; // of the store opened last
    std::optional<TraceRetention> m_retention; // for each store opened
    CostLedger m_ledger;
    Metrics m_metrics;
    QList<StateEvent> m_events;
    QString m_storageProblem;
    qint64 m_lastPruneMs = 0;
    // Refusals traced: a token bucket on m_clock.
    double m_refusalTokens = 0;
    qint64 m_refusalTokensAtMs = 0;
};

} // namespace Switchyard
