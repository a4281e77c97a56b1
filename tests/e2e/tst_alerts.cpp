#include "fakeupstream.h"
#include "gatewayharness.h"
#include "jsontext.h"

#include "config/configloader.h"
#include "observe/alertwebhook.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <memory>

using namespace Switchyard;
using namespace Switchyard::Testing;

// Alerts to an incoming webhook (issue 19), received by a local stand-in: a breaker that
// opened, a lane with no route left, a lane that ran degraded, a lane's spend at 80% and 100% of
// its cap; each once, in a body Slack's incoming webhooks take.
class AlertsTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void anOpenedBreakerAndItsConsequencesAreSent();
    void spendIsSentAt80AndAt100Percent();
    void theWebhookIsASecretReference();
    void aWebhookTokenNeverCrossesTheNetworkInClearText();

private:
    QList<QJsonObject> received(const QString &event) const;
    ClientCall *chat(const QString &lane);

    std::unique_ptr<FakeUpstream> m_a;
    std::unique_ptr<FakeUpstream> m_b;
    std::unique_ptr<FakeUpstream> m_hook;
    std::unique_ptr<GatewayUnderTest> m_gateway;
};

void AlertsTest::init()
{
    m_a = std::make_unique<FakeUpstream>();
    m_b = std::make_unique<FakeUpstream>();
    m_hook = std::make_unique<FakeUpstream>();
    QVERIFY(m_a->listen() && m_b->listen() && m_hook->listen());
    m_a->setDefaultResponse(FakeResponse::completion(QStringLiteral("from a")));
    m_b->setDefaultResponse(FakeResponse::completion(QStringLiteral("from b")));
    qputenv("SWITCHYARD_TEST_WEBHOOK",
        (m_hook->baseUrl() + QStringLiteral("/hooks/T0/B0/secret-part")).toUtf8());
    QByteArray json = jsonText(R"JSON({
      'alerts': {'webhook': {'env': 'SWITCHYARD_TEST_WEBHOOK'}},
      'providers': {'a': {'base_url': '@A@'}, 'b': {'base_url': '@B@'}},
      'routes': {
        'ra': {'provider': 'a', 'model': 'model-a',
               'breaker': {'consecutive_failures': 2, 'cooldown_ms': 60000}},
        'rb': {'provider': 'b', 'model': 'model-b',
               'price': {'input_per_mtok': 1000, 'output_per_mtok': 1000}}},
      'lanes': {
        'main': {'chain': ['ra', 'rb'], 'retry': {'max_retries': 0}},
        'only-a': {'chain': ['ra'], 'retry': {'max_retries': 0}},
        'safe': {'chain': ['ra'], 'degraded': 'rb', 'retry': {'max_retries': 0}},
        'paid': {'chain': ['rb'], 'budget_usd_per_day': 0.035}},
      'default_lane': 'main'
    })JSON");
    json.replace("@A@", m_a->baseUrl().toUtf8());
    json.replace("@B@", m_b->baseUrl().toUtf8());
    m_gateway = std::make_unique<GatewayUnderTest>();
    QString error;
    QVERIFY2(m_gateway->start(json, &error), qPrintable(error));
}

void AlertsTest::cleanup()
{
    m_gateway.reset();
    m_hook.reset();
    m_a.reset();
    m_b.reset();
}

QList<QJsonObject> AlertsTest::received(const QString &event) const
{
    QList<QJsonObject> found;
    for (const ReceivedRequest &request : m_hook->requests()) {
        const QJsonObject body = request.json();
        if (request.path.endsWith("/hooks/T0/B0/secret-part")
            && body.value(u"event").toString() == event)
            found.append(body);
    }
    return found;
}

ClientCall *AlertsTest::chat(const QString &lane)
{
    return m_gateway->client().postAndWait(QStringLiteral("/v1/chat/completions"), chatBody(lane));
}

