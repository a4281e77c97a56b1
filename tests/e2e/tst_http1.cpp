#include "fakeupstream.h"
#include "tlsfront.h"
#include "upstream/http1reply.h"

#include <QDir>
#include <QElapsedTimer>
#include <QNetworkRequest>
#include <QPointer>
#include <QProcess>
#include <QSslKey>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
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

// The upstream HTTP/1.1 client against every framing a server may use, keep-alive reuse, a
// connection closed while idle, refusal and abort; over TLS, verification against the request's
// own authorities and host, and pooling that never crosses from one trust to another. (The
// end-to-end suites run all their traffic through it as well.)
class Http1Test final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
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
    void overTlsAConnectionIsVerifiedAndReused();
    void aTlsConnectionIsSharedOnlyUnderTheSameTrust();
    void aCertificateForAnotherHostIsRefused();
    void aNewTlsConnectionResumesItsEndpointsSession();
    void aBurstOfTlsConnectionsResumesTheFirstSession();
    void aBurstToAServerOnTls12WaitsForNoSession();
    void aServerThatResumesNoSessionIsOfferedNone();
    void overTlsABodyMayEndWithABareClose();
    void overTlsAnIdleConnectionClosedBarelyIsDropped();
    void aHandshakeThatHangsForgetsTheSessionItOffered();

private:
    // The Node server that resumes sessions, speaking only `version`; its port, or 0.
    int startResumingServer(QProcess &server, const QString &version = QStringLiteral("TLSv1.3"));
    static void stopResumingServer(QProcess &server);
    // `count` requests to the resuming server on `port` at once; each one's body or error.
    QStringList runBurst(int count, int port);
    Result run(QNetworkAccessManager::Operation operation = QNetworkAccessManager::PostOperation,
        const QByteArray &body = "{}");
    Result run(const QNetworkRequest &request);
    Result run(QNetworkAccessManager::Operation operation, const QByteArray &body,
        const QNetworkRequest &request);
    // A request through the TLS front (or to `port`) to `host`, trusting only the authority made
    // under `ca` ("lab" signed the front's certificate, "other" did not).
    QNetworkRequest tlsRequest(
        const QString &ca, const QString &host = QStringLiteral("127.0.0.1"), int port = 0);
    // The TLS front before the raw server, with the lab's certificate.
    bool startTlsFront();

    QTemporaryDir m_certificates;
    std::unique_ptr<Testing::TlsFront> m_front;

    std::unique_ptr<RawServer> m_server;
    std::unique_ptr<Http1Connections> m_connections;
};

void Http1Test::initTestCase()
{
    QVERIFY(m_certificates.isValid());
    for (const QString &name : { QStringLiteral("lab"), QStringLiteral("other") }) {
        QVERIFY(QDir(m_certificates.path()).mkpath(name));
        const QString error = Testing::makeTestCertificates(
            m_certificates.filePath(name), name + QLatin1String(" CA"));
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }
}

void Http1Test::init()
{
    m_server = std::make_unique<RawServer>();
    m_connections = std::make_unique<Http1Connections>();
}

void Http1Test::cleanup()
{
    m_front.reset();
    m_connections.reset();
    m_server.reset();
}

Result Http1Test::run(QNetworkAccessManager::Operation operation, const QByteArray &body)
{
    QNetworkRequest request(
        QUrl(QStringLiteral("http://127.0.0.1:%1/v1/chat/completions").arg(m_server->port())));
    request.setRawHeader("Content-Type", "application/json");
    request.setRawHeader("Authorization", "Bearer sk-test");
    return run(operation, body, request);
}

Result Http1Test::run(const QNetworkRequest &request)
{
    return run(QNetworkAccessManager::PostOperation, "{}", request);
}

Result Http1Test::run(QNetworkAccessManager::Operation operation, const QByteArray &body,
    const QNetworkRequest &request)
{
    auto *reply = new Http1Reply(m_connections.get(), operation, request, body);
    Result result;
    connect(reply, &QNetworkReply::readyRead, reply, [&result, reply] {
        ++result.readyReads;
        result.body += reply->readAll();
    });
    connect(reply, &QNetworkReply::finished, reply, [&result, reply] {
        result.finished = true;
        result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        result.error = reply->error();
        result.closedOnReuse = reply->attribute(Http1Reply::ClosedOnReuseAttribute).toBool();
        result.body += reply->readAll();
    });
    [[maybe_unused]] const bool done = QTest::qWaitFor([&result] { return result.finished; }, 5000);
    delete reply;
    return result;
}

