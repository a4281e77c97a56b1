#include "fakeupstream.h"
#include "gatewayharness.h"
#include "jsontext.h"

#include "engine/engine.h"
#include "engine/enginehost.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>

#include <QSignalSpy>

#include <csignal>
#include <memory>
#include <sys/resource.h>

using namespace Switchyard::Testing;

// Upstreams and callers that misbehave on purpose (issue 14): whatever they send or fail to read,
// the gateway's memory stays bounded, a broken route falls back, and the trace says why.
class HostileTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void oversizedStreamIsCutAtTheCapAndFallsBack_data();
    void oversizedStreamIsCutAtTheCapAndFallsBack();
    void stalledReaderDoesNotGrowMemoryAndIsDropped();
    void slowReaderIsPausedNotDropped();
    void hugeRetryAfterIsClampedShownAndClearedByRestore();
    void impossibleUsageFallsBackAndCostsNothing();
    void impossibleStreamUsageCostsNothing();
    void duplicateModelIsRefusedAndEscapedModelIsRewritten();
    void refusalFloodIsCountedNotStored();
    void brokenAnswersAreClassifiedAndFallBack_data();
    void brokenAnswersAreClassifiedAndFallBack();
    void aStreamThatBreaksHttpAfterTheFirstByteEndsWithAnErrorEvent();
    void fullDiskIsReportedAndTheGatewayKeepsServing_data();
    void fullDiskIsReportedAndTheGatewayKeepsServing();
    void anUnknownTraceIdSaysWhetherSamplingLeftItOut();

private:
    QByteArray config(const QByteArray &limits) const;
    void start(const QByteArray &limits);
    void startSampling(double successSampleRatio);
    QJsonObject route(const QString &name);
    static FakeResponse eventStream(const QList<QByteArray> &chunks);

    std::unique_ptr<FakeUpstream> m_a;
    std::unique_ptr<FakeUpstream> m_b;
    std::unique_ptr<GatewayUnderTest> m_gateway;
};

QByteArray HostileTest::config(const QByteArray &limits) const
{
    QByteArray json = jsonText(R"JSON({
      'providers': {'a': {'base_url': '@A@'}, 'b': {'base_url': '@B@'}},
      'routes': {'ra': {'provider': 'a', 'model': 'model-a'},
                 'rb': {'provider': 'b', 'model': 'model-b'}},
      'lanes': {'main': {'chain': ['ra', 'rb'], 'retry': {'max_retries': 0}}},
      'default_lane': 'main',
      'limits': @LIMITS@
    })JSON");
    json.replace("@A@", m_a->baseUrl().toUtf8());
    json.replace("@B@", m_b->baseUrl().toUtf8());
    json.replace("@LIMITS@", jsonText(limits.constData()));
    return json;
}

void HostileTest::start(const QByteArray &limits)
{
    QString error;
    QVERIFY2(m_gateway->start(config(limits), &error), qPrintable(error));
}

void HostileTest::startSampling(double successSampleRatio)
{
    QByteArray json = config("{}");
    json.replace("\"default_lane\"",
        "\"traces\": {\"success_sample_ratio\": " + QByteArray::number(successSampleRatio)
            + "}, \"default_lane\"");
    QString error;
    QVERIFY2(m_gateway->start(json, &error), qPrintable(error));
}

void HostileTest::init()
{
    m_a = std::make_unique<FakeUpstream>();
    m_b = std::make_unique<FakeUpstream>();
    QVERIFY(m_a->listen() && m_b->listen());
    m_b->setDefaultResponse(FakeResponse::stream({ QStringLiteral("from b") }));
    m_gateway = std::make_unique<GatewayUnderTest>();
}

void HostileTest::cleanup()
{
    m_gateway.reset();
    m_a.reset();
    m_b.reset();
}

