#include "fakesecretstore.h"
#include "fakeupstream.h"
#include "gatewayharness.h"
#include "jsontext.h"

#include "config/configdocument.h"
#include "config/configloader.h"
#include "engine/configcontroller.h"
#include "engine/engine.h"
#include "engine/enginehost.h"
#include "link/attachment.h"
#include "link/remotelink.h"
#include "secrets/admintokenfile.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSaveFile>
#include <QSignalSpy>
#include <QSslConfiguration>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace Switchyard;
using namespace Switchyard::Testing;

namespace {

// A "gateway" whose answers never end: an event that never closes, or an error body that goes
// on. It writes a megabyte at a time as the console reads, up to `Limit`, and notes how much it
// had sent when the console hung up.
class EndlessGateway final : public QObject {
public:
    static constexpr qint64 Limit = 160LL * 1024 * 1024;
    enum class Mode { EndlessEvent, EndlessErrorBody };

    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    QUrl url() const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort()));
    }
    void setMode(Mode mode) { m_mode = mode; }
    // Bytes sent on each connection the console closed, in order.
    QList<qint64> hungUpAfter;

    EndlessGateway()
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection())
                serve(socket);
        });
    }

private:
    void serve(QTcpSocket *socket)
    {
        auto sent = std::make_shared<qint64>(0);
        auto request = std::make_shared<QByteArray>();
        auto pump = [socket, sent] {
            while (socket->bytesToWrite() < 4 * 1024 * 1024 && *sent < Limit) {
                socket->write(QByteArray(1024 * 1024, 'x'));
                *sent += 1024 * 1024;
            }
        };
        connect(socket, &QTcpSocket::readyRead, socket, [this, socket, request, pump] {
            if (request->contains("\r\n\r\n"))
                return socket->readAll(), void();
            *request += socket->readAll();
            if (!request->contains("\r\n\r\n"))
                return;
            socket->write(m_mode == Mode::EndlessEvent
                    ? "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: "
                    : "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n\r\n"
                      "{\"error\": {\"message\": \"");
            pump();
        });
        connect(socket, &QTcpSocket::bytesWritten, socket, pump);
        connect(socket, &QTcpSocket::disconnected, this, [this, socket, sent] {
            hungUpAfter.append(*sent);
            socket->deleteLater();
        });
    }

    QTcpServer m_server;
    Mode m_mode = Mode::EndlessEvent;
};

} // namespace

// A console attached to a gateway that runs elsewhere (issue 18): the admin API gives it what an
// embedded console gets from its engine, and a RemoteLink turns that back into the same values.
class AttachTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void theAdminApiServesWhatAConsoleShows();
    void aLinkSeesHistoryThenEveryChange();
    void aDrainThroughTheLinkReachesTheGateway();
    void anEditThroughTheLinkIsSavedThereAndAFileChangeComesBack();
    void aDroppedGatewayIsReportedAndTheLinkComesBack();
    void aWrongTokenIsReportedNotRetriedSilently();
    void theTokenIsFoundWhereTheGatewayKeepsIt();
    void aBusyAddressIsRecognisedAsASwitchyard();
    void aGatewayOnHttpsIsReachedWithItsCertificateChecked();
    void aGatewayThatNeverStopsTalkingIsCutOff();
    void aRequestIsFoundByItsIdThroughTheLink();
    void anIncidentReportComesThroughTheLink();
    void keptBodiesAndAReplayComeThroughTheLink();

private:
    QByteArray config() const;
    bool startGateway(const QString &listen = QStringLiteral("127.0.0.1:0"));
    std::unique_ptr<RemoteLink> attach(const QByteArray &token = QByteArray());
    ClientCall *admin(const QString &path, const QByteArray &body = QByteArray());

    QTemporaryDir m_dir;
    QString m_path;
    std::unique_ptr<FakeUpstream> m_upstream;
    std::unique_ptr<GatewayUnderTest> m_gateway;
    std::unique_ptr<ConfigDocument> m_document;
    std::unique_ptr<ConfigController> m_controller;
};

QByteArray AttachTest::config() const
{
    QByteArray json = jsonText(R"JSON({
      'x-owner': 'attach-test',
      'providers': {'up': {'base_url': '@UP@'}},
      'routes': {'r': {'provider': 'up', 'model': 'm',
                       'price': {'input_per_mtok': 1000, 'output_per_mtok': 1000},
                       'breaker': {'consecutive_failures': 2, 'cooldown_ms': 60000}}},
      'lanes': {'main': {'chain': ['r'], 'retry': {'max_retries': 0}}},
      'default_lane': 'main'
    })JSON");
    json.replace("@UP@", m_upstream->baseUrl().toUtf8());
    return json;
}

