#include "fakeupstream.h"
#include "gatewayharness.h"
#include "jsontext.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Switchyard;
using namespace Switchyard::Testing;

// End-to-end: real HTTP over loopback, from a client through the gateway to fake upstreams.
class GatewayTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void okPassesThroughWithHeadersAndTheProvidersKey();
    void callerErrorIsReturnedAsIsWithoutRetryOrFallback();
    void authErrorFallsBackWithoutRetry();
    void rateLimitedRetriesAfterRetryAfter();
    void rateLimitedBeyondTheLimitFallsBackAndCoolsDown();
    void transientIsRetriedThenFallsBack();
    void transientRetryCanSucceed();
    void retryBudgetStopsRetries();
    void connectionRefusedFallsBackQuickly();
    void firstByteTimeoutFallsBack();
    void incompatibleRouteIsSkippedWithoutACall();
    void contextWindowTooSmallIsSkipped();
    void upstreamContextLengthErrorFallsBack();
    void contentPolicyFallsBackOnlyToPolicyFallbacks();
    void contentPolicyWithoutPolicyFallbacksIsReturned();
    void contractViolationFallsBack();
    void invalidJsonOutputIsAContractViolation();
    void aStreamLongerThanTheIdleTimeoutIsNotCut();
    void aRequestWithoutAModelGoesToTheDefaultLane();
    void noAnswerCarriesAnEmptySwitchyardHeader();
    void allRoutesFailedListsEveryAttempt();
    void degradedRouteIsMarked();
    void deadlineBoundsTheWholeRequest();
    void pinnedRouteNeverFallsBack();
    void missingKeyMarksRouteMisconfigured();
    void clientGoingAwayCancelsTheUpstreamCall();
    void streamChunksAreRelayedAsTheyArrive();
    void streamFailsOverBeforeTheFirstByte();
    void streamFirstByteTimeoutFailsOver();
    void midStreamFailureEndsWithAnErrorEvent();
    void streamWithoutDoneIsNotPassedOffAsSuccess();
    void stalledStreamHitsTheIdleTimeout();
    void doneEndsTheStreamEvenIfTheUpstreamLingers();
    void aStreamOfOnlyDoneIsNoAnswer();
    void aCutInsideAnEventStillEndsWithAReadableError();
    void aCallerErrorInsideAStreamIsNotRetried();
    void clientGoingAwayMidStreamCancelsTheUpstream();
    void sixtyFourSlowRequestsAreInFlightAtOnce();
    void badInputGetsClearErrorsAndTheGatewayKeepsServing();
    void embeddingsAndModelList();
    void modelNamesListedByALaneReachIt();
    void aModelIsRetrievedByItsId();

private:
    QByteArray config() const;
    ClientCall *chat(const QString &model, bool stream = false, const QJsonObject &extra = {},
        const QList<QPair<QByteArray, QByteArray>> &headers = {});
    static QJsonArray attemptsOf(ClientCall *call);

    std::unique_ptr<FakeUpstream> m_a;
    std::unique_ptr<FakeUpstream> m_b;
    std::unique_ptr<FakeUpstream> m_c;
    std::unique_ptr<GatewayUnderTest> m_gateway;
};

void GatewayTest::initTestCase()
{
    qputenv("SWITCHYARD_TEST_KEY_A", "sk-test-provider-a");
    qputenv("SWITCHYARD_TEST_KEY_B", "sk-test-provider-b");
    qunsetenv("SWITCHYARD_TEST_KEY_UNSET");
}

QByteArray GatewayTest::config() const
{
    QByteArray json = jsonText(R"JSON({
      'providers': {
        'a': {'base_url': '@A@', 'api_key': {'env': 'SWITCHYARD_TEST_KEY_A'}},
        'b': {'base_url': '@B@', 'api_key': {'env': 'SWITCHYARD_TEST_KEY_B'}},
        'c': {'base_url': '@C@'},
        'dead': {'base_url': '@DEAD@'},
        'nokey': {'base_url': '@A@', 'api_key': {'env': 'SWITCHYARD_TEST_KEY_UNSET'}}
      },
      'routes': {
        'ra': {'provider': 'a', 'model': 'model-a',
               'timeouts_ms': {'connect': 2000, 'first_byte': 600, 'idle': 600, 'total': 20000}},
        'rb': {'provider': 'b', 'model': 'model-b', 'capabilities': ['tools', 'json', 'stream', 'embeddings']},
        'rc': {'provider': 'c', 'model': 'model-c'},
        'rdead': {'provider': 'dead', 'model': 'model-dead'},
        'rnokey': {'provider': 'nokey', 'model': 'model-a'},
        'ra-plain': {'provider': 'a', 'model': 'model-a', 'capabilities': ['stream']},
        'rb-small': {'provider': 'b', 'model': 'model-b', 'context_window': 100},
        'rslow': {'provider': 'a', 'model': 'model-a',
                  'timeouts_ms': {'connect': 5000, 'first_byte': 60000, 'idle': 60000, 'total': 120000}}
      },
      'lanes': {
        'main': {'chain': ['ra', 'rb'], 'deadline_ms': 20000,
                 'retry': {'max_retries': 1, 'base_ms': 5, 'max_ms': 20, 'max_retry_after_ms': 1000}},
        'policy': {'chain': ['ra', 'rb'], 'policy_fallbacks': ['rc'], 'retry': {'max_retries': 0}},
        'deadfirst': {'chain': ['rdead', 'rb'], 'retry': {'max_retries': 2}},
        'tools': {'chain': ['ra-plain', 'rb']},
        'small': {'chain': ['rb-small', 'ra']},
        'degraded': {'chain': ['ra', 'rb'], 'degraded': 'rc', 'retry': {'max_retries': 0}},
        'short': {'chain': ['rslow'], 'deadline_ms': 700},
        'nobudget': {'chain': ['ra', 'rb'],
                     'retry': {'max_retries': 3, 'base_ms': 1, 'max_ms': 2, 'budget_ratio': 0, 'budget_min_retries': 0}},
        'misconfigured': {'chain': ['rnokey', 'rb']},
        'patient': {'chain': ['ra', 'rb'], 'deadline_ms': 20000,
                    'retry': {'max_retries': 1, 'base_ms': 5, 'max_ms': 20, 'retry_silent': true}},
        'slow': {'chain': ['rslow'], 'deadline_ms': 60000},
        'agents': {'chain': ['rb', 'ra'], 'models': ['claude-opus-*', 'gpt-5?-codex', 'exact-name']},
        'opus': {'chain': ['rc'], 'models': ['claude-opus-4-8*']}
      },
      'default_lane': 'main'
    })JSON");
    json.replace("@A@", m_a->baseUrl().toUtf8());
    json.replace("@B@", m_b->baseUrl().toUtf8());
    json.replace("@C@", m_c->baseUrl().toUtf8());
    json.replace("@DEAD@",
        QStringLiteral("http://127.0.0.1:%1/v1").arg(FakeUpstream::closedPort()).toUtf8());
    return json;
}

