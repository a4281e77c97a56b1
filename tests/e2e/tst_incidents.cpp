#include "fakeupstream.h"
#include "gatewayharness.h"
#include "jsontext.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTest>

#include <memory>

using namespace Switchyard::Testing;

// Providers that fail the way real ones do during an incident (issue 16): streams that end
// without [DONE], errors after a role chunk, headers at once and then silence, every route down,
// and SDKs that would retry on top of the gateway.
class IncidentsTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void aCompleteStreamWithoutDoneIsAWholeAnswer();
    void anErrorAfterARoleChunkFallsBack();
    void aStreamWithoutContentFallsBack();
    void aSilentStreamIsCutAtItsFirstTokenTimeout();
    void everyRouteFailedTellsClientsNotToRetry();
    void everyBreakerOpenIsA503WithRetryAfter();
    void theDegradedHeaderMeansTheDegradedRouteAnswered();
    void aResendOnAFreshConnectionIsAnAttempt();
    void aCompletionProbeBringsARouteBackWithoutUserTraffic();
    void aCutStreamIsContinuedWithAPrefill();
    void anErrorEventAfterContentIsContinued();
    void aStreamThatStallsIsContinued();
    void aRouteWithoutPrefillRestartsAndOnlyTheRestGoesOn();
    void aRestartThatSaysSomethingElseEndsWithTheError();

    // Last: it forks Node.js, and ThreadSanitizer cannot follow a process that starts threads
    // after a fork (the suite runs under the tsan preset too).
    void theOpenAiSdkDoesNotMultiplyTheChain();

private:
    // The caller's stream read back: its text, the ids its chunks carry, and how many roles.
    struct StreamRead {
        QString text;
        QSet<QString> ids;
        int roles = 0;
    };
    static StreamRead readStream(const QByteArray &body);
    // A stream whose chunks say `id`, opening with a role chunk.
    static FakeResponse streamAs(const QString &id, const QStringList &pieces);
    // "Hello", " wor", then the connection closes.
    static FakeResponse cutStream();
    static QByteArray chunk(const QJsonObject &delta, const QJsonValue &finishReason = {});

    std::unique_ptr<FakeUpstream> m_a;
    std::unique_ptr<FakeUpstream> m_b;
    std::unique_ptr<GatewayUnderTest> m_gateway;
};

QByteArray IncidentsTest::chunk(const QJsonObject &delta, const QJsonValue &finishReason)
{
    const QJsonObject object { { QStringLiteral("id"), QStringLiteral("chatcmpl-1") },
        { QStringLiteral("object"), QStringLiteral("chat.completion.chunk") },
        { QStringLiteral("choices"),
            QJsonArray {
                QJsonObject { { QStringLiteral("index"), 0 }, { QStringLiteral("delta"), delta },
                    { QStringLiteral("finish_reason"),
                        finishReason.isUndefined() ? QJsonValue() : finishReason } } } } };
    return "data: " + QJsonDocument(object).toJson(QJsonDocument::Compact) + "\n\n";
}

void IncidentsTest::initTestCase()
{
    qputenv("SWITCHYARD_INCIDENT_KEY", "sk-incident-test");
}

