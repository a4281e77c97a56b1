#include "fakeupstream.h"
#include "gatewayharness.h"
#include "jsontext.h"
#include "prometheuscheck.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QUrl>

#include <memory>

using namespace Switchyard;
using namespace Switchyard::Testing;

// The gateway on several I/O threads (issue 20, "workers"): clients are spread over the threads,
// and what one thread's request decides is what every other thread's next request sees — a
// breaker opened by failures, an operator's drain — while the admin API, its event stream and the
// traces work from any thread as from one; a gateway stopped with streams open on every thread
// ends without hanging and keeps their traces.
class WorkersTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void clientsAreSpreadOverTheThreads();
    void aBreakerOpenedOnOneThreadHoldsOnEvery();
    void anOperatorsDrainHoldsOnEveryThread();
    void everyThreadsEventStreamTellsOfEveryRequest();
    void stopsWithStreamsOpenAndKeepsTheirTraces();
    void oneWorkerIsTheEngineThreadAlone();
    void aSecondGatewayOnTheSamePortIsRefused();

private:
    QByteArray configWith(int workers) const;
    bool startGateway(int workers, const QString &dataDirectory = QString());
    // A request on a connection of its own, so the kernel may give it to any thread.
    ClientCall *chat();
    QHash<QString, double> metrics();
    // How many clients each thread accepted.
    QList<double> acceptedPerThread();

    std::unique_ptr<FakeUpstream> m_a;
    std::unique_ptr<FakeUpstream> m_b;
    std::unique_ptr<GatewayUnderTest> m_gateway;
};

void WorkersTest::init()
{
    m_a = std::make_unique<FakeUpstream>();
    m_b = std::make_unique<FakeUpstream>();
    QVERIFY(m_a->listen() && m_b->listen());
    m_a->setDefaultResponse(FakeResponse::completion(QStringLiteral("from a")));
    m_b->setDefaultResponse(FakeResponse::completion(QStringLiteral("from b")));
}

void WorkersTest::cleanup()
{
    m_gateway.reset();
    m_a.reset();
    m_b.reset();
}

bool WorkersTest::startGateway(int workers, const QString &dataDirectory)
{
    m_gateway = std::make_unique<GatewayUnderTest>(dataDirectory);
    QString error;
    if (!m_gateway->start(configWith(workers), &error))
        qWarning().noquote() << error;
    return error.isEmpty();
}

QByteArray WorkersTest::configWith(int workers) const
{
    QByteArray json = jsonText(R"JSON({
      'workers': @WORKERS@,
      'providers': {'a': {'base_url': '@A@'}, 'b': {'base_url': '@B@'}},
      'routes': {'ra': {'provider': 'a', 'model': 'model-a',
                        'breaker': {'consecutive_failures': 2, 'window': 10, 'min_calls': 10,
                                    'cooldown_ms': 600000, 'max_cooldown_ms': 600000}},
                 'rb': {'provider': 'b', 'model': 'model-b'}},
      'lanes': {'main': {'chain': ['ra', 'rb'], 'retry': {'max_retries': 0}}},
      'default_lane': 'main'
    })JSON");
    json.replace("@WORKERS@", QByteArray::number(workers));
    json.replace("@A@", m_a->baseUrl().toUtf8());
    json.replace("@B@", m_b->baseUrl().toUtf8());
    return json;
}

ClientCall *WorkersTest::chat()
{
    // Each ClientCall has a network manager, and so a connection, of its own.
    return m_gateway->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")));
}

QHash<QString, double> WorkersTest::metrics()
{
    ClientCall *call = m_gateway->client().get(QStringLiteral("/metrics"));
    GatewayClient::waitFor(call);
    QHash<QString, double> samples;
    const QString problem = prometheusProblem(call->body, &samples);
    if (!problem.isEmpty())
        qWarning() << problem;
    return samples;
}

QList<double> WorkersTest::acceptedPerThread()
{
    const QHash<QString, double> samples = metrics();
    QList<double> accepted;
    for (int thread = 1;; ++thread) {
        const QString name
            = QStringLiteral("switchyard_io_thread_connections_total{thread=\"%1\"}").arg(thread);
        if (!samples.contains(name))
            return accepted;
        accepted.append(samples.value(name));
    }
}

void WorkersTest::clientsAreSpreadOverTheThreads()
{
    QVERIFY(startGateway(2));
    for (int i = 0; i < 24; ++i)
        QCOMPARE(chat()->status, 200);
    const QList<double> accepted = acceptedPerThread();
    QCOMPARE(accepted.size(), 2);
    // The kernel spreads connections by their ports: 24 (and the metrics call) all on one thread
    // would be a chance of one in millions.
    QVERIFY2(accepted.at(0) > 0 && accepted.at(1) > 0,
        qPrintable(QStringLiteral("%1 and %2").arg(accepted.at(0)).arg(accepted.at(1))));
    QVERIFY(accepted.at(0) + accepted.at(1) >= 25);
    QCOMPARE(m_a->requestCount("POST", "/v1/chat/completions"), 24);
}