void GatewayTest::init()
{
    m_a = std::make_unique<FakeUpstream>();
    m_b = std::make_unique<FakeUpstream>();
    m_c = std::make_unique<FakeUpstream>();
    QVERIFY(m_a->listen() && m_b->listen() && m_c->listen());
    m_a->setDefaultResponse(FakeResponse::completion(QStringLiteral("from a")));
    m_b->setDefaultResponse(FakeResponse::completion(QStringLiteral("from b")));
    m_c->setDefaultResponse(FakeResponse::completion(QStringLiteral("from c")));
    m_gateway = std::make_unique<GatewayUnderTest>();
    QString error;
    QVERIFY2(m_gateway->start(config(), &error), qPrintable(error));
}

void GatewayTest::cleanup()
{
    m_gateway.reset();
    m_a.reset();
    m_b.reset();
    m_c.reset();
}

ClientCall *GatewayTest::chat(const QString &model, bool stream, const QJsonObject &extra,
    const QList<QPair<QByteArray, QByteArray>> &headers)
{
    return m_gateway->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(model, stream, extra), headers);
}

QJsonArray GatewayTest::attemptsOf(ClientCall *call)
{
    return call->json()
        .value(QLatin1String("error"))
        .toObject()
        .value(QLatin1String("attempts"))
        .toArray();
}

void GatewayTest::okPassesThroughWithHeadersAndTheProvidersKey()
{
    const FakeResponse scripted = FakeResponse::completion(QStringLiteral("hello there"));
    m_a->enqueue(scripted);
    const QByteArray body
        = jsonText("{'model': 'main', 'temperature': 0.70, 'seed': 12345678901234567890, "
                   "'messages': [{'role': 'user', 'content': 'hi'}]}");
    ClientCall *call = m_gateway->client().postAndWait(QStringLiteral("/v1/chat/completions"), body,
        { { "Authorization", "Bearer caller-secret" } });
    QCOMPARE(call->status, 200);
    QCOMPARE(call->body, scripted.body);
    QVERIFY(call->header("X-Switchyard-Request-Id").startsWith("req_"));
    QCOMPARE(call->header("X-Switchyard-Lane"), QByteArray("main"));
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("ra"));
    QCOMPARE(call->header("X-Switchyard-Attempts"), QByteArray("1"));
    QCOMPARE(call->header("X-Switchyard-Fallback"), QByteArray("0"));
    QCOMPARE(call->header("X-Switchyard-Degraded"), QByteArray("0"));

    QCOMPARE(m_a->requestCount(), 1);
    const ReceivedRequest &received = m_a->requests().first();
    QCOMPARE(received.path, QByteArray("/v1/chat/completions"));
    QCOMPARE(received.headers.value("authorization"), QByteArray("Bearer sk-test-provider-a"));
    // Only "model" changes; every other byte is the caller's.
    QByteArray expected = body;
    expected.replace("\"model\": \"main\"", "\"model\": \"model-a\"");
    QCOMPARE(received.body, expected);
}

void GatewayTest::callerErrorIsReturnedAsIsWithoutRetryOrFallback()
{
    const FakeResponse scripted = FakeResponse::error(400, QStringLiteral("invalid_request_error"),
        QStringLiteral("invalid_value"), QStringLiteral("temperature is out of range"));
    m_a->enqueue(scripted);
    ClientCall *call = chat(QStringLiteral("main"));
    QCOMPARE(call->status, 400);
    QCOMPARE(call->body, scripted.body);
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("ra"));
    QCOMPARE(m_a->requestCount(), 1);
    QCOMPARE(m_b->requestCount(), 0);
}

