#include "fakeupstream.h"
#include "gatewayharness.h"
#include "jsontext.h"

#include "engine/engine.h"
#include "engine/enginehost.h"
#include "secrets/admintokenfile.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace Switchyard;
using namespace Switchyard::Testing;

// The gateway as a web page, a DNS-rebinding page or a script with a config would try it
// (issue 14): nothing of theirs is applied, spent or read, and SDKs still need no extra header.
class SecurityTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void crossOriginTextPlainConfigIsRefusedAndNothingApplied();
    void crossOriginChatIsRefusedAndNoKeyIsSpent();
    void foreignHostIsRefusedSoRebindingCannotRead();
    void allowedHostsAndOriginsAreHonoured();
    void preflightIsAnsweredOnlyForAllowedOrigins();
    void bodiesMustBeJson();
    void crossOriginBodyIsRefusedBeforeItIsRead();
    void adminNeedsTheGeneratedTokenOnLoopback();
    void movingAKeyToAnotherHostNeedsConfirmation();
    void sdkStyleRequestsNeedNoExtraHeader();

private:
    QByteArray config(const QByteArray &extra = QByteArray()) const;
    bool startGateway(const QByteArray &extra = QByteArray());
    // One request over a raw socket, so Host and Origin are exactly what a browser would send.
    QByteArray raw(const QByteArray &request);
    static int statusOf(const QByteArray &response);
    static QByteArray bodyOf(const QByteArray &response);
    QJsonObject adminState();

    std::unique_ptr<FakeUpstream> m_a;
    std::unique_ptr<FakeUpstream> m_evil;
    std::unique_ptr<GatewayUnderTest> m_gateway;
};

QByteArray SecurityTest::config(const QByteArray &extra) const
{
    QByteArray json = jsonText(R"JSON({
      'providers': {'a': {'base_url': '@A@', 'api_key': {'env': 'SWITCHYARD_SECURITY_KEY'}}},
      'routes': {'ra': {'provider': 'a', 'model': 'model-a'}},
      'lanes': {'main': {'chain': ['ra'], 'retry': {'max_retries': 0}}},
      'default_lane': 'main' @EXTRA@
    })JSON");
    json.replace("@A@", m_a->baseUrl().toUtf8());
    json.replace("@EXTRA@", jsonText(extra.constData()));
    return json;
}

bool SecurityTest::startGateway(const QByteArray &extra)
{
    QString error;
    const bool started = m_gateway->start(config(extra), &error);
    if (!started)
        qWarning() << error;
    return started;
}

void SecurityTest::init()
{
    qputenv("SWITCHYARD_SECURITY_KEY", "sk-security-test-key-0001");
    m_a = std::make_unique<FakeUpstream>();
    m_evil = std::make_unique<FakeUpstream>();
    QVERIFY(m_a->listen() && m_evil->listen());
    m_a->setDefaultResponse(FakeResponse::completion(QStringLiteral("from a")));
    m_evil->setDefaultResponse(FakeResponse::completion(QStringLiteral("from evil")));
    m_gateway = std::make_unique<GatewayUnderTest>();
}

void SecurityTest::cleanup()
{
    m_gateway.reset();
    m_a.reset();
    m_evil.reset();
}

QByteArray SecurityTest::raw(const QByteArray &request)
{
    const QUrl base(m_gateway->baseUrl());
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("127.0.0.1"), quint16(base.port()));
    if (!QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::ConnectedState; }, 5000))
        return {};
    socket.write(request);
    QByteArray response;
    // Returns what arrived by then either way; the caller checks it.
    (void)QTest::qWaitFor(
        [&] {
            response += socket.readAll();
            return socket.state() == QAbstractSocket::UnconnectedState;
        },
        10000);
    response += socket.readAll();
    return response;
}

int SecurityTest::statusOf(const QByteArray &response)
{
    return response.mid(9, 3).toInt();
}

