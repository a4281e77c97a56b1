#pragma once

#include "cluster/fleetstatus.h"
#include "observe/costledger.h"
#include "observe/trace.h"
#include "routing/breaker.h"
#include "routing/providersnapshot.h"
#include "routing/routesnapshot.h"

#include <QObject>
#include <QTimer>

#include <atomic>
#include <memory>
#include <vector>

namespace Switchyard {

class ClientResponse;
class GatewayControl;

// The admin API's event stream, GET /admin/events (server-sent events): route state changes,
// configuration changes, request summaries and the trace store's health, as they happen. With
// `?view=console` the stream also carries what the console's views show — the recent past first
// (`history`), then route snapshots, whole traces with the spend they added, and providers — so a
// console attached over HTTP sees what an embedded one does, without polling. Engine thread only.
class AdminEvents final : public QObject {
    Q_OBJECT
public:
    AdminEvents(GatewayControl &control, QObject *parent);
    ~AdminEvents() override;

    void subscribe(ClientResponse response, bool console);

    void publishStateEvent(const Switchyard::StateEvent &event);
    // `spend`: what the trace added to the ledger.
    void publishTrace(const Switchyard::TraceRecord &trace, const QList<CostPoint> &spend);
    void publishRoutes(const QList<Switchyard::RouteSnapshot> &routes);
    void publishProviders(const QList<Switchyard::ProviderSnapshot> &providers);
    void publishFleet(const Switchyard::FleetStatus &fleet);
    // `problem` is empty when traces are written again.
    void publishStorageProblem(const QString &problem);

    int subscriberCount() const { return int(m_subscribers.size()); }
    // Any thread: whether anyone listens, so that the engine need not send an I/O thread's
    // stream what nobody reads. Set before a console's history is asked for, so a trace is
    // either in that history or sent here.
    bool isListenedTo() const { return m_listenedTo.load(std::memory_order_acquire); }

private:
    struct Subscriber;
    // The subscriber's history was taken: what it holds so far is in it.
    void historyTaken(quint64 id);
    void sendHistory(quint64 id, const QByteArray &history, const QSet<QString> &tracesInHistory);
    void broadcast(const QByteArray &event, bool consoleOnly);
    void write(Subscriber &subscriber, const QByteArray &event);
    void flushTraces();
    void dropGone();

    GatewayControl &m_control;
    std::vector<std::unique_ptr<Subscriber>> m_subscribers;
    std::atomic<bool> m_listenedTo = false;
    quint64 m_lastId = 0;
    // Whole traces and their spend for console subscribers, sent a few times a second.
    QList<TraceRecord> m_traces;
    QList<CostPoint> m_spend;
    QTimer m_flush;
    QTimer m_keepAlive;
};

} // namespace Switchyard
