#include "engine/engine.h"
#include "engine/enginehost.h"
#include "fakesecretstore.h"
#include "fakeupstream.h"
#include "gatewayharness.h"
#include "jsontext.h"
#include "observe/otlpexporter.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

#include <memory>

using namespace Switchyard;
using namespace Switchyard::Testing;

namespace {

// A collector's token, shaped like no well-known key.
const QByteArray CollectorToken = "otlp-SECRET-5151-token";

// The spans of every post the collector received.
QList<QJsonObject> spansIn(const FakeUpstream &collector)
{
    QList<QJsonObject> spans;
    for (const ReceivedRequest &post : collector.requests()) {
        const QJsonArray resources = post.json().value(QLatin1String("resourceSpans")).toArray();
        for (const QJsonValue &resource : resources) {
            for (const QJsonValue &scope :
                resource.toObject().value(QLatin1String("scopeSpans")).toArray()) {
                for (const QJsonValue &span :
                    scope.toObject().value(QLatin1String("spans")).toArray())
                    spans.append(span.toObject());
            }
        }
    }
    return spans;
}

QJsonValue attributeOf(const QJsonObject &span, const QString &key)
{
    for (const QJsonValue &item : span.value(QLatin1String("attributes")).toArray()) {
        const QJsonObject attribute = item.toObject();
        if (attribute.value(QLatin1String("key")).toString() != key)
            continue;
        const QJsonObject value = attribute.value(QLatin1String("value")).toObject();
        return value.begin() == value.end() ? QJsonValue() : value.begin().value();
    }
    return QJsonValue::Undefined;
}

} // namespace

// OpenTelemetry export end to end, against a collector the test starts (FakeUpstream taking the
// OTLP/HTTP posts): a span per request and one per attempt with their attributes, the caller's
// traceparent continued and passed on to the upstream, the sample ratio, and a collector that is
// down costing no request anything.
class TelemetryTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void eachRequestIsASpanWithASpanPerAttempt();
    void theCallersTraceIsContinuedAndPassedOn();
    void theSampleRatioAndTheCallersDecisionAreHonoured();
    void aCollectorThatIsDownCostsNoRequestAnything();
    void theCollectorsTokenStaysSecret();

private:
    void startGateway(const QString &collectorUrl, const QString &extra = QString());
    ClientCall *chat(const QList<QPair<QByteArray, QByteArray>> &headers = {});

    std::shared_ptr<FakeSecretStore> m_store;
    std::unique_ptr<FakeUpstream> m_a;
    std::unique_ptr<FakeUpstream> m_b;
    std::unique_ptr<FakeUpstream> m_collector;
    std::unique_ptr<GatewayUnderTest> m_gateway;
};

void TelemetryTest::init()
{
    m_store = std::make_shared<FakeSecretStore>();
    m_store->setEntry(QStringLiteral("collector-token"), CollectorToken);
    m_a = std::make_unique<FakeUpstream>();
    m_b = std::make_unique<FakeUpstream>();
    m_collector = std::make_unique<FakeUpstream>();
    QVERIFY(m_a->listen() && m_b->listen() && m_collector->listen());
    m_a->setDefaultResponse(FakeResponse::completion(QStringLiteral("from a"), 11, 7));
    m_b->setDefaultResponse(FakeResponse::completion(QStringLiteral("from b"), 13, 5));
    m_collector->setDefaultResponse(FakeResponse { 200, {}, "{}" });
}

void TelemetryTest::cleanup()
{
    m_gateway.reset();
    m_a.reset();
    m_b.reset();
    m_collector.reset();
}