FakeResponse HostileTest::eventStream(const QList<QByteArray> &chunks)
{
    FakeResponse response;
    response.headers.append(
        { QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/event-stream") });
    response.chunks = chunks;
    return response;
}

QJsonObject HostileTest::route(const QString &name)
{
    ClientCall *call = m_gateway->client().get(QStringLiteral("/admin/state"));
    GatewayClient::waitFor(call);
    return call->json().value(u"routes").toObject().value(name).toObject();
}

void HostileTest::oversizedStreamIsCutAtTheCapAndFallsBack_data()
{
    QTest::addColumn<QList<QByteArray>>("chunks");
    // 8 MiB that never end a line: without the cap the gateway would hold all of it.
    QList<QByteArray> noNewline { "data: " };
    for (int i = 0; i < 128; ++i)
        noNewline.append(QByteArray(64 * 1024, 'x'));
    QTest::newRow("bytes without a newline") << noNewline;
    // Every line complete, but no blank line ever ends the event.
    QList<QByteArray> endless;
    for (int i = 0; i < 512; ++i)
        endless.append("data: " + QByteArray(1000, 'y') + "\n");
    QTest::newRow("data lines without an end") << endless;
    // Keep-alive comments are no event, but a pass-through holds them until one ends.
    QList<QByteArray> comments;
    for (int i = 0; i < 512; ++i)
        comments.append(": " + QByteArray(1000, 'k') + "\n");
    QTest::newRow("comment flood") << comments;
}

void HostileTest::oversizedStreamIsCutAtTheCapAndFallsBack()
{
    QFETCH(QList<QByteArray>, chunks);
    start("{'max_event_bytes': 65536}");
    m_a->setDefaultResponse(eventStream(chunks));

    // The caller asks for usage itself, so the stream passes through byte for byte: the path
    // that holds an unfinished event (comments included) as it is.
    ClientCall *call = m_gateway->client().postAndWait(QStringLiteral("/v1/chat/completions"),
        chatBody(QStringLiteral("main"), true,
            { { QStringLiteral("stream_options"),
                QJsonObject { { QStringLiteral("include_usage"), true } } } }));
    QCOMPARE(call->status, 200);
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("rb"));
    QVERIFY(call->body.contains("from b"));
    QVERIFY(!call->body.contains("xxxx") && !call->body.contains("yyyy"));
    const QJsonObject first
        = m_gateway->lastTrace().value(u"attempts").toArray().first().toObject();
    QCOMPARE(first.value(u"class").toString(), QStringLiteral("contract_violation"));
    QVERIFY2(first.value(u"reason").toString().contains(QStringLiteral("max_event_bytes")),
        qPrintable(first.value(u"reason").toString()));
    QVERIFY(first.value(u"bytes").toDouble() < 8 * 1024 * 1024);
}

void HostileTest::stalledReaderDoesNotGrowMemoryAndIsDropped()
{
    start("{'max_pending_stream_bytes': 65536, 'stalled_client_ms': 400}");
    // A fast stream of 64 MiB in whole events; the caller reads its headers and then nothing.
    QList<QByteArray> chunks;
    const QByteArray event = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
        + QByteArray(64 * 1024 - 64, 'z') + "\"}}]}\n\n";
    for (int i = 0; i < 1024; ++i)
        chunks.append(event);
    chunks.append("data: [DONE]\n\n");
    m_a->setDefaultResponse(eventStream(chunks));

    const QUrl base(m_gateway->baseUrl());
    QTcpSocket reader;
    reader.setReadBufferSize(4096); // Qt stops reading, so the kernel's window closes
    reader.connectToHost(QStringLiteral("127.0.0.1"), quint16(base.port()));
    QVERIFY(reader.waitForConnected(5000));
    const QByteArray body = chatBody(QStringLiteral("main"), true);
    reader.write("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 "Content-Type: application/json\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    QTRY_VERIFY_WITH_TIMEOUT(reader.state() == QAbstractSocket::UnconnectedState
            || m_gateway->lastTrace().value(u"class").toString() == QLatin1String("cancelled"),
        15000);
    QTRY_COMPARE_WITH_TIMEOUT(
        m_gateway->lastTrace().value(u"class").toString(), QStringLiteral("cancelled"), 15000);
    const QJsonObject attempt
        = m_gateway->lastTrace().value(u"attempts").toArray().first().toObject();
    QVERIFY2(attempt.value(u"reason").toString().contains(QStringLiteral("read nothing")),
        qPrintable(attempt.value(u"reason").toString()));
    // What the kernel buffers on loopback plus our bounded queue: far from all 64 MiB.
    const double read = attempt.value(u"bytes").toDouble();
    QVERIFY2(read < 24.0 * 1024 * 1024, qPrintable(QString::number(read)));
}

void HostileTest::slowReaderIsPausedNotDropped()
{
    start("{'max_pending_stream_bytes': 65536, 'stalled_client_ms': 5000}");
    QList<QByteArray> chunks;
    const QByteArray event = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
        + QByteArray(16 * 1024, 's') + "\"}}]}\n\n";
    for (int i = 0; i < 512; ++i)
        chunks.append(event);
    chunks.append("data: [DONE]\n\n");
    m_a->setDefaultResponse(eventStream(chunks));

    const QUrl base(m_gateway->baseUrl());
    QTcpSocket reader;
    reader.setReadBufferSize(64 * 1024);
    reader.connectToHost(QStringLiteral("127.0.0.1"), quint16(base.port()));
    QVERIFY(reader.waitForConnected(5000));
    const QByteArray body = chatBody(QStringLiteral("main"), true);
    reader.write("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 "Content-Type: application/json\r\nConnection: close\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    // Reads in small sips, with pauses: slower than the upstream, never stalled for long.
    QByteArray received;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            received += reader.read(256 * 1024);
            return received.endsWith("0\r\n\r\n")
                || reader.state() == QAbstractSocket::UnconnectedState;
        }(),
        30000);
    received += reader.readAll();
    QVERIFY2(received.contains("data: [DONE]"),
        qPrintable(QStringLiteral("%1 bytes; %2")
                       .arg(received.size())
                       .arg(QString::fromUtf8(QJsonDocument(m_gateway->lastTrace()).toJson()))));
    QCOMPARE(received.count("\"content\":\""), 512);
    QTRY_COMPARE_WITH_TIMEOUT(
        m_gateway->lastTrace().value(u"class").toString(), QStringLiteral("ok"), 5000);
}

void HostileTest::hugeRetryAfterIsClampedShownAndClearedByRestore()
{
    start("{'max_retry_after_ms': 5000}");
    m_a->setDefaultResponse(FakeResponse::error(429, QStringLiteral("rate_limit_error"))
                                .withHeader("Retry-After", "99999999999"));
    m_b->setDefaultResponse(FakeResponse::completion(QStringLiteral("from b")));
    ClientCall *call = m_gateway->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")));
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("rb"));

    const qint64 remaining
        = qint64(route(QStringLiteral("ra")).value(u"rate_limited_remaining_ms").toDouble());
    QVERIFY2(remaining > 0 && remaining <= 5000, qPrintable(QString::number(remaining)));

    ClientCall *restore = m_gateway->client().postAndWait(
        QStringLiteral("/admin/routes/ra/restore"), QByteArrayLiteral("{}"));
    QCOMPARE(restore->status, 200);
    QCOMPARE(route(QStringLiteral("ra")).value(u"rate_limited_remaining_ms").toDouble(), 0.0);
    m_a->setDefaultResponse(FakeResponse::completion(QStringLiteral("from a")));
    QCOMPARE(
        m_gateway->client()
            .postAndWait(QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")))
            ->header("X-Switchyard-Route"),
        QByteArray("ra"));
}

void HostileTest::impossibleUsageFallsBackAndCostsNothing()
{
    start("{}");
    m_a->setDefaultResponse(FakeResponse::completion(QStringLiteral("from a"), 10, -1000000000));
    m_b->setDefaultResponse(FakeResponse::completion(QStringLiteral("from b"), 10, 5));
    ClientCall *call = m_gateway->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")));
    QCOMPARE(call->status, 200);
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("rb"));
    const QJsonObject trace = m_gateway->lastTrace();
    const QJsonObject first = trace.value(u"attempts").toArray().first().toObject();
    QCOMPARE(first.value(u"class").toString(), QStringLiteral("contract_violation"));
    QVERIFY(first.value(u"reason").toString().contains(QStringLiteral("impossible token count")));
    QCOMPARE(first.value(u"cost_usd").toDouble(), 0.0);
    QVERIFY(trace.value(u"cost_usd").toDouble() >= 0.0);
    ClientCall *metrics = m_gateway->client().get(QStringLiteral("/metrics"));
    QVERIFY(GatewayClient::waitFor(metrics));
    QVERIFY2(!metrics->body.contains("switchyard_cost_usd_total{route=\"ra\"} -"),
        metrics->body.constData());
}

