#pragma once

#include "config/activeconfig.h"
#include "config/config.h"
#include "engine/enginecall.h"
#include "engine/providerstatus.h"
#include "observe/redactor.h"
#include "observe/trace.h"
#include "observe/tracestore.h"
#include "proxy/gatewaycontrol.h"
#include "proxy/gatewayservices.h"
#include "routing/breaker.h"
#include "routing/clock.h"
#include "routing/keypools.h"
#include "routing/providersnapshot.h"
#include "routing/routecommand.h"
#include "routing/routeregistry.h"
#include "routing/routesnapshot.h"

#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QSslConfiguration>
#include <QTimer>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace Switchyard {

class AdminEvents;
class AdminService;
class ClientFront;
class AlertWebhook;
class OtlpExporter;
class FleetSync;
class GatewayJournal;
class SimulatedUpstream;
class TrafficGenerator;
class HealthChecks;
class SecretResolver;
class SnapshotPublisher;
class SecretStore;
class UpstreamPool;

class BodyCaptures;

// The gateway: listener, upstream clients, breakers, probes and routing state. Lives in its own
// thread; its public methods may be called from any thread and re-route themselves there.
// State leaves it only as value snapshots and events. Its ClientFront serves the clients: on this
// thread, or with `workers` above one on I/O threads that share its routing state under
// m_stateLock.
class Engine final : public QObject, private GatewayControl {
    Q_OBJECT
public:
    explicit Engine(const Clock &clock = SteadyClock::instance(), QObject *parent = nullptr);
    ~Engine() override;

    // Applies `config` and starts listening on its address (or `listenOverride`, "HOST:PORT").
    void start(const Switchyard::Config &config, const QString &listenOverride = QString());
    // Swaps the running config; requests in flight finish on the config they started with.
    void applyConfig(const Switchyard::Config &config);
    // As above, and answers with configAnswered(`ticket`, …), the caller's number for it.
    void applyConfig(const Switchyard::Config &config, quint64 ticket);
    // Stops listening and flushes the traces. Engine thread only: the EngineHost calls it,
    // blocking, before the thread ends (a queued stop would run after nobody waits for it).
    void stop();

    // Operator actions; results arrive as routeStateChanged events (or commandFailed).
    void drain(const QString &route);
    void restore(const QString &route, bool staged);
    void stageRecovery(const QString &route);
    void probeNow(const QString &route);
    void drill(const QString &route, Switchyard::DrillFault fault, int seconds);
    void submit(const Switchyard::RouteCommand &command);
    // Where traces and events are kept; before start(). Default: AppDataLocation.
    void setDataDirectory(const QString &directory);
    // Keeps traces, events and spend in `fileName` under the data folder's traces/ (see
    // TraceStore::fileNameFor) instead of its traces.sqlite. Called again once the gateway runs,
    // it moves to that file and emits journalChanged: the history so far is another config's.
    void useJournal(const QString &fileName);
    // Sends a built-in mix of requests through the gateway itself (the demo's traffic); 0 stops it.
    void setDemoTraffic(double requestsPerSecond);
    // Emits historyPublished with what a newly opened console should show at once.
    void publishHistory();
    // Where keychain references are read; before start(). Default: the system keychain.
    void setSecretStore(std::shared_ptr<Switchyard::SecretStore> store);
    // Reads the keychain entries in use again and applies what changed: after the console sets
    // or deletes a key, or when asked to (a key set from the command line).
    void reloadSecrets();
    // The request with this id, from memory or the trace store, whatever its age; may be called
    // from any thread (the console's included), and `done` runs on the engine's.
    void findTrace(const QString &id, TraceFound done) override;
    void readBodies(const QString &traceId, BodiesRead done) override;
    void replay(const QString &traceId, const QString &route, Replayed done) override;
    // The incident report of a range (GatewayControl::readIncident); may be called from any
    // thread, and `done` runs on the engine's.
    void readIncident(qint64 fromMs, qint64 toMs, IncidentRead done) override;
    // How long a keychain read may take before its key counts as unreadable; before start().
    void setKeychainPatience(int milliseconds);
    // Calls the provider's models list with its key; the result arrives in providersUpdated.
    void testProvider(const QString &provider);
    // A ConfigController keeps the configuration file: from now on a config posted to the admin
    // API is handed to it (configProposed), so it is saved as well as run, in turn with the
    // console's edits and the file's reloads.
    void setConfigKeeper(bool kept);
    // The keeper's answer to configProposed(…, `ticket`).
    void answerProposal(quint64 ticket, const Switchyard::GatewayControl::ConfigAnswer &answer);
    // Puts a change of the configuration into the event log: the journal, the console's events
    // and /admin/events. `byOperator`: an edit, not a file that changed.
    void recordConfigEvent(const QString &what, bool byOperator);

Q_SIGNALS:
    void started(const QString &address);
    void startFailed(const QString &error);
    void configApplied();
    // The answer to applyConfig(config, ticket): empty once the config runs, else why it was
    // refused (and then nothing changed).
    void configAnswered(quint64 ticket, const QString &error);
    // A config posted to the admin API, for the keeper (setConfigKeeper) to run and save; it
    // answers with answerProposal(`ticket`, …).
    void configProposed(const QJsonObject &json, quint64 ticket);
    void requestFinished(const Switchyard::TraceRecord &trace);
    void routeStateChanged(const Switchyard::StateEvent &event);
    // Coalesced: at most a few times a second, however heavy the traffic.
    void routesUpdated(const QList<Switchyard::RouteSnapshot> &routes);
    // When a provider's key status or test result changes.
    void providersUpdated(const QList<Switchyard::ProviderSnapshot> &providers);
    // When this instance joins or leaves a fleet, Redis is lost or back, or instances come and go.
    void fleetUpdated(const Switchyard::FleetStatus &fleet);
    void commandFailed(const QString &error);
    // Traces cannot be written (the disk is full, say): what, for the console's status bar. An
    // empty text when writing works again.
    void storageProblemChanged(const QString &problem);
    // useJournal moved to another file: what was published before belongs to another config.
    // historyPublished follows with the new file's history.
    void journalChanged();
    // Coalesced batches for the console: finished requests and the spend they added.
    void tracesAdded(const QList<Switchyard::TraceRecord> &traces);
    void costAdded(const QList<Switchyard::CostPoint> &points);
    void historyPublished(const QList<Switchyard::TraceRecord> &traces,
        const QList<Switchyard::StateEvent> &events, const QList<Switchyard::CostPoint> &cost);

protected:
    bool event(QEvent *event) override;

private:
    QString journalPath() const;
    // GatewayControl, for the admin API: answered at once, here.
    void readRoutes(RoutesRead done) override { done(routeSnapshots()); }
    void readState(StateRead done) override;
    void runCommand(const RouteCommand &command, CommandDone done) override;
    void readMetrics(MetricsRead done) override { done(metricsText()); }
    void readProviders(ProvidersRead done) override { done(providerSnapshots()); }
    QList<RouteSnapshot> routeSnapshots() const;
    bool execute(const RouteCommand &command, QString *error);
    void queryTraces(const TraceQuery &query, TracesRead done) override;
    void proposeConfig(const QJsonObject &json, const Config &config, ConfigAnswered done) override;
    QList<ProviderSnapshot> providerSnapshots() const;
    FleetStatus fleetStatus() const;
    void runProviderTest(const QString &provider) override { testProvider(provider); }
    void rereadSecrets() override { reloadSecrets(); }
    void readHistory(
        std::function<void()> taken, std::function<void(const History &history)> done) override;
    void applyConfig(const Config &config, std::function<void(const QString &error)> done);

