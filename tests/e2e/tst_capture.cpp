#include "engine/engine.h"
#include "engine/enginehost.h"
#include "fakesecretstore.h"
#include "fakeupstream.h"
#include "gatewayharness.h"
#include "jsontext.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <memory>

#include <sys/stat.h>

using namespace Switchyard;
using namespace Switchyard::Testing;

namespace {

// The provider's key, and a secret the caller's body carries that capture.redact names.
const QByteArray UpstreamKey = "sk-live-CAPTURE-0123456789abcdef";
const QByteArray TicketSecret = "ticket-77123";

} // namespace

// Body capture and replay end to end (issue 22, part 3): off by default and then nothing is kept;
// "errors" keeps only the requests with a failed attempt; what is kept is what the caller sent and
// what each upstream was sent and answered, with no key, token or configured secret anywhere in
// the store, in a file only the user can read; bodies are cut at max_bytes; and a kept request is
// replayed on a chosen route as a request of its own.
class CaptureTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void nothingIsKeptWhenCaptureIsOff();
    void errorsKeepsOnlyRequestsWithAFailedAttempt();
    void noKeyTokenOrConfiguredSecretIsStored();
    void aTranslatedRequestShowsWhatTheUpstreamWasSent();
    void aStreamsEventsAreKeptAsTheyCame();
    void bodiesAreCutAtMaxBytes();
    void aKeptRequestIsReplayedOnTheChosenRoute();
    void aReplayIsRefusedWithAReason();

private:
    void startGateway(const QString &capture);
    ClientCall *chat(const QByteArray &body = QByteArray());
    QJsonObject bodiesOf(const QByteArray &traceId, int *status = nullptr);
    QByteArray storedBytes() const; // every byte of the bodies' files

    std::shared_ptr<FakeSecretStore> m_store;
    std::unique_ptr<FakeUpstream> m_a;
    std::unique_ptr<FakeUpstream> m_b;
    std::unique_ptr<GatewayUnderTest> m_gateway;
};

void CaptureTest::init()
{
    m_store = std::make_shared<FakeSecretStore>();
    m_store->setEntry(QStringLiteral("upstream-a"), UpstreamKey);
    m_a = std::make_unique<FakeUpstream>();
    m_b = std::make_unique<FakeUpstream>();
    QVERIFY(m_a->listen() && m_b->listen());
    m_a->setDefaultResponse(FakeResponse::completion(QStringLiteral("from a"), 11, 7));
    m_b->setDefaultResponse(FakeResponse::completion(QStringLiteral("from b"), 13, 5));
}

void CaptureTest::cleanup()
{
    m_gateway.reset();
    m_a.reset();
    m_b.reset();
}

void CaptureTest::startGateway(const QString &capture)
{
    QByteArray json = jsonText(R"JSON({
      @CAPTURE@
      'providers': {'a': {'base_url': '@A@', 'api_key': {'keychain': 'upstream-a'}},
                    'b': {'base_url': '@B@'}},
      'routes': {'ra': {'provider': 'a', 'model': 'model-a'},
                 'rb': {'provider': 'b', 'model': 'model-b'}},
      'lanes': {'main': {'chain': ['ra', 'rb'], 'retry': {'max_retries': 0}}},
      'default_lane': 'main'
    })JSON");
    json.replace("@CAPTURE@",
        capture.isEmpty() ? QByteArray() : jsonText(capture.toUtf8().constData()) + ",");
    json.replace("@A@", m_a->baseUrl().toUtf8());
    json.replace("@B@", m_b->baseUrl().toUtf8());
    m_gateway = std::make_unique<GatewayUnderTest>();
    m_gateway->host().engine()->setSecretStore(m_store);
    QString error;
    QVERIFY2(m_gateway->start(json, &error), qPrintable(error));
}

ClientCall *CaptureTest::chat(const QByteArray &body)
{
    return m_gateway->client().postAndWait(QStringLiteral("/v1/chat/completions"),
        body.isEmpty() ? chatBody(QStringLiteral("main")) : body);
}

QJsonObject CaptureTest::bodiesOf(const QByteArray &traceId, int *status)
{
    ClientCall *call = m_gateway->client().get(
        QStringLiteral("/admin/traces/%1/bodies").arg(QString::fromUtf8(traceId)));
    GatewayClient::waitFor(call);
    if (status)
        *status = call->status;
    return call->json();
}

QByteArray CaptureTest::storedBytes() const
{
    QByteArray bytes;
    QDirIterator files(m_gateway->dataDirectory(), QDir::Files, QDirIterator::Subdirectories);
    while (files.hasNext()) {
        const QString path = files.next();
        if (!path.contains(QLatin1String(".bodies.sqlite")))
            continue;
        QFile file(path);
        if (file.open(QIODevice::ReadOnly))
            bytes += file.readAll();
    }
    return bytes;
}