void TelemetryTest::startGateway(const QString &collectorUrl, const QString &extra)
{
    QByteArray json = jsonText(R"JSON({
      'telemetry': {'otlp_endpoint': '@COLLECTOR@',
                    'headers': {'x-collector-token': {'keychain': 'collector-token'}} @EXTRA@},
      'providers': {'a': {'base_url': '@A@'}, 'b': {'base_url': '@B@'}},
      'routes': {'ra': {'provider': 'a', 'model': 'model-a'},
                 'rb': {'provider': 'b', 'model': 'model-b'}},
      'lanes': {'main': {'chain': ['ra', 'rb'], 'retry': {'max_retries': 0}}},
      'default_lane': 'main'
    })JSON");
    json.replace("@COLLECTOR@", collectorUrl.toUtf8());
    json.replace("@EXTRA@", extra.toUtf8());
    json.replace("@A@", m_a->baseUrl().toUtf8());
    json.replace("@B@", m_b->baseUrl().toUtf8());
    m_gateway = std::make_unique<GatewayUnderTest>();
    m_gateway->host().engine()->setSecretStore(m_store);
    QString error;
    QVERIFY2(m_gateway->start(json, &error), qPrintable(error));
}

ClientCall *TelemetryTest::chat(const QList<QPair<QByteArray, QByteArray>> &headers)
{
    return m_gateway->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")), headers);
}

void TelemetryTest::eachRequestIsASpanWithASpanPerAttempt()
{
    startGateway(QStringLiteral("http://127.0.0.1:%1").arg(m_collector->port()));
    m_a->enqueue(FakeResponse::error(503, QStringLiteral("server_error")));
    ClientCall *call = chat();
    QCOMPARE(call->status, 200);
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("rb"));

    // Within the exporter's batch interval, at the OTLP traces path, as JSON.
    QTRY_VERIFY_WITH_TIMEOUT(spansIn(*m_collector).size() == 3, 5000);
    const ReceivedRequest &post = m_collector->requests().constFirst();
    QCOMPARE(post.path, QByteArray("/v1/traces"));
    QCOMPARE(post.headers.value("content-type"), QByteArray("application/json"));
    const QJsonObject resource = post.json()
                                     .value(QLatin1String("resourceSpans"))
                                     .toArray()
                                     .at(0)
                                     .toObject()
                                     .value(QLatin1String("resource"))
                                     .toObject();
    QCOMPARE(attributeOf(resource, QStringLiteral("service.name")).toString(),
        QStringLiteral("switchyard"));

    const QList<QJsonObject> spans = spansIn(*m_collector);
    const QJsonObject request = spans.at(0);
    static const QRegularExpression traceId(QStringLiteral("^[0-9a-f]{32}$"));
    static const QRegularExpression spanId(QStringLiteral("^[0-9a-f]{16}$"));
    QVERIFY(traceId.match(request.value(QLatin1String("traceId")).toString()).hasMatch());
    QVERIFY(spanId.match(request.value(QLatin1String("spanId")).toString()).hasMatch());
    QVERIFY(!request.contains(QLatin1String("parentSpanId"))); // the trace began here
    QCOMPARE(request.value(QLatin1String("kind")).toInt(), 2); // server
    QCOMPARE(request.value(QLatin1String("name")).toString(), QStringLiteral("chat main"));
    QCOMPARE(attributeOf(request, QStringLiteral("gen_ai.operation.name")).toString(),
        QStringLiteral("chat"));
    QCOMPARE(
        attributeOf(request, QStringLiteral("switchyard.lane")).toString(), QStringLiteral("main"));
    QCOMPARE(
        attributeOf(request, QStringLiteral("switchyard.route")).toString(), QStringLiteral("rb"));
    QCOMPARE(attributeOf(request, QStringLiteral("switchyard.fallback")).toBool(), true);
    QCOMPARE(attributeOf(request, QStringLiteral("http.response.status_code")).toString(),
        QStringLiteral("200"));
    QCOMPARE(attributeOf(request, QStringLiteral("switchyard.request.id")).toString(),
        QString::fromUtf8(call->header("X-Switchyard-Request-Id")));

    // One client span per attempt, children of the request's, with what each came to.
    for (int i = 1; i <= 2; ++i) {
        const QJsonObject attempt = spans.at(i);
        QCOMPARE(attempt.value(QLatin1String("traceId")), request.value(QLatin1String("traceId")));
        QCOMPARE(
            attempt.value(QLatin1String("parentSpanId")), request.value(QLatin1String("spanId")));
        QCOMPARE(attempt.value(QLatin1String("kind")).toInt(), 3); // client
        QVERIFY(attempt.value(QLatin1String("startTimeUnixNano")).toString().toLongLong()
            <= attempt.value(QLatin1String("endTimeUnixNano")).toString().toLongLong());
    }
    const QJsonObject failed = spans.at(1);
    QCOMPARE(failed.value(QLatin1String("name")).toString(), QStringLiteral("chat model-a"));
    QCOMPARE(
        attributeOf(failed, QStringLiteral("switchyard.route")).toString(), QStringLiteral("ra"));
    QCOMPARE(attributeOf(failed, QStringLiteral("switchyard.failure_class")).toString(),
        QStringLiteral("transient"));
    QCOMPARE(attributeOf(failed, QStringLiteral("switchyard.decision")).toString(),
        QStringLiteral("fallback"));
    QCOMPARE(
        attributeOf(failed, QStringLiteral("error.type")).toString(), QStringLiteral("transient"));
    QCOMPARE(
        failed.value(QLatin1String("status")).toObject().value(QLatin1String("code")).toInt(), 2);
    const QJsonObject served = spans.at(2);
    QCOMPARE(attributeOf(served, QStringLiteral("gen_ai.request.model")).toString(),
        QStringLiteral("model-b"));
    QCOMPARE(attributeOf(served, QStringLiteral("gen_ai.provider.name")).toString(),
        QStringLiteral("openai"));
    QCOMPARE(attributeOf(served, QStringLiteral("gen_ai.usage.input_tokens")).toString(),
        QStringLiteral("13"));
    QCOMPARE(attributeOf(served, QStringLiteral("gen_ai.usage.output_tokens")).toString(),
        QStringLiteral("5"));
    QVERIFY(!served.contains(QLatin1String("status")));

    // The trace in the gateway's own store names the same ids.
    const QJsonObject stored = m_gateway->lastTrace();
    QCOMPARE(stored.value(QLatin1String("trace_id")), request.value(QLatin1String("traceId")));
    QCOMPARE(stored.value(QLatin1String("attempts"))
                 .toArray()
                 .at(1)
                 .toObject()
                 .value(QLatin1String("span_id")),
        served.value(QLatin1String("spanId")));

    ClientCall *metrics = m_gateway->client().get(QStringLiteral("/metrics"));
    QVERIFY(GatewayClient::waitFor(metrics));
    QVERIFY2(metrics->body.contains("switchyard_otlp_spans_exported_total 3"),
        metrics->body.constData());
}