void HostileTest::impossibleStreamUsageCostsNothing()
{
    start("{}");
    // The caller asked for usage itself, so the chunk passes through as sent.
    FakeResponse response = FakeResponse::streamWithUsage({ QStringLiteral("hi") }, 10, 5);
    for (QByteArray &chunk : response.chunks)
        chunk.replace("\"completion_tokens\":5", "\"completion_tokens\":1e30");
    m_a->setDefaultResponse(response);
    ClientCall *call = m_gateway->client().postAndWait(QStringLiteral("/v1/chat/completions"),
        chatBody(QStringLiteral("main"), true,
            { { QStringLiteral("stream_options"),
                QJsonObject { { QStringLiteral("include_usage"), true } } } }));
    QCOMPARE(call->status, 200);
    QVERIFY(call->body.contains("data: [DONE]")); // the caller's answer is whole
    const QJsonObject trace = m_gateway->lastTrace();
    QCOMPARE(trace.value(u"class").toString(), QStringLiteral("contract_violation"));
    QCOMPARE(trace.value(u"tokens_out").toDouble(), 0.0);
    QCOMPARE(trace.value(u"cost_usd").toDouble(), 0.0);
}

void HostileTest::duplicateModelIsRefusedAndEscapedModelIsRewritten()
{
    start("{}");
    m_a->setDefaultResponse(FakeResponse::completion(QStringLiteral("from a")));
    ClientCall *twice = m_gateway->client().postAndWait(QStringLiteral("/v1/chat/completions"),
        QByteArrayLiteral(
            "{\"model\":\"main\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
            "\"model\":\"gpt-4o\"}"));
    QCOMPARE(twice->status, 400);
    QCOMPARE(twice->json().value(u"error").toObject().value(u"param").toString(),
        QStringLiteral("model"));
    QVERIFY(m_a->requests().isEmpty());

    // An escaped name is the same name: routed by it and forwarded with the route's model.
    ClientCall *escaped = m_gateway->client().postAndWait(QStringLiteral("/v1/chat/completions"),
        QByteArrayLiteral("{\"mod\\u0065l\":\"main\",\"messages\":[{\"role\":\"user\","
                          "\"content\":\"x\"}]}"));
    QCOMPARE(escaped->status, 200);
    QCOMPARE(escaped->header("X-Switchyard-Route"), QByteArray("ra"));
    QCOMPARE(m_a->requests().size(), 1);
    const QJsonObject sent = m_a->requests().first().json();
    QCOMPARE(sent.value(u"model").toString(), QStringLiteral("model-a"));
    // Replaced where it stood, not shadowed by a second one in front.
    QVERIFY2(!m_a->requests().first().body.contains("\"main\""),
        m_a->requests().first().body.constData());
}

