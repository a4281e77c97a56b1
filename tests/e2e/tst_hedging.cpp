#include "fakeupstream.h"
#include "gatewayharness.h"
#include "jsontext.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

#include <memory>

using namespace Switchyard::Testing;

// A lane's hedge (issue 16): when the first route has produced no content after the hedge delay,
// the next route of the chain runs beside it; the first with content answers, the other is
// cancelled, and both are in the trace with their cost.
class HedgingTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void aSlowStreamIsHedgedAndTheFasterRouteAnswers();
    void theFirstRouteKeepsTheAnswerWhenItsContentComesFirst();
    void aFailingFirstRouteHandsOverToTheRunningHedge();
    void aFailingHedgeLeavesTheFirstRouteRunning();
    void aWholeAnswerIsHedgedToo();
    void aHedgeNeedsTheRetryBudget();
    void aDrainedRouteIsNeverAHedge();
    void aPercentileHedgeLearnsTheRoutesPace();
    void aRefusalHandsOverToAHedgeOnAPolicyFallback();

private:
    // `call` is under way once `upstream` has received its request.
    static bool waitForRequest(FakeUpstream &upstream, int count = 1);
    // A slow answer from route ha on `lane`, with no call to hb: the attempts of its trace.
    QJsonArray answeredAloneByTheSlowRoute(const QString &lane);
    // The gateway has settled every attempt on `route` (call it once one is under way).
    bool waitForSettled(const QString &route);

    std::unique_ptr<FakeUpstream> m_a;
    std::unique_ptr<FakeUpstream> m_b;
    std::unique_ptr<GatewayUnderTest> m_gateway;
};

void HedgingTest::init()
{
    m_a = std::make_unique<FakeUpstream>();
    m_b = std::make_unique<FakeUpstream>();
    QVERIFY(m_a->listen() && m_b->listen());
    QByteArray json = jsonText(R"JSON({
      'providers': {'a': {'base_url': '@A@'}, 'b': {'base_url': '@B@'}},
      'routes': {
        'ha': {'provider': 'a', 'model': 'model-a',
               'price': {'input_per_mtok': 1000000, 'output_per_mtok': 0}},
        'hb': {'provider': 'b', 'model': 'model-b'}
      },
      'lanes': {
        'hedged': {'chain': ['ha', 'hb'], 'hedge': {'after_ms': 100},
                   'retry': {'max_retries': 1, 'base_ms': 5, 'max_ms': 20}},
        'adaptive': {'chain': ['ha', 'hb'], 'hedge': {'percentile': 90, 'after_ms': 60000}},
        'guarded': {'chain': ['ha', 'hb'], 'policy_fallbacks': ['hb'], 'hedge': {'after_ms': 100},
                    'retry': {'max_retries': 0}},
        'frugal': {'chain': ['ha', 'hb'], 'hedge': {'after_ms': 100},
                   'retry': {'max_retries': 1, 'budget_ratio': 0, 'budget_min_retries': 0}}
      },
      'default_lane': 'hedged'
    })JSON");
    json.replace("@A@", m_a->baseUrl().toUtf8());
    json.replace("@B@", m_b->baseUrl().toUtf8());
    m_gateway = std::make_unique<GatewayUnderTest>();
    QString error;
    QVERIFY2(m_gateway->start(json, &error), qPrintable(error));
}

void HedgingTest::cleanup()
{
    m_gateway.reset();
    m_a.reset();
    m_b.reset();
}

bool HedgingTest::waitForRequest(FakeUpstream &upstream, int count)
{
    return QTest::qWaitFor([&] { return upstream.requestCount() >= count; }, 10000);
}

bool HedgingTest::waitForSettled(const QString &route)
{
    return QTest::qWaitFor(
        [&] {
            ClientCall *call = m_gateway->client().get(QStringLiteral("/admin/state"));
            GatewayClient::waitFor(call);
            return call->json()
                       .value(u"routes")
                       .toObject()
                       .value(route)
                       .toObject()
                       .value(u"in_flight")
                       .toInt(-1)
                == 0;
        },
        10000);
}

