#include "cluster/fleetsync.h"

#include "observe/costledger.h"
#include "routing/routeregistry.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QHostInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QUuid>
#include <algorithm>
#include <cmath>

Q_DECLARE_LOGGING_CATEGORY(lcRedis)

namespace Switchyard {

namespace {

constexpr int BeatMs = 1000;
// Reads of the fleet's drains and open breakers beyond the one on connecting (see m_resync…).
constexpr int ResyncBeatsAfterReconnect = 5;
constexpr int ResyncEveryBeats = 30;
// A route's state changed: the fleet hears of it this soon rather than at the next heartbeat
// (a burst of changes is one early heartbeat).
constexpr int SoonMs = 100;
// An instance not heard from for this long is no longer counted as alive.
constexpr qint64 AliveMs = 10000;
// An instance that went silent is still shown this long, so an operator sees which one stopped.
constexpr qint64 ShownSilentMs = 10 * 60 * 1000;
// The most other instances one heartbeat reads about: a fleet of a few gateways, with room.
constexpr qsizetype MaxMembersRead = 64;
// A heartbeat larger than this is a broken or hostile peer's, and is not read.
constexpr qsizetype MaxMemberBytes = 256 * 1024;
constexpr qint64 SpendKeptSeconds = 3 * 24 * 3600;
constexpr size_t MaxUnsent = 1000;

QString actionName(RouteCommand::Action action)
{
    switch (action) {
    case RouteCommand::Action::Drain:
        return QStringLiteral("drain");
    case RouteCommand::Action::Restore:
        return QStringLiteral("restore");
    case RouteCommand::Action::RestoreStaged:
        return QStringLiteral("restore_staged");
    case RouteCommand::Action::StageRecovery:
        return QStringLiteral("stage");
    case RouteCommand::Action::ProbeNow:
    case RouteCommand::Action::Drill:
        break;
    }
    return QString();
}

std::optional<RouteCommand::Action> parseAction(const QString &name)
{
    for (RouteCommand::Action action : { RouteCommand::Action::Drain, RouteCommand::Action::Restore,
             RouteCommand::Action::RestoreStaged, RouteCommand::Action::StageRecovery }) {
        if (actionName(action) == name)
            return action;
    }
    return std::nullopt;
}

QByteArray number(double value)
{
    return QByteArray::number(value, 'g', 17);
}

} // namespace

FleetSync::FleetSync(const ClusterSettings &settings, const QString &listenAddress,
    RouteRegistry &routes, CostLedger &ledger, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_instance(settings.instance.isEmpty() ? QStringLiteral("%1:%2").arg(
                     QHostInfo::localHostName(), listenAddress.section(QLatin1Char(':'), -1))
                                             : settings.instance)
    , m_address(listenAddress)
    , m_process(QUuid::createUuid().toString(QUuid::Id128))
    , m_routes(routes)
    , m_ledger(ledger)
    , m_redis(this)
    , m_beat(this)
{
    m_beat.setInterval(BeatMs);
    connect(&m_beat, &QTimer::timeout, this, [this] { beat(); });
    m_soon.setSingleShot(true);
    m_soon.setInterval(SoonMs);
    connect(&m_soon, &QTimer::timeout, this, [this] { beat(true); });
    m_readSoon.setSingleShot(true);
    m_readSoon.setInterval(SoonMs);
    connect(&m_readSoon, &QTimer::timeout, this, &FleetSync::readOthers);
    connect(&m_redis, &RedisClient::connectedChanged, this, &FleetSync::onConnectionChanged);
    connect(&m_redis, &RedisClient::messageReceived, this, &FleetSync::onMessage);
}

FleetSync::~FleetSync() = default;

QByteArray FleetSync::channel() const
{
    // Redis' channels are shared by all its databases; a fleet's is named after its own.
    return "switchyard:" + QByteArray::number(m_settings.redisDatabase) + ":fleet";
}

QByteArray FleetSync::key(const QString &suffix) const
{
    return "switchyard:" + suffix.toUtf8();
}

void FleetSync::start()
{
    m_live = { m_instance };
    Q_EMIT statusChanged();
    m_redis.open(
        m_settings.redisHost, m_settings.redisPort, m_settings.redisDatabase, { channel() });
    m_beat.start();
}

void FleetSync::onConnectionChanged(bool connected, const QString &why)
{
    m_problem = connected ? QString() : why;
    Q_EMIT connectionChanged(connected, why);
    if (!connected) {
        m_readingMembers = false; // its replies will not come
        m_live = { m_instance };
        m_others.clear(); // nothing is known of them until Redis answers again
        Q_EMIT statusChanged();
        return;
    }
    // What this instance's operator did meanwhile goes first; then the fleet's state is read.
    Q_EMIT statusChanged();
    for (const RouteCommand &command : std::exchange(m_unsent, {}))
        sendAction(command);
    resynchronise();
    m_resyncBeatsLeft = ResyncBeatsAfterReconnect;
    m_beatsSinceResync = 0;
    beat();
}

void FleetSync::shareCommand(const RouteCommand &command)
{
    if (m_applyingRemote || !command.fromInstance.isEmpty() || actionName(command.action).isEmpty())
        return;
    if (!m_redis.isConnected()) {
        m_unsent.push_back(command);
        if (m_unsent.size() > MaxUnsent)
            m_unsent.pop_front();
        return;
    }
    sendAction(command);
}

void FleetSync::sendAction(const RouteCommand &command)
{
    const QString action = actionName(command.action);
    // Kept as well as announced: an instance that starts, or comes back, reads the drains.
    if (command.action == RouteCommand::Action::Drain)
        m_redis.command({ "HSET", key(QStringLiteral("drained")), command.route.toUtf8(),
            QJsonDocument(QJsonObject { { QStringLiteral("instance"), m_instance },
                              { QStringLiteral("at"), QDateTime::currentMSecsSinceEpoch() } })
                .toJson(QJsonDocument::Compact) });
    else
        m_redis.command({ "HDEL", key(QStringLiteral("drained")), command.route.toUtf8() });
    publish({ { QStringLiteral("kind"), QStringLiteral("action") },
        { QStringLiteral("route"), command.route }, { QStringLiteral("action"), action } });
    // Until each live instance answers, the console says it is waiting for it.
    m_answers.clear();
    for (const QString &instance : std::as_const(m_live)) {
        if (instance != m_instance)
            m_answers.insert(instance,
                { QStringLiteral("%1 of %2: no answer yet").arg(action, command.route), true });
    }
    m_answers.insert(
        m_instance, { QStringLiteral("%1 of %2 applied").arg(action, command.route), false });
    Q_EMIT statusChanged();
}

void FleetSync::noteAnswer(const QString &instance, const QString &answer, bool pending)
{
    m_answers.insert(instance, { answer, pending });
    Q_EMIT statusChanged();
}

FleetMember FleetSync::ownMember() const
{
    FleetMember self = m_reporter ? m_reporter() : FleetMember();
    self.instance = m_instance;
    self.address = m_address;
    self.version = QCoreApplication::applicationVersion();
    self.seenMs = QDateTime::currentMSecsSinceEpoch();
    self.alive = true;
    return self;
}

QList<FleetMember> FleetSync::members() const
{
    QList<FleetMember> members { ownMember() };
    members.append(m_others);
    for (FleetMember &member : members) {
        const auto answer = m_answers.constFind(member.instance);
        if (answer != m_answers.cend())
            std::tie(member.lastAnswer, member.answerPending) = *answer;
    }
    return members;
}

void FleetSync::noteStateEvent(const StateEvent &event)
{
    if (event.isRoute() && !m_soon.isActive())
        m_soon.start();
    if (m_applyingRemote || !event.isRoute() || event.byOperator || event.to != BreakerState::Open)
        return;
    const CircuitBreaker *breaker = nullptr;
    if (const RouteState *state = m_routes.find(event.route))
        breaker = &state->breaker;
    const qint64 cooldownMs = breaker ? breaker->cooldownRemainingMs() : 0;
    if (cooldownMs <= 0 || !m_redis.isConnected())
        return;
    // Kept with its end, for an instance that connects during the cooldown: one hash, read in
    // one command (never KEYS, which would hold up a Redis shared with other work).
    m_redis.command({ "HSET", key(QStringLiteral("open")), event.route.toUtf8(),
        QJsonDocument(
            QJsonObject { { QStringLiteral("instance"), m_instance },
                { QStringLiteral("until_ms"), QDateTime::currentMSecsSinceEpoch() + cooldownMs } })
            .toJson(QJsonDocument::Compact) });
    publish({ { QStringLiteral("kind"), QStringLiteral("open") },
        { QStringLiteral("route"), event.route }, { QStringLiteral("cooldown_ms"), cooldownMs },
        { QStringLiteral("reason"), event.reason } });
}

void FleetSync::publish(QJsonObject message)
{
    message.insert(QStringLiteral("instance"), m_instance);
    message.insert(QStringLiteral("process"), m_process);
    m_redis.command(
        { "PUBLISH", channel(), QJsonDocument(message).toJson(QJsonDocument::Compact) });
}

void FleetSync::onMessage(const QByteArray &, const QByteArray &text)
{
    const QJsonObject message = QJsonDocument::fromJson(text).object();
    const QString from = message.value(u"instance").toString();
    if (from.isEmpty() || from.size() > 200)
        return;
    if (from == m_instance) {
        // Another process under this instance's name: they would overwrite each other's spend
        // and ignore each other's actions. Said once, where an operator looks.
        if (message.value(u"process").toString() != m_process && !m_twinReported) {
            m_twinReported = true;
            Q_EMIT problemFound(QStringLiteral(
                "another gateway also calls itself '%1' in this fleet: give each its own "
                "cluster.instance, or they overwrite each other's spend and miss each other's "
                "actions")
                                    .arg(m_instance));
        }
        return;
    }
    const QString route = message.value(u"route").toString();
    const QString kind = message.value(u"kind").toString();
    if (kind == QLatin1String("action")) {
        const std::optional<RouteCommand::Action> action
            = parseAction(message.value(u"action").toString());
        if (!action)
            return;
        RouteCommand command;
        command.route = route;
        command.action = *action;
        command.fromInstance = from;
        QString error;
        const bool applied = applyRemote(command, &error);
        // The instance where the operator acted learns how it went here.
        publish({ { QStringLiteral("kind"), QStringLiteral("result") },
            { QStringLiteral("to"), from }, { QStringLiteral("route"), route },
            { QStringLiteral("action"), actionName(*action) },
            { QStringLiteral("applied"), applied }, { QStringLiteral("error"), error } });
    } else if (kind == QLatin1String("result")) {
        if (message.value(u"to").toString() != m_instance)
            return;
        // Only an answer this instance waits for: any other would be a peer's noise, and each
        // one would be passed on to every console.
        const auto waiting = m_answers.constFind(from);
        if (waiting == m_answers.cend() || !waiting->second)
            return;
        const QString action = message.value(u"action").toString().left(40);
        const bool applied = message.value(u"applied").toBool();
        const QString error = message.value(u"error").toString().left(400);
        noteAnswer(from,
            applied
                ? QStringLiteral("%1 of %2 applied").arg(action, route.left(200))
                : QStringLiteral("%1 of %2 not applied: %3").arg(action, route.left(200), error),
            false);
        Q_EMIT actionAnswered(from, route, action, applied, error);
    } else if (kind == QLatin1String("beat")) {
        // Another instance's routes changed: the console shows it now, not at the next beat.
        if (message.value(u"changed").toBool() && !m_readSoon.isActive())
            m_readSoon.start();
    } else if (kind == QLatin1String("open")) {
        // Bounded before it becomes a number of milliseconds: a peer may send anything.
        const double cooldownMs
            = std::clamp(message.value(u"cooldown_ms").toDouble(), 0.0, 24.0 * 3600 * 1000);
        honourOpen(route, qint64(cooldownMs), from);
    }
}

bool FleetSync::applyRemote(const RouteCommand &command, QString *error)
{
    const RouteState *state = m_routes.find(command.route);
    // Already so here (a resynchronisation repeats what was heard): no second event.
    if (command.action == RouteCommand::Action::Drain && state
        && state->breaker.state() == BreakerState::Drained)
        return true;
    m_applyingRemote = true;
    const bool applied = m_routes.execute(command, error);
    m_applyingRemote = false;
    if (applied && command.action == RouteCommand::Action::Drain)
        m_drainedByFleet.insert(command.route);
    else if (applied)
        m_drainedByFleet.remove(command.route);
    if (!applied)
        qCInfo(lcRedis).noquote() << "fleet action not applied here:" << *error;
    return applied;
}

void FleetSync::honourOpen(const QString &route, qint64 cooldownMs, const QString &from)
{
    const RouteState *known = m_routes.find(route);
    if (!known || cooldownMs <= 0)
        return; // not a route of this instance's config
    m_applyingRemote = true;
    m_routes.state(route).breaker.honourFleetOpen(qMin<qint64>(cooldownMs, 24 * 3600 * 1000),
        QStringLiteral("opened on instance %1").arg(from));
    m_routes.markChanged();
    m_applyingRemote = false;
}

void FleetSync::resynchronise()
{
    m_redis.command({ "HGETALL", key(QStringLiteral("drained")) }, [this](const RedisValue &reply) {
        if (reply.type != RedisValue::Type::Array)
            return;
        // Restored elsewhere while this instance was cut off: the fleet no longer drains it.
        QSet<QString> drained;
        for (qsizetype i = 0; i + 1 < reply.items.size(); i += 2)
            drained.insert(QString::fromUtf8(reply.items.at(i).text));
        for (const QString &route : QSet<QString>(m_drainedByFleet)) {
            const RouteState *state = m_routes.find(route);
            if (drained.contains(route) || !state
                || state->breaker.state() != BreakerState::Drained)
                continue;
            RouteCommand restore;
            restore.route = route;
            restore.action = RouteCommand::Action::RestoreStaged;
            restore.fromInstance = QStringLiteral("of the fleet");
            QString error;
            applyRemote(restore, &error);
        }
        for (qsizetype i = 0; i + 1 < reply.items.size(); i += 2) {
            const QJsonObject drain = QJsonDocument::fromJson(reply.items.at(i + 1).text).object();
            const QString from = drain.value(u"instance").toString();
            RouteCommand command;
            command.route = QString::fromUtf8(reply.items.at(i).text);
            command.action = RouteCommand::Action::Drain;
            command.fromInstance = from == m_instance ? QStringLiteral("(before a restart)") : from;
            QString error;
            if (from != m_instance || !m_routes.find(command.route)
                || m_routes.find(command.route)->breaker.state() != BreakerState::Drained)
                applyRemote(command, &error);
        }
    });
    // Breakers open elsewhere, for what is left of their cooldown; ended ones are tidied away.
    m_redis.command({ "HGETALL", key(QStringLiteral("open")) }, [this](const RedisValue &reply) {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (qsizetype i = 0; i + 1 < reply.items.size(); i += 2) {
            const QString route = QString::fromUtf8(reply.items.at(i).text);
            const QJsonObject open = QJsonDocument::fromJson(reply.items.at(i + 1).text).object();
            const double remaining = open.value(u"until_ms").toDouble() - double(now);
            const QString from = open.value(u"instance").toString();
            if (remaining <= 0) {
                m_redis.command({ "HDEL", key(QStringLiteral("open")), reply.items.at(i).text });
                continue;
            }
            if (from != m_instance)
                honourOpen(route, qint64(std::min(remaining, 24.0 * 3600 * 1000)), from);
        }
    });
}

void FleetSync::beat(bool changed)
{
    if (!m_redis.isConnected())
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QByteArray instances = key(QStringLiteral("instances"));
    m_redis.command({ "ZADD", instances, QByteArray::number(now), m_instance.toUtf8() });
    // What this instance says of itself; the others show it in their consoles (its answers to
    // an operator action are for the console where the operator acted, and are not in it).
    FleetMember self = ownMember();
    const QByteArray about = key(QStringLiteral("instance:") + m_instance);
    m_redis.command(
        { "HSET", about, "state", QJsonDocument(self.toJson()).toJson(QJsonDocument::Compact) });
    m_redis.command({ "EXPIRE", about, QByteArray::number(ShownSilentMs / 1000) });
    // Written before it is announced: whoever reads on hearing it reads the new state.
    publish({ { QStringLiteral("kind"), QStringLiteral("beat") },
        { QStringLiteral("changed"), changed } });
    m_redis.command(
        { "ZREMRANGEBYSCORE", instances, "-inf", QByteArray::number(now - ShownSilentMs) });
    readOthers();
    if (!changed) {
        shareSpend();
        if (m_resyncBeatsLeft > 0 || ++m_beatsSinceResync >= ResyncEveryBeats) {
            m_resyncBeatsLeft = qMax(0, m_resyncBeatsLeft - 1);
            m_beatsSinceResync = 0;
            resynchronise();
        }
    }
    // This instance's own routes and readiness change without any message from the others.
    self.seenMs = 0;
    if (self != m_lastSelf) {
        m_lastSelf = self;
        Q_EMIT statusChanged();
    }
}

void FleetSync::readOthers()
{
    // One round at a time: early reads (a peer's route changed) must not pile up on the beats.
    if (!m_redis.isConnected() || m_readingMembers)
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    // The most recently heard first, and only so many: names a broken or hostile peer adds (with
    // scores in the past or far in the future) can neither crowd out the real instances nor
    // make every instance read and pass on without end.
    m_readingMembers = true;
    const bool sent = m_redis.command(
        { "ZREVRANGEBYSCORE", key(QStringLiteral("instances")), QByteArray::number(now + AliveMs),
            QByteArray::number(now - ShownSilentMs), "WITHSCORES", "LIMIT", "0",
            QByteArray::number(MaxMembersRead) },
        [this, now](const RedisValue &reply) { readMembers(reply, now); });
    if (!sent)
        m_readingMembers = false;
}

void FleetSync::readMembers(const RedisValue &seen, qint64 now)
{
    if (seen.type != RedisValue::Type::Array) {
        m_readingMembers = false;
        return;
    }
    QStringList live { m_instance };
    QHash<QString, qint64> lastSeen;
    for (qsizetype i = 0; i + 1 < seen.items.size(); i += 2) {
        const QString name = QString::fromUtf8(seen.items.at(i).text);
        const qint64 at = seen.items.at(i + 1).text.toLongLong();
        if (name == m_instance || name.size() > 200)
            continue;
        if (at >= now - AliveMs)
            live.append(name);
        if (lastSeen.size() < MaxMembersRead)
            lastSeen.insert(name, at);
    }
    live.sort();
    if (live != m_live) {
        m_live = live;
        Q_EMIT statusChanged();
    }
    // One round reads every other instance's heartbeat; the view changes once, when all answered.
    struct Round {
        QList<FleetMember> others;
        int waiting = 0;
    };
    auto round = std::make_shared<Round>();
    auto finish = [this, round] {
        m_readingMembers = false;
        std::sort(round->others.begin(), round->others.end(),
            [](const FleetMember &a, const FleetMember &b) { return a.instance < b.instance; });
        if (round->others == m_others)
            return;
        m_others = round->others;
        Q_EMIT statusChanged();
    };
    for (auto it = lastSeen.cbegin(); it != lastSeen.cend(); ++it) {
        ++round->waiting;
        const QString name = it.key();
        const qint64 at = it.value();
        const bool alive = at >= now - AliveMs;
        // Its length first: a heartbeat too large to be a real one is not fetched at all.
        const QByteArray about = key(QStringLiteral("instance:") + name);
        auto store = [round, finish, name, at, alive](const RedisValue &state) {
            FleetMember member;
            if (state.type == RedisValue::Type::Text && state.text.size() <= MaxMemberBytes)
                member = FleetMember::fromJson(QJsonDocument::fromJson(state.text).object());
            // Who it is and when it was heard from are the fleet's record, not its say.
            member.instance = name;
            member.seenMs = at;
            member.alive = alive;
            member.lastAnswer.clear();
            member.answerPending = false;
            round->others.append(member);
            if (--round->waiting == 0)
                finish();
        };
        const bool sent = m_redis.command(
            { "HSTRLEN", about, "state" }, [this, about, store](const RedisValue &length) {
                if (length.type != RedisValue::Type::Integer || length.integer > MaxMemberBytes
                    || !m_redis.command({ "HGET", about, "state" }, store))
                    store(RedisValue()); // shown by name and time alone
            });
        if (!sent) {
            m_readingMembers = false;
            return; // Redis went away; the next connection reads again
        }
    }
    if (round->waiting == 0)
        finish();
}

void FleetSync::shareSpend()
{
    // Each instance writes its own day totals (not increments): a write that is lost or repeated
    // changes nothing, and an instance that restarts reports what its ledger holds.
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 dayStart = CostLedger::utcDayStart(now);
    const QString day
        = QDateTime::fromMSecsSinceEpoch(dayStart, Qt::UTC).toString(QStringLiteral("yyyyMMdd"));
    const QByteArray members = key(QStringLiteral("spend:%1:instances").arg(day));
    const CostLedger::DayTotals own = m_ledger.ownSpendOnDay(now);
    if (!own.byLane.isEmpty() || !own.byRoute.isEmpty()) {
        const QByteArray mine = key(QStringLiteral("spend:%1:%2").arg(day, m_instance));
        QList<QByteArray> write { "HSET", mine };
        for (auto it = own.byLane.cbegin(); it != own.byLane.cend(); ++it)
            write << ("lane:" + it.key().toUtf8()) << number(it.value());
        for (auto it = own.byRoute.cbegin(); it != own.byRoute.cend(); ++it)
            write << ("route:" + it.key().toUtf8()) << number(it.value());
        m_redis.command(write);
        m_redis.command({ "EXPIRE", mine, QByteArray::number(SpendKeptSeconds) });
        m_redis.command({ "SADD", members, m_instance.toUtf8() });
        m_redis.command({ "EXPIRE", members, QByteArray::number(SpendKeptSeconds) });
    }
    m_redis.command({ "SMEMBERS", members }, [this, day, dayStart](const RedisValue &reply) {
        if (reply.type != RedisValue::Type::Array)
            return;
        // One round adds up every other instance, or changes nothing: a total missing a member
        // (a refused or unanswered read) would let the caps forget that member's spend.
        struct Round {
            CostLedger::DayTotals others;
            int waiting = 0;
            bool complete = true;
        };
        auto round = std::make_shared<Round>();
        for (const RedisValue &member : reply.items) {
            const QString name = QString::fromUtf8(member.text);
            if (name == m_instance)
                continue;
            ++round->waiting;
            const bool sent
                = m_redis.command({ "HGETALL", key(QStringLiteral("spend:%1:%2").arg(day, name)) },
                    [this, round, dayStart](const RedisValue &totals) {
                        if (totals.type != RedisValue::Type::Array)
                            round->complete = false;
                        for (qsizetype i = 0; i + 1 < totals.items.size(); i += 2) {
                            const QString field = QString::fromUtf8(totals.items.at(i).text);
                            bool ok = false;
                            const double usd = totals.items.at(i + 1).text.toDouble(&ok);
                            if (!ok || !std::isfinite(usd) || usd < 0)
                                continue; // a broken peer's figure counts for nothing
                            if (field.startsWith(QLatin1String("lane:")))
                                round->others.byLane[field.mid(5)] += usd;
                            else if (field.startsWith(QLatin1String("route:")))
                                round->others.byRoute[field.mid(6)] += usd;
                        }
                        if (--round->waiting == 0 && round->complete)
                            m_ledger.setFleetSpend(dayStart, round->others);
                    });
            if (!sent)
                return; // the others' replies will find the round incomplete
        }
        if (round->waiting == 0)
            m_ledger.setFleetSpend(dayStart, round->others);
    });
}

} // namespace Switchyard
