#include "fakeupstream.h"
#include "upstream/plainhttpreply.h"

#include <QNetworkRequest>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace Switchyard;

namespace {

// A server that answers each request with scripted raw bytes, so every framing HTTP/1.1 allows
// can be played exactly.
class RawServer final : public QObject {
public:
    struct Answer {
        QList<QByteArray> pieces; // written one event-loop turn apart
        bool closeAfter = false;
    };

    RawServer()
    {
        m_server.listen(QHostAddress::LocalHost);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                ++connections;
                sockets.append(socket);
                connect(
                    socket, &QTcpSocket::readyRead, this, [this, socket] { onRequest(socket); });
            }
        });
    }
    quint16 port() const { return m_server.serverPort(); }
    void enqueue(const Answer &answer) { m_answers.append(answer); }

    int connections = 0;
    int requests = 0;
    QList<QByteArray> received;
    QList<QPointer<QTcpSocket>> sockets;

private:
    void onRequest(QTcpSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
        if (headEnd < 0)
            return;
        qsizetype length = 0;
        for (const QByteArray &line : buffer.left(headEnd).split('\n')) {
            if (line.toLower().startsWith("content-length:"))
                length = line.mid(15).trimmed().toLongLong();
        }
        if (buffer.size() < headEnd + 4 + length)
            return;
        received.append(buffer.left(headEnd + 4 + length));
        buffer.remove(0, headEnd + 4 + length);
        ++requests;
        const Answer answer = m_answers.isEmpty() ? Answer {} : m_answers.takeFirst();
        write(socket, answer, 0);
    }
    void write(QPointer<QTcpSocket> socket, const Answer &answer, int next)
    {
        if (!socket)
            return;
        if (next >= answer.pieces.size()) {
            if (answer.closeAfter)
                socket->disconnectFromHost();
            return;
        }
        socket->write(answer.pieces.at(next));
        socket->flush();
        QTimer::singleShot(
            5, this, [this, socket, answer, next] { write(socket, answer, next + 1); });
    }

    QTcpServer m_server;
    QList<Answer> m_answers;
    QHash<QTcpSocket *, QByteArray> m_buffers;
};

struct Result {
    int status = 0;
    QByteArray body;
    int readyReads = 0;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    bool finished = false;
    bool closedOnReuse = false;
};

} // namespace

// The plain-HTTP upstream client against every framing a server may use, keep-alive reuse, a
// connection closed while idle, refusal and abort. (The end-to-end suites run all their traffic
// through it as well.)
class PlainHttpTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void contentLengthBodyInPieces();
    void chunkedWithExtensionsAndTrailer();
    void bodyUntilTheConnectionCloses();
    void informationalAnswerIsSkipped();
    void errorStatusKeepsItsBody();
    void aConnectionIsReusedAndAStaleOneReplaced();
    void aConnectionClosedAsItIsReusedIsNotResentQuietly();
    void refusedConnection();
    void abortFinishesAtOnce();
    void requestCarriesHeadersAndBody();
    void noContentNeedsNoLength();
    void bothFramingsAtOnceAreNotReused();
    void malformedChunkFails();
    void shortContentLengthIsAFailure();
    void idleConnectionsAreBoundedAndClosedOnATimer();
    void headerWithControlBytesFails_data();
    void headerWithControlBytesFails();

private:
    Result run(QNetworkAccessManager::Operation operation = QNetworkAccessManager::PostOperation,
        const QByteArray &body = "{}");

    std::unique_ptr<RawServer> m_server;
    std::unique_ptr<PlainHttpConnections> m_connections;
};

void PlainHttpTest::init()
{
    m_server = std::make_unique<RawServer>();
    m_connections = std::make_unique<PlainHttpConnections>();
}

void PlainHttpTest::cleanup()
{
    m_connections.reset();
    m_server.reset();
}

Result PlainHttpTest::run(QNetworkAccessManager::Operation operation, const QByteArray &body)
{
    QNetworkRequest request(
        QUrl(QStringLiteral("http://127.0.0.1:%1/v1/chat/completions").arg(m_server->port())));
    request.setRawHeader("Content-Type", "application/json");
    request.setRawHeader("Authorization", "Bearer sk-test");
    auto *reply = new PlainHttpReply(m_connections.get(), operation, request, body);
    Result result;
    connect(reply, &QNetworkReply::readyRead, reply, [&result, reply] {
        ++result.readyReads;
        result.body += reply->readAll();
    });
    connect(reply, &QNetworkReply::finished, reply, [&result, reply] {
        result.finished = true;
        result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        result.error = reply->error();
        result.closedOnReuse = reply->attribute(PlainHttpReply::ClosedOnReuseAttribute).toBool();
        result.body += reply->readAll();
    });
    [[maybe_unused]] const bool done = QTest::qWaitFor([&result] { return result.finished; }, 5000);
    delete reply;
    return result;
}

