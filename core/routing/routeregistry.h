#pragma once

#include "config/activeconfig.h"
#include "routing/failureclass.h"
#include "routing/routecommand.h"
#include "routing/routesnapshot.h"
#include "routing/routestate.h"

#include <QHash>
#include <QStringList>

#include <functional>
#include <memory>

namespace Switchyard {

// How one attempt on a route ended, for its breaker and figures.
struct SettledAttempt {
    QString route;
    FailureClass failureClass = FailureClass::Ok;
    qint64 durationMs = 0;
    QString reason; // already redacted
    bool trial = false;
    int trialEpoch = -1;
    bool drill = false;
    // A success's time to its first content (a stream's first token, else the whole answer), or
    // how long a hedge race's loser had waited; -1 otherwise.
    qint64 firstContentMs = -1;
    bool stream = false;
    // The provider's key failed (rate-limited or rejected) and another of its keys takes over:
    // no verdict on the route.
    bool keyFailed = false;
};

// The routing state of every route (breaker, retry budget, figures, probe results), kept across
// reloads for the routes that stay. Requests and probes reach a route's state through it; the
// console and /admin see it only as RouteSnapshots. Engine thread only.
class RouteRegistry final {
public:
    RouteRegistry(const Clock &clock, CircuitBreaker::EventSink sink);

    // The state of `route`, made on first use with the running config's settings.
    RouteState &state(const QString &route);
    const RouteState *find(const QString &route) const;

    // An attempt on `route` begins: it is traffic, and in flight until settled.
    void beginAttempt(const QString &route);
    // Its verdict goes to the route's breaker and figures; a drill's only ends its flight (a drill
    // tests the fallbacks, not the route).
    void settleAttempt(const SettledAttempt &attempt);

    // The routes of `config` take its settings. A route it no longer names keeps its state while
    // requests of the old config still use it; dropUnused() removes it afterwards.
    void configure(const Config &config);
    void dropUnused();

    // Brings every breaker's timed states (cooldowns, recovery steps, drills) up to now; true
    // while any route is in a timed state, whose countdown the console shows.
    bool advance();

    // Something a snapshot shows has changed since the last clearChanged().
    void markChanged() { m_changed = true; }
    bool changed() const { return m_changed; }
    void clearChanged() { m_changed = false; }

    // What every route of `active` looks like as of the last advance(); changes nothing.
    QList<RouteSnapshot> snapshots(const ActiveConfig &active) const;
    // The routes of `active` that are due a health probe now (SPEC §7).
    QStringList dueProbes(const ActiveConfig &active) const;
    // Of `routes`: the soonest a rate-limit cooldown ends, in ms from now (-1: none cools down);
    // the soonest an open breaker lets a call through again (at least 1 ms); and the route whose
    // breaker does (empty for no routes).
    qint64 soonestRateLimitEndMs(const QStringList &routes) const;
    qint64 soonestBreakerReopenMs(const QStringList &routes) const;
    QString firstToReopen(const QStringList &routes) const;

    // An operator's command on a route of the running config. A probe is not the registry's to
    // send: ProbeNow is refused here, and the caller sends it.
    bool execute(const RouteCommand &command, QString *error);
    // After a provider's key changed: its routes' 401s said nothing about the new key.
    void forgetMisconfiguration(const QString &provider);

private:
    const Clock &m_clock;
    CircuitBreaker::EventSink m_sink;
    Config m_config;
    QHash<QString, std::shared_ptr<RouteState>> m_states;
    bool m_changed = true;
};

} // namespace Switchyard