QByteArray SecurityTest::bodyOf(const QByteArray &response)
{
    return response.mid(response.indexOf("\r\n\r\n") + 4);
}

QJsonObject SecurityTest::adminState()
{
    ClientCall *call = m_gateway->client().get(QStringLiteral("/admin/state"));
    GatewayClient::waitFor(call);
    return call->json();
}

QByteArray request(const QByteArray &method, const QByteArray &path, const QByteArray &headers,
    const QByteArray &body = QByteArray())
{
    QByteArray text = method + ' ' + path + " HTTP/1.1\r\n" + headers;
    if (!body.isNull())
        text += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    return text + "Connection: close\r\n\r\n" + body;
}

void SecurityTest::crossOriginTextPlainConfigIsRefusedAndNothingApplied()
{
    QVERIFY(startGateway());
    // What a page on any site can send without a preflight: a "simple" text/plain POST. Even
    // holding the token (it cannot, but suppose) it must not apply a config that re-aims the key.
    QByteArray hostile = config();
    hostile.replace(m_a->baseUrl().toUtf8(), m_evil->baseUrl().toUtf8());
    const QByteArray response = raw(request("POST", "/admin/config",
        "Host: 127.0.0.1\r\nOrigin: https://evil.example\r\nContent-Type: text/plain\r\n"
        "Authorization: Bearer "
            + m_gateway->client().adminToken() + "\r\n",
        hostile));
    QCOMPARE(statusOf(response), 403);
    QVERIFY(bodyOf(response).contains("origin_not_allowed"));

    ClientCall *chat = m_gateway->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")));
    QCOMPARE(chat->status, 200);
    QCOMPARE(m_a->requests().size(), 1);
    QVERIFY(m_evil->requests().isEmpty());
}

void SecurityTest::crossOriginChatIsRefusedAndNoKeyIsSpent()
{
    QVERIFY(startGateway());
    for (const QByteArray &contentType :
        { QByteArray("text/plain"), QByteArray("application/json") }) {
        const QByteArray response = raw(request("POST", "/v1/chat/completions",
            "Host: localhost:8787\r\nOrigin: https://evil.example\r\nContent-Type: " + contentType
                + "\r\n",
            chatBody(QStringLiteral("main"))));
        QCOMPARE(statusOf(response), 403);
        const QJsonObject error
            = QJsonDocument::fromJson(bodyOf(response)).object().value(u"error").toObject();
        QCOMPARE(error.value(u"code").toString(), QStringLiteral("origin_not_allowed"));
        QVERIFY(!response.contains("Access-Control-Allow-Origin"));
    }
    // "Origin: null" (sandboxed frames, file:// pages) is an origin too.
    QCOMPARE(statusOf(raw(request("POST", "/v1/chat/completions",
                 "Host: 127.0.0.1\r\nOrigin: null\r\nContent-Type: application/json\r\n",
                 chatBody(QStringLiteral("main"))))),
        403);
    QVERIFY(m_a->requests().isEmpty());
}

void SecurityTest::foreignHostIsRefusedSoRebindingCannotRead()
{
    QVERIFY(startGateway());
    const QByteArray token = m_gateway->client().adminToken();
    // A rebinding page reaches 127.0.0.1 under its own name; the browser sends that name.
    for (const QByteArray &path : { QByteArray("/admin/state"), QByteArray("/admin/traces"),
             QByteArray("/v1/models"), QByteArray("/healthz") }) {
        const QByteArray response = raw(request("GET", path,
            "Host: rebind.evil.example:8787\r\nAuthorization: Bearer " + token + "\r\n"));
        QCOMPARE(statusOf(response), 421);
        QVERIFY(bodyOf(response).contains("host_not_allowed"));
        QVERIFY(!bodyOf(response).contains("routes"));
    }
    QCOMPARE(statusOf(raw(request("GET", "/healthz", "Host: [::1]:8787\r\n"))), 200);
    QCOMPARE(statusOf(raw(request("GET", "/healthz", "Host: LOCALHOST.\r\n"))), 200);
    QCOMPARE(statusOf(raw(request("GET", "/healthz", "Host: 127.0.0.1\r\n"))), 200);
    QCOMPARE(statusOf(raw(request("GET", "/healthz", "Host: ::1\r\n"))), 421); // unbracketed
    QCOMPARE(statusOf(raw(request("GET", "/healthz", "Host: localhost.evil.example\r\n"))), 421);
}