void GatewayTest::authErrorFallsBackWithoutRetry()
{
    m_a->enqueue(FakeResponse::error(
        401, QStringLiteral("invalid_request_error"), QStringLiteral("invalid_api_key")));
    ClientCall *call = chat(QStringLiteral("main"));
    QCOMPARE(call->status, 200);
    QCOMPARE(call->answerText(), QStringLiteral("from b"));
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("rb"));
    QCOMPARE(call->header("X-Switchyard-Fallback"), QByteArray("1"));
    QCOMPARE(call->header("X-Switchyard-Attempts"), QByteArray("2"));
    QCOMPARE(m_a->requestCount(), 1);
    QCOMPARE(m_b->requestCount(), 1);
    QCOMPARE(m_b->requests().first().headers.value("authorization"),
        QByteArray("Bearer sk-test-provider-b"));
}

void GatewayTest::rateLimitedRetriesAfterRetryAfter()
{
    m_a->enqueue(FakeResponse::error(429, QStringLiteral("rate_limit_error"))
                     .withHeader("Retry-After", "0"));
    ClientCall *call = chat(QStringLiteral("main"));
    QCOMPARE(call->status, 200);
    QCOMPARE(call->answerText(), QStringLiteral("from a"));
    QCOMPARE(call->header("X-Switchyard-Attempts"), QByteArray("2"));
    QCOMPARE(call->header("X-Switchyard-Fallback"), QByteArray("0"));
    QCOMPARE(m_a->requestCount(), 2);
    QCOMPARE(m_b->requestCount(), 0);
}

void GatewayTest::rateLimitedBeyondTheLimitFallsBackAndCoolsDown()
{
    // 30 s is beyond max_retry_after_ms (1 s): fall back now, and keep traffic off the route
    // meanwhile.
    m_a->enqueue(FakeResponse::error(429, QStringLiteral("rate_limit_error"))
                     .withHeader("Retry-After", "30"));
    ClientCall *first = chat(QStringLiteral("main"));
    QCOMPARE(first->status, 200);
    QCOMPARE(first->header("X-Switchyard-Route"), QByteArray("rb"));
    QCOMPARE(m_a->requestCount(), 1);

    ClientCall *second = chat(QStringLiteral("main"));
    QCOMPARE(second->status, 200);
    QCOMPARE(second->header("X-Switchyard-Route"), QByteArray("rb"));
    QCOMPARE(second->header("X-Switchyard-Fallback"), QByteArray("1"));
    QCOMPARE(second->header("X-Switchyard-Attempts"), QByteArray("1"));
    QCOMPARE(m_a->requestCount(), 1);
}

void GatewayTest::transientIsRetriedThenFallsBack()
{
    m_a->enqueue(FakeResponse::error(503, QStringLiteral("server_error")));
    m_a->enqueue(FakeResponse::error(503, QStringLiteral("server_error")));
    ClientCall *call = chat(QStringLiteral("main"));
    QCOMPARE(call->status, 200);
    QCOMPARE(call->answerText(), QStringLiteral("from b"));
    QCOMPARE(call->header("X-Switchyard-Attempts"), QByteArray("3"));
    QCOMPARE(call->header("X-Switchyard-Fallback"), QByteArray("1"));
    QCOMPARE(m_a->requestCount(), 2); // max_retries 1
    QCOMPARE(m_b->requestCount(), 1);
}

void GatewayTest::transientRetryCanSucceed()
{
    m_a->enqueue(FakeResponse::error(502, QStringLiteral("server_error")));
    ClientCall *call = chat(QStringLiteral("main"));
    QCOMPARE(call->status, 200);
    QCOMPARE(call->answerText(), QStringLiteral("from a"));
    QCOMPARE(call->header("X-Switchyard-Fallback"), QByteArray("0"));
    QCOMPARE(m_a->requestCount(), 2);
}

void GatewayTest::retryBudgetStopsRetries()
{
    // max_retries 3, but a budget of zero: the outage must not be multiplied by retries.
    m_a->setDefaultResponse(FakeResponse::error(503, QStringLiteral("server_error")));
    for (int i = 0; i < 3; ++i) {
        ClientCall *call = chat(QStringLiteral("nobudget"));
        QCOMPARE(call->status, 200);
        QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("rb"));
    }
    QCOMPARE(m_a->requestCount(), 3);
}

void GatewayTest::connectionRefusedFallsBackQuickly()
{
    QElapsedTimer timer;
    timer.start();
    ClientCall *call = chat(QStringLiteral("deadfirst"));
    QCOMPARE(call->status, 200);
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("rb"));
    QCOMPARE(call->header("X-Switchyard-Fallback"), QByteArray("1"));
    // Nothing listens there: retrying the same address cannot help, so fall back at once.
    QCOMPARE(call->header("X-Switchyard-Attempts"), QByteArray("2"));
    QVERIFY2(timer.elapsed() < 3000, "a refused connection must not wait for a timeout");
}

void GatewayTest::firstByteTimeoutFallsBack()
{
    FakeResponse hang;
    hang.hang = true;
    for (int i = 0; i < 3; ++i)
        m_a->enqueue(hang);
    // A route that said nothing is not waited for twice: the next route at once.
    ClientCall *call = chat(QStringLiteral("main"));
    QCOMPARE(call->status, 200);
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("rb"));
    QCOMPARE(m_a->requestCount(), 1);
    QTRY_COMPARE(m_a->clientsGoneWhilePending(), 1); // the gateway hung up

    // A lane may ask for the retry all the same.
    ClientCall *patient = chat(QStringLiteral("patient"));
    QCOMPARE(patient->status, 200);
    QCOMPARE(patient->header("X-Switchyard-Route"), QByteArray("rb"));
    QCOMPARE(m_a->requestCount(), 3);
    QTRY_COMPARE(m_a->clientsGoneWhilePending(), 3);
}

