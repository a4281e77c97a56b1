#include "gatewayharness.h"
#include "jsontext.h"

#include "engine/engine.h"
#include "engine/enginehost.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

#include <memory>

using namespace Switchyard::Testing;

// The "simulated" provider kind and the demo's built-in traffic: real HTTP, scripted behaviour.
class SimulatedTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void scriptedOutageFallsBackToTheHealthyOne()
    {
        GatewayUnderTest gateway;
        QString error;
        QVERIFY2(gateway.start(jsonText(R"({
            'providers': {
              'broken': {'kind': 'simulated', 'simulation': {'latency_ms': 5, 'jitter_ms': 0,
                         'incidents': [{'start_s': 0, 'end_s': 3600, 'fault': '503'}]}},
              'healthy': {'kind': 'simulated', 'simulation': {'latency_ms': 5, 'jitter_ms': 0, 'tokens_out': 7}}},
            'routes': {'rb': {'provider': 'broken', 'model': 'm1'},
                       'rh': {'provider': 'healthy', 'model': 'm2', 'price': {'input_per_mtok': 1, 'output_per_mtok': 1}}},
            'lanes': {'main': {'chain': ['rb', 'rh'], 'retry': {'max_retries': 0}}}})"),
                     &error),
            qPrintable(error));
        ClientCall *call = gateway.client().postAndWait(
            QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")));
        QCOMPARE(call->status, 200);
        QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("rh"));
        QCOMPARE(call->header("X-Switchyard-Fallback"), QByteArray("1"));
        QCOMPARE(call->json()
                     .value(QLatin1String("usage"))
                     .toObject()
                     .value(QLatin1String("completion_tokens"))
                     .toInt(),
            7);

        ClientCall *stream = gateway.client().postAndWait(
            QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("rh"), true));
        QCOMPARE(stream->status, 200);
        QVERIFY(stream->body.endsWith("data: [DONE]\n\n"));
        QVERIFY(!stream->body.contains(
            "usage")); // costed, without the caller seeing usage it did not ask for
    }

    void heldAndRefusedCallsFailOverLikeRealOnes()
    {
        // A "timeout" incident answers nothing (the gateway's first-byte timeout ends it) and a
        // "refused" one drops the connection; both fall back to the healthy provider.
        GatewayUnderTest gateway;
        QString error;
        QVERIFY2(gateway.start(jsonText(R"({
            'providers': {
              'silent': {'kind': 'simulated', 'simulation': {'latency_ms': 5, 'jitter_ms': 0,
                         'incidents': [{'start_s': 0, 'end_s': 3600, 'fault': 'timeout'}]}},
              'gone': {'kind': 'simulated', 'simulation': {'latency_ms': 5, 'jitter_ms': 0,
                         'incidents': [{'start_s': 0, 'end_s': 3600, 'fault': 'refused'}]}},
              'healthy': {'kind': 'simulated', 'simulation': {'latency_ms': 5, 'jitter_ms': 0}}},
            'routes': {'rs': {'provider': 'silent', 'model': 'm1', 'timeouts_ms': {'first_byte': 300}},
                       'rg': {'provider': 'gone', 'model': 'm2'},
                       'rh': {'provider': 'healthy', 'model': 'm3'}},
            'lanes': {'main': {'chain': ['rs', 'rg', 'rh'], 'retry': {'max_retries': 0}}}})"),
                     &error),
            qPrintable(error));
        ClientCall *call = gateway.client().postAndWait(
            QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main"), true));
        QCOMPARE(call->status, 200);
        QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("rh"));
        QCOMPARE(call->header("X-Switchyard-Attempts"), QByteArray("3"));
        QVERIFY(call->body.endsWith("data: [DONE]\n\n"));
        const QString id = QString::fromUtf8(call->header("X-Switchyard-Request-Id"));
        ClientCall *trace = gateway.client().get(QStringLiteral("/admin/traces/") + id);
        QVERIFY(GatewayClient::waitFor(trace));
        const QJsonArray attempts = trace->json().value(QLatin1String("attempts")).toArray();
        QCOMPARE(attempts.size(), 3);
        QVERIFY2(attempts.at(0)
                     .toObject()
                     .value(QLatin1String("reason"))
                     .toString()
                     .contains(QLatin1String("first byte timeout")),
            trace->body.constData());
        QCOMPARE(attempts.at(1).toObject().value(QLatin1String("class")).toString(),
            QStringLiteral("transient"));
    }

    void demoTrafficFlowsThroughTheGateway()
    {
        GatewayUnderTest gateway;
        QString error;
        QVERIFY2(gateway.start(jsonText(R"({
            'providers': {'sim': {'kind': 'simulated', 'simulation': {'latency_ms': 5, 'jitter_ms': 0}}},
            'routes': {'r': {'provider': 'sim', 'model': 'm'}},
            'lanes': {'main': {'chain': ['r']}, 'other': {'chain': ['r']}}, 'default_lane': 'main'})"),
                     &error),
            qPrintable(error));
        Switchyard::Engine *engine = gateway.host().engine();
        QObject scope; // the connections below end with this function, before its locals do
        QStringList lanes;
        connect(engine, &Switchyard::Engine::requestFinished, &scope,
            [&](const Switchyard::TraceRecord &trace) {
                if (trace.status == 200)
                    lanes.append(trace.lane);
            });
        engine->setDemoTraffic(50);
        QTRY_VERIFY_WITH_TIMEOUT(lanes.size() >= 10, 10000);
        engine->setDemoTraffic(0);
        QVERIFY(lanes.contains(QStringLiteral("main")) && lanes.contains(QStringLiteral("other")));
    }

    void bundledDemoConfigStarts()
    {
        QFile demo(QStringLiteral(SWITCHYARD_RESOURCES "/configs/demo.json"));
        QVERIFY(demo.open(QIODevice::ReadOnly));
        GatewayUnderTest gateway;
        QString error;
        QVERIFY2(gateway.start(demo.readAll(), &error), qPrintable(error));
        ClientCall *call = gateway.client().postAndWait(
            QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("fast")));
        QCOMPARE(call->status, 200);
    }
};

QTEST_GUILESS_MAIN(SimulatedTest)
#include "tst_simulated.moc"
