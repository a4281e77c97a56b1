#include "fakeupstream.h"
#include "gatewayharness.h"
#include "jsontext.h"
#include "prometheuscheck.h"

#include "engine/engine.h"
#include "engine/enginehost.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Switchyard::Testing;

// Traces, cost and metrics as an operator reads them over HTTP, including after a restart.
class ObservabilityTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void fellBackRequestIsTracedAndSurvivesARestart();
    void tracesAreFilteredByLaneRouteAndClass();
    void refusedRequestsAreTracedToo();
    void costComesFromUsage();
    void streamsAreCostedWithoutTheCallerNoticing();
    void cachedPromptTokensAreCostedAtTheirPrice();
    void callerAskingForUsageGetsIt();
    void routeAndLaneSpendCapsSkipWithClassBudget();
    void metricsParseAndMove();
    void keysNeverReachCallersTracesOrState();
    void consoleReceivesCoalescedTracesAndCost();

private:
    QByteArray config() const;
    bool startGateway(const QString &dataDirectory = QString());
    ClientCall *chat(const QString &lane, bool stream = false, const QJsonObject &extra = {});
    QJsonObject trace(const QByteArray &id);
    QByteArray metrics();

    std::unique_ptr<FakeUpstream> m_a;
    std::unique_ptr<FakeUpstream> m_b;
    std::unique_ptr<FakeUpstream> m_c;
    std::unique_ptr<GatewayUnderTest> m_gateway;
};

void ObservabilityTest::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    qputenv("SWITCHYARD_TEST_KEY_A", "sk-test-provider-a-0123456789");
}

QByteArray ObservabilityTest::config() const
{
    QByteArray json = jsonText(R"JSON({
      'providers': {'a': {'base_url': '@A@', 'api_key': {'env': 'SWITCHYARD_TEST_KEY_A'}},
                    'b': {'base_url': '@B@'}, 'c': {'base_url': '@C@'}},
      'routes': {
        'ra': {'provider': 'a', 'model': 'model-a', 'price': {'input_per_mtok': 1.0, 'output_per_mtok': 2.0}},
        'rb': {'provider': 'b', 'model': 'model-b', 'price': {'input_per_mtok': 2.0, 'output_per_mtok': 8.0}},
        'rc': {'provider': 'c', 'model': 'model-c'},
        'rcache': {'provider': 'b', 'model': 'model-b',
                   'price': {'input_per_mtok': 2.0, 'output_per_mtok': 8.0, 'cache_read_per_mtok': 0.2}},
        'capped': {'provider': 'b', 'model': 'model-b', 'price': {'input_per_mtok': 1000, 'output_per_mtok': 1000},
                   'budget_usd_per_day': 0.001}
      },
      'lanes': {
        'main': {'chain': ['ra', 'rb'], 'retry': {'max_retries': 1, 'base_ms': 1, 'max_ms': 5}},
        'other': {'chain': ['rc']},
        'cached': {'chain': ['rcache']},
        'capped-lane': {'chain': ['capped', 'rc']},
        'thrifty': {'chain': ['rb'], 'degraded': 'rc', 'budget_usd_per_day': 0.0001}
      },
      'default_lane': 'main'
    })JSON");
    json.replace("@A@", m_a->baseUrl().toUtf8());
    json.replace("@B@", m_b->baseUrl().toUtf8());
    json.replace("@C@", m_c->baseUrl().toUtf8());
    return json;
}

bool ObservabilityTest::startGateway(const QString &dataDirectory)
{
    m_gateway = std::make_unique<GatewayUnderTest>(dataDirectory);
    QString error;
    if (!m_gateway->start(config(), &error)) {
        qWarning("%s", qPrintable(error));
        return false;
    }
    return true;
}

void ObservabilityTest::init()
{
    m_a = std::make_unique<FakeUpstream>();
    m_b = std::make_unique<FakeUpstream>();
    m_c = std::make_unique<FakeUpstream>();
    QVERIFY(m_a->listen() && m_b->listen() && m_c->listen());
    m_a->setDefaultResponse(FakeResponse::completion(QStringLiteral("from a"), 1000, 500));
    m_b->setDefaultResponse(FakeResponse::completion(QStringLiteral("from b"), 1000, 500));
    m_c->setDefaultResponse(FakeResponse::completion(QStringLiteral("from c"), 1000, 500));
    QVERIFY(startGateway());
}