void IncidentsTest::init()
{
    m_a = std::make_unique<FakeUpstream>();
    m_b = std::make_unique<FakeUpstream>();
    QVERIFY(m_a->listen() && m_b->listen());
    m_a->setDefaultResponse(FakeResponse::completion(QStringLiteral("from a")));
    m_b->setDefaultResponse(FakeResponse::completion(QStringLiteral("from b")));
    // One I/O thread: a request in turn then finds the upstream connection the one before it
    // kept alive (each thread keeps its own), which aResendOnAFreshConnectionIsAnAttempt needs.
    QByteArray json = jsonText(R"JSON({
      'workers': 1,
      'providers': {'a': {'base_url': '@A@'}, 'b': {'base_url': '@B@'},
                    'akeyed': {'base_url': '@A@', 'api_key': {'env': 'SWITCHYARD_INCIDENT_KEY'}}},
      'routes': {
        'ra': {'provider': 'a', 'model': 'model-a',
               'timeouts_ms': {'first_byte': 2000, 'first_token': 500, 'idle': 2000}},
        'rb': {'provider': 'b', 'model': 'model-b'},
        'xa': {'provider': 'a', 'model': 'model-a',
               'breaker': {'min_calls': 1, 'consecutive_failures': 1, 'cooldown_ms': 60000}},
        'xb': {'provider': 'b', 'model': 'model-b',
               'breaker': {'min_calls': 1, 'consecutive_failures': 1, 'cooldown_ms': 60000}},
        'pb': {'provider': 'b', 'model': 'model-b', 'capabilities': ['stream', 'prefill']},
        'ka': {'provider': 'akeyed', 'model': 'model-a',
               'breaker': {'consecutive_failures': 1, 'cooldown_ms': 300, 'max_cooldown_ms': 60000},
               'recovery': {'steps': [0.5, 1.0], 'step_ms': 300},
               'probe': {'open_interval_ms': 100, 'interval_ms': 60000}}
      },
      'lanes': {
        'main': {'chain': ['ra', 'rb'], 'retry': {'max_retries': 1, 'base_ms': 5, 'max_ms': 20}},
        'fragile': {'chain': ['xa', 'xb'], 'retry': {'max_retries': 0}},
        'degraded': {'chain': ['ra'], 'degraded': 'rb', 'retry': {'max_retries': 0}},
        'keyed': {'chain': ['ka', 'rb'], 'retry': {'max_retries': 0}},
        'prefilled': {'chain': ['ra', 'pb'], 'continuation': 'prefill', 'retry': {'max_retries': 0}},
        'restarted': {'chain': ['ra', 'rb', 'pb'], 'continuation': 'restart',
                      'retry': {'max_retries': 0}}
      },
      'default_lane': 'main'
    })JSON");
    json.replace("@A@", m_a->baseUrl().toUtf8());
    json.replace("@B@", m_b->baseUrl().toUtf8());
    m_gateway = std::make_unique<GatewayUnderTest>();
    QString error;
    QVERIFY2(m_gateway->start(json, &error), qPrintable(error));
}

void IncidentsTest::cleanup()
{
    m_gateway.reset();
    m_a.reset();
    m_b.reset();
}

void IncidentsTest::aCompleteStreamWithoutDoneIsAWholeAnswer()
{
    // A final chunk with its finish reason, the usage chunk, a clean end: several real providers
    // never send [DONE].
    FakeResponse stream = FakeResponse::streamWithUsage(
        { QStringLiteral("Hello"), QStringLiteral(" world") }, 11, 7);
    stream.chunks.removeLast();
    m_a->enqueue(stream);
    ClientCall *call = m_gateway->client().postAndWait(QStringLiteral("/v1/chat/completions"),
        chatBody(QStringLiteral("main"), true,
            QJsonObject { { QStringLiteral("stream_options"),
                QJsonObject { { QStringLiteral("include_usage"), true } } } }));
    QCOMPARE(call->status, 200);
    QVERIFY2(call->body.endsWith("data: [DONE]\n\n"), call->body.constData());
    QVERIFY(!call->body.contains("\"error\""));
    QVERIFY(call->body.contains("\"completion_tokens\":7"));
    const QJsonObject trace = m_gateway->lastTrace();
    QCOMPARE(trace.value(u"class").toString(), QStringLiteral("ok"));
    const QJsonObject attempt = trace.value(u"attempts").toArray().first().toObject();
    QCOMPARE(attempt.value(u"class").toString(), QStringLiteral("ok"));
    QCOMPARE(attempt.value(u"tokens_out").toInt(), 7);
    QCOMPARE(m_b->requestCount(), 0);
}