void HostileTest::brokenAnswersAreClassifiedAndFallBack_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<QString>("failureClass");
    const QByteArray body = FakeResponse::completion(QStringLiteral("from a")).body;
    QTest::newRow("Content-Length longer than the body")
        << "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            + QByteArray::number(body.size() + 1000) + "\r\n\r\n" + body
        << "transient";
    QTest::newRow("reset after the headers") << QByteArray(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n") << "transient";
    QTest::newRow("CR inside a header value")
        << "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Request-Id: a\rSet-Cookie: "
           "stolen=1\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n" + body
        << "contract_violation";
    QTest::newRow("NUL inside a header value")
        << "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nRetry-After: 1"
            + QByteArray(1, '\0') + "2\r\nContent-Length: " + QByteArray::number(body.size())
            + "\r\n\r\n" + body
        << "contract_violation";
}

void HostileTest::brokenAnswersAreClassifiedAndFallBack()
{
    QFETCH(QByteArray, raw);
    QFETCH(QString, failureClass);
    start("{}");
    FakeResponse broken;
    broken.raw = raw;
    m_a->setDefaultResponse(broken);
    m_b->setDefaultResponse(FakeResponse::completion(QStringLiteral("from b")));
    ClientCall *call = m_gateway->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")));
    QCOMPARE(call->status, 200);
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("rb"));
    QVERIFY(!call->headers.contains("set-cookie"));
    const QJsonObject first
        = m_gateway->lastTrace().value(u"attempts").toArray().first().toObject();
    QCOMPARE(first.value(u"class").toString(), failureClass);
}