void CaptureTest::nothingIsKeptWhenCaptureIsOff()
{
    startGateway(QString());
    m_a->enqueue(FakeResponse::error(503, QStringLiteral("server_error")));
    ClientCall *call = chat();
    QCOMPARE(call->status, 200);
    int status = 0;
    const QJsonObject answer = bodiesOf(call->header("X-Switchyard-Request-Id"), &status);
    QCOMPARE(status, 404);
    QCOMPARE(answer.value(u"error").toObject().value(u"code").toString(),
        QStringLiteral("bodies_not_found"));
    // Not even an empty store: off means no file of bodies at all.
    QDirIterator files(m_gateway->dataDirectory(), QDir::Files, QDirIterator::Subdirectories);
    while (files.hasNext())
        QVERIFY2(!files.next().contains(QLatin1String(".bodies.sqlite")), "a bodies file exists");
}

void CaptureTest::errorsKeepsOnlyRequestsWithAFailedAttempt()
{
    startGateway(QStringLiteral("'capture': {'bodies': 'errors'}"));
    ClientCall *clean = chat();
    QCOMPARE(clean->status, 200);
    m_a->enqueue(FakeResponse::error(503, QStringLiteral("server_error"), QString(),
        QStringLiteral("the a upstream is overloaded")));
    ClientCall *fellBack = chat();
    QCOMPARE(fellBack->status, 200);
    QCOMPARE(fellBack->header("X-Switchyard-Route"), QByteArray("rb"));

    int status = 0;
    bodiesOf(clean->header("X-Switchyard-Request-Id"), &status);
    QCOMPARE(status, 404);

    const QJsonObject bodies = bodiesOf(fellBack->header("X-Switchyard-Request-Id"), &status);
    QCOMPARE(status, 200);
    QCOMPARE(bodies.value(u"trace_id").toString(),
        QString::fromUtf8(fellBack->header("X-Switchyard-Request-Id")));
    QCOMPARE(bodies.value(u"api").toString(), QStringLiteral("chat.completions"));
    const QJsonObject request = bodies.value(u"request").toObject();
    QCOMPARE(request.value(u"text").toString().toUtf8(), chatBody(QStringLiteral("main")));
    QCOMPARE(request.value(u"cut").toBool(), false);

    const QJsonArray attempts = bodies.value(u"attempts").toArray();
    QCOMPARE(attempts.size(), 2);
    const QJsonObject failed = attempts.at(0).toObject();
    QCOMPARE(failed.value(u"index").toInt(), 0);
    QCOMPARE(failed.value(u"route").toString(), QStringLiteral("ra"));
    QCOMPARE(failed.value(u"url").toString(), m_a->baseUrl() + QStringLiteral("/chat/completions"));
    QCOMPARE(failed.value(u"status").toInt(), 503);
    // What the upstream was sent: the route's model in place of the lane's name.
    const QJsonObject sentToA = QJsonDocument::fromJson(
        failed.value(u"sent").toObject().value(u"text").toString().toUtf8())
                                    .object();
    QCOMPARE(sentToA.value(u"model").toString(), QStringLiteral("model-a"));
    QVERIFY(failed.value(u"received")
                .toObject()
                .value(u"text")
                .toString()
                .contains(QLatin1String("the a upstream is overloaded")));
    const QJsonObject served = attempts.at(1).toObject();
    QCOMPARE(served.value(u"route").toString(), QStringLiteral("rb"));
    QCOMPARE(served.value(u"status").toInt(), 200);
    QVERIFY(served.value(u"received")
                .toObject()
                .value(u"text")
                .toString()
                .contains(QLatin1String("from b")));
}

