#include "fakeupstream.h"
#include "gatewayharness.h"
#include "jsontext.h"

#include "link/remotelink.h"

#include <QElapsedTimer>
#include <QJsonArray>
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

// A redis-server of its own on a free loopback port, no persistence, stopped with the test.
class RedisServer final {
public:
    bool start(quint16 port = 0)
    {
        if (port == 0) {
            QTcpServer probe;
            if (!probe.listen(QHostAddress::LocalHost, 0))
                return false;
            port = probe.serverPort();
        }
        m_port = port;
        m_process = std::make_unique<QProcess>();
        m_process->setProcessChannelMode(QProcess::MergedChannels);
        m_process->start(QStringLiteral("redis-server"),
            { QStringLiteral("--port"), QString::number(port), QStringLiteral("--bind"),
                QStringLiteral("127.0.0.1"), QStringLiteral("--save"), QString(),
                QStringLiteral("--appendonly"), QStringLiteral("no"),
                QStringLiteral("--protected-mode"), QStringLiteral("yes") });
        if (!m_process->waitForStarted(10000))
            return false;
        QByteArray seen;
        const bool ready = QTest::qWaitFor(
            [&] {
                seen += m_process->readAll();
                return seen.contains("Ready to accept connections")
                    || m_process->state() == QProcess::NotRunning;
            },
            10000);
        if (!ready || m_process->state() == QProcess::NotRunning) {
            qWarning("redis-server said: %s", seen.constData());
            return false;
        }
        return true;
    }
    void kill()
    {
        if (!m_process)
            return;
        m_process->kill(); // as a crash would: no goodbye to the clients
        m_process->waitForFinished(10000);
        m_process.reset();
    }
    ~RedisServer() { kill(); }
    quint16 port() const { return m_port; }

private:
    std::unique_ptr<QProcess> m_process;
    quint16 m_port = 0;
};

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
    void aBreakerOpenedOnOneIsHonouredByTheOthers();
    void aSpendCapHoldsAcrossTheFleet();
    void withRedisGoneRequestsFlowItIsSaidAndStateConvergesAfter();
    void aBadClusterAddressIsAConfigError();
    void aNameUsedTwiceIsReported();

private:
    QByteArray config(const QString &instance) const;
    QJsonObject state(int gateway);
    QString routeState(int gateway, const QString &route);
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