void GatewayTest::incompatibleRouteIsSkippedWithoutACall()
{
    const QJsonObject tools { { QStringLiteral("tools"),
        QJsonArray { QJsonObject { { QStringLiteral("type"), QStringLiteral("function") } } } } };
    ClientCall *call = chat(QStringLiteral("tools"), false, tools);
    QCOMPARE(call->status, 200);
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("rb"));
    QCOMPARE(call->header("X-Switchyard-Attempts"), QByteArray("1"));
    // The first route could never serve this request, so the second is not a fallback.
    QCOMPARE(call->header("X-Switchyard-Fallback"), QByteArray("0"));
    QCOMPARE(m_a->requestCount(), 0);
}

void GatewayTest::contextWindowTooSmallIsSkipped()
{
    ClientCall *call
        = chat(QStringLiteral("small"), false, { { QStringLiteral("max_tokens"), 5000 } });
    QCOMPARE(call->status, 200);
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("ra"));
    QCOMPARE(m_b->requestCount(), 0);
}

void GatewayTest::upstreamContextLengthErrorFallsBack()
{
    m_a->enqueue(FakeResponse::error(
        400, QStringLiteral("invalid_request_error"), QStringLiteral("context_length_exceeded")));
    ClientCall *call = chat(QStringLiteral("main"));
    QCOMPARE(call->status, 200);
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("rb"));
    QCOMPARE(m_a->requestCount(), 1);
}

void GatewayTest::contentPolicyFallsBackOnlyToPolicyFallbacks()
{
    m_a->enqueue(FakeResponse::error(
        400, QStringLiteral("invalid_request_error"), QStringLiteral("content_filter")));
    ClientCall *call = chat(QStringLiteral("policy"));
    QCOMPARE(call->status, 200);
    QCOMPARE(call->answerText(), QStringLiteral("from c"));
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("rc"));
    QCOMPARE(m_b->requestCount(), 0);
    QCOMPARE(m_c->requestCount(), 1);
}

void GatewayTest::contentPolicyWithoutPolicyFallbacksIsReturned()
{
    const FakeResponse refusal = FakeResponse::error(
        400, QStringLiteral("invalid_request_error"), QStringLiteral("content_filter"));
    m_a->enqueue(refusal);
    ClientCall *call = chat(QStringLiteral("main"));
    QCOMPARE(call->status, 400);
    QCOMPARE(call->body, refusal.body);
    QCOMPARE(m_b->requestCount(), 0);
}

void GatewayTest::contractViolationFallsBack()
{
    FakeResponse html;
    html.body = "<html><body>502 Bad Gateway (but sent as 200)</body></html>";
    html.withHeader("Content-Type", "text/html");
    m_a->enqueue(html);
    ClientCall *call = chat(QStringLiteral("main"));
    QCOMPARE(call->status, 200);
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("rb"));
    QCOMPARE(m_a->requestCount(), 1); // a contract violation is not retried on the same route
}

void GatewayTest::invalidJsonOutputIsAContractViolation()
{
    m_a->enqueue(FakeResponse::completion(QStringLiteral("Sure! Here is your JSON: {")));
    m_b->enqueue(FakeResponse::completion(QStringLiteral("{\"ok\": true}")));
    const QJsonObject jsonMode { { QStringLiteral("response_format"),
        QJsonObject { { QStringLiteral("type"), QStringLiteral("json_object") } } } };
    ClientCall *call = chat(QStringLiteral("main"), false, jsonMode);
    QCOMPARE(call->status, 200);
    QCOMPARE(call->answerText(), QStringLiteral("{\"ok\": true}"));
}

void GatewayTest::allRoutesFailedListsEveryAttempt()
{
    m_a->setDefaultResponse(FakeResponse::error(503, QStringLiteral("server_error")));
    m_b->setDefaultResponse(FakeResponse::error(500, QStringLiteral("server_error")));
    ClientCall *call = chat(QStringLiteral("main"));
    QCOMPARE(call->status, 502);
    const QJsonObject error = call->json().value(QLatin1String("error")).toObject();
    QCOMPARE(error.value(QLatin1String("type")).toString(), QStringLiteral("all_routes_failed"));
    QVERIFY(!error.value(QLatin1String("message")).toString().isEmpty());
    const QJsonArray attempts = attemptsOf(call);
    QCOMPARE(attempts.size(), 4);
    const QStringList routes { QStringLiteral("ra"), QStringLiteral("ra"), QStringLiteral("rb"),
        QStringLiteral("rb") };
    const QList<int> statuses { 503, 503, 500, 500 };
    const QStringList decisions { QStringLiteral("retry"), QStringLiteral("fallback"),
        QStringLiteral("retry"), QStringLiteral("fallback") };
    for (int i = 0; i < 4; ++i) {
        const QJsonObject attempt = attempts.at(i).toObject();
        QCOMPARE(attempt.value(QLatin1String("route")).toString(), routes.at(i));
        QCOMPARE(attempt.value(QLatin1String("class")).toString(), QStringLiteral("transient"));
        QCOMPARE(attempt.value(QLatin1String("status")).toInt(), statuses.at(i));
        QCOMPARE(attempt.value(QLatin1String("decision")).toString(), decisions.at(i));
    }
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("rb"));
    QCOMPARE(call->header("X-Switchyard-Attempts"), QByteArray("4"));
}