void HedgingTest::aSlowStreamIsHedgedAndTheFasterRouteAnswers()
{
    FakeResponse slow = FakeResponse::stream({ QStringLiteral("from a") });
    slow.holdUntilReleased = true;
    m_a->enqueue(slow);
    m_b->enqueue(FakeResponse::stream({ QStringLiteral("from b") }));
    ClientCall *call = m_gateway->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("hedged"), true));
    QCOMPARE(call->status, 200);
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("hb"));
    QCOMPARE(call->header("X-Switchyard-Attempts"), QByteArray("2"));
    QVERIFY(call->body.contains("from b"));
    QVERIFY(!call->body.contains("from a"));
    QVERIFY(call->body.endsWith("data: [DONE]\n\n"));
    // The slow route's call was cancelled, not left to run.
    QTRY_COMPARE(m_a->clientsGoneWhilePending(), 1);

    const QJsonObject trace = m_gateway->lastTrace();
    QCOMPARE(trace.value(u"route").toString(), QStringLiteral("hb"));
    const QJsonArray attempts = trace.value(u"attempts").toArray();
    QCOMPARE(attempts.size(), 2);
    const QJsonObject first = attempts.at(0).toObject();
    const QJsonObject hedge = attempts.at(1).toObject();
    QCOMPARE(first.value(u"route").toString(), QStringLiteral("ha"));
    QCOMPARE(first.value(u"class").toString(), QStringLiteral("cancelled"));
    QCOMPARE(first.value(u"decision").toString(), QStringLiteral("fallback"));
    QVERIFY2(first.value(u"reason").toString().contains(
                 QLatin1String("the hedge on route 'hb' had content first")),
        qPrintable(first.value(u"reason").toString()));
    QVERIFY(!first.contains(u"hedge"));
    // The provider of the cancelled call has its prompt: that is what it costs, estimated.
    QVERIFY(first.value(u"tokens_in").toInteger() > 0);
    QVERIFY(first.value(u"cost_usd").toDouble() > 0);
    QVERIFY(trace.value(u"cost_usd").toDouble() > 0);
    QCOMPARE(hedge.value(u"route").toString(), QStringLiteral("hb"));
    QVERIFY(hedge.value(u"hedge").toBool());
    QCOMPARE(hedge.value(u"class").toString(), QStringLiteral("ok"));
    // They ran side by side: the hedge began after the delay, before the first one ended.
    QVERIFY(hedge.value(u"start_ms").toInteger() >= first.value(u"start_ms").toInteger() + 100);
    QVERIFY(hedge.value(u"start_ms").toInteger() <= first.value(u"end_ms").toInteger());
    QVERIFY(hedge.value(u"first_token_ms").toInteger() >= hedge.value(u"start_ms").toInteger());
    ClientCall *metrics = m_gateway->client().get(QStringLiteral("/metrics"));
    QVERIFY(GatewayClient::waitFor(metrics));
    QVERIFY2(metrics->body.contains("switchyard_hedges_total{lane=\"hedged\",result=\"won\"} 1"),
        metrics->body.constData());
    m_a->release();
}

void HedgingTest::theFirstRouteKeepsTheAnswerWhenItsContentComesFirst()
{
    FakeResponse first = FakeResponse::stream({ QStringLiteral("from a") });
    first.holdUntilReleased = true;
    m_a->enqueue(first);
    FakeResponse hedge = FakeResponse::stream({ QStringLiteral("from b") });
    hedge.holdUntilReleased = true;
    m_b->enqueue(hedge);
    ClientCall *call = m_gateway->client().post(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("hedged"), true));
    QVERIFY(waitForRequest(*m_b)); // the hedge is under way
    m_a->release();
    QVERIFY(GatewayClient::waitFor(call));
    QCOMPARE(call->status, 200);
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("ha"));
    QVERIFY(call->body.contains("from a"));
    QVERIFY(!call->body.contains("from b"));
    QTRY_COMPARE(m_b->clientsGoneWhilePending(), 1);
    const QJsonArray attempts = m_gateway->lastTrace().value(u"attempts").toArray();
    QCOMPARE(attempts.size(), 2);
    QCOMPARE(attempts.at(0).toObject().value(u"class").toString(), QStringLiteral("ok"));
    const QJsonObject lost = attempts.at(1).toObject();
    QVERIFY(lost.value(u"hedge").toBool());
    QCOMPARE(lost.value(u"class").toString(), QStringLiteral("cancelled"));
    QVERIFY2(lost.value(u"reason").toString().contains(QLatin1String("route 'ha' answered first")),
        qPrintable(lost.value(u"reason").toString()));
}

