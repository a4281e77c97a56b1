#include "fakeupstream.h"
#include "gatewayharness.h"
#include "jsontext.h"

#include "http/httplistener.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace Switchyard;
using namespace Switchyard::Testing;

// The listener as hostile and old-fashioned clients meet it (issue 14): answers in the order
// asked, bounded heads and bodies, timeouts for clients that stall, HTTP/1.0 spoken as HTTP/1.0.
class ListenerTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void pipelinedRequestsAreAnsweredInOrder();
    void requestBehindAStreamWaitsForItsEnd();
    void oversizedHeadIsRefused();
    void promisedBodyOverTheLimitIsRefusedBeforeItArrives();
    void aRefusedMessagesRequestHearsAnthropicsErrorShape();
    void chunkedBodyOverTheLimitIsRefused();
    void bodyThatNeverComesTimesOut();
    void garbageRequestLineGets400();
    void http10GetsHttp10Framing();
    void expectContinueIsHonoured();
    void connectionsBeyondTheLimitWait();
    void aClientThatReadsNothingIsNotAnsweredForEver();
    void hostMustBeThereOnceAndHeadersAreBounded();
    void trailersChangeNothing();
    void headGetsAHeadOnly();

private:
    bool start(const QByteArray &extra = QByteArray());
    QTcpSocket *connectClient();
    // Reads until `done` says so or the connection closes.
    QByteArray readUntil(QTcpSocket *socket, const std::function<bool(const QByteArray &)> &done,
        int timeoutMs = 10000);

    std::unique_ptr<FakeUpstream> m_slow;
    std::unique_ptr<FakeUpstream> m_fast;
    std::unique_ptr<GatewayUnderTest> m_gateway;
    QList<QTcpSocket *> m_sockets;
};

void ListenerTest::init()
{
    m_slow = std::make_unique<FakeUpstream>();
    m_fast = std::make_unique<FakeUpstream>();
    QVERIFY(m_slow->listen() && m_fast->listen());
    FakeResponse slow = FakeResponse::completion(QStringLiteral("slow answer"));
    slow.delayMs = 300;
    m_slow->setDefaultResponse(slow);
    m_fast->setDefaultResponse(FakeResponse::completion(QStringLiteral("fast answer")));
    m_gateway = std::make_unique<GatewayUnderTest>();
}

void ListenerTest::cleanup()
{
    qDeleteAll(m_sockets);
    m_sockets.clear();
    m_gateway.reset();
    m_slow.reset();
    m_fast.reset();
}

bool ListenerTest::start(const QByteArray &extra)
{
    QByteArray json = jsonText(R"JSON({
      'providers': {'s': {'base_url': '@S@'}, 'f': {'base_url': '@F@'}},
      'routes': {'rs': {'provider': 's', 'model': 'm'}, 'rf': {'provider': 'f', 'model': 'm'}},
      'lanes': {'slow': {'chain': ['rs']}, 'fast': {'chain': ['rf']}},
      'default_lane': 'fast' @EXTRA@
    })JSON");
    json.replace("@S@", m_slow->baseUrl().toUtf8());
    json.replace("@F@", m_fast->baseUrl().toUtf8());
    json.replace("@EXTRA@", jsonText(extra.constData()));
    QString error;
    const bool started = m_gateway->start(json, &error);
    if (!started)
        qWarning() << error;
    return started;
}

QTcpSocket *ListenerTest::connectClient()
{
    auto *socket = new QTcpSocket;
    m_sockets.append(socket);
    socket->connectToHost(QStringLiteral("127.0.0.1"), quint16(QUrl(m_gateway->baseUrl()).port()));
    socket->waitForConnected(5000);
    return socket;
}

QByteArray ListenerTest::readUntil(
    QTcpSocket *socket, const std::function<bool(const QByteArray &)> &done, int timeoutMs)
{
    QByteArray received;
    // Returns what arrived by then either way; the caller checks it.
    (void)QTest::qWaitFor(
        [&] {
            received += socket->readAll();
            return done(received) || socket->state() == QAbstractSocket::UnconnectedState;
        },
        timeoutMs);
    received += socket->readAll();
    return received;
}