void AlertsTest::anOpenedBreakerAndItsConsequencesAreSent()
{
    m_a->setDefaultResponse(FakeResponse::error(503, QStringLiteral("overloaded")));
    for (int i = 0; i < 2; ++i)
        QCOMPARE(chat(QStringLiteral("main"))->status, 200); // rb answers
    QTRY_COMPARE_WITH_TIMEOUT(received(QStringLiteral("breaker_opened")).size(), 1, 5000);
    const QJsonObject opened = received(QStringLiteral("breaker_opened")).first();
    QCOMPARE(opened.value(u"route").toString(), QStringLiteral("ra"));
    QVERIFY2(
        opened.value(u"text").toString().startsWith(QLatin1String("Breaker of route ra opened")),
        qPrintable(opened.value(u"text").toString()));
    QVERIFY(!opened.value(u"at").toString().isEmpty());
    // With ra open, only-a has no route at all...
    QTRY_COMPARE_WITH_TIMEOUT(received(QStringLiteral("lane_without_route")).size(), 1, 5000);
    QCOMPARE(received(QStringLiteral("lane_without_route")).first().value(u"lane").toString(),
        QStringLiteral("only-a"));
    // ...and safe runs on its degraded route.
    QCOMPARE(chat(QStringLiteral("safe"))->status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(received(QStringLiteral("lane_degraded")).size(), 1, 5000);
    QCOMPARE(chat(QStringLiteral("safe"))->status, 200);
    QCOMPARE(chat(QStringLiteral("only-a"))->status, 503);
    // Said once, not for every request while it lasts: the same alert waits
    // AlertWebhook::RepeatMs (five minutes); none had come again by now.
    QCOMPARE(received(QStringLiteral("lane_degraded")).size(), 1);
    QCOMPARE(received(QStringLiteral("breaker_opened")).size(), 1);
    QCOMPARE(received(QStringLiteral("lane_without_route")).size(), 1);
    // The webhook's URL (its token) is in no trace the gateway keeps.
    ClientCall *traces = m_gateway->client().get(QStringLiteral("/admin/traces?limit=100"));
    QVERIFY(GatewayClient::waitFor(traces));
    QVERIFY(!traces->body.contains("secret-part"));
}

void AlertsTest::spendIsSentAt80AndAt100Percent()
{
    // 15 tokens at 1000 $/Mtok: 0.015 a request, against a cap of 0.035.
    QCOMPARE(chat(QStringLiteral("paid"))->status, 200);
    QCOMPARE(chat(QStringLiteral("paid"))->status, 200); // 0.030: over 80%
    QTRY_COMPARE_WITH_TIMEOUT(received(QStringLiteral("spend_cap")).size(), 1, 5000);
    QCOMPARE(received(QStringLiteral("spend_cap")).first().value(u"percent").toInt(), 80);
    QCOMPARE(chat(QStringLiteral("paid"))->status, 200); // 0.045: the cap
    QTRY_COMPARE_WITH_TIMEOUT(received(QStringLiteral("spend_cap")).size(), 2, 5000);
    const QJsonObject capped = received(QStringLiteral("spend_cap")).last();
    QCOMPARE(capped.value(u"percent").toInt(), 100);
    QCOMPARE(capped.value(u"lane").toString(), QStringLiteral("paid"));
    QCOMPARE(chat(QStringLiteral("paid"))->status, 429);
}

void AlertsTest::theWebhookIsASecretReference()
{
    const auto errors = [](const char *alerts) {
        return ConfigLoader::fromJson(jsonText("{'alerts': ") + alerts
            + jsonText(", 'providers': {'p': {'base_url': 'http://x/v1'}}, 'routes': {'r': "
                       "{'provider': 'p', 'model': 'm'}}, 'lanes': {'l': {'chain': ['r']}}}"))
            .errors.join(QLatin1Char('\n'));
    };
    QVERIFY2(errors("{\"webhook\": \"https://hooks.slack.com/services/T/B/x\"}")
                 .startsWith(QLatin1String("alerts.webhook: a webhook's URL carries its token")),
        qPrintable(errors("{\"webhook\": \"https://hooks.slack.com/services/T/B/x\"}")));
    QVERIFY(errors("{\"webhook\": {\"env\": \"HOOK\"}, \"on\": [\"breaker_opened\", \"pager\"]}")
                .startsWith(QLatin1String("alerts.on[1]: unknown event 'pager'")));
    QVERIFY(errors("{\"on\": [\"breaker_opened\"]}")
                .startsWith(QLatin1String("alerts.webhook: is required")));
    QVERIFY(
        errors("{\"webhook\": {\"keychain\": \"slack-hook\"}, \"on\": [\"spend_cap\"]}").isEmpty());
}

void AlertsTest::aWebhookTokenNeverCrossesTheNetworkInClearText()
{
    QCOMPARE(
        AlertWebhook::refusalOf(QUrl(QStringLiteral("https://hooks.slack.com/services/T/B/x"))),
        QString());
    QCOMPARE(AlertWebhook::refusalOf(QUrl(QStringLiteral("http://127.0.0.1:9/hook"))), QString());
    QCOMPARE(AlertWebhook::refusalOf(QUrl(QStringLiteral("http://hooks.example.com/T/B/x"))),
        QStringLiteral("is plain http to another machine; use https"));
    QCOMPARE(AlertWebhook::refusalOf(QUrl(QStringLiteral("ftp://127.0.0.1/x"))),
        QStringLiteral("is not an http(s) URL"));
    QCOMPARE(AlertWebhook::refusalOf(QUrl(QStringLiteral("not a url"), QUrl::StrictMode)),
        QStringLiteral("is not an http(s) URL"));
}

QTEST_GUILESS_MAIN(AlertsTest)
#include "tst_alerts.moc"
