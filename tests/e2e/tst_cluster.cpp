#include "fakeupstream.h"
#include "gatewayharness.h"
#include "jsontext.h"
#include "redisserver.h"

#include "cluster/redisclient.h"
#include "link/remotelink.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <array>
#include <memory>

using namespace Switchyard;
using namespace Switchyard::Testing;

namespace {

constexpr double PricePerMtok = 1000; // 15 tokens a request: 0.015 USD
constexpr double RequestUsd = 0.015;

} // namespace

// Three gateways sharing their state through a real Redis (issue 18): an operator action on one
// reaches the others, a breaker opened on one is honoured by the others, a spend cap holds for
// the fleet, and with Redis gone each keeps serving and says so, then catches up.
class ClusterTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void aDrainOnOneReachesTheOthersWithinASecond();
    void eachInstanceSeesTheFleetsHealthAndRoutes();
    void aPeersHeartbeatIsReadWithinBounds();
    void aBreakerOpenedOnOneIsHonouredByTheOthers();
    void aSpendCapHoldsAcrossTheFleet();
    void withRedisGoneRequestsFlowItIsSaidAndStateConvergesAfter();
    void aBadClusterAddressIsAConfigError();
    void aNameUsedTwiceIsReported();

private:
    QByteArray config(const QString &instance) const;
    QJsonObject state(int gateway);
    QString routeState(int gateway, const QString &route);
    QJsonObject member(int gateway, const QString &instance);
    ClientCall *chat(int gateway, const QString &lane);

    std::unique_ptr<RedisServer> m_redis;
    std::unique_ptr<FakeUpstream> m_a;
    std::unique_ptr<FakeUpstream> m_b;
    std::array<std::unique_ptr<GatewayUnderTest>, 3> m_gateways;
};

void ClusterTest::initTestCase()
{
    if (QStandardPaths::findExecutable(QStringLiteral("redis-server")).isEmpty())
        QFAIL("redis-server is needed (Debian package redis-server)");
}

QByteArray ClusterTest::config(const QString &instance) const
{
    QByteArray json = jsonText(R"JSON({
      'cluster': {'redis': 'redis://127.0.0.1:@PORT@/3', 'instance': '@NAME@'},
      'providers': {'a': {'base_url': '@A@'}, 'b': {'base_url': '@B@'}},
      'routes': {
        'r': {'provider': 'a', 'model': 'model-a',
              'price': {'input_per_mtok': @PRICE@, 'output_per_mtok': @PRICE@},
              'breaker': {'consecutive_failures': 2, 'cooldown_ms': 60000}},
        's': {'provider': 'b', 'model': 'model-b'}},
      'lanes': {
        'main': {'chain': ['r', 's'], 'retry': {'max_retries': 0}},
        'paid': {'chain': ['r'], 'retry': {'max_retries': 0}, 'budget_usd_per_day': 0.04}},
      'default_lane': 'main'
    })JSON");
    json.replace("@PORT@", QByteArray::number(m_redis->port()));
    json.replace("@NAME@", instance.toUtf8());
    json.replace("@A@", m_a->baseUrl().toUtf8());
    json.replace("@B@", m_b->baseUrl().toUtf8());
    json.replace("@PRICE@", QByteArray::number(PricePerMtok));
    return json;
}

void ClusterTest::init()
{
    m_redis = std::make_unique<RedisServer>();
    QVERIFY(m_redis->start());
    m_a = std::make_unique<FakeUpstream>();
    m_b = std::make_unique<FakeUpstream>();
    QVERIFY(m_a->listen() && m_b->listen());
    m_a->setDefaultResponse(FakeResponse::completion(QStringLiteral("from a")));
    m_b->setDefaultResponse(FakeResponse::completion(QStringLiteral("from b")));
    if (QByteArray(QTest::currentTestFunction()) == "aBadClusterAddressIsAConfigError")
        return;
    for (int i = 0; i < 3; ++i) {
        m_gateways[i] = std::make_unique<GatewayUnderTest>();
        QString error;
        QVERIFY2(
            m_gateways[i]->start(config(QStringLiteral("gw%1").arg(i)), &error), qPrintable(error));
    }
    // Each has found Redis and the two others.
    for (int i = 0; i < 3; ++i)
        QTRY_COMPARE_WITH_TIMEOUT(
            state(i).value(u"fleet").toObject().value(u"instances").toArray().size(), 3, 10000);
}