    void install(const Config &config);
    void recordTrace(const TraceRecord &trace);
    // Counted always, traced only as a sample.
    void recordRefusal(const TraceRecord &trace);
    QByteArray metricsText() const;
    void listen(Config effective);
    // What the I/O threads' requests use: the state behind the lock, records sent here.
    GatewayServices ioThreadServices();
    void connectAdminEvents(AdminEvents *events);
    // The start's own config runs first; applies asked for during the start follow it.
    void finishStarting();
    void onStateEvent(const StateEvent &event);
    void maintain();

    const Clock &m_clock;
    std::shared_ptr<const ActiveConfig> m_active;
    RouteRegistry m_routes;
    KeyPools m_keys;
    SecretResolver *m_secrets;
    GatewayJournal *m_journal;
    bool m_starting = false;
    std::vector<std::function<void()>> m_afterStart;
    SnapshotPublisher *m_publisher;
    GatewayServices m_services; // this thread's, without a lock
    // Over what the I/O threads share with this one; held while this thread is awake once there
    // are I/O threads (see StateLock).
    StateLock m_stateLock;
    // Whether a lane or route caps its daily spend: then a trace with a cost is recorded at once,
    // not in the inbox's pace, for the next request's admission to count it.
    std::atomic<bool> m_spendCapped = false;
    EngineInbox m_inbox { this, &m_stateLock }; // what the I/O threads' requests hand over
    std::unique_ptr<ClientFront> m_front; // this thread's listener, or the I/O threads
    bool m_servesTls = false;
    QString m_dataDirectory;
    QString m_journalName; // empty: traces.sqlite in the data folder
    Redactor m_redactor;
    UpstreamPool *m_upstreams = nullptr;
    std::unique_ptr<HealthChecks> m_checks; // with the upstreams, at the start
    QTimer m_maintenance;
    quint16 m_port = 0;
    SimulatedUpstream *m_simulated = nullptr;
    TrafficGenerator *m_traffic = nullptr;
    ProviderStatus m_providers;
    // Shares state with the other instances of a fleet, when the config names one.
    void configureFleet(const Config &config);
    void refreshTls(const Config &config);
    void recordFleetEvent(const QString &what);
    // Where alerts go (alerts.webhook), read with the keys; its URL joins the redacted secrets.
    void configureAlerts(const Config &config, QList<QByteArray> *secrets);
    void alertOn(const TraceRecord &trace);
    // What this instance says of itself in the fleet's heartbeat.
    FleetMember ownFleetReport() const;
    // A configuration or fleet event: logged, journaled and told like a route's change.
    void recordNonRouteEvent(StateEvent::Kind kind, const QString &what, bool byOperator);
    FleetSync *m_fleet = nullptr;
    AlertWebhook *m_alerts = nullptr; // made on the engine's thread, with the first config
    // Spans to an OpenTelemetry collector (telemetry, OTEL_EXPORTER_OTLP_*); its header values
    // join the redacted secrets.
    void configureTelemetry(const Config &config, ActiveConfig *active, QList<QByteArray> *secrets);
    OtlpExporter *m_telemetry = nullptr;
    BodyCaptures *m_captures; // capture.bodies: kept, read and replayed
    bool m_configKept = false;
    quint64 m_lastProposal = 0;
    QHash<quint64, ConfigAnswered> m_proposals;
};

} // namespace Switchyard