void AttachTest::init()
{
    m_upstream = std::make_unique<FakeUpstream>();
    QVERIFY(m_upstream->listen());
    m_upstream->setDefaultResponse(FakeResponse::completion(QStringLiteral("hello")));
    m_path = m_dir.filePath(QStringLiteral("switchyard.json"));
    QFile file(m_path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(config());
    file.close();
    QVERIFY(startGateway());
}

bool AttachTest::startGateway(const QString &listen)
{
    m_controller.reset();
    m_gateway.reset();
    m_document = std::make_unique<ConfigDocument>();
    if (!m_document->load(m_path).isValid())
        return false;
    // The same data folder each time: a gateway started again keeps its admin token.
    m_gateway = std::make_unique<GatewayUnderTest>(
        m_dir.filePath(QStringLiteral("data-%1").arg(QTest::currentTestFunction())));
    QString error;
    if (!m_gateway->start(config(), &error, listen)) {
        qWarning("%s", qPrintable(error));
        return false;
    }
    // As the headless gateway does: the file is kept, and the admin API's edits saved to it.
    m_controller = std::make_unique<ConfigController>(m_gateway->host().engine(), m_document.get());
    return true;
}

void AttachTest::cleanup()
{
    m_controller.reset();
    m_gateway.reset();
    m_document.reset();
    m_upstream.reset();
    qunsetenv("SWITCHYARD_ADMIN_TOKEN");
}

std::unique_ptr<RemoteLink> AttachTest::attach(const QByteArray &token)
{
    auto link = std::make_unique<RemoteLink>(
        QUrl(m_gateway->baseUrl()), token.isEmpty() ? m_gateway->client().adminToken() : token);
    link->setReconnectPauses(50, 400);
    link->open();
    return link;
}

ClientCall *AttachTest::admin(const QString &path, const QByteArray &body)
{
    ClientCall *call
        = body.isNull() ? m_gateway->client().get(path) : m_gateway->client().post(path, body);
    GatewayClient::waitFor(call);
    return call;
}

void AttachTest::theAdminApiServesWhatAConsoleShows()
{
    QCOMPARE(
        m_gateway->client()
            .postAndWait(QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")))
            ->status,
        200);

    // The document as it runs, unknown keys included.
    const QJsonObject document = admin(QStringLiteral("/admin/config"))->json();
    QCOMPARE(document.value(u"x-owner").toString(), QStringLiteral("attach-test"));
    QCOMPARE(document, QJsonDocument::fromJson(config()).object());

    QJsonObject history;
    QTRY_VERIFY_WITH_TIMEOUT((history = admin(QStringLiteral("/admin/history"))->json())
                                 .value(u"traces")
                                 .toArray()
                                 .size()
            == 1,
        10000);
    const QJsonObject trace = history.value(u"traces").toArray().first().toObject();
    QCOMPARE(trace.value(u"route").toString(), QStringLiteral("r"));
    QVERIFY(!trace.value(u"attempts").toArray().isEmpty()); // whole, for the timeline
    const QJsonArray cost = history.value(u"cost").toArray();
    QCOMPARE(cost.size(), 1);
    QCOMPARE(cost.first().toObject().value(u"requests").toInt(), 1);
    QVERIFY(cost.first().toObject().value(u"cost_usd").toDouble() > 0);
    QCOMPARE(history.value(u"routes").toArray().first().toObject().value(u"name").toString(),
        QStringLiteral("r"));

    const QJsonArray providers
        = admin(QStringLiteral("/admin/providers"))->json().value(u"providers").toArray();
    QCOMPARE(providers.size(), 1);
    QCOMPARE(providers.first().toObject().value(u"name").toString(), QStringLiteral("up"));
    QCOMPARE(providers.first().toObject().value(u"key").toObject().value(u"state").toString(),
        QStringLiteral("not_needed"));

    ClientCall *test = admin(QStringLiteral("/admin/providers/up/test"), "{}");
    QCOMPARE(test->status, 202);
    QTRY_COMPARE_WITH_TIMEOUT(admin(QStringLiteral("/admin/providers"))
                                  ->json()
                                  .value(u"providers")
                                  .toArray()
                                  .first()
                                  .toObject()
                                  .value(u"test")
                                  .toObject()
                                  .value(u"state")
                                  .toString(),
        QStringLiteral("passed"), 10000);
    QCOMPARE(admin(QStringLiteral("/admin/providers/nope/test"), "{}")->status, 404);
    QCOMPARE(admin(QStringLiteral("/admin/keys/reload"), "{}")->status, 202);

    // Every one of them needs the token.
    m_gateway->client().setAdminToken("wrong");
    for (const QString &path : { QStringLiteral("/admin/config"), QStringLiteral("/admin/history"),
             QStringLiteral("/admin/providers"), QStringLiteral("/admin/events?view=console") })
        QCOMPARE(admin(path)->status, 401);
}

void AttachTest::aLinkSeesHistoryThenEveryChange()
{
    QCOMPARE(
        m_gateway->client()
            .postAndWait(QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")))
            ->status,
        200);
    const QString before = m_gateway->lastTrace().value(u"id").toString();
    QVERIFY(!before.isEmpty());

    auto link = attach();
    QSignalSpy history(link.get(), &GatewayLink::historyPublished);
    QSignalSpy traces(link.get(), &GatewayLink::tracesAdded);
    QSignalSpy cost(link.get(), &GatewayLink::costAdded);
    QSignalSpy routes(link.get(), &GatewayLink::routesUpdated);
    QSignalSpy applied(link.get(), &GatewayLink::configApplied);
    QTRY_COMPARE_WITH_TIMEOUT(history.size(), 1, 10000);
    QVERIFY(link->isConnected());
    const auto past = history.first().at(0).value<QList<TraceRecord>>();
    QCOMPARE(past.size(), 1);
    QCOMPARE(past.first().id, before);
    QVERIFY(!past.first().attempts.isEmpty());
    QCOMPARE(history.first().at(2).value<QList<CostPoint>>().size(), 1);
    QTRY_VERIFY(!applied.isEmpty());
    QVERIFY(link->config().lanes.contains(QStringLiteral("main")));
    QCOMPARE(link->configJson().value(u"x-owner").toString(), QStringLiteral("attach-test"));
    QVERIFY(!routes.isEmpty());
    QCOMPARE(routes.last().first().value<QList<RouteSnapshot>>().first().name, QStringLiteral("r"));

    // News, after the history: the whole trace and the spend it added, once each.
    QCOMPARE(
        m_gateway->client()
            .postAndWait(QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")))
            ->status,
        200);
    QTRY_VERIFY_WITH_TIMEOUT(!traces.isEmpty(), 10000);
    const auto fresh = traces.first().first().value<QList<TraceRecord>>();
    QCOMPARE(fresh.size(), 1);
    QVERIFY(fresh.first().id != before);
    QCOMPARE(fresh.first().route, QStringLiteral("r"));
    QTRY_COMPARE(cost.size(), 1);
    const auto spent = cost.first().first().value<QList<CostPoint>>();
    QCOMPARE(spent.size(), 1);
    QCOMPARE(spent.first().requests, 1);

    // A breaker that opens on the gateway reaches the link as an event and in the snapshots.
    QSignalSpy events(link.get(), &GatewayLink::eventRecorded);
    m_upstream->setDefaultResponse(FakeResponse::error(503, QStringLiteral("down")));
    for (int i = 0; i < 2; ++i)
        m_gateway->client().postAndWait(
            QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")));
    QTRY_VERIFY_WITH_TIMEOUT(std::any_of(events.cbegin(), events.cend(),
                                 [](const QList<QVariant> &e) {
                                     return e.first().value<StateEvent>().to == BreakerState::Open;
                                 }),
        10000);
    QTRY_COMPARE_WITH_TIMEOUT(routes.last().first().value<QList<RouteSnapshot>>().first().state,
        BreakerState::Open, 10000);
}

void AttachTest::aDrainThroughTheLinkReachesTheGateway()
{
    auto link = attach();
    QSignalSpy history(link.get(), &GatewayLink::historyPublished);
    QSignalSpy routes(link.get(), &GatewayLink::routesUpdated);
    QSignalSpy failed(link.get(), &GatewayLink::commandFailed);
    QTRY_COMPARE_WITH_TIMEOUT(history.size(), 1, 10000);
    link->drain(QStringLiteral("r"));
    QTRY_COMPARE_WITH_TIMEOUT(admin(QStringLiteral("/admin/state"))
                                  ->json()
                                  .value(u"routes")
                                  .toObject()
                                  .value(u"r")
                                  .toObject()
                                  .value(u"state")
                                  .toString(),
        QStringLiteral("drained"), 5000);
    QTRY_COMPARE_WITH_TIMEOUT(routes.last().first().value<QList<RouteSnapshot>>().first().state,
        BreakerState::Drained, 5000);
    link->restore(QStringLiteral("r"), true);
    QTRY_COMPARE_WITH_TIMEOUT(routes.last().first().value<QList<RouteSnapshot>>().first().state,
        BreakerState::Recovering, 5000);
    // What the gateway refuses is said, not swallowed.
    link->drain(QStringLiteral("no-such-route"));
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 5000);
    QVERIFY2(failed.first().first().toString().contains(QLatin1String("no-such-route")),
        qPrintable(failed.first().first().toString()));
}

void AttachTest::anEditThroughTheLinkIsSavedThereAndAFileChangeComesBack()
{
    auto link = attach();
    QSignalSpy applied(link.get(), &GatewayLink::configApplied);
    QTRY_VERIFY_WITH_TIMEOUT(!applied.isEmpty(), 10000);

    QStringList answer { QStringLiteral("<no answer>") };
    link->proposeConfig(ConfigDocument::withLane(link->configJson(), QStringLiteral("second"),
                            { QStringLiteral("r") }, QString()),
        this, [&answer](const QStringList &errors) { answer = errors; });
    QTRY_VERIFY_WITH_TIMEOUT(answer != QStringList { QStringLiteral("<no answer>") }, 10000);
    QCOMPARE(answer, QStringList());
    QVERIFY(link->config().lanes.contains(QStringLiteral("second")));
    QFile file(m_path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject saved = QJsonDocument::fromJson(file.readAll()).object();
    file.close();
    QVERIFY(saved.value(u"lanes").toObject().contains(QLatin1String("second")));
    QCOMPARE(saved.value(u"x-owner").toString(), QStringLiteral("attach-test"));

    // An edit the gateway refuses comes back with its reasons.
    QJsonObject invalid = link->configJson();
    invalid.insert(QStringLiteral("default_lane"), QStringLiteral("nowhere"));
    answer = { QStringLiteral("<no answer>") };
    link->proposeConfig(invalid, this, [&answer](const QStringList &errors) { answer = errors; });
    QTRY_VERIFY(answer != QStringList { QStringLiteral("<no answer>") });
    QVERIFY(!answer.isEmpty());
    QVERIFY2(
        answer.join(u' ').contains(QLatin1String("default_lane")), qPrintable(answer.join(u' ')));

    // The file edited on the gateway's machine: the console follows, and its event log says so.
    QSignalSpy elsewhere(link.get(), &GatewayLink::configChangedElsewhere);
    QSignalSpy events(link.get(), &GatewayLink::eventRecorded);
    QJsonObject edited = saved;
    edited = ConfigDocument::withLane(edited, QStringLiteral("third"), { QStringLiteral("r") }, {});
    QSaveFile write(m_path);
    QVERIFY(write.open(QIODevice::WriteOnly));
    write.write(QJsonDocument(edited).toJson());
    QVERIFY(write.commit());
    QTRY_VERIFY_WITH_TIMEOUT(!elsewhere.isEmpty(), 10000);
    QVERIFY(link->config().lanes.contains(QStringLiteral("third")));
    QTRY_VERIFY(std::any_of(events.cbegin(), events.cend(), [](const QList<QVariant> &e) {
        const StateEvent event = e.first().value<StateEvent>();
        return event.isConfig() && event.reason.startsWith(QLatin1String("Reloaded"));
    }));
}

void AttachTest::aDroppedGatewayIsReportedAndTheLinkComesBack()
{
    auto link = attach();
    QSignalSpy connection(link.get(), &GatewayLink::connectionChanged);
    QSignalSpy history(link.get(), &GatewayLink::historyPublished);
    QSignalSpy cleared(link.get(), &GatewayLink::historyCleared);
    QTRY_COMPARE_WITH_TIMEOUT(history.size(), 1, 10000);
    const QString address = QUrl(m_gateway->baseUrl()).authority();

    m_controller.reset();
    m_gateway.reset();
    QTRY_VERIFY_WITH_TIMEOUT(!link->isConnected(), 10000);
    const QList<QVariant> down = connection.last();
    QCOMPARE(down.at(0).toBool(), false);
    QVERIFY(down.at(1).toDateTime().isValid());
    QVERIFY(!down.at(2).toString().isEmpty());

    // The same gateway back on its address: the link finds it again and replaces the history.
    QVERIFY(startGateway(address));
    QTRY_VERIFY_WITH_TIMEOUT(link->isConnected(), 10000);
    QCOMPARE(connection.last().at(0).toBool(), true);
    QTRY_COMPARE(history.size(), 2);
    QCOMPARE(cleared.size(), 1);
}

void AttachTest::aWrongTokenIsReportedNotRetriedSilently()
{
    auto link = attach("not-the-token");
    QSignalSpy connection(link.get(), &GatewayLink::connectionChanged);
    QTRY_VERIFY_WITH_TIMEOUT(!connection.isEmpty(), 10000);
    QCOMPARE(connection.first().at(0).toBool(), false);
    QVERIFY2(connection.first().at(2).toString().contains(QLatin1String("admin token")),
        qPrintable(connection.first().at(2).toString()));
    QVERIFY(!link->isConnected());
}

void AttachTest::theTokenIsFoundWhereTheGatewayKeepsIt()
{
    const QUrl local(m_gateway->baseUrl());
    const QString data = m_gateway->dataDirectory();
    auto store = std::make_shared<FakeSecretStore>();
    auto find = [&](const QUrl &url, const Config &config) {
        Attachment::TokenFound found { "<none yet>", {} };
        Attachment::findToken(url, config, data, store, this,
            [&found](const Attachment::TokenFound &f) { found = f; });
        [[maybe_unused]] const bool answered
            = QTest::qWaitFor([&] { return found.token != "<none yet>"; }, 5000);
        return found;
    };
    // A gateway on this machine: the token file `switchyard admin-token` prints.
    Attachment::TokenFound found = find(local, Config());
    QCOMPARE(found.token, m_gateway->client().adminToken());
    QCOMPARE(found.source, AdminTokenFile::pathIn(data));

    // Nobody of this user's listens on that port: this user's token is not offered to it.
    QTcpServer unused;
    QVERIFY(unused.listen(QHostAddress::LocalHost));
    const quint16 freePort = unused.serverPort();
    unused.close();
    found = find(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(freePort)), Config());
    QVERIFY(found.token.isEmpty());
    QVERIFY2(
        found.source.contains(QLatin1String("not run by this user")), qPrintable(found.source));

    // The environment wins.
    qputenv("SWITCHYARD_ADMIN_TOKEN", "from-the-environment");
    QCOMPARE(find(local, Config()).token, QByteArray("from-the-environment"));
    qunsetenv("SWITCHYARD_ADMIN_TOKEN");

    // A gateway elsewhere: only its own keychain entry, never this machine's token.
    const QUrl remote(QStringLiteral("http://192.0.2.7:8787"));
    found = find(remote, Config());
    QVERIFY(found.token.isEmpty());
    QVERIFY2(found.source.contains(QLatin1String("admin-token@192.0.2.7:8787")),
        qPrintable(found.source));
    store->setEntry(QStringLiteral("admin-token@192.0.2.7:8787"), "kept-in-the-keychain");
    QCOMPARE(find(remote, Config()).token, QByteArray("kept-in-the-keychain"));
}

void AttachTest::aBusyAddressIsRecognisedAsASwitchyard()
{
    QNetworkAccessManager network;
    int answer = -1;
    Attachment::probe(&network, QUrl(m_gateway->baseUrl()), this,
        [&answer](bool isSwitchyard) { answer = isSwitchyard; });
    QTRY_VERIFY_WITH_TIMEOUT(answer != -1, 5000);
    QCOMPARE(answer, 1);
    // Something else on the port is not mistaken for one.
    answer = -1;
    Attachment::probe(&network, QUrl(m_upstream->baseUrl()), this,
        [&answer](bool isSwitchyard) { answer = isSwitchyard; });
    QTRY_VERIFY_WITH_TIMEOUT(answer != -1, 5000);
    QCOMPARE(answer, 0);
}

void AttachTest::aGatewayOnHttpsIsReachedWithItsCertificateChecked()
{
    // A certificate of its own, for 127.0.0.1, as an operator would make one.
    const QString cert = m_dir.filePath(QStringLiteral("cert.pem"));
    const QString key = m_dir.filePath(QStringLiteral("key.pem"));
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"),
        { QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
            QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
            QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes"),
            QStringLiteral("-keyout"), key, QStringLiteral("-out"), cert, QStringLiteral("-days"),
            QStringLiteral("2"), QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1"),
            QStringLiteral("-addext"), QStringLiteral("subjectAltName=IP:127.0.0.1") });
    QVERIFY(openssl.waitForFinished(30000));
    QCOMPARE(openssl.exitCode(), 0);

    // Files that cannot be read are config errors, with their JSON path.
    QJsonObject broken = QJsonDocument::fromJson(config()).object();
    broken.insert(QStringLiteral("tls"),
        QJsonObject { { QStringLiteral("cert"), m_dir.filePath(QStringLiteral("none.pem")) },
            { QStringLiteral("key"), key } });
    const ConfigResult unreadable = ConfigLoader::fromObject(broken);
    QVERIFY(!unreadable.isValid());
    QVERIFY2(unreadable.errors.join(u' ').contains(QLatin1String("tls.cert")),
        qPrintable(unreadable.errors.join(u' ')));

    QJsonObject json = QJsonDocument::fromJson(config()).object();
    json.insert(QStringLiteral("tls"),
        QJsonObject { { QStringLiteral("cert"), cert }, { QStringLiteral("key"), key } });
    json.insert(QStringLiteral("capture"),
        QJsonObject { { QStringLiteral("bodies"), QStringLiteral("all") } });
    GatewayUnderTest gateway(m_dir.filePath(QStringLiteral("data-https")));
    QString error;
    QVERIFY2(gateway.start(QJsonDocument(json).toJson(), &error), qPrintable(error));
    QUrl https(gateway.baseUrl());
    https.setScheme(QStringLiteral("https"));
    const QList<QSslCertificate> trusted = QSslCertificate::fromPath(cert);

    auto healthz = [](const QUrl &base, const QList<QSslCertificate> &ca) {
        QNetworkAccessManager network; // each its own: no connection made before is reused
        QUrl url = base;
        url.setPath(QStringLiteral("/healthz"));
        QNetworkRequest request(url);
        request.setTransferTimeout(5000);
        if (!ca.isEmpty()) {
            QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
            tls.addCaCertificates(ca);
            request.setSslConfiguration(tls);
        }
        QNetworkReply *reply = network.get(request);
        QSignalSpy finished(reply, &QNetworkReply::finished);
        [[maybe_unused]] const bool done = finished.wait(10000);
        const auto answer
            = std::pair { reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
                  reply->error() };
        delete reply;
        return answer;
    };
    QCOMPARE(healthz(https, trusted).first, 200);
    // The certificate is checked: one nobody vouched for is refused.
    QCOMPARE(healthz(https, {}).second, QNetworkReply::SslHandshakeFailedError);
    // And nothing is served in clear text on that port.
    QCOMPARE(healthz(QUrl(gateway.baseUrl()), {}).first, 0);

    RemoteLink link(https, gateway.client().adminToken());
    link.setCaCertificates(trusted);
    QSignalSpy history(&link, &GatewayLink::historyPublished);
    link.open();
    QTRY_COMPARE_WITH_TIMEOUT(history.size(), 1, 10000);

    // A replay reaches the gateway's own https listener, trusting its certificate alone.
    QByteArray id;
    {
        QNetworkAccessManager network;
        QUrl url = https;
        url.setPath(QStringLiteral("/v1/chat/completions"));
        QNetworkRequest request(url);
        request.setHeader(
            QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.addCaCertificates(trusted);
        request.setSslConfiguration(tls);
        QNetworkReply *reply = network.post(request, chatBody(QStringLiteral("main")));
        QSignalSpy finished(reply, &QNetworkReply::finished);
        QVERIFY(finished.wait(10000));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        id = reply->rawHeader("X-Switchyard-Request-Id");
        delete reply;
    }
    std::optional<ReplayResult> replayed;
    link.replay(QString::fromLatin1(id), QStringLiteral("r"), this,
        [&replayed](const ReplayResult &result) { replayed = result; });
    QTRY_VERIFY_WITH_TIMEOUT(replayed.has_value(), 10000);
    QVERIFY2(replayed->sent, qPrintable(replayed->error));
    QCOMPARE(replayed->status, 200);

    RemoteLink unchecked(https, gateway.client().adminToken());
    QSignalSpy refused(&unchecked, &GatewayLink::connectionChanged);
    unchecked.open();
    QTRY_VERIFY_WITH_TIMEOUT(!refused.isEmpty(), 10000);
    QCOMPARE(refused.first().at(0).toBool(), false);
    QVERIFY(!unchecked.isConnected());
}

void AttachTest::aGatewayThatNeverStopsTalkingIsCutOff()
{
    // Whatever answers at an attached address may be broken or hostile: the console holds at most
    // one event's worth (64 MiB) of a stream, and 64 KiB of an error, then hangs up and says so.
    EndlessGateway gateway;
    QVERIFY(gateway.listen());
    RemoteLink link(gateway.url(), "token");
    link.setReconnectPauses(50, 400);
    QSignalSpy connection(&link, &GatewayLink::connectionChanged);
    link.open();
    QTRY_VERIFY_WITH_TIMEOUT(!gateway.hungUpAfter.isEmpty(), 20000);
    // 64 MiB read, and what the sockets' buffers held on the way.
    QVERIFY2(gateway.hungUpAfter.first() < 100 * 1024 * 1024,
        qPrintable(QString::number(gateway.hungUpAfter.first())));
    QTRY_VERIFY_WITH_TIMEOUT(!connection.isEmpty(), 5000);
    QCOMPARE(connection.first().at(0).toBool(), false);
    QVERIFY(!connection.first().at(2).toString().isEmpty());
    qInfo("hung up after %lld bytes: %s", gateway.hungUpAfter.first(),
        qPrintable(connection.first().at(2).toString()));

    // An error answer that never ends: cut off long before the gateway stops.
    gateway.setMode(EndlessGateway::Mode::EndlessErrorBody);
    const qsizetype before = gateway.hungUpAfter.size();
    QTRY_VERIFY_WITH_TIMEOUT(gateway.hungUpAfter.size() > before, 20000);
    // 64 KiB read, at most 1 MiB buffered by the network thread, and the sockets' buffers (a
    // few MiB on loopback); without the read buffer's limit, 20 MB under AddressSanitizer.
    qInfo("error body: hung up after %lld bytes", gateway.hungUpAfter.at(before));
    QVERIFY2(gateway.hungUpAfter.at(before) < 16 * 1024 * 1024,
        qPrintable(QString::number(gateway.hungUpAfter.at(before))));

    // An operator action answered with an endless error fails, and says so.
    QSignalSpy failed(&link, &GatewayLink::commandFailed);
    RouteCommand drain;
    drain.route = QStringLiteral("r");
    link.submit(drain);
    // Within a second: the answer is read as it comes and cut at 64 KiB, an error's most. (Left
    // to the network thread's buffer and its progress reports, as it once was, the download
    // stalled in about one run in seven until the link's 30 s transfer timeout.)
    QTRY_VERIFY_WITH_TIMEOUT(!failed.isEmpty(), 10000);
    QVERIFY(!link.isConnected());
}

void AttachTest::aRequestIsFoundByItsIdThroughTheLink()
{
    const QByteArray id
        = m_gateway->client()
              .postAndWait(QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")))
              ->header("X-Switchyard-Request-Id");
    QVERIFY(!id.isEmpty());
    auto link = attach();
    auto find = [&](const QString &wanted) {
        std::optional<std::optional<TraceRecord>> answer;
        link->findTrace(
            wanted, this, [&answer](const std::optional<TraceRecord> &trace) { answer = trace; });
        [[maybe_unused]] const bool answered
            = QTest::qWaitFor([&] { return answer.has_value(); }, 5000);
        return answer.value_or(std::nullopt);
    };
    const std::optional<TraceRecord> trace = find(QString::fromLatin1(id));
    QVERIFY(trace);
    QCOMPARE(trace->id, QString::fromLatin1(id));
    QCOMPARE(trace->lane, QStringLiteral("main"));
    QVERIFY(!trace->attempts.isEmpty());
    QVERIFY(!find(QStringLiteral("req_unknown")));
    // An id with a path in it stays one segment: no other admin endpoint is reached.
    QVERIFY(!find(QStringLiteral("../state")));
}

void AttachTest::anIncidentReportComesThroughTheLink()
{
    // Two failures open r's breaker; the third request goes to it in panic mode, and fails.
    m_upstream->setDefaultResponse(FakeResponse::error(503, QStringLiteral("overloaded")));
    for (int status : { 502, 502, 503 })
        QCOMPARE(m_gateway->client()
                     .postAndWait(
                         QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")))
                     ->status,
            status);
    auto link = attach();
    std::optional<IncidentReport> report;
    QString error;
    link->readIncident(-1, -1, this, [&](const IncidentReport &read, const QString &why) {
        report = read;
        error = why;
    });
    QTRY_VERIFY_WITH_TIMEOUT(report.has_value(), 5000);
    QCOMPARE(error, QString());
    // The default range starts a minute before the breaker opened: every request is in it.
    QCOMPARE(report->requests, 3);
    QCOMPARE(report->failed, 3);
    QVERIFY(std::any_of(report->events.cbegin(), report->events.cend(),
        [](const StateEvent &event) { return event.to == BreakerState::Open; }));
    QCOMPARE(report->panics, 1);
    QCOMPARE(report->reasons.size(), 2);
    QCOMPARE(report->reasons.first().count, 2);
    QVERIFY(report->toMarkdown().contains(QStringLiteral("| r | transient |")));

    // A range given explicitly, and one with nothing in it.
    report.reset();
    link->readIncident(
        0, 1000, this, [&](const IncidentReport &read, const QString &) { report = read; });
    QTRY_VERIFY_WITH_TIMEOUT(report.has_value(), 5000);
    QCOMPARE(report->requests, 0);
    QCOMPARE(report->toMs, qint64(1000));

    // Bad bounds are refused in the API's error shape; the report needs the token.
    for (const QString &query : { QStringLiteral("from=soon"), QStringLiteral("from=-5"),
             QStringLiteral("from=10&to=5"), QStringLiteral("to=99999999999999999999999") }) {
        ClientCall *call = admin(QStringLiteral("/admin/incident?") + query);
        QCOMPARE(call->status, 400);
        QVERIFY(call->json().value(u"error").toObject().contains(u"message"));
    }
    m_gateway->client().setAdminToken("wrong");
    QCOMPARE(admin(QStringLiteral("/admin/incident"))->status, 401);
}

void AttachTest::keptBodiesAndAReplayComeThroughTheLink()
{
    auto link = attach();
    QTRY_VERIFY_WITH_TIMEOUT(!link->configJson().isEmpty(), 5000);
    QJsonObject json = link->configJson();
    json.insert(QStringLiteral("capture"),
        QJsonObject { { QStringLiteral("bodies"), QStringLiteral("all") } });
    std::optional<QStringList> edited;
    link->proposeConfig(json, this, [&edited](const QStringList &errors) { edited = errors; });
    QTRY_VERIFY_WITH_TIMEOUT(edited.has_value(), 5000);
    QCOMPARE(*edited, QStringList());
    QTRY_VERIFY_WITH_TIMEOUT(link->config().capture.enabled(), 5000);

    const QString id = QString::fromLatin1(
        m_gateway->client()
            .postAndWait(QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")))
            ->header("X-Switchyard-Request-Id"));
    auto read = [&](const QString &wanted) {
        std::optional<std::pair<std::optional<CapturedBodies>, QString>> answer;
        link->readBodies(wanted, this,
            [&answer](const std::optional<CapturedBodies> &bodies, const QString &error) {
                answer = std::make_pair(bodies, error);
            });
        [[maybe_unused]] const bool answered
            = QTest::qWaitFor([&] { return answer.has_value(); }, 5000);
        return answer.value_or(
            std::make_pair(std::optional<CapturedBodies>(), QStringLiteral("no answer")));
    };
    const auto [bodies, error] = read(id);
    QVERIFY2(bodies, qPrintable(error));
    QCOMPARE(bodies->traceId, id);
    QCOMPARE(bodies->attempts.size(), 1);
    QCOMPARE(bodies->attempts.first().route, QStringLiteral("r"));
    QVERIFY(bodies->attempts.first().received.data.contains("hello"));
    // None kept is no error.
    const auto [none, noError] = read(QStringLiteral("req_unknown"));
    QVERIFY(!none);
    QCOMPARE(noError, QString());

    std::optional<ReplayResult> replayed;
    link->replay(id, QStringLiteral("r"), this,
        [&replayed](const ReplayResult &result) { replayed = result; });
    QTRY_VERIFY_WITH_TIMEOUT(replayed.has_value(), 10000);
    QVERIFY2(replayed->sent, qPrintable(replayed->error));
    QCOMPARE(replayed->status, 200);
    QVERIFY(replayed->body.contains("hello"));
    QVERIFY(!replayed->traceId.isEmpty() && replayed->traceId != id);
    replayed.reset();
    link->replay(QStringLiteral("req_unknown"), QStringLiteral("r"), this,
        [&replayed](const ReplayResult &result) { replayed = result; });
    QTRY_VERIFY_WITH_TIMEOUT(replayed.has_value(), 10000);
    QVERIFY(!replayed->sent);
    QVERIFY2(replayed->error.contains(QLatin1String("No bodies")), qPrintable(replayed->error));
}

QTEST_GUILESS_MAIN(AttachTest)
#include "tst_attach.moc"
