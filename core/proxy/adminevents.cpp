#include "proxy/adminevents.h"

#include "http/clientresponse.h"
#include "proxy/adminjson.h"
#include "proxy/gatewaycontrol.h"

#include <QJsonDocument>
#include <QSet>
#include <QTcpSocket>

namespace Switchyard {

namespace {

constexpr int KeepAliveMs = 15000;
constexpr int FlushIntervalMs = 250;
// A subscriber that stops reading is dropped before its backlog grows without bound. Room for a
// console's history (500 traces) and a while of news behind it.
constexpr qint64 MaxBacklogBytes = 8 * 1024 * 1024;
// Traces waiting for the next flush; at a flush every quarter second this is 8,000 requests a
// second. Beyond it the oldest are left out of the stream (the trace store still has them).
constexpr qsizetype MaxBatchedTraces = 2000;

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QByteArray sseEvent(const char *name, const QJsonObject &data)
{
    return QByteArray("event: ") + name + "\ndata: " + compact(data) + "\n\n";
}

QByteArray tracesEvent(const QList<TraceRecord> &traces, const QList<CostPoint> &spend)
{
    return sseEvent("traces",
        { { QStringLiteral("traces"),
              AdminJson::arrayOf(traces, [](const TraceRecord &t) { return t.toJson(); }) },
            { QStringLiteral("cost"), AdminJson::arrayOf(spend, AdminJson::fromCost) } });
}

} // namespace

struct AdminEvents::Subscriber {
    quint64 id = 0;
    std::unique_ptr<ClientResponse> response;
    bool console = false;
    // Until its history is written, a console subscriber's news waits here: what happened while
    // the history was read must follow it, not precede it.
    bool awaitingHistory = false;
    QList<QByteArray> held;
    QList<TraceRecord> heldTraces;
    QList<CostPoint> heldSpend;
    qint64 heldBytes = 0;
};

AdminEvents::AdminEvents(GatewayControl &control, QObject *parent)
    : QObject(parent)
    , m_control(control)
    , m_flush(this)
    , m_keepAlive(this)
{
    m_keepAlive.setInterval(KeepAliveMs);
    connect(&m_keepAlive, &QTimer::timeout, this,
        [this] { broadcast(QByteArrayLiteral(": keep-alive\n\n"), false); });
    m_flush.setInterval(FlushIntervalMs);
    connect(&m_flush, &QTimer::timeout, this, &AdminEvents::flushTraces);
}

AdminEvents::~AdminEvents() = default;

void AdminEvents::subscribe(ClientResponse response, bool console)
{
    auto subscriber = std::make_unique<Subscriber>();
    subscriber->id = ++m_lastId;
    subscriber->response = std::make_unique<ClientResponse>(std::move(response));
    subscriber->console = console;
    subscriber->awaitingHistory = console;
    subscriber->response->beginChunked(200,
        { { QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/event-stream") },
            { QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-cache") } });
    subscriber->response->writeChunk(QByteArrayLiteral(": switchyard events\n\n"));
    m_subscribers.push_back(std::move(subscriber));
    m_listenedTo.store(true, std::memory_order_release);
    if (!m_keepAlive.isActive())
        m_keepAlive.start();
    if (!console)
        return;
    if (!m_flush.isActive())
        m_flush.start();
    const quint64 id = m_lastId;
    m_control.readHistory([this, id] { historyTaken(id); },
        [this, id](const GatewayControl::History &history) {
            QSet<QString> ids;
            for (const TraceRecord &trace : history.traces)
                ids.insert(trace.id);
            sendHistory(id, sseEvent("history", AdminJson::fromHistory(history)), ids);
        });
}

void AdminEvents::historyTaken(quint64 id)
{
    // What is batched now is in the history this subscriber will get: the others have it first.
    flushTraces();
    const auto found = std::find_if(m_subscribers.begin(), m_subscribers.end(),
        [id](const std::unique_ptr<Subscriber> &s) { return s->id == id; });
    if (found == m_subscribers.end())
        return;
    // Held since it subscribed, published before the history was taken: in the history already
    // (from an I/O thread, the history is taken a little after the subscription).
    Subscriber &subscriber = **found;
    subscriber.held.clear();
    subscriber.heldTraces.clear();
    subscriber.heldSpend.clear();
    subscriber.heldBytes = 0;
}

void AdminEvents::sendHistory(
    quint64 id, const QByteArray &history, const QSet<QString> &tracesInHistory)
{
    const auto found = std::find_if(m_subscribers.begin(), m_subscribers.end(),
        [id](const std::unique_ptr<Subscriber> &s) { return s->id == id; });
    if (found == m_subscribers.end())
        return; // gone while the history was read
    Subscriber &subscriber = **found;
    subscriber.awaitingHistory = false;
    subscriber.response->writeChunk(history);
    for (const QByteArray &held : std::exchange(subscriber.held, {}))
        subscriber.response->writeChunk(held);
    // A trace that finished while the history was read may be in both: the history has it. Its
    // spend is news either way: the history's spend was summed when the read began.
    QList<TraceRecord> traces = std::exchange(subscriber.heldTraces, {});
    traces.removeIf([&](const TraceRecord &trace) { return tracesInHistory.contains(trace.id); });
    const QList<CostPoint> spend = std::exchange(subscriber.heldSpend, {});
    if (!traces.isEmpty() || !spend.isEmpty())
        subscriber.response->writeChunk(tracesEvent(traces, spend));
    subscriber.heldBytes = 0;
}

void AdminEvents::write(Subscriber &subscriber, const QByteArray &text)
{
    if (!subscriber.awaitingHistory) {
        subscriber.response->writeChunk(text);
        return;
    }
    subscriber.heldBytes += text.size();
    subscriber.held.append(text);
}

void AdminEvents::dropGone()
{
    for (const std::unique_ptr<Subscriber> &subscriber : m_subscribers) {
        QTcpSocket *socket = subscriber->response->socket();
        if (socket
            && (socket->bytesToWrite() > MaxBacklogBytes
                || subscriber->heldBytes > MaxBacklogBytes))
            socket->abort();
    }
    std::erase_if(m_subscribers,
        [](const std::unique_ptr<Subscriber> &s) { return !s->response->isConnected(); });
    if (m_subscribers.empty()) {
        m_listenedTo.store(false, std::memory_order_release);
        m_keepAlive.stop();
        m_flush.stop();
        m_traces.clear();
        m_spend.clear();
    }
}

void AdminEvents::broadcast(const QByteArray &text, bool consoleOnly)
{
    dropGone();
    for (const std::unique_ptr<Subscriber> &subscriber : m_subscribers) {
        if (!consoleOnly || subscriber->console)
            write(*subscriber, text);
    }
}

void AdminEvents::publishStateEvent(const StateEvent &stateEvent)
{
    if (!m_subscribers.empty())
        broadcast(
            sseEvent(stateEvent.isRoute() ? "state" : stateEvent.kindName().toLatin1().constData(),
                AdminJson::fromEvent(stateEvent)),
            false);
}

void AdminEvents::publishTrace(const TraceRecord &trace, const QList<CostPoint> &spend)
{
    if (m_subscribers.empty())
        return;
    const QJsonObject summary { { QStringLiteral("id"), trace.id },
        { QStringLiteral("lane"), trace.lane }, { QStringLiteral("route"), trace.route },
        { QStringLiteral("status"), trace.status },
        { QStringLiteral("class"), failureClassName(trace.finalClass) },
        { QStringLiteral("attempts"), trace.upstreamAttempts() },
        { QStringLiteral("fallback"), trace.fallback },
        { QStringLiteral("degraded"), trace.degraded }, { QStringLiteral("panic"), trace.panic },
        { QStringLiteral("drill"), trace.hasDrill() }, { QStringLiteral("ms"), trace.durationMs } };
    broadcast(sseEvent("trace", summary), false);
    if (!m_flush.isActive())
        return; // no console subscriber
    m_traces.append(trace);
    m_spend.append(spend);
    if (m_traces.size() > MaxBatchedTraces)
        m_traces.remove(0, m_traces.size() - MaxBatchedTraces);
}

void AdminEvents::flushTraces()
{
    dropGone();
    if (m_traces.isEmpty() && m_spend.isEmpty())
        return;
    const QList<TraceRecord> traces = std::exchange(m_traces, {});
    const QList<CostPoint> spend = std::exchange(m_spend, {});
    QByteArray text;
    for (const std::unique_ptr<Subscriber> &subscriber : m_subscribers) {
        if (!subscriber->console)
            continue;
        if (subscriber->awaitingHistory) {
            subscriber->heldTraces.append(traces);
            subscriber->heldSpend.append(spend);
            // Roughly what they will take once written: the backlog guard counts them too.
            subscriber->heldBytes += 1024 * (traces.size() + spend.size());
            if (subscriber->heldTraces.size() > MaxBatchedTraces)
                subscriber->heldTraces.remove(0, subscriber->heldTraces.size() - MaxBatchedTraces);
            continue;
        }
        if (text.isEmpty())
            text = tracesEvent(traces, spend);
        subscriber->response->writeChunk(text);
    }
}

void AdminEvents::publishRoutes(const QList<RouteSnapshot> &routes)
{
    if (m_flush.isActive())
        broadcast(
            sseEvent("routes", { { QStringLiteral("routes"), AdminJson::fromRoutes(routes) } }),
            true);
}

void AdminEvents::publishProviders(const QList<ProviderSnapshot> &providers)
{
    if (m_flush.isActive())
        broadcast(sseEvent("providers",
                      { { QStringLiteral("providers"),
                          AdminJson::arrayOf(providers, AdminJson::fromProvider) } }),
            true);
}

void AdminEvents::publishFleet(const FleetStatus &fleet)
{
    if (m_flush.isActive())
        broadcast(sseEvent("fleet_status", AdminJson::fromFleet(fleet)), true);
}

void AdminEvents::publishStorageProblem(const QString &problem)
{
    if (!m_subscribers.empty())
        broadcast(sseEvent("storage",
                      { { QStringLiteral("ok"), problem.isEmpty() },
                          { QStringLiteral("problem"), problem } }),
            false);
}

} // namespace Switchyard