void ClusterTest::cleanup()
{
    for (auto &gateway : m_gateways)
        gateway.reset();
    m_a.reset();
    m_b.reset();
    m_redis.reset();
}

QJsonObject ClusterTest::state(int gateway)
{
    ClientCall *call = m_gateways[gateway]->client().get(QStringLiteral("/admin/state"));
    GatewayClient::waitFor(call);
    return call->json();
}

QString ClusterTest::routeState(int gateway, const QString &route)
{
    return state(gateway)
        .value(u"routes")
        .toObject()
        .value(route)
        .toObject()
        .value(u"state")
        .toString();
}

QJsonObject ClusterTest::member(int gateway, const QString &instance)
{
    for (const QJsonValue &member :
        state(gateway).value(u"fleet").toObject().value(u"members").toArray()) {
        if (member.toObject().value(u"instance").toString() == instance)
            return member.toObject();
    }
    return {};
}

ClientCall *ClusterTest::chat(int gateway, const QString &lane)
{
    return m_gateways[gateway]->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(lane));
}

void ClusterTest::aDrainOnOneReachesTheOthersWithinASecond()
{
    QElapsedTimer elapsed;
    elapsed.start();
    QCOMPARE(
        m_gateways[0]->client().postAndWait(QStringLiteral("/admin/routes/r/drain"), "{}")->status,
        200);
    QTRY_VERIFY_WITH_TIMEOUT(routeState(1, QStringLiteral("r")) == QLatin1String("drained")
            && routeState(2, QStringLiteral("r")) == QLatin1String("drained"),
        1000);
    qInfo("the drain reached both other instances in %lld ms", elapsed.elapsed());
    // They skip it: the lane's traffic goes to s, and a is not called.
    const int before = m_a->requestCount("POST", "/v1/chat/completions");
    QCOMPARE(chat(2, QStringLiteral("main"))->header("X-Switchyard-Route"), QByteArray("s"));
    QCOMPARE(m_a->requestCount("POST", "/v1/chat/completions"), before);
    // The event log says where the operator acted...
    const QJsonArray events = state(1).value(u"recent_events").toArray();
    QVERIFY2(events.last().toObject().value(u"reason").toString().contains(QLatin1String("gw0")),
        qPrintable(events.last().toObject().value(u"reason").toString()));
    // ...and where the operator acted, how it went on each of the others.
    auto results = [this] {
        QStringList found;
        for (const QJsonValue &event : state(0).value(u"recent_events").toArray()) {
            const QString reason = event.toObject().value(u"reason").toString();
            if (event.toObject().value(u"kind").toString() == QLatin1String("fleet")
                && reason.startsWith(QLatin1String("drain of")))
                found.append(reason);
        }
        found.sort();
        return found;
    };
    QTRY_COMPARE_WITH_TIMEOUT(results(),
        QStringList({ QStringLiteral("drain of r applied on instance gw1"),
            QStringLiteral("drain of r applied on instance gw2") }),
        5000);

    // A restore from another instance brings it back everywhere.
    m_gateways[1]->client().postAndWait(QStringLiteral("/admin/routes/r/restore"), "{}");
    QTRY_VERIFY_WITH_TIMEOUT(routeState(0, QStringLiteral("r")) == QLatin1String("closed")
            && routeState(2, QStringLiteral("r")) == QLatin1String("closed"),
        1000);
}