void SecurityTest::allowedHostsAndOriginsAreHonoured()
{
    QVERIFY(startGateway(", 'allowed_hosts': ['gateway.internal'], "
                         "'allowed_origins': ['http://localhost:3000']"));
    QCOMPARE(statusOf(raw(request("GET", "/healthz", "Host: Gateway.Internal:8787\r\n"))), 200);
    const QByteArray response = raw(request("POST", "/v1/chat/completions",
        "Host: 127.0.0.1\r\nOrigin: http://localhost:3000\r\nContent-Type: application/json\r\n",
        chatBody(QStringLiteral("main"))));
    QCOMPARE(statusOf(response), 200);
    QVERIFY(response.contains("Access-Control-Allow-Origin: http://localhost:3000\r\n"));
    QVERIFY(response.contains("Access-Control-Expose-Headers: X-Switchyard-Request-Id"));
    QCOMPARE(statusOf(raw(request("POST", "/v1/chat/completions",
                 "Host: 127.0.0.1\r\nOrigin: http://localhost:3001\r\n"
                 "Content-Type: application/json\r\n",
                 chatBody(QStringLiteral("main"))))),
        403);
}

void SecurityTest::preflightIsAnsweredOnlyForAllowedOrigins()
{
    QVERIFY(startGateway(", 'allowed_origins': ['http://localhost:3000']"));
    const QByteArray allowed = raw(request("OPTIONS", "/v1/chat/completions",
        "Host: 127.0.0.1:8787\r\nOrigin: http://localhost:3000\r\n"
        "Access-Control-Request-Method: POST\r\n"
        "Access-Control-Request-Headers: content-type, authorization\r\n"));
    QCOMPARE(statusOf(allowed), 204);
    QVERIFY(allowed.contains("Access-Control-Allow-Origin: http://localhost:3000\r\n"));
    QVERIFY(allowed.contains("Access-Control-Allow-Methods: GET, POST, OPTIONS\r\n"));
    QVERIFY(allowed.contains("Access-Control-Allow-Headers: content-type, authorization\r\n"));
    QVERIFY(!allowed.contains("Content-Length"));

    const QByteArray refused = raw(request("OPTIONS", "/admin/config",
        "Host: 127.0.0.1:8787\r\nOrigin: https://evil.example\r\n"
        "Access-Control-Request-Method: POST\r\n"));
    QCOMPARE(statusOf(refused), 403);
    QVERIFY(!refused.contains("Access-Control-Allow"));

    // A requested header cannot smuggle a header line of its own into the answer.
    const QByteArray smuggled = raw(request("OPTIONS", "/v1/chat/completions",
        "Host: 127.0.0.1\r\nOrigin: http://localhost:3000\r\n"
        "Access-Control-Request-Headers: x-a:\tb, Set-Cookie=1\r\n"));
    QCOMPARE(statusOf(smuggled), 204);
    QVERIFY(!smuggled.contains("Set-Cookie:"));
}

void SecurityTest::bodiesMustBeJson()
{
    QVERIFY(startGateway());
    for (const QByteArray &contentType :
        { QByteArray("text/plain"), QByteArray("application/x-www-form-urlencoded"),
            QByteArray("multipart/form-data"), QByteArray("application/jsonp") }) {
        const QByteArray response = raw(request("POST", "/v1/chat/completions",
            "Host: 127.0.0.1\r\nContent-Type: " + contentType + "\r\n",
            chatBody(QStringLiteral("main"))));
        QCOMPARE(statusOf(response), 415);
        QVERIFY(bodyOf(response).contains("unsupported_media_type"));
    }
    QCOMPARE(statusOf(raw(request("POST", "/v1/chat/completions",
                 "Host: 127.0.0.1\r\nContent-Type: Application/JSON; charset=utf-8\r\n",
                 chatBody(QStringLiteral("main"))))),
        200);
    QCOMPARE(m_a->requests().size(), 1);
}