void CaptureTest::noKeyTokenOrConfiguredSecretIsStored()
{
    startGateway(QStringLiteral("'capture': {'bodies': 'all', 'redact': ['ticket-[0-9]+']}"));
    // The caller's own text carries the provider's key, a credential field and a secret of its own.
    QJsonObject extra { { QStringLiteral("metadata"),
        QJsonObject { { QStringLiteral("api_key"), QStringLiteral("caller-private-value-42") },
            { QStringLiteral("note"),
                QStringLiteral("see %1, key %2")
                    .arg(QString::fromUtf8(TicketSecret), QString::fromUtf8(UpstreamKey)) } } } };
    ClientCall *call = chat(chatBody(QStringLiteral("main"), false, extra));
    QCOMPARE(call->status, 200);
    QCOMPARE(m_a->requests().constLast().headers.value("authorization"),
        QByteArray("Bearer ") + UpstreamKey); // the upstream did get the key

    int status = 0;
    const QJsonObject bodies = bodiesOf(call->header("X-Switchyard-Request-Id"), &status);
    QCOMPARE(status, 200);
    const QByteArray answer = QJsonDocument(bodies).toJson();
    const QByteArray stored = storedBytes();
    QVERIFY(stored.contains("model-a")); // the store holds the bodies, readable as they are
    for (const QByteArray &secret : { UpstreamKey, UpstreamKey.left(16), TicketSecret,
             QByteArray("caller-private-value-42") }) {
        QVERIFY2(!answer.contains(secret), secret.constData());
        QVERIFY2(!stored.contains(secret), secret.constData());
    }
    bool sawAuthorization = false;
    for (const QJsonValue &header :
        bodies.value(u"attempts").toArray().at(0).toObject().value(u"headers").toArray()) {
        if (header.toArray().at(0).toString().compare(
                QLatin1String("authorization"), Qt::CaseInsensitive)
            == 0) {
            sawAuthorization = true;
            QCOMPARE(header.toArray().at(1).toString(), QStringLiteral("[redacted]"));
        }
    }
    QVERIFY(sawAuthorization);

    // For this user alone: the database and its write-ahead log.
    QDirIterator files(m_gateway->dataDirectory(), QDir::Files, QDirIterator::Subdirectories);
    int checked = 0;
    while (files.hasNext()) {
        const QString path = files.next();
        if (!path.contains(QLatin1String(".bodies.sqlite")))
            continue;
        ++checked;
        struct stat info { };
        QCOMPARE(::stat(QFile::encodeName(path).constData(), &info), 0);
        QCOMPARE(info.st_mode & 0777, mode_t(0600));
    }
    QVERIFY(checked >= 1);
}

void CaptureTest::aTranslatedRequestShowsWhatTheUpstreamWasSent()
{
    startGateway(QStringLiteral("'capture': {'bodies': 'all'}"));
    const QByteArray messages = jsonText(
        R"({'model': 'main', 'max_tokens': 64, 'system': 'Be brief.',
            'messages': [{'role': 'user', 'content': 'Hello there'}]})");
    ClientCall *call = m_gateway->client().postAndWait(
        QStringLiteral("/v1/messages"), messages, { { "anthropic-version", "2023-06-01" } });
    QCOMPARE(call->status, 200);
    const QJsonObject bodies = bodiesOf(call->header("X-Switchyard-Request-Id"));
    QCOMPARE(bodies.value(u"api").toString(), QStringLiteral("messages"));
    // The caller's Messages request as it came, and chat completions as the route was sent them.
    const QJsonObject asSent = QJsonDocument::fromJson(
        bodies.value(u"request").toObject().value(u"text").toString().toUtf8())
                                   .object();
    QCOMPARE(asSent.value(u"system").toString(), QStringLiteral("Be brief."));
    const QJsonObject upstream = QJsonDocument::fromJson(bodies.value(u"attempts")
                                                             .toArray()
                                                             .at(0)
                                                             .toObject()
                                                             .value(u"sent")
                                                             .toObject()
                                                             .value(u"text")
                                                             .toString()
                                                             .toUtf8())
                                     .object();
    QCOMPARE(upstream.value(u"model").toString(), QStringLiteral("model-a"));
    const QJsonArray chatMessages = upstream.value(u"messages").toArray();
    QCOMPARE(chatMessages.at(0).toObject().value(u"role").toString(), QStringLiteral("system"));
    QCOMPARE(
        chatMessages.at(1).toObject().value(u"content").toString(), QStringLiteral("Hello there"));
    QCOMPARE(bodies.value(u"caller_headers").toArray().at(0).toArray().at(0).toString(),
        QStringLiteral("anthropic-version"));
}

void CaptureTest::aStreamsEventsAreKeptAsTheyCame()
{
    startGateway(QStringLiteral("'capture': {'bodies': 'all'}"));
    m_a->setDefaultResponse(FakeResponse::stream({ QStringLiteral("Hel"), QStringLiteral("lo") }));
    ClientCall *call = m_gateway->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main"), true));
    QCOMPARE(call->status, 200);
    const QJsonObject bodies = bodiesOf(call->header("X-Switchyard-Request-Id"));
    const QString events = bodies.value(u"attempts")
                               .toArray()
                               .at(0)
                               .toObject()
                               .value(u"received")
                               .toObject()
                               .value(u"text")
                               .toString();
    QVERIFY2(events.contains(QLatin1String("data: ")) && events.contains(QLatin1String("Hel"))
            && events.contains(QLatin1String("[DONE]")),
        qPrintable(events));
}

