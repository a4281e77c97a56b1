#include "engine/gatewayjournal.h"

#include "proxy/statelock.h"

#include <QDateTime>
#include <QFileInfo>
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcEngine)

namespace Switchyard {

GatewayJournal::GatewayJournal(const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_clock(clock)
{
}

void GatewayJournal::open(const QString &path, std::function<void()> ready)
{
    if (m_store && path == m_storePath) {
        ready();
        return;
    }
    if (m_store) {
        // Reads still out get their answers from it (the history of the file they asked); it
        // writes what it holds and goes once they are in.
        m_store->disconnect(this);
        m_store->deleteWhenIdle();
        m_ledger.forgetOwnSpend();
        m_events.clear();
        if (!m_storageProblem.isEmpty()) {
            m_storageProblem.clear();
            Q_EMIT storageProblemChanged(QString());
        }
    }
    m_storePath = path;
    const quint64 generation = ++m_generation;
    m_store = new TraceStore(this);
    connect(m_store, &TraceStore::writeFailed, this,
        [this](qint64 lost, qint64 lostSpend, const QString &error) {
            m_metrics.recordWriteErrors(lost, lostSpend);
            if (!m_storageProblem.isEmpty())
                return; // said once per episode; the metric keeps counting
            m_storageProblem
                = QStringLiteral("traces cannot be written (%1); the gateway keeps "
                                 "serving, and switchyard_trace_write_errors_total and "
                                 "switchyard_spend_write_errors_total count what is lost")
                      .arg(error.left(200));
            qCWarning(lcEngine).noquote() << m_storageProblem;
            Q_EMIT storageProblemChanged(m_storageProblem);
        });
    connect(m_store, &TraceStore::writeRecovered, this, [this] {
        m_storageProblem.clear();
        qCInfo(lcEngine) << "traces are written again";
        Q_EMIT storageProblemChanged(QString());
    });
    if (m_retention)
        m_store->setRetention(*m_retention);
    QString error;
    if (!m_store->open(QFileInfo(path).absolutePath(), &error, QFileInfo(path).fileName())) {
        qCWarning(lcEngine).noquote() << "traces are kept in memory only:" << error;
        ready();
        return;
    }
    // Today's spend counts against the caps from the first request on: read before the gateway
    // listens, on the store's reader thread.
    m_store->readHistory(KeptEvents, QDateTime::currentMSecsSinceEpoch() - LedgerKeptMs,
        [this, generation, ready = std::move(ready)](
            const QList<StateEvent> &events, const QList<CostPoint> &spend) {
            // A file left before its history came in: what it remembers is no longer ours.
            if (generation == m_generation) {
                m_ledger.add(spend);
                m_events = events + m_events;
            }
            ready();
        });
}

void GatewayJournal::setRetention(const TraceRetention &retention)
{
    m_retention = retention;
    if (m_store)
        m_store->setRetention(retention);
}

QList<CostPoint> GatewayJournal::recordTrace(const TraceRecord &trace, StateLock *ledgerLock)
{
    const QList<CostPoint> points = CostLedger::pointsOf(trace);
    {
        const StateLock::Held held = StateLock::hold(ledgerLock);
        m_ledger.add(points);
    }
    m_metrics.record(trace);
    if (m_store)
        m_store->append(trace, points);
    return points;
}

bool GatewayJournal::sampleRefusal(const TraceRecord &trace)
{
    constexpr double RefusalsTracedPerSecond = 10.0;
    constexpr double RefusalBurst = 20.0;
    m_metrics.recordRefusal(trace.status);
    const qint64 now = m_clock.nowMs();
    if (m_refusalTokensAtMs == 0)
        m_refusalTokens = RefusalBurst;
    else
        m_refusalTokens = qMin(RefusalBurst,
            m_refusalTokens + double(now - m_refusalTokensAtMs) * RefusalsTracedPerSecond / 1000.0);
    m_refusalTokensAtMs = now;
    if (m_refusalTokens < 1.0)
        return false;
    m_refusalTokens -= 1.0;
    return true;
}

void GatewayJournal::recordEvent(const StateEvent &event)
{
    m_events.append(event);
    if (m_store)
        m_store->appendEvent(event);
    if (m_events.size() > KeptEvents)
        m_events.remove(0, m_events.size() - KeptEvents);
}

QByteArray GatewayJournal::metricsText(const QList<QPair<QString, int>> &states) const
{
    return m_metrics.render(states);
}

void GatewayJournal::queryTraces(const TraceQuery &query, TraceStore::TracesRead done)
{
    if (m_store)
        m_store->query(query, std::move(done));
    else
        done({});
}

void GatewayJournal::findTrace(const QString &id, TraceStore::TraceFound done)
{
    if (m_store)
        m_store->find(id, std::move(done));
    else
        done(std::nullopt);
}

void GatewayJournal::readIncident(
    qint64 fromMs, qint64 toMs, const Config &config, TraceStore::IncidentRead done)
{
    if (m_store) {
        m_store->readIncident(fromMs, toMs, config, m_events, std::move(done));
        return;
    }
    IncidentReportBuilder builder(fromMs, toMs, config);
    for (const StateEvent &event : std::as_const(m_events))
        builder.addEvent(event);
    done(builder.finish());
}

void GatewayJournal::prune(qint64 wallNowMs)
{
    if (wallNowMs - m_lastPruneMs <= 60000)
        return;
    m_lastPruneMs = wallNowMs;
    m_ledger.prune(wallNowMs - LedgerKeptMs);
}

void GatewayJournal::flush()
{
    if (m_store)
        m_store->flush();
}

} // namespace Switchyard