void SecurityTest::crossOriginBodyIsRefusedBeforeItIsRead()
{
    QVERIFY(startGateway());
    // 30 MB promised, not a byte sent: the refusal comes from the head alone.
    const QUrl base(m_gateway->baseUrl());
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("127.0.0.1"), quint16(base.port()));
    QVERIFY(socket.waitForConnected(5000));
    socket.write(
        "POST /admin/config HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://evil.example\r\n"
        "Content-Type: text/plain\r\nContent-Length: 30000000\r\n\r\n");
    QByteArray response;
    // Returns what arrived by then either way; the caller checks it.
    (void)QTest::qWaitFor(
        [&] {
            response += socket.readAll();
            return response.contains("}");
        },
        5000);
    QCOMPARE(statusOf(response), 403);
    QVERIFY(response.contains("origin_not_allowed"));
}

void SecurityTest::adminNeedsTheGeneratedTokenOnLoopback()
{
    QVERIFY(startGateway());
    const QByteArray token = m_gateway->client().adminToken();
    QCOMPARE(token.size(), 64);

    const QByteArray anonymous = raw(request("GET", "/admin/state", "Host: 127.0.0.1\r\n"));
    QCOMPARE(statusOf(anonymous), 401);
    QVERIFY(bodyOf(anonymous).contains("switchyard admin-token"));
    QVERIFY(!anonymous.contains(token));
    QByteArray nearlyToken = token;
    nearlyToken[63] = nearlyToken.at(63) == 'a' ? 'b' : 'a';
    QCOMPARE(statusOf(raw(request("GET", "/admin/state",
                 "Host: 127.0.0.1\r\nAuthorization: Bearer " + nearlyToken + "\r\n"))),
        401);
    // The scheme is case-insensitive (RFC 9110 §11.1).
    QCOMPARE(statusOf(raw(request("GET", "/admin/state",
                 "Host: 127.0.0.1\r\nAuthorization: bearer " + token + "\r\n"))),
        200);
    QVERIFY(adminState().value(u"routes").toObject().contains(u"ra"));

    // The token is its owner's alone: nothing for the group or others (Qt's 0x0077).
    const QString dataDirectory = QFileInfo(m_gateway->dataDirectory()).absoluteFilePath();
    const QFileInfo file(AdminTokenFile::pathIn(dataDirectory));
    QCOMPARE(file.permissions() & 0x0077, QFileDevice::Permissions());
    QCOMPARE(QFileInfo(dataDirectory).permissions() & 0x0077, QFileDevice::Permissions());
    QCOMPARE(file.permissions() & QFileDevice::ReadOwner, QFileDevice::ReadOwner);
    // So are the traces: what callers asked, and what they were answered.
    const QFileInfo traces(QDir(dataDirectory).filePath(QStringLiteral("traces.sqlite")));
    QVERIFY(traces.exists());
    QCOMPARE(traces.permissions() & 0x0077, QFileDevice::Permissions());
}