void HostileTest::aStreamThatBreaksHttpAfterTheFirstByteEndsWithAnErrorEvent()
{
    // A bad chunk after the first event: the caller already has bytes of route ra, so nothing
    // may fail over (found in review: rb's whole answer used to be appended to ra's half).
    start("{}");
    const QByteArray event = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":"
                             "\"half\"}}]}\n\n";
    FakeResponse broken;
    broken.raw = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                 "Transfer-Encoding: chunked\r\n\r\n"
        + QByteArray::number(event.size(), 16) + "\r\n" + event + "\r\nzz\r\nbroken\r\n";
    m_a->setDefaultResponse(broken);
    m_b->setDefaultResponse(FakeResponse::completion(QStringLiteral("from b")));
    ClientCall *call = m_gateway->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main"), true));
    QCOMPARE(call->status, 200);
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("ra"));
    QVERIFY2(call->body.contains("half"), call->body.constData());
    QVERIFY2(call->body.contains("mid_stream"), call->body.constData());
    QVERIFY2(!call->body.contains("from b"), call->body.constData());
    QCOMPARE(m_b->requests().size(), 0);
    const QJsonObject trace = m_gateway->lastTrace();
    QCOMPARE(trace.value(u"class").toString(), QStringLiteral("mid_stream"));
}

void HostileTest::refusalFloodIsCountedNotStored()
{
    start("{}");
    m_a->setDefaultResponse(FakeResponse::completion(QStringLiteral("from a")));
    ClientCall *real = m_gateway->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")));
    const QByteArray realId = real->header("X-Switchyard-Request-Id");
    // Bounded in count: a few hundred cheap 404s, one at a time.
    constexpr int Flood = 300;
    QElapsedTimer flooding;
    flooding.start();
    for (int i = 0; i < Flood; ++i)
        m_gateway->client().postAndWait(QStringLiteral("/v1/nothing-here"), "{}");
    // The sample: a burst of 20, then 10 a second, however slow the machine (a sanitizer build
    // takes ten times as long over the flood).
    const qint64 sampleBound = 20 + 10 * (flooding.elapsed() / 1000 + 1);
    ClientCall *metrics = m_gateway->client().get(QStringLiteral("/metrics"));
    QVERIFY(GatewayClient::waitFor(metrics));
    QVERIFY2(metrics->body.contains("switchyard_refused_requests_total{status=\"404\"} 300\n"),
        metrics->body.constData());
    ClientCall *refused
        = m_gateway->client().get(QStringLiteral("/admin/traces?limit=1000&class=caller_error"));
    QVERIFY(GatewayClient::waitFor(refused));
    const qsizetype traced = refused->json().value(u"traces").toArray().size();
    QVERIFY2(traced >= 1 && traced <= qMin<qint64>(sampleBound, Flood - 1),
        qPrintable(QStringLiteral("%1 traced, at most %2").arg(traced).arg(sampleBound)));
    ClientCall *kept = m_gateway->client().get(QStringLiteral("/admin/traces/") + realId);
    QVERIFY(GatewayClient::waitFor(kept));
    QCOMPARE(kept->status, 200);
}

// The value of an unlabelled counter in a /metrics text; -1 if it is not there.
static qint64 counterIn(const QByteArray &metrics, const QByteArray &name)
{
    const QByteArray prefix = '\n' + name + ' ';
    const qsizetype at = metrics.indexOf(prefix);
    if (at < 0)
        return -1;
    const qsizetype from = at + prefix.size();
    bool ok = false;
    const qint64 value = metrics.mid(from, metrics.indexOf('\n', from) - from).toLongLong(&ok);
    return ok ? value : -1;
}