void Http1Test::contentLengthBodyInPieces()
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

void Http1Test::chunkedWithExtensionsAndTrailer()
{
    m_server->enqueue({ { "HTTP/1.1 200 OK\r\nContent-Type: "
                          "text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n",
        "5;name=x\r\nhello\r\n", "6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n" } });
    const Result result = run();
    QCOMPARE(result.status, 200);
    QCOMPARE(result.body, QByteArray("hello world"));
    QCOMPARE(result.error, QNetworkReply::NoError);
}

void Http1Test::bodyUntilTheConnectionCloses()
{
    m_server->enqueue(
        { { "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall ", "of it" }, true });
    const Result result = run();
    QCOMPARE(result.status, 200);
    QCOMPARE(result.body, QByteArray("all of it"));
    QCOMPARE(result.error, QNetworkReply::NoError);
}

void Http1Test::informationalAnswerIsSkipped()
{
    m_server->enqueue({ { "HTTP/1.1 100 Continue\r\n\r\n",
        "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok" } });
    const Result result = run();
    QCOMPARE(result.status, 201);
    QCOMPARE(result.body, QByteArray("ok"));
}

void Http1Test::errorStatusKeepsItsBody()
{
    m_server->enqueue({ { "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 2\r\nContent-Length: "
                          "9\r\n\r\nslow down" } });
    const Result result = run();
    QCOMPARE(result.status, 503);
    QCOMPARE(result.body, QByteArray("slow down"));
    QCOMPARE(
        result.error, QNetworkReply::ServiceUnavailableError); // as QNetworkAccessManager says it
}

void Http1Test::aConnectionIsReusedAndAStaleOneReplaced()
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

void Http1Test::aConnectionClosedAsItIsReusedIsNotResentQuietly()
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

void Http1Test::refusedConnection()
{
    QNetworkRequest request(QUrl(
        QStringLiteral("http://127.0.0.1:%1/v1/models").arg(Testing::FakeUpstream::closedPort())));
    auto reply = std::make_unique<Http1Reply>(
        m_connections.get(), QNetworkAccessManager::GetOperation, request, QByteArray());
    QTRY_VERIFY(reply->isFinished());
    QCOMPARE(reply->error(), QNetworkReply::ConnectionRefusedError);
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 0);
}