void HedgingTest::aFailingFirstRouteHandsOverToTheRunningHedge()
{
    FakeResponse failing = FakeResponse::error(503, QStringLiteral("server_error"));
    failing.holdUntilReleased = true;
    m_a->enqueue(failing);
    FakeResponse hedge = FakeResponse::stream({ QStringLiteral("from b") });
    hedge.holdUntilReleased = true;
    m_b->enqueue(hedge);
    ClientCall *call = m_gateway->client().post(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("hedged"), true));
    QVERIFY(waitForRequest(*m_b));
    m_a->release();
    QVERIFY(waitForSettled(QStringLiteral("ha")));
    m_b->release();
    QVERIFY(GatewayClient::waitFor(call));
    QCOMPARE(call->status, 200);
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("hb"));
    QVERIFY(call->body.contains("from b"));
    // The lane allows a retry, but the next route was already running: no retry of the first.
    QCOMPARE(m_a->requestCount(), 1);
    QCOMPARE(m_b->requestCount(), 1);
    const QJsonArray attempts = m_gateway->lastTrace().value(u"attempts").toArray();
    QCOMPARE(attempts.size(), 2);
    QCOMPARE(attempts.at(0).toObject().value(u"class").toString(), QStringLiteral("transient"));
    QCOMPARE(attempts.at(0).toObject().value(u"decision").toString(), QStringLiteral("fallback"));
    QVERIFY(attempts.at(1).toObject().value(u"hedge").toBool());
    QCOMPARE(attempts.at(1).toObject().value(u"class").toString(), QStringLiteral("ok"));
}

void HedgingTest::aFailingHedgeLeavesTheFirstRouteRunning()
{
    FakeResponse first = FakeResponse::stream({ QStringLiteral("from a") });
    first.holdUntilReleased = true;
    m_a->enqueue(first);
    m_b->enqueue(FakeResponse::error(500, QStringLiteral("server_error")));
    ClientCall *call = m_gateway->client().post(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("hedged"), true));
    QVERIFY(waitForRequest(*m_b));
    // The hedge's failure is settled before the first route answers.
    QVERIFY(waitForSettled(QStringLiteral("hb")));
    m_a->release();
    QVERIFY(GatewayClient::waitFor(call));
    QCOMPARE(call->status, 200);
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("ha"));
    QVERIFY(call->body.contains("from a"));
    QCOMPARE(m_b->requestCount(), 1); // a hedge is never retried
    const QJsonArray attempts = m_gateway->lastTrace().value(u"attempts").toArray();
    QCOMPARE(attempts.size(), 2);
    QCOMPARE(attempts.at(0).toObject().value(u"class").toString(), QStringLiteral("ok"));
    const QJsonObject hedge = attempts.at(1).toObject();
    QVERIFY(hedge.value(u"hedge").toBool());
    QCOMPARE(hedge.value(u"class").toString(), QStringLiteral("transient"));
    QCOMPARE(hedge.value(u"status").toInt(), 500);
}

void HedgingTest::aWholeAnswerIsHedgedToo()
{
    FakeResponse slow = FakeResponse::completion(QStringLiteral("from a"));
    slow.holdUntilReleased = true;
    m_a->enqueue(slow);
    m_b->enqueue(FakeResponse::completion(QStringLiteral("from b")));
    ClientCall *call = m_gateway->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("hedged")));
    QCOMPARE(call->status, 200);
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("hb"));
    QCOMPARE(call->json()
                 .value(u"choices")
                 .toArray()
                 .first()
                 .toObject()
                 .value(u"message")
                 .toObject()
                 .value(u"content")
                 .toString(),
        QStringLiteral("from b"));
    QTRY_COMPARE(m_a->clientsGoneWhilePending(), 1);
    const QJsonArray attempts = m_gateway->lastTrace().value(u"attempts").toArray();
    QCOMPARE(attempts.size(), 2);
    QCOMPARE(attempts.at(0).toObject().value(u"class").toString(), QStringLiteral("cancelled"));
    QVERIFY(attempts.at(1).toObject().value(u"hedge").toBool());
    QCOMPARE(attempts.at(1).toObject().value(u"tokens_out").toInteger(), 5);
    m_a->release();
}

