#pragma once

#include "cluster/fleetstatus.h"
#include "config/config.h"
#include "observe/capturedbodies.h"
#include "observe/costledger.h"
#include "observe/trace.h"
#include "observe/tracestore.h"
#include "routing/providersnapshot.h"
#include "routing/routecommand.h"
#include "routing/routesnapshot.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <functional>
#include <optional>

namespace Switchyard {

// What the admin API may ask of the gateway beyond the request path's services: the picture of
// its routes, operator commands, stored traces and config swaps. The engine implements it on its
// own thread, where each answer is given at once; an I/O thread asks through a WorkerControl,
// which brings each answer back to it later and never waits for one, so the thread serves its
// other clients while the engine works out an answer. Every answer may thus come after the call
// returned: a caller keeps what it answers with (a client's response) in the callback.
class GatewayControl {
public:
    virtual ~GatewayControl() = default;

    using RoutesRead = std::function<void(const QList<RouteSnapshot> &routes)>;
    virtual void readRoutes(RoutesRead done) = 0;
    // What GET /admin/state shows of the engine's own: its routes, its recent events, its fleet.
    struct StatePicture {
        QList<RouteSnapshot> routes;
        QList<StateEvent> recentEvents;
        FleetStatus fleet;
    };
    using StateRead = std::function<void(const StatePicture &state)>;
    virtual void readState(StateRead done) = 0;
    // Carries out an operator's command; `done` is told why it was refused, or nothing (an empty
    // text) when it was carried out.
    using CommandDone = std::function<void(const QString &refused)>;
    virtual void runCommand(const RouteCommand &command, CommandDone done) = 0;
    // The Prometheus exposition of GET /metrics.
    using MetricsRead = std::function<void(const QByteArray &text)>;
    virtual void readMetrics(MetricsRead done) = 0;
    // Stored traces are read off the engine thread; the answer comes later, in it.
    using TracesRead = std::function<void(const QList<TraceRecord> &traces)>;
    using TraceFound = std::function<void(const std::optional<TraceRecord> &trace)>;
    virtual void queryTraces(const TraceQuery &query, TracesRead done) = 0;
    virtual void findTrace(const QString &id, TraceFound done) = 0;
    // The incident report of [fromMs, toMs]; a negative bound takes the default range's
    // (IncidentReport::defaultRange over the recent events). Answered later, in the engine thread.
    using IncidentRead = std::function<void(const IncidentReport &report)>;
    virtual void readIncident(qint64 fromMs, qint64 toMs, IncidentRead done) = 0;
    // The bodies kept of a request (capture.bodies), nullopt when none were; answered later, in
    // the engine thread.
    using BodiesRead = std::function<void(const std::optional<CapturedBodies> &bodies)>;
    virtual void readBodies(const QString &traceId, BodiesRead done) = 0;
    // Sends a request's kept body again, pinned to `route`, through the gateway's own listener:
    // a request like any other, with a trace of its own.
    using Replayed = std::function<void(const ReplayResult &result)>;
    virtual void replay(const QString &traceId, const QString &route, Replayed done) = 0;
    using ProvidersRead = std::function<void(const QList<ProviderSnapshot> &providers)>;
    virtual void readProviders(ProvidersRead done) = 0;
    // Tests a provider's key against its models list; the result shows in its snapshot.
    virtual void runProviderTest(const QString &provider) = 0;
    // Reads the keychain entries in use again (after a key was set on the gateway's machine).
    virtual void rereadSecrets() = 0;

    // What a console opened now should show of the recent past: the newest traces (oldest
    // first), the event log, the spend per minute, and the routes and providers as they are.
    struct History {
        QList<TraceRecord> traces;
        QList<StateEvent> events;
        QList<CostPoint> cost;
        QList<RouteSnapshot> routes;
        QList<ProviderSnapshot> providers;
        FleetStatus fleet;
    };
    // The events, spend, routes and providers are taken at once, and `taken` (if set) is called
    // then, in the caller's thread, before anything the engine publishes after that moment reaches
    // it: what was published to the caller before `taken` is in the history, what comes after is
    // news. The traces are read later, off the engine thread, and `done` is called with all of
    // them, in the engine's thread (the caller's, from an I/O thread).
    virtual void readHistory(
        std::function<void()> taken, std::function<void(const History &history)> done)
        = 0;

    // What became of a configuration posted to the admin API.
    struct ConfigAnswer {
        QString refused; // why it does not run (and then nothing changed); empty: it runs
        bool saved = false; // written to the configuration file too
        QString notSaved; // why it runs but was not written, when it was meant to be
    };
    using ConfigAnswered = std::function<void(const ConfigAnswer &answer)>;
    // Runs `config` (parsed from `json`) once its keys are read, and saves `json` where the
    // configuration file is kept.
    virtual void proposeConfig(const QJsonObject &json, const Config &config, ConfigAnswered done)
        = 0;
};

} // namespace Switchyard