void IncidentsTest::anErrorAfterARoleChunkFallsBack()
{
    // The most common incident shape: a 200 stream that opens with a role and then says it is
    // overloaded. Nothing has reached the caller yet, so the next route answers instead.
    FakeResponse overloaded;
    overloaded.headers.append(
        { QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/event-stream") });
    overloaded.chunks
        = { chunk(QJsonObject { { QStringLiteral("role"), QStringLiteral("assistant") },
                { QStringLiteral("content"), QString() } }),
              "data: {\"error\":{\"message\":\"Overloaded\",\"type\":\"overloaded_error\"}}\n\n" };
    m_a->setDefaultResponse(overloaded);
    m_b->enqueue(FakeResponse::stream({ QStringLiteral("from "), QStringLiteral("b") }));
    ClientCall *call = m_gateway->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main"), true));
    QCOMPARE(call->status, 200);
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("rb"));
    QCOMPARE(call->header("X-Switchyard-Fallback"), QByteArray("1"));
    QVERIFY(!call->body.contains("Overloaded"));
    QVERIFY(!call->body.contains("\"role\"")); // a's held-back role chunk never went out
    QVERIFY(call->body.endsWith("data: [DONE]\n\n"));
    const QJsonArray attempts = m_gateway->lastTrace().value(u"attempts").toArray();
    QCOMPARE(
        attempts.first().toObject().value(u"class").toString(), QStringLiteral("rate_limited"));
    QCOMPARE(attempts.last().toObject().value(u"route").toString(), QStringLiteral("rb"));
}

void IncidentsTest::aStreamWithoutContentFallsBack()
{
    // A role chunk, a finish reason, [DONE]: a clean end, but no answer.
    FakeResponse empty;
    empty.headers.append(
        { QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/event-stream") });
    empty.chunks = { chunk(QJsonObject { { QStringLiteral("role"), QStringLiteral("assistant") } }),
        chunk(QJsonObject(), QStringLiteral("stop")), "data: [DONE]\n\n" };
    m_a->setDefaultResponse(empty);
    m_b->enqueue(FakeResponse::stream({ QStringLiteral("from b") }));
    ClientCall *call = m_gateway->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main"), true));
    QCOMPARE(call->status, 200);
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("rb"));
    const QJsonObject first
        = m_gateway->lastTrace().value(u"attempts").toArray().first().toObject();
    QCOMPARE(first.value(u"class").toString(), QStringLiteral("contract_violation"));
    QCOMPARE(first.value(u"reason").toString(), QStringLiteral("stream ended without any content"));
}

void IncidentsTest::aSilentStreamIsCutAtItsFirstTokenTimeout()
{
    // Headers and a role at once, then nothing: the first-token timeout (500 ms) cuts it, and the
    // silent route is not retried: the next one is asked at once.
    FakeResponse silent;
    silent.headers.append(
        { QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/event-stream") });
    silent.chunks
        = { chunk(QJsonObject { { QStringLiteral("role"), QStringLiteral("assistant") } }),
              chunk(QJsonObject { { QStringLiteral("content"), QStringLiteral("late") } }) };
    silent.holdAfterChunks = 1;
    m_a->setDefaultResponse(silent);
    m_b->enqueue(FakeResponse::stream({ QStringLiteral("from b") }));
    ClientCall *call = m_gateway->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main"), true));
    QCOMPARE(call->status, 200);
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("rb"));
    QVERIFY(!call->body.contains("late"));
    QCOMPARE(m_a->requestCount(), 1);
    QCOMPARE(call->header("X-Switchyard-Attempts"), QByteArray("2"));
    const QJsonArray attempts = m_gateway->lastTrace().value(u"attempts").toArray();
    const QJsonObject first = attempts.first().toObject();
    QVERIFY2(first.value(u"reason").toString().contains(QLatin1String("first token timeout")),
        qPrintable(first.value(u"reason").toString()));
    QVERIFY(first.value(u"first_byte_ms").toInteger() >= 0);
    QCOMPARE(first.value(u"first_token_ms").toInteger(), -1);
    QCOMPARE(first.value(u"decision").toString(), QStringLiteral("fallback"));
    QVERIFY(attempts.last().toObject().value(u"first_token_ms").toInteger() >= 0);
    m_a->release();
}

void IncidentsTest::everyRouteFailedTellsClientsNotToRetry()
{
    m_a->setDefaultResponse(FakeResponse::error(500, QStringLiteral("server_error")));
    m_b->setDefaultResponse(FakeResponse::error(500, QStringLiteral("server_error")));
    ClientCall *call = m_gateway->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")));
    QCOMPARE(call->status, 502);
    QCOMPARE(call->header("x-should-retry"), QByteArray("false"));
    QCOMPARE(call->header("X-Switchyard-Attempts"), QByteArray("4"));

    // One route, one attempt, its own answer passed back: the SDK may decide for itself.
    m_a->setDefaultResponse(FakeResponse::error(400, QStringLiteral("invalid_request_error")));
    ClientCall *single = m_gateway->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")));
    QCOMPARE(single->status, 400);
    QCOMPARE(single->header("x-should-retry"), QByteArray());
}

void IncidentsTest::everyBreakerOpenIsA503WithRetryAfter()
{
    m_a->setDefaultResponse(FakeResponse::error(500, QStringLiteral("server_error")));
    m_b->setDefaultResponse(FakeResponse::error(500, QStringLiteral("server_error")));
    ClientCall *first = m_gateway->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("fragile")));
    QCOMPARE(first->status, 502); // and both breakers open on it
    const int hits = m_a->requestCount() + m_b->requestCount();

    ClientCall *call = m_gateway->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("fragile")));
    QCOMPARE(call->status, 503);
    QCOMPARE(call->header("x-should-retry"), QByteArray("false"));
    const int retryAfter = call->header("Retry-After").toInt();
    QVERIFY2(retryAfter > 0 && retryAfter <= 120, call->header("Retry-After").constData());
    // One panic attempt at most, never the whole chain.
    QVERIFY(m_a->requestCount() + m_b->requestCount() <= hits + 1);
    QVERIFY(call->json()
                .value(u"error")
                .toObject()
                .value(u"message")
                .toString()
                .contains(QLatin1String("circuit breaker")));
}