void Http1Test::abortFinishesAtOnce()
{
    m_server->enqueue(
        { { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "5\r\nfirst\r\n" } });
    QNetworkRequest request(
        QUrl(QStringLiteral("http://127.0.0.1:%1/v1/chat/completions").arg(m_server->port())));
    auto reply = std::make_unique<Http1Reply>(
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

void Http1Test::requestCarriesHeadersAndBody()
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

void Http1Test::noContentNeedsNoLength()
{
    m_server->enqueue({ { "HTTP/1.1 204 No Content\r\n\r\n" } });
    m_server->enqueue({ { "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" } });
    const Result empty = run();
    QVERIFY(empty.finished); // not left waiting for a close
    QCOMPARE(empty.status, 204);
    QCOMPARE(run().body, QByteArray("ok"));
    QCOMPARE(m_server->connections, 1);
}

void Http1Test::bothFramingsAtOnceAreNotReused()
{
    m_server->enqueue({ { "HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: "
                          "chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n" } });
    m_server->enqueue({ { "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" } });
    QCOMPARE(run().body, QByteArray("ok")); // chunked wins
    QCOMPARE(run().body, QByteArray("ok"));
    QCOMPARE(m_server->connections, 2);
}

void Http1Test::malformedChunkFails()
{
    m_server->enqueue(
        { { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXX0\r\n\r\n" } });
    const Result result = run();
    QVERIFY(result.finished);
    QCOMPARE(result.error, QNetworkReply::ProtocolFailure);
}

void Http1Test::shortContentLengthIsAFailure()
{
    // 1,000 bytes promised, 11 sent, then the connection ends: not a complete answer.
    m_server->enqueue({ { "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                          "1011\r\n\r\n{\"a\":\"xyz\"}" },
        true });
    const Result result = run();
    QVERIFY(result.finished);
    QCOMPARE(result.error, QNetworkReply::RemoteHostClosedError);
}

void Http1Test::idleConnectionsAreBoundedAndClosedOnATimer()
{
    // More connections at once than the pool keeps per endpoint.
    constexpr int Concurrent = Http1Connections::MaxIdlePerEndpoint + 8;
    const QByteArray answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
    for (int i = 0; i < Concurrent; ++i)
        m_server->enqueue({ { answer } });
    QList<Http1Reply *> replies;
    int finished = 0;
    for (int i = 0; i < Concurrent; ++i) {
        QNetworkRequest request(
            QUrl(QStringLiteral("http://127.0.0.1:%1/v1/models").arg(m_server->port())));
        auto *reply = new Http1Reply(
            m_connections.get(), QNetworkAccessManager::GetOperation, request, QByteArray());
        connect(reply, &QNetworkReply::finished, reply, [&finished] { ++finished; });
        replies.append(reply);
    }
    QTRY_COMPARE_WITH_TIMEOUT(finished, Concurrent, 10000);
    QCOMPARE(m_server->connections, Concurrent);
    qDeleteAll(replies);
    QCOMPARE(m_connections->idleCount(), Http1Connections::MaxIdlePerEndpoint);

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

void Http1Test::headerWithControlBytesFails_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::newRow("bare CR in a value") << QByteArray("X-Note: a\rSet-Cookie: b\r\n");
    QTest::newRow("NUL in a value") << QByteArray("X-Note: a\0b\r\n", 13);
}

void Http1Test::headerWithControlBytesFails()
{
    QFETCH(QByteArray, head);
    m_server->enqueue({ { "HTTP/1.1 200 OK\r\n" + head + "Content-Length: 2\r\n\r\n{}" } });
    const Result result = run();
    QVERIFY(result.finished);
    QCOMPARE(result.error, QNetworkReply::ProtocolFailure);
}

bool Http1Test::startTlsFront()
{
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificateChain(
        QSslCertificate::fromPath(m_certificates.filePath(QStringLiteral("lab/server.pem"))));
    QFile key(m_certificates.filePath(QStringLiteral("lab/server.key")));
    if (!key.open(QIODevice::ReadOnly))
        return false;
    tls.setPrivateKey(QSslKey(key.readAll(), QSsl::Ec));
    m_front = std::make_unique<Testing::TlsFront>(m_server->port());
    return m_front->listen(tls);
}

QNetworkRequest Http1Test::tlsRequest(const QString &ca, const QString &host, int port)
{
    QNetworkRequest request(QUrl(QStringLiteral("https://%1:%2/v1/chat/completions")
                                     .arg(host)
                                     .arg(port ? port : m_front->port())));
    request.setRawHeader("Content-Type", "application/json");
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setCaCertificates(
        QSslCertificate::fromPath(m_certificates.filePath(ca + QLatin1String("/ca.pem"))));
    request.setSslConfiguration(tls);
    request.setAttribute(Http1Reply::TrustAttribute, ca.toUtf8());
    return request;
}

void Http1Test::overTlsAConnectionIsVerifiedAndReused()
{
    QVERIFY(startTlsFront());
    const QByteArray answer = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                              "Transfer-Encoding: chunked\r\n\r\n";
    m_server->enqueue({ { answer, "6\r\nfirst \r\n", "4\r\npart\r\n0\r\n\r\n" } });
    m_server->enqueue({ { answer + "6\r\nsecond\r\n0\r\n\r\n" } });
    const Result first = run(tlsRequest(QStringLiteral("lab")));
    QCOMPARE(first.error, QNetworkReply::NoError);
    QCOMPARE(first.status, 200);
    QCOMPARE(first.body, QByteArray("first part"));
    QVERIFY(first.readyReads >= 2); // each piece as it came through TLS, not held to the end
    QCOMPARE(m_connections->idleCount(), 1);
    const Result second = run(tlsRequest(QStringLiteral("lab")));
    QCOMPARE(second.body, QByteArray("second"));
    QCOMPARE(m_front->connectionsRelayed(), 1); // one handshake for both
    QCOMPARE(m_server->requests, 2);
    QVERIFY(m_server->received.constLast().startsWith("POST /v1/chat/completions HTTP/1.1\r\n"));
}

void Http1Test::aTlsConnectionIsSharedOnlyUnderTheSameTrust()
{
    // A connection the lab's authority verified sits idle; a request that trusts only another
    // authority must not ride it (its own handshake fails), and the idle one is still there for
    // the next request that trusts the lab.
    QVERIFY(startTlsFront());
    for (int i = 0; i < 2; ++i)
        m_server->enqueue({ { "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}" } });
    QCOMPARE(run(tlsRequest(QStringLiteral("lab"))).status, 200);
    QCOMPARE(m_connections->idleCount(), 1);
    const Result refused = run(tlsRequest(QStringLiteral("other")));
    QCOMPARE(refused.error, QNetworkReply::SslHandshakeFailedError);
    QCOMPARE(refused.status, 0);
    QCOMPARE(m_server->requests, 1);
    QTRY_COMPARE(m_front->handshakesFailed(), 1);
    QCOMPARE(run(tlsRequest(QStringLiteral("lab"))).status, 200);
    QCOMPARE(m_front->connectionsRelayed(), 1);
    QCOMPARE(m_server->requests, 2);
}

void Http1Test::aCertificateForAnotherHostIsRefused()
{
    // The front's certificate names 127.0.0.1 only: the right authority is not enough for a
    // request that asked for another name, and nothing of the request is sent.
    QVERIFY(startTlsFront());
    const Result result = run(tlsRequest(QStringLiteral("lab"), QStringLiteral("localhost")));
    QCOMPARE(result.error, QNetworkReply::SslHandshakeFailedError);
    QCOMPARE(m_server->requests, 0);
    QCOMPARE(m_connections->idleCount(), 0);
}

void Http1Test::overTlsABodyMayEndWithABareClose()
{
    // A server that ends its answer by closing the connection, without TLS's close_notify (as a
    // careless or crashed one does): the body framed by the close is complete when it comes.
    QVERIFY(startTlsFront());
    m_front->setCloseWithoutNotify(true);
    m_server->enqueue(
        { { "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n", "until the end" }, true });
    const Result result = run(tlsRequest(QStringLiteral("lab")));
    QVERIFY(result.finished);
    QCOMPARE(result.error, QNetworkReply::NoError);
    QCOMPARE(result.body, QByteArray("until the end"));
}

void Http1Test::overTlsAnIdleConnectionClosedBarelyIsDropped()
{
    // A kept-alive TLS connection that the server closes while it idles, without close_notify, is
    // dropped from the pool at once, not lent to the next request.
    QVERIFY(startTlsFront());
    m_front->setCloseWithoutNotify(true);
    m_server->enqueue({ { "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}" } });
    QCOMPARE(run(tlsRequest(QStringLiteral("lab"))).status, 200);
    QCOMPARE(m_connections->idleCount(), 1);
    QTRY_COMPARE(m_server->sockets.size(), 1);
    m_server->sockets.constFirst()->disconnectFromHost();
    QTRY_COMPARE_WITH_TIMEOUT(m_connections->idleCount(), 0, 5000);
}

void Http1Test::aNewTlsConnectionResumesItsEndpointsSession()
{
    // A server that resumes sessions and closes each connection after its answer, so that every
    // request is a handshake of its own: the first is a full one, the next resume the session it
    // handed out; a request that names its trust otherwise (the same authority, under another
    // name) is never offered that session.
    QProcess server;
    const int port = startResumingServer(server);
    QVERIFY(port > 0);
    const auto request = [this, port](const QByteArray &trust) {
        QNetworkRequest request
            = tlsRequest(QStringLiteral("lab"), QStringLiteral("127.0.0.1"), port);
        request.setAttribute(Http1Reply::TrustAttribute, trust);
        return request;
    };
    const Result first = run(request("lab"));
    QCOMPARE(first.error, QNetworkReply::NoError);
    QCOMPARE(first.body, QByteArray("new"));
    QCOMPARE(m_connections->idleCount(), 0); // closed by the server: the next one is new
    QCOMPARE(run(request("lab")).body, QByteArray("resumed"));
    QCOMPARE(run(request("lab, named otherwise")).body, QByteArray("new"));
    QCOMPARE(run(request("lab")).body, QByteArray("resumed"));
    stopResumingServer(server);
}

int Http1Test::startResumingServer(QProcess &server, const QString &version)
{
    const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
    if (node.isEmpty()) {
        qWarning("Node.js is not installed");
        return 0;
    }
    server.start(node,
        { QStringLiteral(SWITCHYARD_TLS_SCRIPTS "/resumingserver.js"),
            m_certificates.filePath(QStringLiteral("lab/server.pem")),
            m_certificates.filePath(QStringLiteral("lab/server.key")), version });
    if (!server.waitForStarted(10000)
        || !QTest::qWaitFor([&server] { return server.canReadLine(); }, 10000))
        return 0;
    return server.readLine().trimmed().toInt();
}

void Http1Test::stopResumingServer(QProcess &server)
{
    server.closeWriteChannel();
    if (!server.waitForFinished(5000))
        server.kill();
}

QStringList Http1Test::runBurst(int count, int port)
{
    // All at once: each reply begins from the event loop, so every one is asked for before any
    // connection is made.
    QList<QPointer<Http1Reply>> replies;
    QStringList bodies;
    int finished = 0;
    for (int i = 0; i < count; ++i) {
        auto *reply = new Http1Reply(m_connections.get(), QNetworkAccessManager::PostOperation,
            tlsRequest(QStringLiteral("lab"), QStringLiteral("127.0.0.1"), port), "{}");
        connect(reply, &QNetworkReply::finished, reply, [&finished, &bodies, reply] {
            ++finished;
            bodies.append(reply->error() == QNetworkReply::NoError
                    ? QString::fromLatin1(reply->readAll())
                    : reply->errorString());
        });
        replies.append(reply);
    }
    [[maybe_unused]] const bool done
        = QTest::qWaitFor([&finished, count] { return finished == count; }, 10000);
    qDeleteAll(replies);
    return bodies;
}

void Http1Test::aBurstOfTlsConnectionsResumesTheFirstSession()
{
    // Twelve new connections at once to a server that resumes: a few lead with full handshakes,
    // the rest wait for the first session they bring and resume it.
    QProcess server;
    const int port = startResumingServer(server);
    QVERIFY(port > 0);
    const QStringList bodies = runBurst(12, port);
    stopResumingServer(server);
    QCOMPARE(bodies.size(), 12);
    QCOMPARE(bodies.count(QStringLiteral("new")), TlsSessions::MaxLeadingHandshakes);
    QCOMPARE(bodies.count(QStringLiteral("resumed")), 12 - TlsSessions::MaxLeadingHandshakes);
}

void Http1Test::aBurstToAServerOnTls12WaitsForNoSession()
{
    // Qt hands out no TLS 1.2 session: a burst waits for none, every handshake is a full one.
    QProcess server;
    const int port = startResumingServer(server, QStringLiteral("TLSv1.2"));
    QVERIFY(port > 0);
    QElapsedTimer took;
    took.start();
    const QStringList bodies = runBurst(12, port);
    stopResumingServer(server);
    QCOMPARE(bodies, QStringList(12, QStringLiteral("new")));
    QVERIFY(took.elapsed() < 5000);
}

void Http1Test::aServerThatResumesNoSessionIsOfferedNone()
{
    // A Qt server hands out tickets but resumes none (each of its sockets has keys of its own): a
    // full handshake though a session was offered, and its sessions are let be.
    QVERIFY(startTlsFront());
    const QString endpoint
        = Http1Connections::endpoint(true, QStringLiteral("127.0.0.1"), m_front->port(), "lab");
    for (int i = 0; i < 3; ++i) // each on a connection of its own
        m_server->enqueue(
            { { "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}" }, true });
    QCOMPARE(run(tlsRequest(QStringLiteral("lab"))).status, 200);
    QTRY_VERIFY(!m_connections->tlsSessions().session(endpoint).isEmpty());
    QCOMPARE(run(tlsRequest(QStringLiteral("lab"))).status, 200);
    QVERIFY(m_connections->tlsSessions().session(endpoint).isEmpty());
    QCOMPARE(run(tlsRequest(QStringLiteral("lab"))).status, 200);
    QVERIFY(m_connections->tlsSessions().session(endpoint).isEmpty());
}

void Http1Test::aHandshakeThatHangsForgetsTheSessionItOffered()
{
    // A server (or a middlebox) that stalls on the session offered: the handshake is given up
    // (as the connect timeout does, by aborting), and the next connection offers none.
    const QString endpoint
        = Http1Connections::endpoint(true, QStringLiteral("127.0.0.1"), m_server->port(), "lab");
    m_connections->tlsSessions().keep(endpoint, "a session");
    QNetworkRequest request = tlsRequest(QStringLiteral("lab"), QStringLiteral("127.0.0.1"),
        m_server->port()); // a plain server that never answers a ClientHello
    auto *reply
        = new Http1Reply(m_connections.get(), QNetworkAccessManager::PostOperation, request, "{}");
    QTRY_COMPARE(m_server->connections, 1);
    QCOMPARE(m_connections->tlsSessions().session(endpoint), QByteArray("a session"));
    reply->abort();
    QVERIFY(m_connections->tlsSessions().session(endpoint).isEmpty());
    delete reply;
}

QTEST_GUILESS_MAIN(Http1Test)
#include "tst_http1.moc"