void GatewayTest::degradedRouteIsMarked()
{
    m_a->enqueue(FakeResponse::error(503, QStringLiteral("server_error")));
    m_b->enqueue(FakeResponse::error(503, QStringLiteral("server_error")));
    ClientCall *call = chat(QStringLiteral("degraded"));
    QCOMPARE(call->status, 200);
    QCOMPARE(call->answerText(), QStringLiteral("from c"));
    QCOMPARE(call->header("X-Switchyard-Degraded"), QByteArray("1"));
    QCOMPARE(call->header("X-Switchyard-Fallback"), QByteArray("1"));

    ClientCall *healthy = chat(QStringLiteral("degraded"));
    QCOMPARE(healthy->header("X-Switchyard-Degraded"), QByteArray("0"));
}

void GatewayTest::deadlineBoundsTheWholeRequest()
{
    FakeResponse hang;
    hang.hang = true;
    m_a->setDefaultResponse(hang);
    QElapsedTimer timer;
    timer.start();
    ClientCall *call = chat(QStringLiteral("short"));
    QCOMPARE(call->status, 504);
    QCOMPARE(call->json()
                 .value(QLatin1String("error"))
                 .toObject()
                 .value(QLatin1String("type"))
                 .toString(),
        QStringLiteral("deadline_exceeded"));
    QVERIFY2(timer.elapsed() < 5000,
        "the 700 ms deadline must end the request, not the 60 s route timeout");
    QTRY_COMPARE(m_a->clientsGoneWhilePending(), 1);
}

void GatewayTest::pinnedRouteNeverFallsBack()
{
    m_a->setDefaultResponse(FakeResponse::error(503, QStringLiteral("server_error")));
    ClientCall *call = chat(QStringLiteral("ra"));
    QCOMPARE(call->status, 502);
    QCOMPARE(call->header("X-Switchyard-Lane"), QByteArray("route:ra"));
    QCOMPARE(m_b->requestCount(), 0);
    QCOMPARE(m_a->requestCount(), 2); // retried like the default lane, never rerouted
}

void GatewayTest::missingKeyMarksRouteMisconfigured()
{
    ClientCall *call = chat(QStringLiteral("misconfigured"));
    QCOMPARE(call->status, 200);
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("rb"));
    QCOMPARE(call->header("X-Switchyard-Fallback"), QByteArray("1"));
    QCOMPARE(m_a->requestCount(), 0); // never called without its key
}

void GatewayTest::clientGoingAwayCancelsTheUpstreamCall()
{
    FakeResponse hang;
    hang.hang = true;
    m_a->setDefaultResponse(hang);
    ClientCall *call = m_gateway->client().post(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("slow")));
    QTRY_COMPARE(m_a->requestCount(), 1);
    call->abort();
    QTRY_COMPARE_WITH_TIMEOUT(m_a->clientsGoneWhilePending(), 1, 5000);
    ClientCall *health = m_gateway->client().get(QStringLiteral("/healthz"));
    QVERIFY(GatewayClient::waitFor(health));
    QCOMPARE(health->status, 200);
}

void GatewayTest::streamChunksAreRelayedAsTheyArrive()
{
    FakeResponse stream = FakeResponse::stream(
        { QStringLiteral("first"), QStringLiteral("second"), QStringLiteral("third") });
    stream.holdAfterChunks = 1;
    m_a->enqueue(stream);
    ClientCall *call = m_gateway->client().post(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main"), true));
    // The first chunk reaches the client while the upstream still holds back the rest.
    QTRY_VERIFY_WITH_TIMEOUT(call->body.contains("first"), 5000);
    QCOMPARE(m_a->chunksSent(), 1);
    QVERIFY(!call->body.contains("second"));
    QCOMPARE(call->header("Content-Type"), QByteArray("text/event-stream"));
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("ra"));
    m_a->release();
    QVERIFY(GatewayClient::waitFor(call));
    QCOMPARE(call->status, 200);
    QVERIFY(call->body.contains("third"));
    QVERIFY(call->body.endsWith("data: [DONE]\n\n"));
    QVERIFY(!call->body.contains("\"error\""));
}

void GatewayTest::streamFailsOverBeforeTheFirstByte()
{
    m_a->setDefaultResponse(FakeResponse::error(503, QStringLiteral("server_error")));
    m_b->enqueue(FakeResponse::stream({ QStringLiteral("b1"), QStringLiteral("b2") }));
    ClientCall *call = chat(QStringLiteral("main"), true);
    QCOMPARE(call->status, 200);
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("rb"));
    QCOMPARE(call->header("X-Switchyard-Fallback"), QByteArray("1"));
    QVERIFY(call->body.contains("b2"));
    QVERIFY(call->body.endsWith("data: [DONE]\n\n"));
}

void GatewayTest::streamFirstByteTimeoutFailsOver()
{
    FakeResponse hang;
    hang.hang = true;
    m_a->setDefaultResponse(hang);
    m_b->enqueue(FakeResponse::stream({ QStringLiteral("late but fine") }));
    ClientCall *call = chat(QStringLiteral("main"), true);
    QCOMPARE(call->status, 200);
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("rb"));
    QVERIFY(call->body.contains("late but fine"));
}

