#include "engine/engine.h"

#include "cluster/fleetsync.h"
#include "engine/bodycaptures.h"
#include "engine/clientfront.h"
#include "engine/enginecall.h"
#include "engine/gatewayjournal.h"
#include "engine/healthchecks.h"
#include "engine/ownthread.h"
#include "engine/secretresolver.h"
#include "engine/snapshotpublisher.h"
#include "engine/trafficgenerator.h"
#include "http/servertls.h"
#include "observe/alertwebhook.h"
#include "observe/otlpexporter.h"
#include "proxy/adminevents.h"
#include "proxy/readiness.h"
#include "upstream/simulatedupstream.h"
#include "upstream/upstreampool.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QHostAddress>
#include <QLoggingCategory>
#include <QProcessEnvironment>
#include <QStandardPaths>
#include <QThread>

#include <algorithm>

Q_LOGGING_CATEGORY(lcEngine, "switchyard.engine", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRouting, "switchyard.routing", QtInfoMsg)

namespace Switchyard {

namespace {

constexpr int MaintenanceIntervalMs = 100;
constexpr qint64 LedgerKeptMs = GatewayJournal::LedgerKeptMs;

// Whether a lane or route caps its daily spend.
bool capsSpend(const Config &config)
{
    const auto capped = [](const auto &settings) { return settings.budgetUsdPerDay > 0; };
    return std::any_of(config.lanes.cbegin(), config.lanes.cend(), capped)
        || std::any_of(config.routes.cbegin(), config.routes.cend(), capped);
}

// What the listener takes from a config.
ListenerLimits listenerLimits(const Config &config)
{
    ListenerLimits limits;
    limits.maxHeadBytes = config.limits.maxHeadBytes;
    limits.maxBodyBytes = config.maxRequestBytes;
    limits.readTimeoutMs = config.limits.clientReadTimeoutMs;
    limits.idleTimeoutMs = config.limits.clientIdleTimeoutMs;
    return limits;
}

} // namespace

Engine::Engine(const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_clock(clock)
    , m_routes(clock,
          [this](const StateEvent &event) {
              // A breaker a request moved on an I/O thread: told on this thread, in its turn.
              // One moved here is told at once, after what the I/O threads told before it.
              if (QThread::currentThread() == thread()) {
                  m_inbox.takeUp();
                  onStateEvent(event);
              } else
                  m_inbox.post([this, event] {
                      const StateLock::Held held = StateLock::hold(&m_stateLock);
                      onStateEvent(event);
                  });
          })
    , m_keys(clock)
    , m_secrets(new SecretResolver(this))
    , m_journal(new GatewayJournal(clock, this))
    , m_publisher(new SnapshotPublisher(
          clock, [this] { return routeSnapshots(); }, [this] { return providerSnapshots(); }, this))
    , m_maintenance(this)
    , m_captures(new BodyCaptures(this))
{
    // Installed at once even with applies pending: one of them may yet be refused.
    connect(m_secrets, &SecretResolver::lateAnswerChanged, this, [this](const QString &name) {
        if (m_active && SecretResolver::keychainNamesOf(m_active->config).contains(name)) {
            const Config running = m_active->config; // install() replaces what it points into
            install(running);
        }
    });
    m_services.clock = &m_clock;
    m_services.routes = &m_routes;
    m_services.keys = &m_keys;
    m_services.ledger = &m_journal->ledger();
    m_services.redactor = &m_redactor;
    m_services.activeConfig = [this] { return m_active; };
    m_services.recordTrace = [this](const TraceRecord &trace) { recordTrace(trace); };
    m_services.recordRefusal = [this](const TraceRecord &trace) { recordRefusal(trace); };
    m_services.recordBodies
        = [this](UnredactedCapture &&capture) { m_captures->record(std::move(capture)); };
    connect(
        m_journal, &GatewayJournal::storageProblemChanged, this, &Engine::storageProblemChanged);
    connect(m_publisher, &SnapshotPublisher::routesUpdated, this, &Engine::routesUpdated);
    connect(m_publisher, &SnapshotPublisher::providersUpdated, this, &Engine::providersUpdated);
    connect(m_publisher, &SnapshotPublisher::tracesAdded, this, &Engine::tracesAdded);
    connect(m_publisher, &SnapshotPublisher::costAdded, this, &Engine::costAdded);
    connect(m_publisher, &SnapshotPublisher::historyPublished, this, &Engine::historyPublished);
    qRegisterMetaType<Switchyard::Config>();
    qRegisterMetaType<Switchyard::TraceRecord>();
    qRegisterMetaType<Switchyard::StateEvent>();
    qRegisterMetaType<Switchyard::RouteSnapshot>();
    qRegisterMetaType<QList<Switchyard::RouteSnapshot>>();
    qRegisterMetaType<Switchyard::RouteCommand>();
    qRegisterMetaType<Switchyard::DrillFault>();
    qRegisterMetaType<QList<Switchyard::TraceRecord>>();
    qRegisterMetaType<Switchyard::CostPoint>();
    qRegisterMetaType<QList<Switchyard::CostPoint>>();
    qRegisterMetaType<Switchyard::ProviderSnapshot>();
    qRegisterMetaType<Switchyard::FleetStatus>();
    qRegisterMetaType<QList<Switchyard::ProviderSnapshot>>();
    m_maintenance.setInterval(MaintenanceIntervalMs);
    connect(&m_maintenance, &QTimer::timeout, this, &Engine::maintain);
    GatewayControl &control = *this; // a private base, seen from here only
    m_front = std::make_unique<ClientFront>(
        control, this, m_inbox, [this](AdminEvents *events) { connectAdminEvents(events); });
}

Engine::~Engine()
{
    // Its requests use everything below; what the I/O threads' last ones handed over is taken up
    // while it is whole.
    m_front->stop();
    delete m_fleet; // it works on the routes and the ledger
    // Before the services they were handed (members, gone before QObject deletes children).
    m_front.reset();
    m_checks.reset();
    delete m_traffic;
    delete m_upstreams;
}

bool Engine::event(QEvent *event)
{
    // Whatever the I/O threads handed over before this call was queued comes first, as it would
    // if every trace woke the engine: an admin read right after a request's answer finds it.
    if (event->type() == QEvent::MetaCall)
        m_inbox.takeUpBetweenEvents();
    return QObject::event(event);
}

void Engine::install(const Config &config)
{
    auto active = std::make_shared<ActiveConfig>();
    active->config = config;
    // Simulated providers are answered in-process; they get their address here.
    QHash<QString, SimulationSettings> simulations;
    for (ProviderConfig &provider : active->config.providers) {
        if (provider.kind != QLatin1String("simulated"))
            continue;
        if (!m_simulated) {
            m_simulated = new SimulatedUpstream(m_clock, this);
            if (!m_simulated->listen())
                qCWarning(lcEngine) << "the simulated upstream cannot listen on 127.0.0.1";
        }
        provider.baseUrl = m_simulated->baseUrlFor(provider.name);
        simulations.insert(provider.name, provider.simulation);
    }
    if (m_simulated) {
        m_simulated->setProviders(simulations);
        // Whatever the gateway forwards, with room for what it adds (a model name, usage).
        ListenerLimits limits = listenerLimits(config);
        limits.maxBodyBytes += 64 * 1024;
        m_simulated->setLimits(limits);
    }
    m_secrets->resolveKeys(active.get());
    // Routing state survives a reload for routes that still exist; their settings follow the
    // config. A removed route's state stays while requests of the old config still use it.
    m_routes.configure(config);
    m_keys.configure(config);
    // A new key deserves a fresh verdict: forget the 401s, the cooldowns and the failed test of
    // the old one.
    const auto valuesOf = [](const ResolvedKeys &keys) {
        QList<QByteArray> values;
        for (const ResolvedKey &key : keys.keys)
            values.append(key.secret.value);
        return values;
    };
    for (auto keys = active->providerKeys.cbegin(); keys != active->providerKeys.cend(); ++keys) {
        const ResolvedKeys before
            = m_active ? m_active->providerKeys.value(keys.key()) : ResolvedKeys {};
        if (m_active && valuesOf(before) == valuesOf(*keys))
            continue;
        m_providers.forgetTest(keys.key());
        m_routes.forgetMisconfiguration(keys.key());
        // Of a pool, only the keys whose value changed start afresh: the others' rests and
        // rejections still hold.
        for (const ResolvedKey &key : keys->keys) {
            const ResolvedKey *old = before.find(key.label);
            if (!old || old->secret.value != key.secret.value)
                m_keys.forget(keys.key(), key.label);
        }
    }
    QList<QByteArray> secrets;
    for (const ResolvedKeys &keys : std::as_const(active->providerKeys))
        secrets.append(valuesOf(keys));
    active->anyKeyPool = std::any_of(active->providerKeys.cbegin(), active->providerKeys.cend(),
        [](const ResolvedKeys &keys) { return keys.pooled(); });
    secrets.append(active->adminToken.value);
    configureAlerts(config, &secrets);
    configureTelemetry(config, active.get(), &secrets);
    m_redactor.setSecrets(secrets);
    for (const QString &pattern : config.capture.redactPatterns)
        active->captureRedactions.append(QRegularExpression(pattern));
    m_captures->configure(config.capture, journalPath());
    if (m_front->isListening()) {
        m_front->setLimits(listenerLimits(config));
        refreshTls(config);
        if (config.effectiveWorkers() != m_front->threadCount())
            qCWarning(lcEngine) << "workers: another number of I/O threads takes a restart of "
                                   "the gateway";
    }
    m_journal->setRetention(TraceRetention { qint64(config.traceRetentionHours) * 3600 * 1000,
        config.traceMaxCount, config.traceSuccessSampleRatio });
    m_active = std::move(active);
    m_spendCapped = capsSpend(m_active->config);
    if (m_port != 0)
        configureFleet(m_active->config);
}

void Engine::configureAlerts(const Config &config, QList<QByteArray> *secrets)
{
    QUrl target;
    if (config.alerts.enabled()) {
        const ResolvedSecret webhook = m_secrets->resolve(config.alerts.webhook);
        // Its token is in the URL: never in a trace or a log, however it was stored.
        const QByteArray url = webhook.value.trimmed();
        secrets->append(webhook.value);
        secrets->append(url);
        target = QUrl(QString::fromUtf8(url), QUrl::StrictMode);
        const QString refusal = webhook.ok ? AlertWebhook::refusalOf(target) : webhook.error;
        if (!refusal.isEmpty()) {
            qCWarning(lcEngine).noquote() << "alerts.webhook" << config.alerts.webhook.describe()
                                          << refusal << "- no alert is sent";
            target.clear();
        }
    }
    if (!m_alerts)
        m_alerts = new AlertWebhook(this); // on this thread, with its network access
    m_alerts->configure(target, config.alerts.on,
        config.cluster.instance.isEmpty() ? config.listenAddress() : config.cluster.instance);
}

void Engine::configureTelemetry(
    const Config &config, ActiveConfig *active, QList<QByteArray> *secrets)
{
    QList<QByteArray> headerValues;
    for (const auto &[name, ref] : config.telemetry.headers) {
        const ResolvedSecret value = m_secrets->resolve(ref);
        if (!value.ok)
            qCWarning(lcEngine).noquote()
                << QStringLiteral("telemetry.headers.%1: %2; it is not sent")
                       .arg(name, value.error);
        headerValues.append(value.value);
        secrets->append(value.value);
    }
    QString error;
    OtlpExporter::Settings settings = OtlpExporter::settingsFrom(
        config.telemetry, headerValues, QProcessEnvironment::systemEnvironment(), &error);
    if (!error.isEmpty())
        qCWarning(lcEngine).noquote() << error;
    // Headers from the environment may carry a token too.
    for (const auto &[name, value] : std::as_const(settings.headers))
        secrets->append(value);
    settings.serviceInstance
        = config.cluster.instance.isEmpty() ? config.listenAddress() : config.cluster.instance;
    if (!m_telemetry)
        m_telemetry = new OtlpExporter(this); // on this thread, with its network access
    m_telemetry->configure(settings);
    active->tracing = settings.enabled();
    active->sampleRatio = settings.sampleRatio;
}

void Engine::refreshTls(const Config &config)
{
    // Plain or HTTPS is chosen when the listener starts; a reload takes up a renewed certificate.
    if (config.tls.enabled() != m_servesTls) {
        qCWarning(lcEngine) << "tls: turning HTTPS on or off takes a restart of the gateway";
        return;
    }
    if (!config.tls.enabled())
        return;
    QString error;
    if (const std::optional<QSslConfiguration> tls
        = serverTls(config.tls.certFile, config.tls.keyFile, &error)) {
        m_front->setTls(*tls);
        m_captures->setListener(m_active ? m_active->config.listenHost : config.listenHost, m_port,
            { tls->localCertificate() }); // a replay trusts the renewed one
    } else
        qCWarning(lcEngine).noquote() << error << "- the certificate in use stays";
}

void Engine::configureFleet(const Config &config)
{
    if (m_fleet && m_fleet->settings() == config.cluster)
        return;
    const bool had = m_fleet;
    delete m_fleet;
    m_fleet = nullptr;
    m_journal->ledger().setFleetSpend(-1, {}); // the old fleet's spend no longer counts
    if (!config.cluster.enabled()) {
        if (had)
            Q_EMIT fleetUpdated(FleetStatus());
        return;
    }
    m_fleet = new FleetSync(
        config.cluster, config.listenAddress(), m_routes, m_journal->ledger(), this);
    m_fleet->setReporter([this] { return ownFleetReport(); });
    connect(
        m_fleet, &FleetSync::connectionChanged, this, [this](bool connected, const QString &why) {
            recordFleetEvent(connected
                    ? QStringLiteral("Sharing the fleet's state through Redis as instance %1")
                          .arg(m_fleet->instance())
                    : QStringLiteral("Redis is unreachable (%1): this instance serves on its own "
                                     "state until it is back")
                          .arg(why));
        });
    connect(
        m_fleet, &FleetSync::statusChanged, this, [this] { Q_EMIT fleetUpdated(fleetStatus()); });
    connect(m_fleet, &FleetSync::problemFound, this, [this](const QString &problem) {
        qCWarning(lcEngine).noquote() << problem;
        recordFleetEvent(problem);
    });
    connect(m_fleet, &FleetSync::actionAnswered, this,
        [this](const QString &instance, const QString &route, const QString &action, bool applied,
            const QString &error) {
            recordFleetEvent(applied
                    ? QStringLiteral("%1 of %2 applied on instance %3").arg(action, route, instance)
                    : QStringLiteral("%1 of %2 not applied on instance %3: %4")
                          .arg(action, route, instance, error));
        });
    m_fleet->start();
}

void Engine::start(const Config &config, const QString &listenOverride)
{
    if (queuedToOwnThread(this, [this, config, listenOverride] { start(config, listenOverride); }))
        return;
    Config effective = config;
    if (!listenOverride.isEmpty()
        && !parseListenAddress(listenOverride, &effective.listenHost, &effective.listenPort)) {
        Q_EMIT startFailed(QStringLiteral("--listen %1: must be HOST:PORT").arg(listenOverride));
        return;
    }
    if (effective.exposesAdminWithoutToken()) {
        Q_EMIT startFailed(
            QStringLiteral("refusing to listen on %1 without an admin_token: a non-loopback "
                           "listener needs one")
                .arg(effective.listenAddress()));
        return;
    }
    m_starting = true; // applies asked for meanwhile wait for listen()
    if (m_dataDirectory.isEmpty())
        m_dataDirectory = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    m_journal->open(journalPath(), [this, effective] {
        m_secrets->whenRead(effective, false, [this, effective] { listen(effective); });
    });
}

void Engine::listen(Config effective)
{
    install(effective);
    if (!m_upstreams) {
        m_upstreams = new UpstreamPool(this);
        m_services.upstreams = m_upstreams;
    }
    if (!m_checks)
        m_checks = std::make_unique<HealthChecks>(*m_upstreams, m_redactor, m_clock, m_routes,
            m_keys, m_providers, [this] { return m_active; });
    std::optional<QSslConfiguration> tls;
    if (effective.tls.enabled()) {
        QString error;
        tls = serverTls(effective.tls.certFile, effective.tls.keyFile, &error);
        if (!tls) {
            Q_EMIT startFailed(error);
            finishStarting();
            return;
        }
    }
    const QHostAddress address = effective.listenHost == QLatin1String("localhost")
        ? QHostAddress(QHostAddress::LocalHost)
        : QHostAddress(effective.listenHost);
    QString why;
    m_port = m_front->listen(effective.effectiveWorkers(), address, effective.listenPort, tls,
        listenerLimits(m_active->config), m_services, ioThreadServices(), &m_stateLock, &why);
    if (m_port == 0) {
        Q_EMIT startFailed(
            QStringLiteral("cannot listen on %1 (%2)").arg(effective.listenAddress(), why));
        finishStarting();
        return;
    }
    m_servesTls = tls.has_value();
    effective.listenPort = m_port;
    m_captures->setListener(effective.listenHost, m_port,
        effective.tls.enabled() ? QSslCertificate::fromPath(effective.tls.certFile).mid(0, 1)
                                : QList<QSslCertificate>());
    // The running config records where it really listens (an ephemeral port included).
    auto active = std::make_shared<ActiveConfig>(*m_active);
    active->config.listenPort = m_port;
    m_active = std::move(active);
    m_maintenance.start();
    configureFleet(m_active->config);
    qCInfo(lcEngine).noquote() << "listening on" << effective.listenAddress();
    Q_EMIT started(effective.listenAddress());
    finishStarting();
}

GatewayServices Engine::ioThreadServices()
{
    GatewayServices services = m_services;
    services.stateLock = &m_stateLock;
    services.upstreams = nullptr; // each thread has its own
    services.activeConfig = [this] {
        const StateLock::Held held = StateLock::hold(&m_stateLock);
        return m_active;
    };
    // What a request hands over is taken up on this thread, in its turn.
    services.recordTrace = [this](const TraceRecord &trace) {
        const bool capped = m_spendCapped && trace.costUsd > 0; // fallback spend is part of it
        m_inbox.post([this, trace] { recordTrace(trace); }, capped);
    };
    services.recordRefusal = [this](const TraceRecord &trace) {
        m_inbox.post([this, trace] { recordRefusal(trace); });
    };
    services.recordBodies = [this](UnredactedCapture &&capture) {
        auto handed = std::make_shared<UnredactedCapture>(std::move(capture));
        // The capture carries its own redactor: nothing shared is read on its way to the store.
        m_inbox.post([this, handed] { m_captures->record(std::move(*handed)); });
    };
    return services;
}

void Engine::connectAdminEvents(AdminEvents *events)
{
    connect(this, &Engine::routeStateChanged, events, &AdminEvents::publishStateEvent);
    connect(this, &Engine::storageProblemChanged, events, &AdminEvents::publishStorageProblem);
    connect(this, &Engine::fleetUpdated, events, &AdminEvents::publishFleet);
    connect(m_publisher, &SnapshotPublisher::routesUpdated, events, &AdminEvents::publishRoutes);
    connect(
        m_publisher, &SnapshotPublisher::providersUpdated, events, &AdminEvents::publishProviders);
}

void Engine::finishStarting()
{
    m_starting = false;
    for (const std::function<void()> &apply : std::exchange(m_afterStart, {}))
        apply();
}

void Engine::applyConfig(const Config &config)
{
    if (queuedToOwnThread(this, [this, config] { applyConfig(config); }))
        return;
    applyConfig(config, [this](const QString &error) {
        if (!error.isEmpty())
            Q_EMIT commandFailed(error);
    });
}

void Engine::applyConfig(const Config &config, quint64 ticket)
{
    if (queuedToOwnThread(this, [this, config, ticket] { applyConfig(config, ticket); }))
        return;
    applyConfig(
        config, [this, ticket](const QString &error) { Q_EMIT configAnswered(ticket, error); });
}

void Engine::applyConfig(const Config &config, std::function<void(const QString &error)> done)
{
    if (m_starting) { // after the start's own config, never before it
        m_afterStart.push_back([this, config, done = std::move(done)]() mutable {
            applyConfig(config, std::move(done));
        });
        return;
    }
    m_secrets->whenRead(config, false, [this, config, done = std::move(done)] {
        Config effective = config;
        // The listener stays where it is; moving it is a restart, not a reload. Read now, not
        // when the apply was asked for: a start may still have been reading keys then.
        if (m_active) {
            effective.listenHost = m_active->config.listenHost;
            effective.listenPort = m_active->config.listenPort;
        }
        if (effective.exposesAdminWithoutToken()) {
            const QString error = QStringLiteral(
                "configuration not applied: the gateway listens on %1, beyond loopback, so it "
                "needs an admin_token")
                                      .arg(effective.listenAddress());
            qCWarning(lcEngine).noquote() << error;
            done(error);
            return;
        }
        install(effective);
        qCInfo(lcEngine) << "configuration applied";
        done(QString());
        Q_EMIT configApplied();
    });
}

void Engine::setConfigKeeper(bool kept)
{
    if (queuedToOwnThread(this, [this, kept] { setConfigKeeper(kept); }))
        return;
    m_configKept = kept;
}

void Engine::proposeConfig(const QJsonObject &json, const Config &config, ConfigAnswered done)
{
    if (m_configKept) {
        const quint64 ticket = ++m_lastProposal;
        m_proposals.insert(ticket, std::move(done));
        Q_EMIT configProposed(json, ticket);
        return;
    }
    // Nobody keeps a file (an engine on its own, as in some tests): it runs, unsaved.
    applyConfig(config, [this, done = std::move(done)](const QString &error) {
        if (error.isEmpty())
            recordConfigEvent(QStringLiteral("Applied a configuration from the admin API"), true);
        done(ConfigAnswer { error, false, QString() });
    });
}

void Engine::answerProposal(quint64 ticket, const ConfigAnswer &answer)
{
    if (queuedToOwnThread(this, [this, ticket, answer] { answerProposal(ticket, answer); }))
        return;
    if (const ConfigAnswered done = m_proposals.take(ticket))
        done(answer);
}

void Engine::recordConfigEvent(const QString &what, bool byOperator)
{
    if (queuedToOwnThread(this, [this, what, byOperator] { recordConfigEvent(what, byOperator); }))
        return;
    recordNonRouteEvent(StateEvent::Kind::Config, what, byOperator);
}

void Engine::recordFleetEvent(const QString &what)
{
    recordNonRouteEvent(StateEvent::Kind::Fleet, what, false);
}

void Engine::recordNonRouteEvent(StateEvent::Kind kind, const QString &what, bool byOperator)
{
    StateEvent event;
    event.time = QDateTime::currentDateTimeUtc();
    event.kind = kind;
    event.reason = what;
    event.byOperator = byOperator;
    qCInfo(lcEngine).noquote() << QStringLiteral("%1 by=%2 \"%3\"")
                                      .arg(event.kindName(),
                                          byOperator ? QStringLiteral("operator")
                                                     : QStringLiteral("automatic"),
                                          what);
    m_journal->recordEvent(event);
    Q_EMIT routeStateChanged(event);
}

void Engine::setDataDirectory(const QString &directory)
{
    if (queuedToOwnThread(this, [this, directory] { setDataDirectory(directory); }))
        return;
    m_dataDirectory = directory;
    m_secrets->setDataDirectory(directory);
}

void Engine::useJournal(const QString &fileName)
{
    if (queuedToOwnThread(this, [this, fileName] { useJournal(fileName); }))
        return;
    if (fileName == m_journalName)
        return;
    m_journalName = fileName;
    if (!m_journal->isOpen())
        return; // start() opens it
    // Said and republished in one step of this thread: no batch of news can fall between the
    // console's clearing and the new file's history, to be shown twice.
    m_captures->configure(m_active->config.capture, journalPath());
    m_journal->open(journalPath(), [this] {
        Q_EMIT journalChanged();
        publishHistory();
    });
}

QString Engine::journalPath() const
{
    const QDir data(m_dataDirectory);
    return m_journalName.isEmpty() ? data.filePath(QStringLiteral("traces.sqlite"))
                                   : data.filePath(QStringLiteral("traces/") + m_journalName);
}

void Engine::setDemoTraffic(double requestsPerSecond)
{
    if (queuedToOwnThread(this, [this, requestsPerSecond] { setDemoTraffic(requestsPerSecond); }))
        return;
    if (!m_traffic && m_port != 0 && m_active)
        m_traffic = new TrafficGenerator(m_port, m_active->config.lanes.keys(), this);
    if (m_traffic)
        m_traffic->start(requestsPerSecond);
}

void Engine::publishHistory()
{
    if (queuedToOwnThread(this, [this] { publishHistory(); }))
        return;
    // The history is as of now: what finishes while it is read is published after it, as news.
    const QList<CostPoint> cost
        = m_journal->ledger().pointsSince(QDateTime::currentMSecsSinceEpoch() - LedgerKeptMs);
    const QList<StateEvent> events = m_journal->recentEvents();
    m_publisher->beginHistory();
    auto publish = [this, cost, events](const QList<TraceRecord> &traces) {
        m_publisher->finishHistory(traces, events, cost);
    };
    m_journal->queryTraces(TraceQuery { 500 }, publish);
}

void Engine::recordRefusal(const TraceRecord &trace)
{
    if (m_journal->sampleRefusal(trace))
        recordTrace(trace);
}

void Engine::recordTrace(const TraceRecord &trace)
{
    // Taken up without the engine's hold on the state (EngineInbox): the journal takes it for
    // the ledger, which the I/O threads' admissions read. The rest is this thread's own.
    const QList<CostPoint> spend = m_journal->recordTrace(trace, &m_stateLock);
    if (m_alerts && m_alerts->isActive() && m_active)
        alertOn(trace);
    m_publisher->addTrace(trace, spend);
    m_front->publishTrace(trace, spend);
    if (m_telemetry && trace.sampled && m_active)
        m_telemetry->add(trace, *m_active);
    Q_EMIT requestFinished(trace);
}

void Engine::alertOn(const TraceRecord &trace)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (trace.degraded)
        m_alerts->laneDegraded(trace.lane, trace.route, now);
    const double cap = m_active->config.lanes.value(trace.lane).budgetUsdPerDay;
    if (cap > 0 && trace.costUsd > 0)
        m_alerts->laneSpend(trace.lane, m_journal->ledger().laneSpendOnDay(trace.lane, now), cap,
            CostLedger::utcDayStart(now), now);
}

FleetStatus Engine::fleetStatus() const
{
    if (!m_fleet)
        return {};
    return { true, m_fleet->instance(), m_fleet->isConnected(), m_fleet->problem(),
        m_fleet->liveInstances(), m_fleet->members() };
}

FleetMember Engine::ownFleetReport() const
{
    FleetMember report;
    const QList<RouteSnapshot> routes = routeSnapshots();
    for (const RouteSnapshot &route : routes)
        report.routeStates.insert(route.name, route.state);
    if (m_active)
        report.lanesWithoutRoute = readinessOf(m_active->config, routes).lanesWithoutRoute;
    const CostLedger::DayTotals today
        = m_journal->ledger().ownSpendOnDay(QDateTime::currentMSecsSinceEpoch());
    for (double usd : today.byRoute)
        report.spentTodayUsd += usd;
    return report;
}

QList<ProviderSnapshot> Engine::providerSnapshots() const
{
    return m_active ? m_providers.snapshots(*m_active, m_routes, m_keys)
                    : QList<ProviderSnapshot>();
}

void Engine::readHistory(
    std::function<void()> taken, std::function<void(const History &history)> done)
{
    // As of now, like publishHistory(): the spend and events are taken here, so what finishes
    // while the traces are read is news, never counted twice.
    History history;
    history.cost
        = m_journal->ledger().pointsSince(QDateTime::currentMSecsSinceEpoch() - LedgerKeptMs);
    history.events = m_journal->recentEvents();
    history.routes = routeSnapshots();
    history.providers = providerSnapshots();
    history.fleet = fleetStatus();
    if (taken)
        taken();
    m_journal->queryTraces(TraceQuery { 500 },
        [history, done = std::move(done)](const QList<TraceRecord> &traces) mutable {
            history.traces = traces;
            std::reverse(history.traces.begin(), history.traces.end()); // oldest first
            done(history);
        });
}

QByteArray Engine::metricsText() const
{
    // As of the last maintenance tick (a tenth of a second at most): a scrape changes nothing.
    QList<QPair<QString, int>> states;
    if (m_active) {
        for (const RouteConfig &route : m_active->config.routes) {
            if (const RouteState *state = m_routes.find(route.name))
                states.append({ route.name, int(state->breaker.state()) });
        }
    }
    QByteArray text = m_journal->metricsText(states);
    if (m_telemetry && m_telemetry->settings().enabled())
        text += m_telemetry->metricsText();
    if (m_active && m_active->config.capture.enabled())
        text += "# HELP switchyard_captures_dropped_total Request bodies not kept because too many "
                "waited to be written (capture).\n"
                "# TYPE switchyard_captures_dropped_total counter\n"
                "switchyard_captures_dropped_total "
            + QByteArray::number(m_captures->dropped()) + "\n";
    text += m_front->metricsText();
    if (m_fleet)
        text += "# HELP switchyard_fleet_connected 1 while the fleet's state is shared through "
                "Redis, 0 while this instance serves on its own state.\n"
                "# TYPE switchyard_fleet_connected gauge\n"
                "switchyard_fleet_connected "
            + QByteArray(m_fleet->isConnected() ? "1" : "0") + "\n";
    return text;
}

void Engine::readState(StateRead done)
{
    done({ routeSnapshots(), m_journal->recentEvents(), fleetStatus() });
}

void Engine::queryTraces(const TraceQuery &query, TracesRead done)
{
    m_journal->queryTraces(query, std::move(done));
}

void Engine::findTrace(const QString &id, TraceFound done)
{
    if (queuedToOwnThread(this, [this, id, done] { findTrace(id, done); }))
        return;
    m_journal->findTrace(id, std::move(done));
}

void Engine::readBodies(const QString &traceId, BodiesRead done)
{
    if (queuedToOwnThread(this, [this, traceId, done] { readBodies(traceId, done); }))
        return;
    m_captures->read(traceId, std::move(done));
}

void Engine::replay(const QString &traceId, const QString &route, Replayed done)
{
    if (queuedToOwnThread(this, [this, traceId, route, done] { replay(traceId, route, done); }))
        return;
    m_captures->replay(traceId, route, std::move(done));
}

void Engine::readIncident(qint64 fromMs, qint64 toMs, IncidentRead done)
{
    if (queuedToOwnThread(this, [this, fromMs, toMs, done] { readIncident(fromMs, toMs, done); }))
        return;
    const auto [defaultFrom, defaultTo] = IncidentReport::defaultRange(
        m_journal->recentEvents(), QDateTime::currentMSecsSinceEpoch());
    const qint64 to = toMs < 0 ? defaultTo : toMs;
    // Only `to` given, before the default start: from the hour before it.
    const qint64 from = fromMs >= 0 ? fromMs : defaultFrom <= to ? defaultFrom : to - 3600 * 1000;
    m_journal->readIncident(qMin(from, to), to, m_active->config, std::move(done));
}

void Engine::stop()
{
    // No client is served from here on, and what the requests handed over is in the journal
    // before it is flushed.
    m_front->stop();
    // A stopped gateway neither advertises itself to the fleet nor acts on its messages.
    delete m_fleet;
    m_fleet = nullptr;
    m_maintenance.stop();
    if (m_traffic)
        m_traffic->stop();
    m_journal->flush();
    m_captures->flush();
    m_port = 0;
}

void Engine::drain(const QString &route)
{
    submit(RouteCommand { route, RouteCommand::Action::Drain });
}

void Engine::restore(const QString &route, bool staged)
{
    submit(RouteCommand {
        route, staged ? RouteCommand::Action::RestoreStaged : RouteCommand::Action::Restore });
}

void Engine::stageRecovery(const QString &route)
{
    submit(RouteCommand { route, RouteCommand::Action::StageRecovery });
}

void Engine::probeNow(const QString &route)
{
    submit(RouteCommand { route, RouteCommand::Action::ProbeNow });
}

void Engine::drill(const QString &route, DrillFault fault, int seconds)
{
    submit(RouteCommand { route, RouteCommand::Action::Drill, fault, seconds });
}

void Engine::submit(const RouteCommand &command)
{
    if (queuedToOwnThread(this, [this, command] { submit(command); }))
        return;
    QString error;
    if (!execute(command, &error))
        Q_EMIT commandFailed(error);
}

void Engine::runCommand(const RouteCommand &command, CommandDone done)
{
    QString error;
    if (execute(command, &error))
        done(QString());
    else
        done(error.isEmpty() ? QStringLiteral("The command was refused.") : error);
}

bool Engine::execute(const RouteCommand &command, QString *error)
{
    // The registry knows the running config's routes and answers for them.
    if (command.action != RouteCommand::Action::ProbeNow) {
        if (!m_routes.execute(command, error))
            return false;
        if (m_fleet)
            m_fleet->shareCommand(command); // the fleet's other instances act alike
        return true;
    }
    if (!m_active || !m_active->config.routes.contains(command.route)) {
        *error = QStringLiteral("There is no route '%1'.").arg(command.route);
        return false;
    }
    if (!m_checks) {
        *error = QStringLiteral("The gateway is not serving yet: nothing can be probed.");
        return false;
    }
    if (m_checks->probe(command.route)) {
        m_routes.markChanged();
        return true;
    }
    *error = m_routes.state(command.route).lastProbeResult;
    return false;
}

void Engine::onStateEvent(const StateEvent &event)
{
    qCInfo(lcRouting).noquote() << QStringLiteral(
        "state route=%1 from=%2 to=%3 by=%4 reason=\"%5\"")
                                       .arg(event.route, breakerStateName(event.from),
                                           breakerStateName(event.to),
                                           event.byOperator ? QStringLiteral("operator")
                                                            : QStringLiteral("automatic"),
                                           event.reason);
    m_journal->recordEvent(event);
    m_routes.markChanged();
    if (m_fleet)
        m_fleet->noteStateEvent(event);
    if (m_alerts && m_alerts->isActive() && event.isRoute() && m_active) {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        // An opening honoured from another instance was alerted there.
        const bool fromFleet = m_fleet && m_fleet->isApplyingRemote();
        if (event.to == BreakerState::Open && !event.byOperator && !fromFleet)
            m_alerts->breakerOpened(event.route, event.reason, now);
        m_alerts->lanesWithoutRoute(
            readinessOf(m_active->config, routeSnapshots()).lanesWithoutRoute, now);
    }
    Q_EMIT routeStateChanged(event);
}

QList<RouteSnapshot> Engine::routeSnapshots() const
{
    return m_active ? m_routes.snapshots(*m_active) : QList<RouteSnapshot>();
}

void Engine::maintain()
{
    if (!m_active)
        return;
    const bool counting = m_routes.advance();
    if (m_checks)
        m_checks->probeDue();
    m_routes.dropUnused();
    if (m_publisher->tick(m_routes.changed(), counting))
        m_routes.clearChanged();
    // A key's cooldown counts down in whole seconds: publishProviders sends only what differs.
    if (m_keys.changed() || m_keys.anyCooling()) {
        m_keys.clearChanged();
        m_publisher->publishProviders();
    }
    m_journal->prune(QDateTime::currentMSecsSinceEpoch());
}

void Engine::setSecretStore(std::shared_ptr<SecretStore> store)
{
    if (queuedToOwnThread(this, [this, store] { setSecretStore(store); }))
        return;
    m_secrets->setStore(std::move(store));
}

void Engine::reloadSecrets()
{
    if (queuedToOwnThread(this, [this] { reloadSecrets(); }))
        return;
    if (!m_active)
        return; // the start under way reads them anyway
    // A changed key is a small reload: the same config with its keys read again. A read already
    // out may have started before the change, so a new one is sent whatever.
    m_secrets->whenRead(m_active->config, true, [this] {
        const Config running = m_active->config; // install() replaces what it points into
        install(running);
    });
}

void Engine::setKeychainPatience(int milliseconds)
{
    if (queuedToOwnThread(this, [this, milliseconds] { setKeychainPatience(milliseconds); }))
        return;
    m_secrets->setPatience(milliseconds);
}

void Engine::testProvider(const QString &provider)
{
    if (queuedToOwnThread(this, [this, provider] { testProvider(provider); }))
        return;
    const bool testing
        = m_checks && m_checks->testProvider(provider, [this] { m_publisher->publishProviders(); });
    if (!testing)
        Q_EMIT commandFailed(QStringLiteral("There is no provider '%1'.").arg(provider));
}

} // namespace Switchyard