void ObservabilityTest::cleanup()
{
    m_gateway.reset();
    m_a.reset();
    m_b.reset();
    m_c.reset();
}

ClientCall *ObservabilityTest::chat(const QString &lane, bool stream, const QJsonObject &extra)
{
    return m_gateway->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(lane, stream, extra));
}

QJsonObject ObservabilityTest::trace(const QByteArray &id)
{
    ClientCall *call
        = m_gateway->client().get(QStringLiteral("/admin/traces/") + QString::fromUtf8(id));
    GatewayClient::waitFor(call);
    return call->status == 200 ? call->json() : QJsonObject();
}

QByteArray ObservabilityTest::metrics()
{
    ClientCall *call = m_gateway->client().get(QStringLiteral("/metrics"));
    GatewayClient::waitFor(call);
    return call->body;
}

void ObservabilityTest::fellBackRequestIsTracedAndSurvivesARestart()
{
    QTemporaryDir data;
    QVERIFY(startGateway(data.path()));
    m_a->setDefaultResponse(FakeResponse::error(503, QStringLiteral("server_error")));
    ClientCall *call = chat(QStringLiteral("main"));
    QCOMPARE(call->status, 200);
    const QByteArray id = call->header("X-Switchyard-Request-Id");

    auto check = [&](const QJsonObject &saved) {
        QCOMPARE(saved.value(QLatin1String("id")).toString(), QString::fromUtf8(id));
        QCOMPARE(saved.value(QLatin1String("lane")).toString(), QStringLiteral("main"));
        QCOMPARE(saved.value(QLatin1String("route")).toString(), QStringLiteral("rb"));
        QCOMPARE(saved.value(QLatin1String("status")).toInt(), 200);
        QVERIFY(saved.value(QLatin1String("fallback")).toBool());
        QVERIFY(saved.value(QLatin1String("started_at_ms")).toDouble() > 1.7e12);
        const QJsonArray attempts = saved.value(QLatin1String("attempts")).toArray();
        QCOMPARE(attempts.size(), 3);
        const QStringList routes { QStringLiteral("ra"), QStringLiteral("ra"),
            QStringLiteral("rb") };
        const QStringList classes { QStringLiteral("transient"), QStringLiteral("transient"),
            QStringLiteral("ok") };
        const QStringList decisions { QStringLiteral("retry"), QStringLiteral("fallback"),
            QStringLiteral("return") };
        qint64 previousEnd = 0;
        for (int i = 0; i < 3; ++i) {
            const QJsonObject attempt = attempts.at(i).toObject();
            QCOMPARE(attempt.value(QLatin1String("route")).toString(), routes.at(i));
            QCOMPARE(attempt.value(QLatin1String("class")).toString(), classes.at(i));
            QCOMPARE(attempt.value(QLatin1String("decision")).toString(), decisions.at(i));
            const qint64 start = qint64(attempt.value(QLatin1String("start_ms")).toDouble());
            const qint64 firstByte
                = qint64(attempt.value(QLatin1String("first_byte_ms")).toDouble());
            const qint64 end = qint64(attempt.value(QLatin1String("end_ms")).toDouble());
            QVERIFY(start >= previousEnd && firstByte >= start && end >= firstByte);
            previousEnd = end;
        }
        QCOMPARE(attempts.at(0).toObject().value(QLatin1String("status")).toInt(), 503);
        QCOMPARE(attempts.at(2).toObject().value(QLatin1String("tokens_in")).toInt(), 1000);
    };
    check(trace(id)); // readable the moment the request ended

    m_gateway.reset(); // the engine stops; the store writes what it holds
    QVERIFY(startGateway(data.path()));
    check(trace(id));
    ClientCall *listed = m_gateway->client().get(QStringLiteral("/admin/traces?limit=5&route=rb"));
    QVERIFY(GatewayClient::waitFor(listed));
    QCOMPARE(listed->json()
                 .value(QLatin1String("traces"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QLatin1String("id"))
                 .toString(),
        QString::fromUtf8(id));
}

void ObservabilityTest::tracesAreFilteredByLaneRouteAndClass()
{
    chat(QStringLiteral("main"));
    chat(QStringLiteral("other"));
    m_c->enqueue(FakeResponse::error(400, QStringLiteral("invalid_request_error")));
    chat(QStringLiteral("other"));
    auto count = [&](const QString &query) {
        ClientCall *call = m_gateway->client().get(QStringLiteral("/admin/traces?") + query);
        GatewayClient::waitFor(call);
        return call->json().value(QLatin1String("traces")).toArray().size();
    };
    QCOMPARE(count(QStringLiteral("limit=100")), 3);
    QCOMPARE(count(QStringLiteral("lane=other")), 2);
    QCOMPARE(count(QStringLiteral("route=ra")), 1);
    QCOMPARE(count(QStringLiteral("class=caller_error")), 1);
    QCOMPARE(count(QStringLiteral("limit=1")), 1);
    ClientCall *bad = m_gateway->client().get(QStringLiteral("/admin/traces?limit=zero"));
    QVERIFY(GatewayClient::waitFor(bad));
    QCOMPARE(bad->status, 400);
    QCOMPARE(trace("req_does_not_exist"), QJsonObject());
}

void ObservabilityTest::refusedRequestsAreTracedToo()
{
    ClientCall *call
        = m_gateway->client().postAndWait(QStringLiteral("/v1/chat/completions"), "{oops");
    QCOMPARE(call->status, 400);
    const QJsonObject saved = trace(call->header("X-Switchyard-Request-Id"));
    QCOMPARE(saved.value(QLatin1String("status")).toInt(), 400);
    QCOMPARE(saved.value(QLatin1String("class")).toString(), QStringLiteral("caller_error"));
}

void ObservabilityTest::costComesFromUsage()
{
    m_a->enqueue(FakeResponse::error(503, QStringLiteral("server_error")));
    m_a->enqueue(FakeResponse::error(503, QStringLiteral("server_error")));
    ClientCall *call = chat(QStringLiteral("main"));
    const QJsonObject saved = trace(call->header("X-Switchyard-Request-Id"));
    // rb: 1000 in × $2/M + 500 out × $8/M; all of it caused by the fallback.
    QCOMPARE(saved.value(QLatin1String("cost_usd")).toDouble(), 0.006);
    QCOMPARE(saved.value(QLatin1String("fallback_cost_usd")).toDouble(), 0.006);
    QCOMPARE(saved.value(QLatin1String("tokens_out")).toInt(), 500);

    ClientCall *direct = chat(QStringLiteral("main"));
    const QJsonObject first = trace(direct->header("X-Switchyard-Request-Id"));
    QCOMPARE(first.value(QLatin1String("cost_usd")).toDouble(),
        0.002); // ra: 1000 × 1 + 500 × 2, per million
    QCOMPARE(first.value(QLatin1String("fallback_cost_usd")).toDouble(), 0.0);
}

void ObservabilityTest::streamsAreCostedWithoutTheCallerNoticing()
{
    m_a->enqueue(
        FakeResponse::streamWithUsage({ QStringLiteral("Hel"), QStringLiteral("lo") }, 2000, 1000));
    ClientCall *call = chat(QStringLiteral("main"), true);
    QCOMPARE(call->status, 200);
    // The gateway asked the upstream for usage ...
    const QJsonObject sent = m_a->requests().first().json();
    QVERIFY(sent.value(QLatin1String("stream_options"))
                .toObject()
                .value(QLatin1String("include_usage"))
                .toBool());
    // ... and the caller, who did not, never sees it.
    QVERIFY2(!call->body.contains("usage"), call->body.constData());
    QVERIFY(call->body.contains("lo"));
    QVERIFY(call->body.endsWith("data: [DONE]\n\n"));
    const QJsonObject saved = trace(call->header("X-Switchyard-Request-Id"));
    QCOMPARE(saved.value(QLatin1String("tokens_in")).toInt(), 2000);
    QCOMPARE(saved.value(QLatin1String("cost_usd")).toDouble(), 0.004);
}

void ObservabilityTest::cachedPromptTokensAreCostedAtTheirPrice()
{
    FakeResponse hit;
    hit.body
        = jsonText("{'id': 'chatcmpl-c', 'object': 'chat.completion', 'choices': [{'index': 0, "
                   "'message': {'role': 'assistant', 'content': 'ok'}, 'finish_reason': "
                   "'stop'}], 'usage': {'prompt_tokens': 1000, 'completion_tokens': 100, "
                   "'total_tokens': 1100, 'prompt_tokens_details': {'cached_tokens': 800}}}");
    hit.headers.append(
        { QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json") });
    m_b->enqueue(hit);
    const QJsonObject plain
        = trace(chat(QStringLiteral("cached"))->header("X-Switchyard-Request-Id"));
    // 200 fresh × $2/M + 800 cached × $0.2/M + 100 out × $8/M.
    QCOMPARE(plain.value(u"cost_usd").toDouble(), (200 * 2.0 + 800 * 0.2 + 100 * 8.0) / 1e6);
    QCOMPARE(plain.value(u"tokens_in").toInt(), 1000);
    QCOMPARE(plain.value(u"cache_read_tokens").toInt(), 800);
    QCOMPARE(
        plain.value(u"attempts").toArray().first().toObject().value(u"cache_read_tokens").toInt(),
        800);

    m_b->enqueue(FakeResponse::streamWithUsage({ QStringLiteral("ok") }, 2000, 10, 1000));
    ClientCall *streamed = chat(QStringLiteral("cached"), true);
    QVERIFY(!streamed->body.contains("usage"));
    const QJsonObject stream = trace(streamed->header("X-Switchyard-Request-Id"));
    QCOMPARE(stream.value(u"cost_usd").toDouble(), (1000 * 2.0 + 1000 * 0.2 + 10 * 8.0) / 1e6);
    QCOMPARE(stream.value(u"cache_read_tokens").toInt(), 1000);

    QHash<QString, double> samples;
    QCOMPARE(prometheusProblem(metrics(), &samples), QString());
    QCOMPARE(samples.value(QStringLiteral(
                 "switchyard_tokens_total{route=\"rcache\",direction=\"in\",kind=\"cache_read\"}")),
        1800.0);
    QCOMPARE(samples.value(QStringLiteral(
                 "switchyard_tokens_total{route=\"rcache\",direction=\"in\",kind=\"uncached\"}")),
        1200.0);
}

void ObservabilityTest::callerAskingForUsageGetsIt()
{
    m_a->enqueue(FakeResponse::streamWithUsage({ QStringLiteral("Hi") }, 10, 20));
    const QJsonObject options { { QStringLiteral("stream_options"),
        QJsonObject { { QStringLiteral("include_usage"), true } } } };
    ClientCall *call = chat(QStringLiteral("main"), true, options);
    QVERIFY(call->body.contains("\"usage\":{"));
    const QJsonObject saved = trace(call->header("X-Switchyard-Request-Id"));
    QCOMPARE(saved.value(QLatin1String("tokens_out")).toInt(), 20);
}

void ObservabilityTest::routeAndLaneSpendCapsSkipWithClassBudget()
{
    // 1000 in + 500 out at $1000/M costs $1.50, far over the route's $0.001 a day.
    ClientCall *first = chat(QStringLiteral("capped-lane"));
    QCOMPARE(first->header("X-Switchyard-Route"), QByteArray("capped"));
    ClientCall *second = chat(QStringLiteral("capped-lane"));
    QCOMPARE(second->status, 200);
    QCOMPARE(second->header("X-Switchyard-Route"), QByteArray("rc"));
    const QJsonObject skipped = trace(second->header("X-Switchyard-Request-Id"))
                                    .value(QLatin1String("attempts"))
                                    .toArray()
                                    .first()
                                    .toObject();
    QCOMPARE(skipped.value(QLatin1String("class")).toString(), QStringLiteral("budget"));
    QCOMPARE(skipped.value(QLatin1String("decision")).toString(), QStringLiteral("skip"));
    QCOMPARE(m_b->requestCount(), 1);

    // A lane over its cap keeps only its degraded route.
    QCOMPARE(chat(QStringLiteral("thrifty"))->header("X-Switchyard-Route"), QByteArray("rb"));
    ClientCall *degraded = chat(QStringLiteral("thrifty"));
    QCOMPARE(degraded->header("X-Switchyard-Route"), QByteArray("rc"));
    QCOMPARE(degraded->header("X-Switchyard-Degraded"), QByteArray("1"));
}

void ObservabilityTest::metricsParseAndMove()
{
    QHash<QString, double> before;
    QCOMPARE(prometheusProblem(metrics(), &before), QString());
    m_a->enqueue(FakeResponse::error(503, QStringLiteral("server_error")));
    m_a->enqueue(FakeResponse::error(503, QStringLiteral("server_error")));
    chat(QStringLiteral("main"));
    chat(QStringLiteral("main"));
    QHash<QString, double> after;
    const QByteArray text = metrics();
    QCOMPARE(prometheusProblem(text, &after), QString());
    QCOMPARE(after.value(QStringLiteral(
                 "switchyard_requests_total{lane=\"main\",route=\"rb\",class=\"ok\"}")),
        1.0);
    QCOMPARE(after.value(QStringLiteral(
                 "switchyard_requests_total{lane=\"main\",route=\"ra\",class=\"ok\"}")),
        1.0);
    QCOMPARE(
        after.value(QStringLiteral("switchyard_attempts_total{route=\"ra\",class=\"transient\","
                                   "key=\"SWITCHYARD_TEST_KEY_A\"}")),
        2.0);
    QCOMPARE(after.value(QStringLiteral("switchyard_retries_total{route=\"ra\"}")), 1.0);
    QCOMPARE(after.value(QStringLiteral("switchyard_fallbacks_total{lane=\"main\"}")), 1.0);
    QCOMPARE(after.value(QStringLiteral("switchyard_breaker_state{route=\"ra\"}")), 0.0);
    QCOMPARE(
        after.value(QStringLiteral("switchyard_request_duration_seconds_count{lane=\"main\"}")),
        2.0);
    QCOMPARE(after.value(QStringLiteral(
                 "switchyard_tokens_total{route=\"rb\",direction=\"out\",kind=\"output\"}")),
        500.0);
    QVERIFY(qAbs(after.value(QStringLiteral("switchyard_cost_usd_total{route=\"rb\"}")) - 0.006)
        < 1e-12);
}

void ObservabilityTest::keysNeverReachCallersTracesOrState()
{
    const QString key = QStringLiteral("sk-test-provider-a-0123456789");
    // An upstream that quotes the key back, as some do on auth and validation errors.
    m_a->enqueue(FakeResponse::error(400, QStringLiteral("invalid_request_error"),
        QStringLiteral("bad"), QStringLiteral("Key %1 may not use this model").arg(key)));
    ClientCall *call = chat(QStringLiteral("main"));
    QCOMPARE(call->status, 400);
    QVERIFY2(!call->body.contains(key.toUtf8()), call->body.constData());
    QVERIFY(call->body.contains("[redacted]"));
    m_a->enqueue(FakeResponse::error(401, QStringLiteral("invalid_request_error"),
        QStringLiteral("invalid_api_key"),
        QStringLiteral("Incorrect API key provided: %1").arg(key)));
    ClientCall *fellBack = chat(QStringLiteral("main"));
    QCOMPARE(fellBack->status, 200);

    for (const QString &path : { QStringLiteral("/admin/traces?limit=10"),
             QStringLiteral("/admin/state"), QStringLiteral("/metrics") }) {
        ClientCall *read = m_gateway->client().get(path);
        QVERIFY(GatewayClient::waitFor(read));
        QVERIFY2(!read->body.contains(key.toUtf8()), qPrintable(path));
        QVERIFY2(!read->body.contains("0123456789"), qPrintable(path));
    }
    QCOMPARE(m_a->requests().first().headers.value("authorization"),
        QByteArray("Bearer ") + key.toUtf8());
}

void ObservabilityTest::consoleReceivesCoalescedTracesAndCost()
{
    Switchyard::Engine *engine = m_gateway->host().engine();
    QObject scope; // the connections below end with this function, before its locals do
    QList<int> batchSizes;
    QList<Switchyard::TraceRecord> traces;
    double spend = 0;
    connect(engine, &Switchyard::Engine::tracesAdded, &scope,
        [&](const QList<Switchyard::TraceRecord> &batch) {
            batchSizes.append(int(batch.size()));
            traces += batch;
        });
    connect(engine, &Switchyard::Engine::costAdded, &scope,
        [&](const QList<Switchyard::CostPoint> &points) {
            for (const Switchyard::CostPoint &point : points)
                spend += point.costUsd;
        });
    QList<ClientCall *> calls;
    for (int i = 0; i < 20; ++i)
        calls.append(m_gateway->client().post(
            QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main"))));
    for (ClientCall *call : std::as_const(calls))
        QVERIFY(GatewayClient::waitFor(call));
    QTRY_COMPARE(traces.size(), 20);
    QVERIFY2(batchSizes.size() < 20, "20 quick requests must arrive in fewer, larger batches");
    QVERIFY(qAbs(spend - 20 * 0.002) < 1e-9);
    QCOMPARE(traces.first().lane, QStringLiteral("main"));
}

QTEST_GUILESS_MAIN(ObservabilityTest)
#include "tst_observability.moc"