void GatewayTest::midStreamFailureEndsWithAnErrorEvent()
{
    FakeResponse stream = FakeResponse::stream(
        { QStringLiteral("one"), QStringLiteral("two"), QStringLiteral("three") });
    stream.cutAfterChunks = 2;
    m_a->enqueue(stream);
    ClientCall *call = chat(QStringLiteral("main"), true);
    QCOMPARE(call->status, 200);
    QVERIFY(call->body.contains("two"));
    QVERIFY(!call->body.contains("three"));
    QVERIFY(!call->body.contains("data: [DONE]"));
    const qsizetype errorAt = call->body.lastIndexOf("data: {\"error\"");
    QVERIFY2(errorAt > 0, call->body.constData());
    const QJsonObject event
        = QJsonDocument::fromJson(call->body.mid(errorAt + 6).trimmed()).object();
    QCOMPARE(event.value(QLatin1String("error")).toObject().value(QLatin1String("code")).toString(),
        QStringLiteral("mid_stream"));
    QCOMPARE(m_b->requestCount(), 0); // after the first byte there is no failover
}

void GatewayTest::streamWithoutDoneIsNotPassedOffAsSuccess()
{
    // Cut cleanly before its final chunk (no finish reason, no [DONE]): not a whole answer.
    FakeResponse cut
        = FakeResponse::stream({ QStringLiteral("partial"), QStringLiteral("rest") }, false);
    cut.chunks.removeLast();
    m_a->enqueue(cut);
    ClientCall *call = chat(QStringLiteral("main"), true);
    QVERIFY(call->body.contains("partial"));
    QVERIFY(call->body.contains("\"mid_stream\""));
    QVERIFY(!call->body.contains("data: [DONE]"));
}

void GatewayTest::stalledStreamHitsTheIdleTimeout()
{
    FakeResponse stream
        = FakeResponse::stream({ QStringLiteral("quick"), QStringLiteral("never") });
    stream.holdAfterChunks = 1; // then silence, longer than the route's 600 ms idle timeout
    m_a->enqueue(stream);
    ClientCall *call = chat(QStringLiteral("main"), true);
    QVERIFY(call->body.contains("quick"));
    QVERIFY(call->body.contains("idle timeout"));
    QVERIFY(call->body.contains("\"mid_stream\""));
    QVERIFY(!call->body.contains("data: [DONE]"));
    QTRY_COMPARE(m_a->clientsGoneWhilePending(), 1);
}

void GatewayTest::doneEndsTheStreamEvenIfTheUpstreamLingers()
{
    FakeResponse stream = FakeResponse::stream({ QStringLiteral("all"), QStringLiteral("there") });
    stream.holdAfterChunks
        = int(stream.chunks.size()); // [DONE] sent, then the upstream never closes
    m_a->enqueue(stream);
    ClientCall *call = chat(QStringLiteral("main"), true);
    QCOMPARE(call->status, 200);
    QVERIFY(call->body.endsWith("data: [DONE]\n\n"));
    QVERIFY(!call->body.contains("mid_stream"));
    m_a->release();
}

void GatewayTest::aCutInsideAnEventStillEndsWithAReadableError()
{
    // Cut before the answer's final chunk (after it, the caller has the whole answer anyway).
    FakeResponse stream = FakeResponse::stream({ QStringLiteral("whole"), QStringLiteral("end") });
    stream.chunks
        = { stream.chunks.first() + "data: {\"choices\": [{\"delta\": {\"content\": \"half" };
    stream.cutAfterChunks = 1;
    m_a->enqueue(stream);
    // The caller's own stream_options keep the stream byte for byte (no usage rewriting).
    const QJsonObject options { { QStringLiteral("stream_options"),
        QJsonObject { { QStringLiteral("include_usage"), false } } } };
    ClientCall *call = chat(QStringLiteral("main"), true, options);
    QVERIFY(call->body.contains("whole"));
    QVERIFY2(!call->body.contains("half"), call->body.constData());
    const QList<QByteArray> events = call->body.split('\n');
    int errors = 0;
    for (const QByteArray &line : events) {
        if (line.startsWith("data: ")) {
            QVERIFY2(QJsonDocument::fromJson(line.mid(6)).isObject(),
                line.constData()); // every event parses
            errors += line.contains("\"mid_stream\"");
        }
    }
    QCOMPARE(errors, 1);
}

void GatewayTest::aStreamOfOnlyDoneIsNoAnswer()
{
    m_a->enqueue(FakeResponse::stream({}));
    m_b->enqueue(FakeResponse::stream({ QStringLiteral("real") }));
    ClientCall *call = chat(QStringLiteral("main"), true);
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("rb"));
    QVERIFY(call->body.contains("real"));
}

void GatewayTest::aCallerErrorInsideAStreamIsNotRetried()
{
    FakeResponse stream;
    stream.withHeader("Content-Type", "text/event-stream");
    stream.chunks.append(
        "data: {\"error\":{\"message\":\"bad tools\",\"type\":\"invalid_request_error\"}}\n\n");
    m_a->enqueue(stream);
    ClientCall *call = chat(QStringLiteral("main"), true);
    QVERIFY(call->body.contains("bad tools"));
    QCOMPARE(m_a->requestCount(), 1);
    QCOMPARE(m_b->requestCount(), 0);
}

void GatewayTest::clientGoingAwayMidStreamCancelsTheUpstream()
{
    FakeResponse stream
        = FakeResponse::stream({ QStringLiteral("first"), QStringLiteral("second") });
    stream.holdAfterChunks = 1;
    m_a->enqueue(stream);
    ClientCall *call = m_gateway->client().post(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("slow"), true));
    QTRY_VERIFY_WITH_TIMEOUT(call->body.contains("first"), 5000);
    call->abort();
    QTRY_COMPARE_WITH_TIMEOUT(m_a->clientsGoneWhilePending(), 1, 5000);
    m_a->release(); // writing to the vanished stream must not hurt the gateway
    ClientCall *next = chat(QStringLiteral("main"));
    QCOMPARE(next->status, 200);
}