void SecurityTest::movingAKeyToAnotherHostNeedsConfirmation()
{
    QVERIFY(startGateway());
    // A config that re-aims provider a's key at another host, and one that hands the admin
    // token's variable to a brand-new provider.
    QJsonObject moved = QJsonDocument::fromJson(config()).object();
    QJsonObject providers = moved.value(u"providers").toObject();
    QJsonObject a = providers.value(u"a").toObject();
    a.insert(QStringLiteral("base_url"), m_evil->baseUrl());
    providers.insert(QStringLiteral("a"), a);
    moved.insert(QStringLiteral("providers"), providers);

    ClientCall *refused = m_gateway->client().postAndWait(
        QStringLiteral("/admin/config"), QJsonDocument(moved).toJson());
    QCOMPARE(refused->status, 409);
    const QJsonObject error = refused->json().value(u"error").toObject();
    QCOMPARE(error.value(u"code").toString(), QStringLiteral("secret_destinations_unconfirmed"));
    const QString detail = error.value(u"details").toArray().first().toString();
    QVERIFY2(detail.contains(QStringLiteral("environment variable SWITCHYARD_SECURITY_KEY"))
            && detail.contains(QUrl(m_evil->baseUrl()).host()),
        qPrintable(detail));
    QVERIFY(!refused->body.contains("sk-security-test-key"));

    QJsonObject stolen = QJsonDocument::fromJson(config()).object();
    providers = stolen.value(u"providers").toObject();
    providers.insert(QStringLiteral("thief"),
        QJsonObject { { QStringLiteral("base_url"), m_evil->baseUrl() },
            { QStringLiteral("api_key"),
                QJsonObject { { QStringLiteral("env"), QStringLiteral("HOME") } } } });
    stolen.insert(QStringLiteral("providers"), providers);
    ClientCall *alsoRefused = m_gateway->client().postAndWait(
        QStringLiteral("/admin/config"), QJsonDocument(stolen).toJson());
    QCOMPARE(alsoRefused->status, 409);

    // Nothing was applied: the key still goes to a.
    QCOMPARE(
        m_gateway->client()
            .postAndWait(QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")))
            ->status,
        200);
    QCOMPARE(m_a->requests().size(), 1);
    QVERIFY(m_evil->requests().isEmpty());

    // The same config, said explicitly, is applied.
    moved.insert(QStringLiteral("confirm_secret_destinations"), true);
    ClientCall *confirmed = m_gateway->client().postAndWait(
        QStringLiteral("/admin/config"), QJsonDocument(moved).toJson());
    QCOMPARE(confirmed->status, 200);
    QVERIFY(!confirmed->body.contains("confirm_secret_destinations")); // not an unknown key
    QTRY_COMPARE(adminState()
                     .value(u"routes")
                     .toObject()
                     .value(u"ra")
                     .toObject()
                     .value(u"provider")
                     .toString(),
        QStringLiteral("a"));
    QTRY_VERIFY_WITH_TIMEOUT(
        m_gateway->client()
            .postAndWait(QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")))
            ->body.contains("from evil"),
        5000);
    QCOMPARE(m_evil->requests().constLast().headers.value("authorization"),
        QByteArray("Bearer sk-security-test-key-0001"));

    // A change that leaves every key where it was needs no confirmation.
    QJsonObject same = moved;
    same.remove(QStringLiteral("confirm_secret_destinations"));
    same.insert(QStringLiteral("unknown_model"), QStringLiteral("default_lane"));
    QCOMPARE(m_gateway->client()
                 .postAndWait(QStringLiteral("/admin/config"), QJsonDocument(same).toJson())
                 ->status,
        200);
}

void SecurityTest::sdkStyleRequestsNeedNoExtraHeader()
{
    QVERIFY(startGateway());
    // What the OpenAI and Anthropic SDKs send: Host with the port, JSON, their own auth header,
    // no Origin.
    const QByteArray response = raw(request("POST", "/v1/chat/completions",
        "Host: 127.0.0.1:8787\r\nContent-Type: application/json\r\nAuthorization: Bearer "
        "sk-anything\r\nUser-Agent: OpenAI/JS 4.0\r\nAccept: application/json\r\n",
        chatBody(QStringLiteral("main"))));
    QCOMPARE(statusOf(response), 200);
    QVERIFY(bodyOf(response).contains("from a"));
    QVERIFY(!response.contains("Access-Control"));
}

QTEST_GUILESS_MAIN(SecurityTest)
#include "tst_security.moc"