void IncidentsTest::theDegradedHeaderMeansTheDegradedRouteAnswered()
{
    m_a->setDefaultResponse(FakeResponse::error(500, QStringLiteral("server_error")));
    m_b->enqueue(FakeResponse::error(500, QStringLiteral("server_error")));
    ClientCall *failed = m_gateway->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("degraded")));
    QCOMPARE(failed->status, 502);
    QCOMPARE(failed->header("X-Switchyard-Degraded"), QByteArray("0"));
    QVERIFY(!m_gateway->lastTrace().value(u"degraded").toBool());

    ClientCall *served = m_gateway->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("degraded")));
    QCOMPARE(served->status, 200);
    QCOMPARE(served->header("X-Switchyard-Degraded"), QByteArray("1"));
}

void IncidentsTest::theOpenAiSdkDoesNotMultiplyTheChain()
{
    m_a->setDefaultResponse(FakeResponse::error(500, QStringLiteral("server_error")));
    m_b->setDefaultResponse(FakeResponse::error(503, QStringLiteral("server_error")));
    const NodeRun run = runNodeScript(QStringLiteral(SWITCHYARD_OPENAI_CLIENT_DIR),
        QStringLiteral("retries.mjs"), m_gateway->baseUrl() + QStringLiteral("/v1"));
    QVERIFY2(run.error.isEmpty(), qPrintable(run.error));
    QVERIFY2(run.exitCode == 0, run.output.constData());
    // The gateway's own walk (a, its retry, b, its retry), once: the SDK's two retries by default
    // would have made it twelve.
    QCOMPARE(m_a->requestCount() + m_b->requestCount(), 4);
}