QByteArray post(const QByteArray &path, const QByteArray &body, const QByteArray &extra = {})
{
    return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + extra + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

void ListenerTest::pipelinedRequestsAreAnsweredInOrder()
{
    QVERIFY(start());
    QTcpSocket *socket = connectClient();
    // The slow one first: its answer must come first, though the fast one is ready sooner.
    socket->write(post("/v1/chat/completions", chatBody(QStringLiteral("slow")))
        + post("/v1/chat/completions", chatBody(QStringLiteral("fast"))));
    const QByteArray received
        = readUntil(socket, [](const QByteArray &r) { return r.count("HTTP/1.1 200") == 2; });
    QCOMPARE(received.count("HTTP/1.1 200"), 2);
    const qsizetype slow = received.indexOf("slow answer");
    const qsizetype fast = received.indexOf("fast answer");
    QVERIFY(slow > 0 && fast > 0);
    QVERIFY2(slow < fast, received.constData());
    QVERIFY(
        received.indexOf("X-Switchyard-Route: rs") < received.indexOf("X-Switchyard-Route: rf"));
}

void ListenerTest::requestBehindAStreamWaitsForItsEnd()
{
    QVERIFY(start());
    FakeResponse stream = FakeResponse::stream(
        { QStringLiteral("one"), QStringLiteral("two"), QStringLiteral("three") });
    stream.chunkIntervalMs = 50;
    m_fast->setDefaultResponse(stream);
    QTcpSocket *socket = connectClient();
    socket->write(post("/v1/chat/completions", chatBody(QStringLiteral("fast"), true))
        + "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    const QByteArray received
        = readUntil(socket, [](const QByteArray &r) { return r.contains("{\"status\":\"ok\"}"); });
    const qsizetype streamEnd = received.indexOf("0\r\n\r\n");
    const qsizetype second = received.indexOf("HTTP/1.1 200", 10);
    QVERIFY2(streamEnd > 0 && second > streamEnd, received.constData());
    QVERIFY(received.indexOf("data: [DONE]") < second);
}

void ListenerTest::oversizedHeadIsRefused()
{
    QVERIFY(start(", 'limits': {'max_head_bytes': 8192}"));
    QTcpSocket *socket = connectClient();
    // A megabyte of header, sent as a flood: refused at the cap, not buffered.
    socket->write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Junk: ");
    socket->write(QByteArray(1024 * 1024, 'j'));
    const QByteArray received
        = readUntil(socket, [](const QByteArray &r) { return r.contains("}"); });
    QVERIFY2(received.startsWith("HTTP/1.1 431"), received.left(200).constData());
    QVERIFY(received.contains("request_header_fields_too_large"));
}

void ListenerTest::promisedBodyOverTheLimitIsRefusedBeforeItArrives()
{
    QVERIFY(start(", 'max_request_bytes': 65536"));
    QTcpSocket *socket = connectClient();
    socket->write("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  "Content-Type: application/json\r\nContent-Length: 300000000\r\n\r\n");
    // Not a byte of the body is sent: the answer must not wait for it.
    const QByteArray received
        = readUntil(socket, [](const QByteArray &r) { return r.contains("}"); });
    QVERIFY2(received.startsWith("HTTP/1.1 413"), received.left(200).constData());
    QVERIFY(received.contains("payload_too_large"));
    QVERIFY(received.contains("Connection: close"));
}

void ListenerTest::aRefusedMessagesRequestHearsAnthropicsErrorShape()
{
    QVERIFY(start(", 'max_request_bytes': 65536"));
    QTcpSocket *socket = connectClient();
    socket->write("POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  "Content-Type: application/json\r\nContent-Length: 300000000\r\n\r\n");
    const QByteArray received
        = readUntil(socket, [](const QByteArray &r) { return r.contains("}}"); });
    QVERIFY2(received.startsWith("HTTP/1.1 413"), received.left(200).constData());
    const QJsonObject body
        = QJsonDocument::fromJson(received.mid(received.indexOf("\r\n\r\n") + 4)).object();
    QCOMPARE(body.value(u"type").toString(), QStringLiteral("error"));
    QCOMPARE(body.value(u"error").toObject().value(u"type").toString(),
        QStringLiteral("request_too_large"));
}

void ListenerTest::chunkedBodyOverTheLimitIsRefused()
{
    QVERIFY(start(", 'max_request_bytes': 4096"));
    QTcpSocket *socket = connectClient();
    socket->write("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 8; ++i)
        socket->write("400\r\n" + QByteArray(1024, ' ') + "\r\n");
    const QByteArray received
        = readUntil(socket, [](const QByteArray &r) { return r.contains("}"); });
    QVERIFY2(received.startsWith("HTTP/1.1 413"), received.left(200).constData());
    QVERIFY(m_fast->requests().isEmpty());
}

void ListenerTest::bodyThatNeverComesTimesOut()
{
    QVERIFY(start(", 'limits': {'client_read_timeout_ms': 300}"));
    QTcpSocket *socket = connectClient();
    socket->write("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"model\":");
    const QByteArray received
        = readUntil(socket, [](const QByteArray &r) { return r.contains("}"); });
    QVERIFY2(received.startsWith("HTTP/1.1 408"), received.left(200).constData());
    // And the connection is let go, not held for ever.
    QTRY_VERIFY_WITH_TIMEOUT(socket->state() == QAbstractSocket::UnconnectedState, 10000);
}

void ListenerTest::garbageRequestLineGets400()
{
    QVERIFY(start());
    for (const QByteArray &garbage :
        { QByteArray("\x16\x03\x01\x02\x00 hello TLS\r\n\r\n"), QByteArray("GET\r\n\r\n"),
            QByteArray("GET / HTTP/9.9\r\n\r\n"), QByteArray("G\0ET / HTTP/1.1\r\n\r\n", 19) }) {
        QTcpSocket *socket = connectClient();
        socket->write(garbage);
        const QByteArray received
            = readUntil(socket, [](const QByteArray &r) { return r.contains("}"); });
        QVERIFY2(received.startsWith("HTTP/1.1 400") || received.startsWith("HTTP/1.1 505"),
            received.left(200).constData());
    }
    // Still serving.
    QTcpSocket *socket = connectClient();
    socket->write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QVERIFY(readUntil(socket, [](const QByteArray &r) {
        return r.contains("ok");
    }).startsWith("HTTP/1.1 200"));
}

void ListenerTest::http10GetsHttp10Framing()
{
    QVERIFY(start());
    m_fast->setDefaultResponse(
        FakeResponse::stream({ QStringLiteral("one"), QStringLiteral("two") }));
    QTcpSocket *socket = connectClient();
    const QByteArray body = chatBody(QStringLiteral("fast"), true);
    socket->write("POST /v1/chat/completions HTTP/1.0\r\nHost: 127.0.0.1\r\n"
                  "Content-Type: application/json\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    // The end of the body is the end of the connection.
    const QByteArray received = readUntil(socket, [](const QByteArray &) { return false; });
    QCOMPARE(socket->state(), QAbstractSocket::UnconnectedState);
    // ... and that close is no cancellation: the trace says the stream was served.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            ClientCall *traces = m_gateway->client().get(QStringLiteral("/admin/traces?limit=1"));
            GatewayClient::waitFor(traces);
            return traces->body.contains("\"class\":\"ok\"");
        }(),
        5000);
    QVERIFY2(received.startsWith("HTTP/1.1 200"), received.left(200).constData());
    QVERIFY(!received.contains("Transfer-Encoding"));
    const QByteArray payload = received.mid(received.indexOf("\r\n\r\n") + 4);
    QVERIFY2(payload.startsWith("data: {"), payload.left(100).constData());
    QVERIFY(payload.trimmed().endsWith("data: [DONE]"));
}

void ListenerTest::expectContinueIsHonoured()
{
    QVERIFY(start());
    QTcpSocket *socket = connectClient();
    const QByteArray body = chatBody(QStringLiteral("fast"));
    socket->write("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  "Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\n\r\n");
    const QByteArray interim
        = readUntil(socket, [](const QByteArray &r) { return r.contains("\r\n\r\n"); });
    QCOMPARE(interim, QByteArray("HTTP/1.1 100 Continue\r\n\r\n"));
    socket->write(body);
    QVERIFY(readUntil(socket, [](const QByteArray &r) {
        return r.contains("fast answer");
    }).startsWith("HTTP/1.1 200"));
}

void ListenerTest::connectionsBeyondTheLimitWait()
{
    int answered = 0;
    HttpListener listener({ [&answered](const HttpRequest &, ClientResponse response) {
        ++answered;
        response.send(200, {}, "ok");
    } });
    listener.setMaxConnections(2);
    const quint16 port = listener.listen(QHostAddress::LocalHost, 0);
    QVERIFY(port != 0);
    QList<QTcpSocket *> clients;
    for (int i = 0; i < 3; ++i) {
        auto *socket = new QTcpSocket;
        m_sockets.append(socket);
        socket->connectToHost(QStringLiteral("127.0.0.1"), port);
        clients.append(socket);
    }
    QTRY_COMPARE(listener.connectionCount(), 2);
    // The third waits (in the kernel's backlog) rather than failing; a request on it is served
    // once a slot frees.
    clients.at(2)->write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QTest::qWait(100); // a check for an answer that must not come, bounded and short
    QCOMPARE(answered, 0);
    clients.at(0)->disconnectFromHost();
    QTRY_COMPARE(answered, 1);
    QVERIFY(readUntil(clients.at(2), [](const QByteArray &r) {
        return r.endsWith("ok");
    }).startsWith("HTTP/1.1 200"));
}

void ListenerTest::aClientThatReadsNothingIsNotAnsweredForEver()
{
    QVERIFY(start(", 'limits': {'client_read_timeout_ms': 500}"));
    QTcpSocket *socket = connectClient();
    socket->setReadBufferSize(1024); // Qt stops reading for it; the kernel's window closes
    // Thousands of pipelined requests whose refusals are 4 KiB each, never read.
    const QByteArray longPath = "/v1/" + QByteArray(4000, 'p');
    constexpr int Requests = 5000;
    QByteArray pipeline;
    for (int i = 0; i < Requests; ++i)
        pipeline += "POST " + longPath
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
              "application/json\r\nContent-Length: 2\r\n\r\n{}";
    socket->write(pipeline);
    // The gateway stops answering once its queue is full, and after a while lets go.
    QTRY_VERIFY_WITH_TIMEOUT(socket->state() == QAbstractSocket::UnconnectedState, 20000);
    ClientCall *metrics = m_gateway->client().get(QStringLiteral("/metrics"));
    QVERIFY(GatewayClient::waitFor(metrics));
    const QByteArray counter = "switchyard_refused_requests_total{status=\"404\"} ";
    const qsizetype at = metrics->body.indexOf(counter);
    QVERIFY(at > 0);
    const int answered = metrics->body.mid(at + counter.size()).split('\n').first().toInt();
    QVERIFY2(answered > 0 && answered < Requests, qPrintable(QString::number(answered)));
}

void ListenerTest::hostMustBeThereOnceAndHeadersAreBounded()
{
    QVERIFY(start());
    const QList<QByteArray> refused {
        "GET /healthz HTTP/1.1\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n",
    };
    for (const QByteArray &request : refused) {
        QTcpSocket *socket = connectClient();
        socket->write(request);
        QVERIFY(readUntil(socket, [](const QByteArray &r) {
            return r.contains("}");
        }).startsWith("HTTP/1.1 400"));
    }
    QByteArray many = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (int i = 0; i < 150; ++i)
        many += "a:\r\n";
    QTcpSocket *socket = connectClient();
    socket->write(many + "\r\n");
    QVERIFY(readUntil(socket, [](const QByteArray &r) {
        return r.contains("}");
    }).startsWith("HTTP/1.1 431"));
    // HTTP/1.0 may leave Host out.
    socket = connectClient();
    socket->write("GET /healthz HTTP/1.0\r\n\r\n");
    QVERIFY(readUntil(socket, [](const QByteArray &) { return false; }).startsWith("HTTP/1.1 200"));
}

void ListenerTest::trailersChangeNothing()
{
    QVERIFY(start());
    const QByteArray body = chatBody(QStringLiteral("fast"));
    QTcpSocket *socket = connectClient();
    // The head says lane "fast"; a trailer after the body tries "slow".
    socket->write("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        + QByteArray::number(body.size(), 16) + "\r\n" + body
        + "\r\n0\r\nX-Switchyard-Lane: slow\r\n\r\n");
    const QByteArray received
        = readUntil(socket, [](const QByteArray &r) { return r.contains("answer"); });
    QVERIFY2(received.contains("fast answer"), received.constData());
    QVERIFY(m_slow->requests().isEmpty());
}

void ListenerTest::headGetsAHeadOnly()
{
    QVERIFY(start());
    QTcpSocket *socket = connectClient();
    socket->write("HEAD /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                  "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    const QByteArray received = readUntil(socket,
        [](const QByteArray &r) { return r.count("HTTP/1.1 200") == 2 && r.endsWith("}"); });
    // One head, then the second answer whole: no body after the first head to misread.
    const qsizetype second = received.indexOf("HTTP/1.1 200", 1);
    QVERIFY2(second > 0, received.constData());
    QVERIFY(received.left(second).endsWith("\r\n\r\n"));
    const QByteArray answer = received.mid(second);
    QVERIFY(answer.endsWith("}"));
    QCOMPARE(QJsonDocument::fromJson(answer.mid(answer.indexOf("\r\n\r\n") + 4))
                 .object()
                 .value(u"service")
                 .toString(),
        QStringLiteral("switchyard"));
}

QTEST_GUILESS_MAIN(ListenerTest)
#include "tst_listener.moc"
