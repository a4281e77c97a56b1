#pragma once

#include "cluster/fleetstatus.h"
#include "cluster/redisclient.h"
#include "config/config.h"
#include "routing/breaker.h"
#include "routing/routecommand.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <QTimer>

#include <deque>
#include <functional>

namespace Switchyard {

class CostLedger;
class RouteRegistry;

// This gateway's part in a fleet that shares state through Redis (issue 18), on the engine's
// thread. What it shares: operator actions (drain, restore, staged restore, stage recovery)
// reach every instance at once; a breaker that opens here stays open on the others for its
// cooldown (each then probes and recovers from its own results); each instance's spend of the
// day, so the others' caps count it; and a heartbeat, so each knows who is alive. Nothing in the
// request path waits on Redis: when it is unreachable every instance serves on its own state,
// says so, and catches up when Redis is back — its operator actions of meanwhile first.
class FleetSync final : public QObject {
    Q_OBJECT
public:
    FleetSync(const ClusterSettings &settings, const QString &listenAddress, RouteRegistry &routes,
        CostLedger &ledger, QObject *parent = nullptr);
    ~FleetSync() override;

    void start();
    const ClusterSettings &settings() const { return m_settings; }
    QString instance() const { return m_instance; }
    bool isConnected() const { return m_redis.isConnected(); }
    QString problem() const { return m_problem; }
    // The instances whose heartbeat is recent, this one included, by name.
    QStringList liveInstances() const { return m_live; }
    // Every instance heard from lately, as each described itself; this one first, as it is now.
    QList<FleetMember> members() const;

    // What this instance says of itself in each heartbeat (its routes, its readiness, its spend).
    using Reporter = std::function<FleetMember()>;
    void setReporter(Reporter reporter) { m_reporter = std::move(reporter); }

    // An operator acted here: the fleet hears of it.
    void shareCommand(const Switchyard::RouteCommand &command);
    // A route's state changed here: an automatic opening is shared for its cooldown.
    void noteStateEvent(const Switchyard::StateEvent &event);
    // Whether what happens now is another instance's doing (an action or an opening it shared).
    bool isApplyingRemote() const { return m_applyingRemote; }
    // The channel other instances publish on, for this config's database.
    QByteArray channel() const;

Q_SIGNALS:
    // Redis became unreachable (`why`) or reachable again.
    void connectionChanged(bool connected, const QString &why);
    // Connected or not, or the live instances changed.
    void statusChanged();
    // Something about the fleet an operator must fix (a name used twice).
    void problemFound(const QString &problem);
    // Another instance applied (or could not apply) an operator action taken here.
    void actionAnswered(const QString &instance, const QString &route, const QString &action,
        bool applied, const QString &error);

private:
    void onConnectionChanged(bool connected, const QString &why);
    void onMessage(const QByteArray &channel, const QByteArray &message);
    void publish(QJsonObject message);
    void sendAction(const RouteCommand &command);
    void resynchronise();
    // Says this instance is alive and what it is like; `changed`: early, because a route changed.
    void beat(bool changed = false);
    void readOthers();
    // This instance as its heartbeat describes it, answers to operator actions aside.
    FleetMember ownMember() const;
    void shareSpend();
    void readMembers(const RedisValue &seen, qint64 now);
    void noteAnswer(const QString &instance, const QString &answer, bool pending);
    bool applyRemote(const RouteCommand &command, QString *error);
    void honourOpen(const QString &route, qint64 cooldownMs, const QString &from);
    QByteArray key(const QString &suffix) const;

    ClusterSettings m_settings;
    QString m_instance;
    QString m_address;
    QString m_process; // tells this process from another that has the same instance name
    bool m_twinReported = false;
    RouteRegistry &m_routes;
    CostLedger &m_ledger;
    RedisClient m_redis;
    QTimer m_beat;
    QTimer m_soon; // an early heartbeat after a route changed here
    QTimer m_readSoon; // an early read after a route changed on another instance
    // The fleet's drains and open breakers are read again on the beats after a reconnect (a peer
    // that reconnects later may announce what it did meanwhile before this one listens again),
    // and now and then after that, so that a missed announcement is made up for.
    int m_resyncBeatsLeft = 0;
    int m_beatsSinceResync = 0;
    QStringList m_live;
    Reporter m_reporter;
    QList<FleetMember> m_others; // as read at the latest heartbeat
    bool m_readingMembers = false; // a round of reading the others is out
    FleetMember m_lastSelf; // what the latest heartbeat said of this instance
    // Each instance's answer to the latest action taken here: {text, pending}.
    QHash<QString, std::pair<QString, bool>> m_answers;
    QString m_problem;
    // Operator actions taken while Redis was unreachable, sent when it is back (oldest first).
    std::deque<RouteCommand> m_unsent;
    // While a remote action or opening is applied here: its own events are not shared again.
    bool m_applyingRemote = false;
    // Routes drained here because another instance's operator drained them.
    QSet<QString> m_drainedByFleet;
};

} // namespace Switchyard