void PlainHttpTest::contentLengthBodyInPieces()
{
    m_server->enqueue({ { "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                          "11\r\n\r\n{\"a\":",
        "\"xyz\"}" } });
    const Result result = run();
    QVERIFY(result.finished);
    QCOMPARE(result.status, 200);
    QCOMPARE(result.body, QByteArray("{\"a\":\"xyz\"}"));
    QCOMPARE(result.error, QNetworkReply::NoError);
    QVERIFY(result.readyReads >= 2); // each piece as it came, not held to the end
}

void PlainHttpTest::chunkedWithExtensionsAndTrailer()
{
    m_server->enqueue({ { "HTTP/1.1 200 OK\r\nContent-Type: "
                          "text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n",
        "5;name=x\r\nhello\r\n", "6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n" } });
    const Result result = run();
    QCOMPARE(result.status, 200);
    QCOMPARE(result.body, QByteArray("hello world"));
    QCOMPARE(result.error, QNetworkReply::NoError);
}

void PlainHttpTest::bodyUntilTheConnectionCloses()
{
    m_server->enqueue(
        { { "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall ", "of it" }, true });
    const Result result = run();
    QCOMPARE(result.status, 200);
    QCOMPARE(result.body, QByteArray("all of it"));
    QCOMPARE(result.error, QNetworkReply::NoError);
}

void PlainHttpTest::informationalAnswerIsSkipped()
{
    m_server->enqueue({ { "HTTP/1.1 100 Continue\r\n\r\n",
        "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok" } });
    const Result result = run();
    QCOMPARE(result.status, 201);
    QCOMPARE(result.body, QByteArray("ok"));
}

void PlainHttpTest::errorStatusKeepsItsBody()
{
    m_server->enqueue({ { "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 2\r\nContent-Length: "
                          "9\r\n\r\nslow down" } });
    const Result result = run();
    QCOMPARE(result.status, 503);
    QCOMPARE(result.body, QByteArray("slow down"));
    QCOMPARE(
        result.error, QNetworkReply::ServiceUnavailableError); // as QNetworkAccessManager says it
}

void PlainHttpTest::aConnectionIsReusedAndAStaleOneReplaced()
{
    const QByteArray ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    m_server->enqueue({ { ok } });
    m_server->enqueue({ { ok } });
    m_server->enqueue({ { ok } });
    QCOMPARE(run().body, QByteArray("ok"));
    QCOMPARE(run().body, QByteArray("ok"));
    QCOMPARE(m_server->connections, 1); // kept alive
    // The server closes the idle connection; once that is seen, the next request quietly opens a
    // new one.
    m_server->sockets.constLast()->disconnectFromHost();
    QTRY_COMPARE(m_connections->idleCount(), 0);
    const Result third = run();
    QCOMPARE(third.body, QByteArray("ok"));
    QCOMPARE(third.error, QNetworkReply::NoError);
    QCOMPARE(m_server->connections, 2);
    QCOMPARE(m_server->requests, 3);
}

void PlainHttpTest::aConnectionClosedAsItIsReusedIsNotResentQuietly()
{
    const QByteArray ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    m_server->enqueue({ { ok } });
    m_server->enqueue({ {}, true }); // reads the request, then closes without a word
    QCOMPARE(run().body, QByteArray("ok"));
    // The server did see the second request: sending it again is the caller's decision, made as
    // an attempt of its own, never a silent second call.
    const Result second = run();
    QCOMPARE(second.error, QNetworkReply::RemoteHostClosedError);
    QVERIFY(second.closedOnReuse);
    QCOMPARE(m_server->requests, 2);
    QCOMPARE(m_server->connections, 1);
}

void PlainHttpTest::refusedConnection()
{
    QNetworkRequest request(QUrl(
        QStringLiteral("http://127.0.0.1:%1/v1/models").arg(Testing::FakeUpstream::closedPort())));
    auto reply = std::make_unique<PlainHttpReply>(
        m_connections.get(), QNetworkAccessManager::GetOperation, request, QByteArray());
    QTRY_VERIFY(reply->isFinished());
    QCOMPARE(reply->error(), QNetworkReply::ConnectionRefusedError);
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 0);
}

void PlainHttpTest::abortFinishesAtOnce()
{
    m_server->enqueue(
        { { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "5\r\nfirst\r\n" } });
    QNetworkRequest request(
        QUrl(QStringLiteral("http://127.0.0.1:%1/v1/chat/completions").arg(m_server->port())));
    auto reply = std::make_unique<PlainHttpReply>(
        m_connections.get(), QNetworkAccessManager::PostOperation, request, QByteArray("{}"));
    QByteArray body;
    connect(reply.get(), &QNetworkReply::readyRead, reply.get(), [&] { body += reply->readAll(); });
    QTRY_COMPARE(body, QByteArray("first"));
    int finished = 0;
    connect(reply.get(), &QNetworkReply::finished, reply.get(), [&finished] { ++finished; });
    reply->abort();
    QCOMPARE(finished, 1); // synchronously, as the request path relies on
    QCOMPARE(reply->error(), QNetworkReply::OperationCanceledError);
    reply->abort();
    QCOMPARE(finished, 1);
}