void IncidentsTest::aResendOnAFreshConnectionIsAnAttempt()
{
    QCOMPARE(
        m_gateway->client()
            .postAndWait(QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")))
            ->status,
        200); // leaves a kept-alive connection to a
    FakeResponse closes;
    closes.closeImmediately = true; // the request is read, then the connection closed
    m_a->enqueue(closes);
    m_a->enqueue(FakeResponse::completion(QStringLiteral("sent again")));
    ClientCall *call = m_gateway->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")));
    QCOMPARE(call->status, 200);
    QVERIFY(call->body.contains("sent again"));
    // The provider saw the request twice, and so does everyone else.
    QCOMPARE(m_a->requestCount(), 3);
    QCOMPARE(call->header("X-Switchyard-Attempts"), QByteArray("2"));
    const QJsonArray attempts = m_gateway->lastTrace().value(u"attempts").toArray();
    QCOMPARE(attempts.size(), 2);
    const QJsonObject first = attempts.first().toObject();
    QCOMPARE(first.value(u"class").toString(), QStringLiteral("transient"));
    QCOMPARE(first.value(u"decision").toString(), QStringLiteral("retry"));
    QVERIFY2(first.value(u"reason").toString().contains(QLatin1String("kept-alive connection")),
        qPrintable(first.value(u"reason").toString()));
}

void IncidentsTest::aCompletionProbeBringsARouteBackWithoutUserTraffic()
{
    auto state = [this] {
        ClientCall *call = m_gateway->client().get(QStringLiteral("/admin/state"));
        GatewayClient::waitFor(call);
        return call->json()
            .value(u"routes")
            .toObject()
            .value(u"ka")
            .toObject()
            .value(u"state")
            .toString();
    };
    m_a->setDefaultResponse(FakeResponse::error(503, QStringLiteral("server_error")));
    QCOMPARE(
        m_gateway->client()
            .postAndWait(QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("keyed")))
            ->header("X-Switchyard-Route"),
        QByteArray("rb"));
    QCOMPARE(state(), QStringLiteral("open"));
    const int userCalls = m_a->requestCount();
    // While chat fails, the completion probes fail too, and the route stays away.
    QTRY_VERIFY_WITH_TIMEOUT(m_a->requestCount() >= userCalls + 2, 10000);
    QCOMPARE(state(), QStringLiteral("open"));
    // Chat answers again: a probe finds it, two probe trials pass, the ramp runs, and the route
    // is closed, with no user request spent on the way.
    m_a->setDefaultResponse(FakeResponse::completion(QStringLiteral("ok")));
    QTRY_COMPARE_WITH_TIMEOUT(state(), QStringLiteral("closed"), 10000);
    const QJsonObject probe = m_a->requests().constLast().json();
    QCOMPARE(probe.value(u"max_tokens").toInt(), 1);
    QCOMPARE(m_a->requestCount("GET", "/v1/models"), 0);
}

IncidentsTest::StreamRead IncidentsTest::readStream(const QByteArray &body)
{
    StreamRead read;
    for (const QByteArray &line : body.split('\n')) {
        if (!line.startsWith("data: {"))
            continue;
        const QJsonObject chunk = QJsonDocument::fromJson(line.mid(6)).object();
        if (chunk.contains(u"id"))
            read.ids.insert(chunk.value(u"id").toString());
        for (const QJsonValue &choice : chunk.value(u"choices").toArray()) {
            const QJsonObject delta = choice.toObject().value(u"delta").toObject();
            read.text += delta.value(u"content").toString();
            if (delta.contains(u"role"))
                ++read.roles;
        }
    }
    return read;
}

FakeResponse IncidentsTest::streamAs(const QString &id, const QStringList &pieces)
{
    FakeResponse stream = FakeResponse::stream(pieces);
    stream.chunks.prepend(
        chunk(QJsonObject { { QStringLiteral("role"), QStringLiteral("assistant") },
            { QStringLiteral("content"), QString() } }));
    for (QByteArray &piece : stream.chunks)
        piece.replace("chatcmpl-fake", id.toUtf8()).replace("chatcmpl-1", id.toUtf8());
    return stream;
}

FakeResponse IncidentsTest::cutStream()
{
    FakeResponse cut = streamAs(QStringLiteral("chatcmpl-first"),
        { QStringLiteral("Hello"), QStringLiteral(" wor"), QStringLiteral("ld!") });
    cut.cutAfterChunks = 3; // the role, "Hello", " wor"
    return cut;
}

