#pragma once

#include "cluster/fleetstatus.h"
#include "config/config.h"
#include "observe/capturedbodies.h"
#include "observe/costledger.h"
#include "observe/incidentreport.h"
#include "observe/trace.h"
#include "routing/breaker.h"
#include "routing/providersnapshot.h"
#include "routing/routecommand.h"
#include "routing/routesnapshot.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QStringList>

#include <functional>
#include <optional>

namespace Switchyard {

// The console's one connection to a gateway, whether the engine runs in this process
// (EmbeddedLink) or the console is attached to one running elsewhere (RemoteLink): what the
// views are shown, as signals carrying value snapshots, and what they may ask, as commands and
// config edits. The views and models take a GatewayLink and never learn which it is. Lives in
// the console's thread.
class GatewayLink : public QObject {
    Q_OBJECT
public:
    // `errors` is empty when the edit runs (and is saved, if the gateway keeps a file).
    using Done = std::function<void(const QStringList &errors)>;

    explicit GatewayLink(QObject *parent = nullptr)
        : QObject(parent)
    {
    }

    // Where the gateway listens, HOST:PORT; empty until it is known.
    virtual QString address() const = 0;
    // The document the next edit builds on (what runs, or an edit still on its way), unknown keys
    // included; and what runs.
    virtual QJsonObject configJson() const = 0;
    virtual const Config &config() const = 0;
    // Where edits are kept, for the views to say so: a file path, the gateway's URL; empty when
    // nothing is saved (the built-in demo).
    virtual QString configLocation() const = 0;
    // Has the gateway validate and run `json`, then save it. `done` is called unless `context`
    // (an object of this thread) is gone by then.
    virtual void proposeConfig(const QJsonObject &json, QObject *context, Done done) = 0;

    // An operator's action on a route; a refusal arrives as commandFailed.
    virtual void submit(const Switchyard::RouteCommand &command) = 0;
    // Calls the provider's models list with its key; the result arrives in providersUpdated.
    virtual void testProvider(const QString &provider) = 0;
    // Has the gateway read the keychain entries in use again.
    virtual void reloadSecrets() = 0;
    // The request with this id (X-Switchyard-Request-Id) from the gateway's trace store, however
    // old; nullopt when there is none. `done` is called unless `context` is gone by then.
    using TraceFound = std::function<void(const std::optional<Switchyard::TraceRecord> &trace)>;
    virtual void findTrace(const QString &id, QObject *context, TraceFound done) = 0;
    // The incident report of [fromMs, toMs] (ms since the epoch; a negative bound: the default
    // range's, from the current or last incident's first breaker opening to now). `done` is
    // called unless `context` is gone by then; an empty error when the report came.
    using IncidentRead
        = std::function<void(const Switchyard::IncidentReport &report, const QString &error)>;
    virtual void readIncident(qint64 fromMs, qint64 toMs, QObject *context, IncidentRead done) = 0;
    // The bodies the gateway kept of the request with this id (capture.bodies): nullopt when it
    // kept none, or with `error` when they could not be read. `done` is called unless `context` is
    // gone by then.
    using BodiesRead = std::function<void(
        const std::optional<Switchyard::CapturedBodies> &bodies, const QString &error)>;
    virtual void readBodies(const QString &traceId, QObject *context, BodiesRead done) = 0;
    // Sends the kept request of trace `traceId` again, pinned to `route`; the answer and the
    // replay's own trace id come back. `done` is called unless `context` is gone by then.
    using Replayed = std::function<void(const Switchyard::ReplayResult &result)>;
    virtual void replay(
        const QString &traceId, const QString &route, QObject *context, Replayed done)
        = 0;
    // Whether a key stored in this user's keychain here is one the gateway can read (it runs in
    // this process, or on this machine): the console then offers to set keys.
    virtual bool readsThisKeychain() const = 0;

    bool isConfigSaved() const { return !configLocation().isEmpty(); }
    void drain(const QString &route);
    void restore(const QString &route, bool staged);
    void stageRecovery(const QString &route);
    void probeNow(const QString &route);
    void drill(const QString &route, Switchyard::DrillFault fault, int seconds);

Q_SIGNALS:
    void addressChanged(const QString &address);
    // What runs now, after an edit, a reload, or a change made elsewhere.
    void configApplied(const Switchyard::Config &config);
    // What runs changed without this console's doing (its file was edited, another operator
    // edited it), or a change of the file was refused and the running config stays.
    void configChangedElsewhere();
    void configReloadRefused(const QString &why);
    // Coalesced: at most a few times a second, however heavy the traffic.
    void routesUpdated(const QList<Switchyard::RouteSnapshot> &routes);
    void tracesAdded(const QList<Switchyard::TraceRecord> &traces);
    void costAdded(const QList<Switchyard::CostPoint> &points);
    // A route's state changed, or the configuration did.
    void eventRecorded(const Switchyard::StateEvent &event);
    void providersUpdated(const QList<Switchyard::ProviderSnapshot> &providers);
    // The gateway's fleet: alone, or with which instances, and whether Redis is reachable.
    void fleetUpdated(const Switchyard::FleetStatus &fleet);
    // Traces cannot be written (a full disk, say); an empty text when they can again.
    void storageProblemChanged(const QString &problem);
    // What a console should show of the recent past; after a reconnection it replaces what was
    // shown before (historyCleared comes first).
    void historyPublished(const QList<Switchyard::TraceRecord> &traces,
        const QList<Switchyard::StateEvent> &events, const QList<Switchyard::CostPoint> &cost);
    void historyCleared();
    void commandFailed(const QString &error);
    // The link to an attached gateway dropped (`connected` false, since when and why) or came
    // back. An embedded gateway is always connected.
    void connectionChanged(bool connected, const QDateTime &since, const QString &why);
};

} // namespace Switchyard