void CaptureTest::bodiesAreCutAtMaxBytes()
{
    startGateway(QStringLiteral("'capture': {'bodies': 'all', 'max_bytes': 1024}"));
    const QString prompt(5000, QLatin1Char('x'));
    const QByteArray body = jsonText(R"({'model': 'main', 'messages': [{'role': 'user',
        'content': '@P@'}]})")
                                .replace("@P@", prompt.toUtf8());
    ClientCall *call = chat(body);
    QCOMPARE(call->status, 200);
    const QByteArray id = call->header("X-Switchyard-Request-Id");
    const QJsonObject request = bodiesOf(id).value(u"request").toObject();
    QCOMPARE(request.value(u"cut").toBool(), true);
    QCOMPARE(request.value(u"bytes").toInteger(), body.size());
    QCOMPARE(request.value(u"text").toString().size(), 1024);

    // What was cut cannot be sent again as it was.
    ClientCall *replay = m_gateway->client().postAndWait(
        QStringLiteral("/admin/traces/%1/replay").arg(QString::fromUtf8(id)),
        jsonText("{'route': 'rb'}"));
    QCOMPARE(replay->status, 409);
    QVERIFY(replay->json()
                .value(u"error")
                .toObject()
                .value(u"message")
                .toString()
                .contains(QLatin1String("max_bytes")));
}

void CaptureTest::aKeptRequestIsReplayedOnTheChosenRoute()
{
    startGateway(QStringLiteral("'capture': {'bodies': 'all'}"));
    ClientCall *original = chat();
    QCOMPARE(original->status, 200);
    QCOMPARE(original->header("X-Switchyard-Route"), QByteArray("ra"));
    const QByteArray id = original->header("X-Switchyard-Request-Id");
    const int callsOfB = m_b->requestCount("POST", "/v1/chat/completions");

    ClientCall *replay = m_gateway->client().postAndWait(
        QStringLiteral("/admin/traces/%1/replay").arg(QString::fromUtf8(id)),
        jsonText("{'route': 'rb'}"));
    QCOMPARE(replay->status, 200);
    const QJsonObject result = replay->json();
    QCOMPARE(result.value(u"route").toString(), QStringLiteral("rb"));
    QCOMPARE(result.value(u"status").toInt(), 200);
    QVERIFY(result.value(u"body").toString().contains(QLatin1String("from b")));
    QCOMPARE(m_b->requestCount("POST", "/v1/chat/completions"), callsOfB + 1);
    const QString replayId = result.value(u"trace_id").toString();
    QVERIFY(!replayId.isEmpty() && replayId != QString::fromUtf8(id));

    // A request of its own: pinned to the route, traced, and its bodies kept like any other's.
    ClientCall *trace = m_gateway->client().get(QStringLiteral("/admin/traces/%1").arg(replayId));
    GatewayClient::waitFor(trace);
    QCOMPARE(trace->status, 200);
    QCOMPARE(trace->json().value(u"route").toString(), QStringLiteral("rb"));
    QCOMPARE(trace->json().value(u"lane").toString(), QStringLiteral("route:rb"));
    const QJsonObject replayed = bodiesOf(replayId.toUtf8());
    QCOMPARE(QJsonDocument::fromJson(
                 replayed.value(u"request").toObject().value(u"text").toString().toUtf8())
                 .object()
                 .value(u"model")
                 .toString(),
        QStringLiteral("rb"));
}

void CaptureTest::aReplayIsRefusedWithAReason()
{
    startGateway(QStringLiteral("'capture': {'bodies': 'all'}"));
    ClientCall *original = chat();
    const QString id = QString::fromUtf8(original->header("X-Switchyard-Request-Id"));
    const auto replay = [this](const QString &trace, const QByteArray &body) {
        return m_gateway->client().postAndWait(
            QStringLiteral("/admin/traces/%1/replay").arg(trace), body);
    };
    ClientCall *unknownRoute = replay(id, jsonText("{'route': 'nowhere'}"));
    QCOMPARE(unknownRoute->status, 400);
    QCOMPARE(unknownRoute->json().value(u"error").toObject().value(u"code").toString(),
        QStringLiteral("route_not_found"));
    ClientCall *noRoute = replay(id, "[1, 2]");
    QCOMPARE(noRoute->status, 400);
    ClientCall *unknownTrace = replay(QStringLiteral("no-such-trace"), jsonText("{'route': 'rb'}"));
    QCOMPARE(unknownTrace->status, 404);
    QCOMPARE(unknownTrace->json().value(u"error").toObject().value(u"code").toString(),
        QStringLiteral("bodies_not_found"));
    // The admin token guards bodies like everything else under /admin.
    ClientCall *anonymous = m_gateway->client().get(
        QStringLiteral("/admin/traces/%1/bodies").arg(id), { { "Authorization", "Bearer wrong" } });
    GatewayClient::waitFor(anonymous);
    QCOMPARE(anonymous->status, 401);
}

QTEST_GUILESS_MAIN(CaptureTest)
#include "tst_capture.moc"