void GatewayTest::sixtyFourSlowRequestsAreInFlightAtOnce()
{
    FakeResponse held = FakeResponse::completion(QStringLiteral("slow answer"));
    held.holdUntilReleased = true;
    m_a->setDefaultResponse(held);
    QList<ClientCall *> calls;
    for (int i = 0; i < 64; ++i)
        calls.append(m_gateway->client().post(
            QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("slow"))));
    // Six connections per host would leave 58 of these queued inside the gateway.
    QTRY_COMPARE_WITH_TIMEOUT(m_a->pendingCount(), 64, 15000);
    m_a->release();
    for (ClientCall *call : std::as_const(calls)) {
        QVERIFY(GatewayClient::waitFor(call));
        QCOMPARE(call->status, 200);
    }
    QCOMPARE(m_a->maxPending(), 64);
}

void GatewayTest::badInputGetsClearErrorsAndTheGatewayKeepsServing()
{
    GatewayClient &client = m_gateway->client();
    auto errorOf
        = [](ClientCall *call) { return call->json().value(QLatin1String("error")).toObject(); };

    ClientCall *malformed
        = client.postAndWait(QStringLiteral("/v1/chat/completions"), "{\"model\": \"main\", ");
    QCOMPARE(malformed->status, 400);
    QCOMPARE(errorOf(malformed).value(QLatin1String("type")).toString(),
        QStringLiteral("invalid_request_error"));
    QVERIFY(malformed->header("X-Switchyard-Request-Id").startsWith("req_"));

    ClientCall *wrongType = client.postAndWait(
        QStringLiteral("/v1/chat/completions"), jsonText("{'model': 'main', 'messages': 'hello'}"));
    QCOMPARE(wrongType->status, 400);
    QCOMPARE(
        errorOf(wrongType).value(QLatin1String("param")).toString(), QStringLiteral("messages"));

    QByteArray huge(64 * 1024 * 1024, 'x');
    huge.replace(0, 40, "{\"model\":\"main\",\"messages\":[],\"pad\":\"x");
    huge.replace(huge.size() - 2, 2, "\"}");
    ClientCall *tooLarge
        = client.postAndWait(QStringLiteral("/v1/chat/completions"), huge, {}, 60000);
    QCOMPARE(tooLarge->status, 413);
    QCOMPARE(errorOf(tooLarge).value(QLatin1String("type")).toString(),
        QStringLiteral("payload_too_large"));
    huge.clear();

    ClientCall *unknownLane = chat(QStringLiteral("gpt-17"));
    QCOMPARE(unknownLane->status, 404);
    QCOMPARE(errorOf(unknownLane).value(QLatin1String("type")).toString(),
        QStringLiteral("lane_not_found"));
    QVERIFY(errorOf(unknownLane)
                .value(QLatin1String("message"))
                .toString()
                .contains(QStringLiteral("main")));

    ClientCall *unknownHeaderLane
        = chat(QStringLiteral("main"), false, {}, { { "X-Switchyard-Lane", "nope" } });
    QCOMPARE(unknownHeaderLane->status, 404);
    QCOMPARE(m_a->requestCount(), 0); // nothing bad reached an upstream

    ClientCall *laneByHeader
        = chat(QStringLiteral("whatever"), false, {}, { { "X-Switchyard-Lane", "policy" } });
    QCOMPARE(laneByHeader->status, 200);
    QCOMPARE(laneByHeader->header("X-Switchyard-Lane"), QByteArray("policy"));

    ClientCall *unknownPath
        = client.postAndWait(QStringLiteral("/v1/completions-of-the-future"), "{}");
    QCOMPARE(unknownPath->status, 404);
    ClientCall *wrongMethod = client.get(QStringLiteral("/v1/chat/completions"));
    QVERIFY(GatewayClient::waitFor(wrongMethod));
    QCOMPARE(wrongMethod->status, 405);

    ClientCall *stillServing = chat(QStringLiteral("main"));
    QCOMPARE(stillServing->status, 200);
}

void GatewayTest::embeddingsAndModelList()
{
    m_b->enqueue(FakeResponse::embeddings());
    ClientCall *embedding = m_gateway->client().postAndWait(
        QStringLiteral("/v1/embeddings"), jsonText("{'model': 'main', 'input': 'hello'}"));
    QCOMPARE(embedding->status, 200);
    // Route ra lacks the embeddings capability, so rb is the first that can serve.
    QCOMPARE(embedding->header("X-Switchyard-Route"), QByteArray("rb"));
    QCOMPARE(m_b->requests().first().path, QByteArray("/v1/embeddings"));
    QCOMPARE(m_a->requestCount(), 0);

    ClientCall *models = m_gateway->client().get(QStringLiteral("/v1/models"));
    QVERIFY(GatewayClient::waitFor(models));
    QCOMPARE(models->status, 200);
    QStringList ids;
    for (const QJsonValue &model : models->json().value(QLatin1String("data")).toArray())
        ids.append(model.toObject().value(QLatin1String("id")).toString());
    QVERIFY(ids.contains(QStringLiteral("main")));
    QVERIFY(ids.contains(QStringLiteral("rb-small")));
}