void PlainHttpTest::requestCarriesHeadersAndBody()
{
    m_server->enqueue({ { "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" } });
    const Result result = run(QNetworkAccessManager::PostOperation, "{\"model\":\"m\"}");
    QCOMPARE(result.status, 200);
    QCOMPARE(result.body, QByteArray());
    const QByteArray request = m_server->received.constFirst();
    QVERIFY2(request.startsWith("POST /v1/chat/completions HTTP/1.1\r\n"), request.constData());
    QVERIFY(request.contains(
        QStringLiteral("\r\nHost: 127.0.0.1:%1\r\n").arg(m_server->port()).toLatin1()));
    QVERIFY(request.contains("\r\nAuthorization: Bearer sk-test\r\n"));
    QVERIFY(request.contains("\r\nContent-Length: 13\r\n"));
    QVERIFY(request.endsWith("\r\n\r\n{\"model\":\"m\"}"));
}

void PlainHttpTest::noContentNeedsNoLength()
{
    m_server->enqueue({ { "HTTP/1.1 204 No Content\r\n\r\n" } });
    m_server->enqueue({ { "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" } });
    const Result empty = run();
    QVERIFY(empty.finished); // not left waiting for a close
    QCOMPARE(empty.status, 204);
    QCOMPARE(run().body, QByteArray("ok"));
    QCOMPARE(m_server->connections, 1);
}

void PlainHttpTest::bothFramingsAtOnceAreNotReused()
{
    m_server->enqueue({ { "HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: "
                          "chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n" } });
    m_server->enqueue({ { "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" } });
    QCOMPARE(run().body, QByteArray("ok")); // chunked wins
    QCOMPARE(run().body, QByteArray("ok"));
    QCOMPARE(m_server->connections, 2);
}

void PlainHttpTest::malformedChunkFails()
{
    m_server->enqueue(
        { { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXX0\r\n\r\n" } });
    const Result result = run();
    QVERIFY(result.finished);
    QCOMPARE(result.error, QNetworkReply::ProtocolFailure);
}

void PlainHttpTest::shortContentLengthIsAFailure()
{
    // 1,000 bytes promised, 11 sent, then the connection ends: not a complete answer.
    m_server->enqueue({ { "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                          "1011\r\n\r\n{\"a\":\"xyz\"}" },
        true });
    const Result result = run();
    QVERIFY(result.finished);
    QCOMPARE(result.error, QNetworkReply::RemoteHostClosedError);
}

void PlainHttpTest::idleConnectionsAreBoundedAndClosedOnATimer()
{
    // More connections at once than the pool keeps per endpoint.
    constexpr int Concurrent = PlainHttpConnections::MaxIdlePerEndpoint + 8;
    const QByteArray answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
    for (int i = 0; i < Concurrent; ++i)
        m_server->enqueue({ { answer } });
    QList<PlainHttpReply *> replies;
    int finished = 0;
    for (int i = 0; i < Concurrent; ++i) {
        QNetworkRequest request(
            QUrl(QStringLiteral("http://127.0.0.1:%1/v1/models").arg(m_server->port())));
        auto *reply = new PlainHttpReply(
            m_connections.get(), QNetworkAccessManager::GetOperation, request, QByteArray());
        connect(reply, &QNetworkReply::finished, reply, [&finished] { ++finished; });
        replies.append(reply);
    }
    QTRY_COMPARE_WITH_TIMEOUT(finished, Concurrent, 10000);
    QCOMPARE(m_server->connections, Concurrent);
    qDeleteAll(replies);
    QCOMPARE(m_connections->idleCount(), PlainHttpConnections::MaxIdlePerEndpoint);

    // Nobody reuses them: they are closed once they idle past the cutoff, not kept open.
    m_connections->setIdleCutoffMs(100);
    QTRY_COMPARE_WITH_TIMEOUT(m_connections->idleCount(), 0, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(m_server->sockets.cbegin(), m_server->sockets.cend(),
                                 [](const QPointer<QTcpSocket> &socket) {
                                     return !socket
                                         || socket->state() != QAbstractSocket::ConnectedState;
                                 }),
        5000);
}

void PlainHttpTest::headerWithControlBytesFails_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::newRow("bare CR in a value") << QByteArray("X-Note: a\rSet-Cookie: b\r\n");
    QTest::newRow("NUL in a value") << QByteArray("X-Note: a\0b\r\n", 13);
}

void PlainHttpTest::headerWithControlBytesFails()
{
    QFETCH(QByteArray, head);
    m_server->enqueue({ { "HTTP/1.1 200 OK\r\n" + head + "Content-Length: 2\r\n\r\n{}" } });
    const Result result = run();
    QVERIFY(result.finished);
    QCOMPARE(result.error, QNetworkReply::ProtocolFailure);
}

QTEST_GUILESS_MAIN(PlainHttpTest)
#include "tst_plainhttp.moc"