void TelemetryTest::theCallersTraceIsContinuedAndPassedOn()
{
    startGateway(QStringLiteral("http://127.0.0.1:%1/").arg(m_collector->port()));
    const QByteArray callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
    const QByteArray callerSpan = "00f067aa0ba902b7";
    QCOMPARE(
        chat({ { "traceparent", "00-" + callerTrace + "-" + callerSpan + "-01" } })->status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(spansIn(*m_collector).size() == 2, 5000);
    const QList<QJsonObject> spans = spansIn(*m_collector);
    QCOMPARE(spans.at(0).value(QLatin1String("traceId")).toString().toLatin1(), callerTrace);
    QCOMPARE(spans.at(0).value(QLatin1String("parentSpanId")).toString().toLatin1(), callerSpan);
    // The upstream is told of the attempt's span as its parent, in the same trace.
    const QByteArray sent = m_a->requests().constLast().headers.value("traceparent");
    QCOMPARE(sent,
        "00-" + callerTrace + "-" + spans.at(1).value(QLatin1String("spanId")).toString().toLatin1()
            + "-01");

    // A malformed traceparent begins a new trace instead (the specification's rule).
    QCOMPARE(
        chat({ { "traceparent", "00-" + callerTrace + "-0000000000000000-01" } })->status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(spansIn(*m_collector).size() == 4, 5000);
    QVERIFY(spansIn(*m_collector).at(2).value(QLatin1String("traceId")).toString().toLatin1()
        != callerTrace);
    QVERIFY(!spansIn(*m_collector).at(2).contains(QLatin1String("parentSpanId")));
}

void TelemetryTest::theSampleRatioAndTheCallersDecisionAreHonoured()
{
    startGateway(QStringLiteral("http://127.0.0.1:%1").arg(m_collector->port()),
        QStringLiteral(", \"sample_ratio\": 0"));
    for (int i = 0; i < 5; ++i)
        QCOMPARE(chat()->status, 200);
    // A caller that sampled its trace is followed; one that did not is too.
    QCOMPARE(chat({ { "traceparent", "00-11111111111111111111111111111111-2222222222222222-01" } })
                 ->status,
        200);
    QCOMPARE(chat({ { "traceparent", "00-33333333333333333333333333333333-4444444444444444-00" } })
                 ->status,
        200);
    QTRY_VERIFY_WITH_TIMEOUT(spansIn(*m_collector).size() == 2, 5000);
    QTest::qWait(OtlpExporter::FlushIntervalMs * 2); // nothing else is on its way
    const QList<QJsonObject> spans = spansIn(*m_collector);
    QCOMPARE(spans.size(), 2);
    QCOMPARE(spans.at(0).value(QLatin1String("traceId")).toString(),
        QStringLiteral("11111111111111111111111111111111"));
    // The unsampled call still passes its trace on, marked unsampled.
    QVERIFY(m_a->requests()
                .constLast()
                .headers.value("traceparent")
                .startsWith("00-33333333333333333333333333333333-"));
    QVERIFY(m_a->requests().constLast().headers.value("traceparent").endsWith("-00"));
}

void TelemetryTest::aCollectorThatIsDownCostsNoRequestAnything()
{
    startGateway(QStringLiteral("http://127.0.0.1:%1").arg(FakeUpstream::closedPort()));
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < 20; ++i)
        QCOMPARE(chat()->status, 200);
    QVERIFY2(timer.elapsed() < 10000, qPrintable(QString::number(timer.elapsed())));
    // The spans are counted as lost, and the gateway says so on /metrics.
    QTRY_VERIFY_WITH_TIMEOUT(
        [this] {
            ClientCall *metrics = m_gateway->client().get(QStringLiteral("/metrics"));
            return GatewayClient::waitFor(metrics)
                && metrics->body.contains("switchyard_otlp_spans_dropped_total 40");
        }(),
        10000);
    QCOMPARE(m_a->requestCount(), 20);
}

void TelemetryTest::theCollectorsTokenStaysSecret()
{
    startGateway(QStringLiteral("http://127.0.0.1:%1").arg(m_collector->port()));
    m_a->enqueue(FakeResponse::error(401, QStringLiteral("invalid_request_error"),
        QStringLiteral("invalid_api_key"),
        QStringLiteral("echoing ") + QString::fromUtf8(CollectorToken)));
    QCOMPARE(chat()->status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(!m_collector->requests().isEmpty(), 5000);
    // The collector gets it, as the header the config names.
    QCOMPARE(
        m_collector->requests().constFirst().headers.value("x-collector-token"), CollectorToken);
    // Nothing else does: not the upstream, the spans, the traces, the config or the metrics.
    QVERIFY(!m_a->requests().constFirst().headers.values().contains(CollectorToken));
    QVERIFY(!m_collector->requests().constFirst().body.contains(CollectorToken));
    QByteArray everything;
    for (const QString &path : { QStringLiteral("/admin/traces?limit=10"),
             QStringLiteral("/admin/config"), QStringLiteral("/metrics") }) {
        ClientCall *call = m_gateway->client().get(path);
        QVERIFY(GatewayClient::waitFor(call));
        QCOMPARE(call->status, 200);
        everything += call->body;
    }
    QVERIFY(!everything.contains(CollectorToken));
}

QTEST_GUILESS_MAIN(TelemetryTest)
#include "tst_telemetry.moc"