void GatewayTest::modelNamesListedByALaneReachIt()
{
    // What coding agents send: their own model names, matched by the lane that lists them. The
    // glob with more literal characters wins; an exact name beats every glob.
    const QList<QPair<QString, QByteArray>> expected {
        { QStringLiteral("claude-opus-4-1"), "agents" },
        { QStringLiteral("claude-opus-4-8-20261001"), "opus" },
        { QStringLiteral("gpt-5x-codex"), "agents" },
        { QStringLiteral("exact-name"), "agents" },
    };
    for (const auto &[model, lane] : expected) {
        ClientCall *call = chat(model);
        QCOMPARE(call->status, 200);
        QCOMPARE(call->header("X-Switchyard-Lane"), lane);
    }
    // The upstream is asked for the route's model, not the agent's name.
    QCOMPARE(
        m_b->requests().constLast().json().value(u"model").toString(), QStringLiteral("model-b"));
    // A name no lane lists is refused as before (this config rejects unknown models).
    ClientCall *unknown = chat(QStringLiteral("gpt-5-codex"));
    QCOMPARE(unknown->status, 404);
}

void GatewayTest::aModelIsRetrievedByItsId()
{
    const auto retrieve = [this](const QString &id) {
        ClientCall *call = m_gateway->client().get(QStringLiteral("/v1/models/") + id);
        GatewayClient::waitFor(call);
        return call;
    };
    ClientCall *lane = retrieve(QStringLiteral("main"));
    QCOMPARE(lane->status, 200);
    QCOMPARE(lane->json().value(u"id").toString(), QStringLiteral("main"));
    QCOMPARE(lane->json().value(u"object").toString(), QStringLiteral("model"));
    QCOMPARE(lane->json().value(u"owned_by").toString(), QStringLiteral("switchyard-lane"));
    QCOMPARE(retrieve(QStringLiteral("rb-small"))->json().value(u"owned_by").toString(),
        QStringLiteral("switchyard-route"));
    ClientCall *listed = retrieve(QStringLiteral("claude-opus-4-1"));
    QCOMPARE(listed->status, 200);
    QCOMPARE(listed->json().value(u"id").toString(), QStringLiteral("claude-opus-4-1"));
    // A name with a slash, as routers spell models, is one id.
    ClientCall *unknown = retrieve(QStringLiteral("meta-llama/llama-3"));
    QCOMPARE(unknown->status, 404);
    const QJsonObject error = unknown->json().value(u"error").toObject();
    QCOMPARE(error.value(u"code").toString(), QStringLiteral("model_not_found"));
    QCOMPARE(error.value(u"param").toString(), QStringLiteral("model"));
    QVERIFY(error.value(u"message").toString().contains(QLatin1String("meta-llama/llama-3")));
}

// The idle timer is re-armed lazily (a chunk only notes the time): a stream whose chunks come
// every 250 ms runs for 2 s past route ra's 600 ms idle timeout, whole, while a silence of 600 ms
// is still cut (stalledStreamHitsTheIdleTimeout).
void GatewayTest::aStreamLongerThanTheIdleTimeoutIsNotCut()
{
    QStringList pieces;
    for (int i = 0; i < 8; ++i)
        pieces.append(QStringLiteral("piece%1").arg(i));
    FakeResponse stream = FakeResponse::stream(pieces);
    stream.chunkIntervalMs = 250;
    m_a->enqueue(stream);
    ClientCall *call = chat(QStringLiteral("main"), true);
    QVERIFY2(call->body.contains("piece7") && call->body.contains("data: [DONE]"),
        call->body.constData());
    QVERIFY(!call->body.contains("idle timeout"));
}

void GatewayTest::aRequestWithoutAModelGoesToTheDefaultLane()
{
    // unknown_model is "reject" here: that is for names that match nothing, not for no name.
    ClientCall *call = m_gateway->client().postAndWait(QStringLiteral("/v1/chat/completions"),
        R"({"messages": [{"role": "user", "content": "hi"}]})");
    QCOMPARE(call->status, 200);
    QCOMPARE(call->header("X-Switchyard-Lane"), QByteArray("main"));
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("ra"));
    ClientCall *typo = m_gateway->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("mian")));
    QCOMPARE(typo->status, 404);
}

void GatewayTest::noAnswerCarriesAnEmptySwitchyardHeader()
{
    const auto switchyardHeaders = [](const ClientCall *call) {
        QStringList empty;
        for (auto it = call->headers.cbegin(); it != call->headers.cend(); ++it) {
            if (it.key().startsWith("x-switchyard-") && it.value().isEmpty())
                empty.append(QString::fromLatin1(it.key()));
        }
        return empty;
    };
    ClientCall *health = m_gateway->client().get(QStringLiteral("/healthz"));
    QVERIFY(GatewayClient::waitFor(health));
    QCOMPARE(health->status, 200);
    QVERIFY(!health->header("X-Switchyard-Request-Id").isEmpty());
    QCOMPARE(switchyardHeaders(health), QStringList());
    QVERIFY(!health->headers.contains("x-switchyard-lane"));
    // Refused before it had a lane: no lane, no route, nothing empty.
    ClientCall *unknown = m_gateway->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("no-such-lane")));
    QCOMPARE(unknown->status, 404);
    QCOMPARE(switchyardHeaders(unknown), QStringList());
    QVERIFY(!unknown->headers.contains("x-switchyard-route"));
    ClientCall *served = m_gateway->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")));
    QCOMPARE(served->status, 200);
    QCOMPARE(switchyardHeaders(served), QStringList());
    QCOMPARE(served->header("X-Switchyard-Lane"), QByteArray("main"));
}

QTEST_GUILESS_MAIN(GatewayTest)
#include "tst_gateway.moc"