QJsonArray HedgingTest::answeredAloneByTheSlowRoute(const QString &lane)
{
    FakeResponse slow = FakeResponse::stream({ QStringLiteral("from a") });
    slow.delayMs = 1000;
    m_a->enqueue(slow);
    ClientCall *call = m_gateway->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(lane, true));
    if (call->status != 200 || call->header("X-Switchyard-Route") != "ha"
        || m_b->requestCount() != 0)
        return {};
    return m_gateway->lastTrace().value(u"attempts").toArray();
}

void HedgingTest::aHedgeNeedsTheRetryBudget()
{
    // The lane's budget grants no retries at all, so no hedge either: the slow route answers.
    const QJsonArray attempts = answeredAloneByTheSlowRoute(QStringLiteral("frugal"));
    // The slow attempt's record says why it ran alone.
    QCOMPARE(attempts.size(), 1);
    QCOMPARE(attempts.at(0).toObject().value(u"class").toString(), QStringLiteral("ok"));
    QCOMPARE(attempts.at(0).toObject().value(u"note").toString(),
        QStringLiteral("no hedge: the retry budget of route 'ha' is spent"));
}

void HedgingTest::aDrainedRouteIsNeverAHedge()
{
    ClientCall *drained = m_gateway->client().post(QStringLiteral("/admin/routes/hb/drain"), "{}");
    QVERIFY(GatewayClient::waitFor(drained));
    QCOMPARE(drained->status, 200);
    const QJsonArray attempts = answeredAloneByTheSlowRoute(QStringLiteral("hedged"));
    QCOMPARE(attempts.size(), 1);
    QCOMPARE(attempts.at(0).toObject().value(u"note").toString(),
        QStringLiteral("no hedge: no other route of the chain took the request"));
}

void HedgingTest::aRefusalHandsOverToAHedgeOnAPolicyFallback()
{
    FakeResponse refusal = FakeResponse::error(
        400, QStringLiteral("invalid_request_error"), QStringLiteral("content_filter"));
    refusal.holdUntilReleased = true;
    m_a->enqueue(refusal);
    FakeResponse hedge = FakeResponse::completion(QStringLiteral("from b"));
    hedge.holdUntilReleased = true;
    m_b->enqueue(hedge);
    ClientCall *call = m_gateway->client().post(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("guarded")));
    QVERIFY(waitForRequest(*m_b));
    m_a->release();
    QVERIFY(waitForSettled(QStringLiteral("ha")));
    m_b->release();
    QVERIFY(GatewayClient::waitFor(call));
    // The hedge runs on the lane's policy fallback: it answers, and is not called twice.
    QCOMPARE(call->status, 200);
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("hb"));
    QCOMPARE(m_b->requestCount(), 1);
    const QJsonArray attempts = m_gateway->lastTrace().value(u"attempts").toArray();
    QCOMPARE(attempts.size(), 2);
    QCOMPARE(
        attempts.at(0).toObject().value(u"class").toString(), QStringLiteral("content_policy"));
    QCOMPARE(attempts.at(1).toObject().value(u"class").toString(), QStringLiteral("ok"));
}

void HedgingTest::aPercentileHedgeLearnsTheRoutesPace()
{
    // Until the route has twenty first tokens on record the lane would wait a minute; after them,
    // the 90th percentile of a route that answers at once is a few milliseconds.
    m_a->setDefaultResponse(FakeResponse::stream({ QStringLiteral("warm") }));
    for (int i = 0; i < 20; ++i) {
        ClientCall *warm = m_gateway->client().postAndWait(
            QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("adaptive"), true));
        QCOMPARE(warm->header("X-Switchyard-Route"), QByteArray("ha"));
    }
    QCOMPARE(m_b->requestCount(), 0);
    FakeResponse slow = FakeResponse::stream({ QStringLiteral("from a") });
    slow.holdUntilReleased = true;
    m_a->enqueue(slow);
    m_b->enqueue(FakeResponse::stream({ QStringLiteral("from b") }));
    ClientCall *call = m_gateway->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("adaptive"), true));
    QCOMPARE(call->status, 200);
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("hb"));
    QVERIFY(m_gateway->lastTrace()
                .value(u"attempts")
                .toArray()
                .at(1)
                .toObject()
                .value(u"hedge")
                .toBool());
    m_a->release();
}

QTEST_GUILESS_MAIN(HedgingTest)
#include "tst_hedging.moc"