void WorkersTest::aBreakerOpenedOnOneThreadHoldsOnEvery()
{
    QVERIFY(startGateway(2));
    m_a->setDefaultResponse(FakeResponse::error(503, QStringLiteral("server_error")));
    for (int i = 0; i < 2; ++i)
        QCOMPARE(chat()->header("X-Switchyard-Route"), QByteArray("rb"));
    QCOMPARE(m_a->requestCount("POST", "/v1/chat/completions"), 2);

    // Open: no request on any thread reaches the route, each goes straight to the fallback.
    const QList<double> before = acceptedPerThread();
    for (int i = 0; i < 24; ++i) {
        ClientCall *call = chat();
        QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("rb"));
        QCOMPARE(call->header("X-Switchyard-Attempts"), QByteArray("1"));
    }
    const QList<double> after = acceptedPerThread();
    QVERIFY(after.at(0) > before.at(0) && after.at(1) > before.at(1)); // both threads served
    QCOMPARE(m_a->requestCount("POST", "/v1/chat/completions"), 2);
}

void WorkersTest::anOperatorsDrainHoldsOnEveryThread()
{
    QVERIFY(startGateway(2));
    ClientCall *drain = m_gateway->client().post(QStringLiteral("/admin/routes/ra/drain"), "{}");
    QVERIFY(GatewayClient::waitFor(drain));
    QCOMPARE(drain->status, 200);
    QCOMPARE(drain->json().value(u"state").toString(), QStringLiteral("drained"));
    for (int i = 0; i < 16; ++i)
        QCOMPARE(chat()->header("X-Switchyard-Route"), QByteArray("rb"));
    QCOMPARE(m_a->requestCount("POST", "/v1/chat/completions"), 0);

    ClientCall *restore
        = m_gateway->client().post(QStringLiteral("/admin/routes/ra/restore"), "{}");
    QVERIFY(GatewayClient::waitFor(restore));
    QCOMPARE(restore->status, 200);
    for (int i = 0; i < 16; ++i)
        QCOMPARE(chat()->header("X-Switchyard-Route"), QByteArray("ra"));
}

void WorkersTest::everyThreadsEventStreamTellsOfEveryRequest()
{
    QVERIFY(startGateway(2));
    QList<ClientCall *> streams;
    for (int i = 0; i < 8; ++i) {
        streams.append(m_gateway->client().get(QStringLiteral("/admin/events")));
        QTRY_VERIFY(streams.last()->body.contains("switchyard events"));
    }
    QList<QByteArray> ids;
    for (int i = 0; i < 4; ++i)
        ids.append(chat()->header("X-Switchyard-Request-Id"));
    for (ClientCall *stream : std::as_const(streams)) {
        for (const QByteArray &id : std::as_const(ids))
            QTRY_VERIFY2(stream->body.contains(id), id.constData());
    }
    // And the traces are there to read, asked of any thread.
    for (const QByteArray &id : std::as_const(ids)) {
        ClientCall *trace = m_gateway->client().get(
            QStringLiteral("/admin/traces/%1").arg(QString::fromLatin1(id)));
        QVERIFY(GatewayClient::waitFor(trace));
        QCOMPARE(trace->status, 200);
        QCOMPARE(trace->json().value(u"id").toString(), QString::fromLatin1(id));
    }
}

void WorkersTest::stopsWithStreamsOpenAndKeepsTheirTraces()
{
    QTemporaryDir data;
    QVERIFY(data.isValid());
    QVERIFY(startGateway(2, data.path()));
    FakeResponse held = FakeResponse::stream({ QStringLiteral("one"), QStringLiteral("two") });
    held.holdAfterChunks = 1;
    m_a->setDefaultResponse(held);
    QList<ClientCall *> calls;
    for (int i = 0; i < 12; ++i)
        calls.append(m_gateway->client().post(
            QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main"), true)));
    for (ClientCall *call : std::as_const(calls))
        QTRY_VERIFY(call->body.contains("one"));
    QCOMPARE(m_a->requestCount("POST", "/v1/chat/completions"), 12);
    QVERIFY(acceptedPerThread().size() == 2);

    QElapsedTimer stopping;
    stopping.start();
    m_gateway.reset();
    QVERIFY2(stopping.elapsed() < 10000, "the gateway took too long to stop");

    // Each cut stream's trace was kept: a gateway opened on the same journal finds them all.
    QVERIFY(startGateway(1, data.path()));
    ClientCall *traces = m_gateway->client().get(QStringLiteral("/admin/traces?limit=100"));
    QVERIFY(GatewayClient::waitFor(traces));
    QCOMPARE(traces->status, 200);
    const QJsonArray kept = traces->json().value(u"traces").toArray();
    QCOMPARE(kept.size(), 12);
}

void WorkersTest::oneWorkerIsTheEngineThreadAlone()
{
    QVERIFY(startGateway(1));
    QCOMPARE(chat()->status, 200);
    QVERIFY(acceptedPerThread().isEmpty());
}

void WorkersTest::aSecondGatewayOnTheSamePortIsRefused()
{
    // The I/O threads share their port among themselves (SO_REUSEPORT), not with another
    // gateway: one started on the same port is told the port is taken, whatever its threads.
    QVERIFY(startGateway(2));
    const QString address = QUrl(m_gateway->baseUrl()).authority();
    for (const int workers : { 2, 1 }) {
        GatewayUnderTest second;
        QString error;
        QVERIFY(!second.start(configWith(workers), &error, address));
        QVERIFY2(error.contains(QStringLiteral("cannot listen")), qPrintable(error));
    }
    QCOMPARE(chat()->status, 200);
    const QList<double> accepted = acceptedPerThread();
    QCOMPARE(accepted.size(), 2);
}

QTEST_GUILESS_MAIN(WorkersTest)
#include "tst_workers.moc"