void IncidentsTest::aCutStreamIsContinuedWithAPrefill()
{
    m_a->enqueue(cutStream());
    m_b->enqueue(
        streamAs(QStringLiteral("chatcmpl-second"), { QStringLiteral("ld"), QStringLiteral("!") }));
    ClientCall *call = m_gateway->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("prefilled"), true));
    QCOMPARE(call->status, 200);
    const StreamRead read = readStream(call->body);
    QCOMPARE(read.text, QStringLiteral("Hello world!"));
    QCOMPARE(read.ids, QSet<QString> { QStringLiteral("chatcmpl-first") }); // one answer
    QCOMPARE(read.roles, 1);
    QVERIFY(call->body.endsWith("data: [DONE]\n\n"));
    QVERIFY(!call->body.contains("\"error\""));
    QVERIFY(call->body.contains(": switchyard: route 'pb' continues the stream (prefill)"));
    // The second route was asked to go on from the text already sent.
    const QJsonArray messages = m_b->requests().constLast().json().value(u"messages").toArray();
    const QJsonObject prefill = messages.last().toObject();
    QCOMPARE(prefill.value(u"role").toString(), QStringLiteral("assistant"));
    QCOMPARE(prefill.value(u"content").toString(), QStringLiteral("Hello wor"));
    QVERIFY(prefill.value(u"prefix").toBool());
    const QJsonObject trace = m_gateway->lastTrace();
    QCOMPARE(trace.value(u"route").toString(), QStringLiteral("pb"));
    const QJsonArray attempts = trace.value(u"attempts").toArray();
    QCOMPARE(attempts.size(), 2);
    QCOMPARE(attempts.at(0).toObject().value(u"class").toString(), QStringLiteral("mid_stream"));
    QCOMPARE(attempts.at(0).toObject().value(u"decision").toString(), QStringLiteral("fallback"));
    QCOMPARE(
        attempts.at(1).toObject().value(u"continuation").toString(), QStringLiteral("prefill"));
    QCOMPARE(attempts.at(1).toObject().value(u"class").toString(), QStringLiteral("ok"));
}

void IncidentsTest::anErrorEventAfterContentIsContinued()
{
    FakeResponse overloaded;
    overloaded.headers.append(
        { QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/event-stream") });
    overloaded.chunks
        = { chunk(QJsonObject { { QStringLiteral("content"), QStringLiteral("Hello") } }),
              "data: {\"error\":{\"message\":\"Overloaded\",\"type\":\"overloaded_error\"}}\n\n" };
    overloaded.holdAfterChunks = 1; // the error comes once "Hello" has reached the caller
    m_a->enqueue(overloaded);
    m_b->enqueue(streamAs(QStringLiteral("chatcmpl-second"), { QStringLiteral(" world") }));
    ClientCall *call = m_gateway->client().post(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("prefilled"), true));
    QTRY_VERIFY_WITH_TIMEOUT(call->body.contains("Hello"), 10000);
    m_a->release();
    QVERIFY(GatewayClient::waitFor(call));
    QCOMPARE(call->status, 200);
    QVERIFY(!call->body.contains("data: {\"error\"")); // held back, not passed on
    QCOMPARE(readStream(call->body).text, QStringLiteral("Hello world"));
    QVERIFY(call->body.endsWith("data: [DONE]\n\n"));
    // The comment at the splice says why.
    QVERIFY(call->body.contains(": switchyard: route 'pb' continues the stream (prefill) after: "
                                "route 'ra': error event in stream: Overloaded"));
}

void IncidentsTest::aStreamThatStallsIsContinued()
{
    // "Hello", " wor", then silence past route ra's idle timeout (2 s).
    FakeResponse stalls = cutStream();
    stalls.cutAfterChunks = -1;
    stalls.holdAfterChunks = 3;
    m_a->enqueue(stalls);
    m_b->enqueue(streamAs(QStringLiteral("chatcmpl-second"), { QStringLiteral("ld!") }));
    ClientCall *call = m_gateway->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("prefilled"), true));
    QCOMPARE(call->status, 200);
    QCOMPARE(readStream(call->body).text, QStringLiteral("Hello world!"));
    QVERIFY(call->body.contains("idle timeout"));
    QVERIFY(call->body.endsWith("data: [DONE]\n\n"));
    QTRY_COMPARE(m_a->clientsGoneWhilePending(), 1); // the stalled call was hung up on
    m_a->release();
}