void ClusterTest::eachInstanceSeesTheFleetsHealthAndRoutes()
{
    // Each instance knows the others' routes, readiness and spend from their heartbeats.
    const QJsonArray members = state(0).value(u"fleet").toObject().value(u"members").toArray();
    QCOMPARE(members.size(), 3);
    QCOMPARE(members.first().toObject().value(u"instance").toString(), QStringLiteral("gw0"));
    QTRY_COMPARE_WITH_TIMEOUT(
        member(0, QStringLiteral("gw2")).value(u"routes").toObject().value(u"r").toString(),
        QStringLiteral("closed"), 5000);
    QVERIFY(member(0, QStringLiteral("gw2")).value(u"alive").toBool());
    QVERIFY(member(0, QStringLiteral("gw2")).value(u"ready").toBool());
    QCOMPARE(member(0, QStringLiteral("gw1")).value(u"address").toString(),
        QUrl(m_gateways[1]->baseUrl()).authority()); // where it listens, to reach it directly
    QCOMPARE(chat(2, QStringLiteral("paid"))->status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(
        member(0, QStringLiteral("gw2")).value(u"spent_today_usd").toDouble() >= RequestUsd - 1e-9,
        5000);

    // A drain taken on gw1: its console learns how each instance took it, and every instance
    // sees r drained everywhere, with the lane that has no other route not ready.
    QCOMPARE(
        m_gateways[1]->client().postAndWait(QStringLiteral("/admin/routes/r/drain"), "{}")->status,
        200);
    auto answers = [this] {
        QStringList found;
        for (const QJsonValue &member :
            state(1).value(u"fleet").toObject().value(u"members").toArray()) {
            const QJsonObject m = member.toObject();
            found.append(m.value(u"instance").toString() + QLatin1String(": ")
                + m.value(u"last_answer").toString()
                + (m.value(u"answer_pending").toBool() ? QLatin1String(" (pending)") : QString()));
        }
        found.sort();
        return found;
    };
    QTRY_COMPARE_WITH_TIMEOUT(answers(),
        QStringList({ QStringLiteral("gw0: drain of r applied"),
            QStringLiteral("gw1: drain of r applied"), QStringLiteral("gw2: drain of r applied") }),
        5000);
    for (const QString &instance :
        { QStringLiteral("gw0"), QStringLiteral("gw1"), QStringLiteral("gw2") }) {
        QTRY_COMPARE_WITH_TIMEOUT(
            member(2, instance).value(u"routes").toObject().value(u"r").toString(),
            QStringLiteral("drained"), 5000);
        QCOMPARE(member(2, instance).value(u"lanes_without_route").toArray(),
            QJsonArray({ QStringLiteral("paid") }));
        QVERIFY(!member(2, instance).value(u"ready").toBool());
    }
}

void ClusterTest::aPeersHeartbeatIsReadWithinBounds()
{
    // Anything with access to the Redis can write there: a heartbeat of 10,000 routes and one of
    // 2 MB must not make every instance (and every console attached to one) hold it all.
    RedisClient peer;
    QSignalSpy up(&peer, &RedisClient::connectedChanged);
    peer.open(QStringLiteral("127.0.0.1"), m_redis->port(), 3, {});
    QTRY_VERIFY_WITH_TIMEOUT(peer.isConnected(), 5000);
    QJsonObject routes;
    for (int i = 0; i < 10000; ++i)
        routes.insert(QStringLiteral("r%1").arg(i), QStringLiteral("open"));
    const QByteArray wide = QJsonDocument(
        QJsonObject { { QStringLiteral("routes"), routes },
            { QStringLiteral("version"), QString(20000, u'v') },
            { QStringLiteral("spent_today_usd"),
                -5 } }).toJson(QJsonDocument::Compact);
    const QByteArray huge = "{\"routes\": {\"r\": \"" + QByteArray(2 << 20, 'y') + "\"}}";
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    const QByteArray now = QByteArray::number(nowMs);
    int answered = 0;
    auto count = [&answered](const RedisValue &) { ++answered; };
    peer.command({ "HSET", "switchyard:instance:wide", "state", wide }, count);
    peer.command({ "HSET", "switchyard:instance:huge", "state", huge }, count);
    // 300 names heard from nine minutes ago, and one from a day ahead: neither may crowd the real
    // instances out, nor be passed on in full.
    QList<QByteArray> flood { "ZADD", "switchyard:instances" };
    for (int i = 0; i < 300; ++i)
        flood << QByteArray::number(nowMs - 9 * 60 * 1000) << ("stale" + QByteArray::number(i));
    flood << QByteArray::number(nowMs + 24 * 3600 * 1000) << "future";
    peer.command(flood, count);
    peer.command({ "ZADD", "switchyard:instances", now, "wide", now, "huge" }, count);
    QTRY_COMPARE_WITH_TIMEOUT(answered, 4, 5000);

    QTRY_VERIFY_WITH_TIMEOUT(!member(0, QStringLiteral("wide")).isEmpty()
            && !member(0, QStringLiteral("huge")).isEmpty(),
        5000);
    const QJsonObject wideSeen = member(0, QStringLiteral("wide"));
    QCOMPARE(wideSeen.value(u"routes").toObject().size(), 500);
    QVERIFY(wideSeen.value(u"version").toString().size() <= 200);
    QCOMPARE(wideSeen.value(u"spent_today_usd").toDouble(), 0.0);
    QVERIFY(member(0, QStringLiteral("huge")).value(u"routes").toObject().isEmpty());
    const QJsonObject fleet = state(0).value(u"fleet").toObject();
    QVERIFY(fleet.value(u"members").toArray().size() <= 65);
    QVERIFY(
        !member(0, QStringLiteral("gw1")).isEmpty() && !member(0, QStringLiteral("gw2")).isEmpty());
    QVERIFY(member(0, QStringLiteral("future")).isEmpty());
    QVERIFY(fleet.value(u"instances").toArray().size() <= 65);
    // And the gateway goes on serving.
    QCOMPARE(chat(0, QStringLiteral("main"))->status, 200);
}

void ClusterTest::aBreakerOpenedOnOneIsHonouredByTheOthers()
{
    m_a->setDefaultResponse(FakeResponse::error(503, QStringLiteral("overloaded")));
    for (int i = 0; i < 2; ++i)
        QCOMPARE(chat(0, QStringLiteral("main"))->header("X-Switchyard-Route"), QByteArray("s"));
    QCOMPARE(routeState(0, QStringLiteral("r")), QStringLiteral("open"));
    QTRY_VERIFY_WITH_TIMEOUT(routeState(1, QStringLiteral("r")) == QLatin1String("open")
            && routeState(2, QStringLiteral("r")) == QLatin1String("open"),
        1000);
    // Honoured for the opening's cooldown: no call to a from the others meanwhile.
    const int before = m_a->requestCount("POST", "/v1/chat/completions");
    QCOMPARE(chat(1, QStringLiteral("main"))->header("X-Switchyard-Route"), QByteArray("s"));
    QCOMPARE(chat(2, QStringLiteral("main"))->header("X-Switchyard-Route"), QByteArray("s"));
    QCOMPARE(m_a->requestCount("POST", "/v1/chat/completions"), before);
    const QJsonObject route = state(2).value(u"routes").toObject().value(u"r").toObject();
    QVERIFY(route.value(u"cooldown_remaining_ms").toInteger() > 50000);
    const QJsonArray events = state(2).value(u"recent_events").toArray();
    QVERIFY2(events.last().toObject().value(u"reason").toString().contains(
                 QLatin1String("opened on instance gw0")),
        qPrintable(events.last().toObject().value(u"reason").toString()));
}

void ClusterTest::aSpendCapHoldsAcrossTheFleet()
{
    // 0.015 USD a request against a cap of 0.04 for the lane: alone, each instance would allow
    // three; together the fleet allows three in all.
    for (int i = 0; i < 3; ++i)
        QCOMPARE(chat(i, QStringLiteral("paid"))->status, 200);
    for (int i = 0; i < 3; ++i)
        QTRY_VERIFY_WITH_TIMEOUT(
            state(i).value(u"fleet")
                    .toObject()
                    .value(u"lane_spend_today_usd")
                    .toObject()
                    .value(u"paid")
                    .toDouble()
                >= 3 * RequestUsd - 1e-9,
            10000);
    for (int i = 0; i < 3; ++i) {
        ClientCall *refused = chat(i, QStringLiteral("paid"));
        QCOMPARE(refused->status, 429);
        QVERIFY2(refused->body.contains("spend cap"), refused->body.constData());
    }
    QCOMPARE(m_a->requestCount("POST", "/v1/chat/completions"), 3);
}

void ClusterTest::withRedisGoneRequestsFlowItIsSaidAndStateConvergesAfter()
{
    // A console attached to one instance sees the fleet, then that it is cut off.
    RemoteLink link(QUrl(m_gateways[0]->baseUrl()), m_gateways[0]->client().adminToken());
    QSignalSpy fleetSeen(&link, &GatewayLink::fleetUpdated);
    link.open();
    QTRY_VERIFY_WITH_TIMEOUT(!fleetSeen.isEmpty(), 10000);
    FleetStatus seen = fleetSeen.last().first().value<FleetStatus>();
    QVERIFY(seen.enabled && seen.connected);
    QCOMPARE(seen.instance, QStringLiteral("gw0"));
    QCOMPARE(seen.instances,
        QStringList({ QStringLiteral("gw0"), QStringLiteral("gw1"), QStringLiteral("gw2") }));

    const quint16 port = m_redis->port();
    m_redis->kill();
    QTRY_VERIFY_WITH_TIMEOUT(!fleetSeen.last().first().value<FleetStatus>().connected, 10000);
    QVERIFY(!fleetSeen.last().first().value<FleetStatus>().problem.isEmpty());
    for (int i = 0; i < 3; ++i)
        QTRY_VERIFY_WITH_TIMEOUT(
            !state(i).value(u"fleet").toObject().value(u"connected").toBool(), 10000);
    // Nothing waits on Redis: every instance answers from its own state.
    for (int i = 0; i < 3; ++i)
        QCOMPARE(chat(i, QStringLiteral("main"))->status, 200);
    const QJsonObject fleet = state(0).value(u"fleet").toObject();
    QVERIFY(!fleet.value(u"problem").toString().isEmpty());
    const QJsonObject last = state(0).value(u"recent_events").toArray().last().toObject();
    QCOMPARE(last.value(u"kind").toString(), QStringLiteral("fleet"));
    QVERIFY2(last.value(u"reason").toString().contains(QLatin1String("Redis is unreachable")),
        qPrintable(last.value(u"reason").toString()));
    ClientCall *metrics = m_gateways[0]->client().get(QStringLiteral("/metrics"));
    QVERIFY(GatewayClient::waitFor(metrics));
    QVERIFY2(metrics->body.contains("switchyard_fleet_connected 0"), metrics->body.constData());

    // An operator drains r on one instance meanwhile: the others cannot hear of it yet.
    QCOMPARE(
        m_gateways[0]->client().postAndWait(QStringLiteral("/admin/routes/r/drain"), "{}")->status,
        200);
    QCOMPARE(routeState(1, QStringLiteral("r")), QStringLiteral("closed"));

    // Redis is back: every instance reconnects, and the drain reaches the others.
    m_redis = std::make_unique<RedisServer>();
    QVERIFY(m_redis->start(port));
    for (int i = 0; i < 3; ++i)
        QTRY_VERIFY_WITH_TIMEOUT(
            state(i).value(u"fleet").toObject().value(u"connected").toBool(), 15000);
    QTRY_VERIFY_WITH_TIMEOUT(routeState(1, QStringLiteral("r")) == QLatin1String("drained")
            && routeState(2, QStringLiteral("r")) == QLatin1String("drained"),
        5000);
    metrics = m_gateways[0]->client().get(QStringLiteral("/metrics"));
    QVERIFY(GatewayClient::waitFor(metrics));
    QVERIFY(metrics->body.contains("switchyard_fleet_connected 1"));
    QTRY_VERIFY_WITH_TIMEOUT(fleetSeen.last().first().value<FleetStatus>().connected, 5000);
}

void ClusterTest::aBadClusterAddressIsAConfigError()
{
    GatewayUnderTest gateway;
    for (const QByteArray &redis : { QByteArrayLiteral("http://127.0.0.1:6379"),
             QByteArrayLiteral("redis://:hunter2-pass@127.0.0.1:6379/0"),
             QByteArrayLiteral("redis://127.0.0.1:6379/99") }) {
        QByteArray json = config(QStringLiteral("x"));
        json.replace(
            QByteArray("redis://127.0.0.1:") + QByteArray::number(m_redis->port()) + "/3", redis);
        QString error;
        QVERIFY(!gateway.start(json, &error));
        QVERIFY2(error.contains(QLatin1String("cluster.redis")), qPrintable(error));
        QVERIFY2(!error.contains(QLatin1String("hunter2")), qPrintable(error)); // never echoed
    }
}

void ClusterTest::aNameUsedTwiceIsReported()
{
    GatewayUnderTest twin;
    QString error;
    QVERIFY2(twin.start(config(QStringLiteral("gw1")), &error), qPrintable(error));
    auto reported = [this] {
        for (const QJsonValue &event : state(1).value(u"recent_events").toArray()) {
            if (event.toObject().value(u"reason").toString().contains(
                    QLatin1String("another gateway also calls itself 'gw1'")))
                return true;
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(reported(), 5000);
}

QTEST_GUILESS_MAIN(ClusterTest)
#include "tst_cluster.moc"