void HostileTest::fullDiskIsReportedAndTheGatewayKeepsServing_data()
{
    QTest::addColumn<double>("successSampleRatio");
    QTest::newRow("every trace written") << 1.0;
    // Of plain successes only the spend is written: its loss is counted all the same.
    QTest::newRow("successes sampled out") << 0.0;
}

void HostileTest::fullDiskIsReportedAndTheGatewayKeepsServing()
{
    QFETCH(double, successSampleRatio);
    startSampling(successSampleRatio);
    m_a->setDefaultResponse(FakeResponse::completion(QStringLiteral("from a")));
    QSignalSpy problems(m_gateway->host().engine(), &Switchyard::Engine::storageProblemChanged);
    QCOMPARE(
        m_gateway->client()
            .postAndWait(QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")))
            ->status,
        200);
    // A disk with no room, as this process sees it: no file may grow past 4 KiB (the database
    // and its log are already larger), and the signal a write past it raises is ignored.
    const auto previous = std::signal(SIGXFSZ, SIG_IGN);
    rlimit saved {};
    QCOMPARE(::getrlimit(RLIMIT_FSIZE, &saved), 0);
    rlimit tiny = saved;
    tiny.rlim_cur = 4096;
    QCOMPARE(::setrlimit(RLIMIT_FSIZE, &tiny), 0);
    auto restore = qScopeGuard([&] {
        ::setrlimit(RLIMIT_FSIZE, &saved);
        std::signal(SIGXFSZ, previous);
    });

    for (int i = 0; i < 5; ++i)
        QCOMPARE(m_gateway->client()
                     .postAndWait(
                         QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")))
                     ->status,
            200);
    QTRY_VERIFY_WITH_TIMEOUT(!problems.isEmpty(), 10000);
    QVERIFY(problems.first().first().toString().contains(QStringLiteral("cannot be written")));
    ClientCall *metrics = m_gateway->client().get(QStringLiteral("/metrics"));
    QVERIFY(GatewayClient::waitFor(metrics));
    const qint64 lostTraces = counterIn(metrics->body, "switchyard_trace_write_errors_total");
    const qint64 lostSpend = counterIn(metrics->body, "switchyard_spend_write_errors_total");
    if (successSampleRatio == 1.0)
        QVERIFY2(lostTraces >= 1, metrics->body.constData());
    else
        QVERIFY2(lostTraces == 0, metrics->body.constData()); // none was to be written
    // The requests after the disk filled, and perhaps the one before, in the failed batches.
    QVERIFY2(lostSpend >= 1 && lostSpend <= 6, metrics->body.constData());
    QCOMPARE(problems.size(), 1); // said once, not once per batch

    restore.dismiss();
    ::setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, previous);
    m_gateway->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")));
    QTRY_COMPARE_WITH_TIMEOUT(problems.size(), 2, 10000);
    QCOMPARE(problems.last().first().toString(), QString()); // writing works again
}

void HostileTest::anUnknownTraceIdSaysWhetherSamplingLeftItOut()
{
    // A caller's log names a request the store does not have: with successes sampled, the answer
    // says that a success may not have been kept, rather than suggest it never came.
    const QString unknown = QStringLiteral("/admin/traces/req_000000000000000000000000");
    startSampling(1.0);
    ClientCall *whole = m_gateway->client().get(unknown);
    QVERIFY(GatewayClient::waitFor(whole));
    QCOMPARE(whole->status, 404);
    QVERIFY2(!whole->body.contains("success_sample_ratio"), whole->body.constData());

    m_gateway = std::make_unique<GatewayUnderTest>();
    startSampling(0.0);
    ClientCall *sampled = m_gateway->client().get(unknown);
    QVERIFY(GatewayClient::waitFor(sampled));
    QCOMPARE(sampled->status, 404);
    QCOMPARE(sampled->json().value(u"error").toObject().value(u"code").toString(),
        QStringLiteral("trace_not_found"));
    QVERIFY2(sampled->body.contains("success_sample_ratio is 0")
            && sampled->body.contains("may not have been kept"),
        sampled->body.constData());
}

QTEST_GUILESS_MAIN(HostileTest)
#include "tst_hostile.moc"