void IncidentsTest::aRouteWithoutPrefillRestartsAndOnlyTheRestGoesOn()
{
    m_a->enqueue(cutStream());
    m_b->enqueue(streamAs(QStringLiteral("chatcmpl-second"),
        { QStringLiteral("Hel"), QStringLiteral("lo world"), QStringLiteral("!") }));
    ClientCall *call = m_gateway->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("restarted"), true));
    QCOMPARE(call->status, 200);
    const StreamRead read = readStream(call->body);
    QCOMPARE(read.text, QStringLiteral("Hello world!"));
    QCOMPARE(read.ids, QSet<QString> { QStringLiteral("chatcmpl-first") });
    QCOMPARE(read.roles, 1);
    // No prefill for a route that does not take one: the caller's own request, anew.
    const QJsonArray messages = m_b->requests().constLast().json().value(u"messages").toArray();
    QCOMPARE(messages.last().toObject().value(u"role").toString(), QStringLiteral("user"));
    QCOMPARE(m_gateway->lastTrace()
                 .value(u"attempts")
                 .toArray()
                 .at(1)
                 .toObject()
                 .value(u"continuation")
                 .toString(),
        QStringLiteral("restart"));
}

void IncidentsTest::aRestartThatSaysSomethingElseEndsWithTheError()
{
    m_a->enqueue(cutStream());
    // It begins as the first answer did, then says something else, with an error event in the
    // same read: the stream ends once, and no further route is asked after it has.
    FakeResponse other = streamAs(
        QStringLiteral("chatcmpl-second"), { QStringLiteral("Hel"), QStringLiteral("unsent") });
    other.chunks = { other.chunks.at(0) + other.chunks.at(1),
        chunk(QJsonObject { { QStringLiteral("content"), QStringLiteral("p!") } })
            + "data: {\"error\":{\"message\":\"Overloaded\",\"type\":\"server_error\"}}\n\n" };
    other.holdAfterChunks = 1;
    m_b->enqueue(other);
    ClientCall *call = m_gateway->client().post(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("restarted"), true));
    QTRY_VERIFY_WITH_TIMEOUT(call->body.contains("continues the stream (restart)"), 10000);
    m_b->release();
    QVERIFY(GatewayClient::waitFor(call));
    QCOMPARE(call->status, 200);
    QCOMPARE(readStream(call->body).text, QStringLiteral("Hello wor"));
    QVERIFY(call->body.contains("\"mid_stream\""));
    QVERIFY(call->body.contains("does not repeat"));
    QVERIFY(!call->body.contains("data: [DONE]"));
    QCOMPARE(m_b->requestCount(), 1);
    // No attempt was begun after the end (it would stay in flight for ever).
    ClientCall *state = m_gateway->client().get(QStringLiteral("/admin/state"));
    GatewayClient::waitFor(state);
    QCOMPARE(state->json()
                 .value(u"routes")
                 .toObject()
                 .value(u"pb")
                 .toObject()
                 .value(u"in_flight")
                 .toInt(),
        0);
    const QJsonObject trace = m_gateway->lastTrace();
    QCOMPARE(trace.value(u"attempts").toArray().size(), 2);
    QCOMPARE(trace.value(u"status").toInt(), 200); // what the caller's stream began with
    // A continuation that does not fit on says nothing against its route.
    QCOMPARE(trace.value(u"attempts").toArray().at(1).toObject().value(u"class").toString(),
        QStringLiteral("incompatible"));
}

QTEST_GUILESS_MAIN(IncidentsTest)
#include "tst_incidents.moc"
