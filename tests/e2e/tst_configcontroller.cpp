#include "fakeupstream.h"
#include "gatewayharness.h"
#include "jsontext.h"

#include "config/configdocument.h"
#include "engine/configcontroller.h"
#include "engine/engine.h"
#include "engine/enginehost.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Switchyard;
using namespace Switchyard::Testing;

// The configuration's one owner: an edit runs before it is written, a file changed on disk runs
// whatever the views do, and what the engine refuses is neither run nor written.
class ConfigControllerTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void anEditRunsAndThenIsSaved();
    void aSecondEditMadeWhileTheFirstRunsKeepsBoth();
    void aChangedFileIsReloadedWithoutAnyView();
    void aFileThatDoesNotValidateLeavesTheRunningConfig();
    void anEditTheEngineRefusesIsNeitherRunNorWritten();
    void theAdminApiAnswersAfterTheConfigRuns(); // and saves what runs

private:
    QByteArray configWithLanes(const QStringList &lanes, const QByteArray &extra = {}) const;
    void writeAtomically(const QByteArray &bytes);
    QStringList modelIds();
    // The reasons of the configuration changes in the gateway's event log, oldest first.
    QStringList configEvents();
    bool startOn(const QByteArray &json, const QString &listen = QStringLiteral("127.0.0.1:0"));

    QTemporaryDir m_dir;
    QString m_path;
    std::unique_ptr<FakeUpstream> m_upstream;
    std::unique_ptr<GatewayUnderTest> m_gateway;
    std::unique_ptr<ConfigDocument> m_document;
    std::unique_ptr<ConfigController> m_controller;
};

void ConfigControllerTest::init()
{
    m_upstream = std::make_unique<FakeUpstream>();
    QVERIFY(m_upstream->listen());
    m_path = m_dir.filePath(QStringLiteral("switchyard.json"));
}

void ConfigControllerTest::cleanup()
{
    m_controller.reset();
    m_gateway.reset();
    m_document.reset();
    m_upstream.reset();
}

QByteArray ConfigControllerTest::configWithLanes(
    const QStringList &lanes, const QByteArray &extra) const
{
    QJsonObject laneObjects;
    for (const QString &lane : lanes)
        laneObjects.insert(
            lane, QJsonObject { { QStringLiteral("chain"), QJsonArray { QStringLiteral("r") } } });
    QJsonObject root {
        { QStringLiteral("x-owner"), QStringLiteral("config-test") },
        { QStringLiteral("providers"),
            QJsonObject { { QStringLiteral("up"),
                QJsonObject { { QStringLiteral("base_url"), m_upstream->baseUrl() } } } } },
        { QStringLiteral("routes"),
            QJsonObject { { QStringLiteral("r"),
                QJsonObject { { QStringLiteral("provider"), QStringLiteral("up") },
                    { QStringLiteral("model"), QStringLiteral("m") } } } } },
        { QStringLiteral("lanes"), laneObjects },
        { QStringLiteral("default_lane"), lanes.first() },
    };
    const QJsonObject more = QJsonDocument::fromJson(extra).object();
    for (auto it = more.begin(); it != more.end(); ++it)
        root.insert(it.key(), it.value());
    return QJsonDocument(root).toJson();
}

void ConfigControllerTest::writeAtomically(const QByteArray &bytes)
{
    QSaveFile file(m_path); // as editors do: a new file renamed over the old one
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes);
    QVERIFY(file.commit());
}

QStringList ConfigControllerTest::modelIds()
{
    ClientCall *call = m_gateway->client().get(QStringLiteral("/v1/models"));
    if (!GatewayClient::waitFor(call))
        return {};
    QStringList ids;
    for (const QJsonValue &model : call->json().value(QLatin1String("data")).toArray())
        ids.append(model.toObject().value(QLatin1String("id")).toString());
    return ids;
}

QStringList ConfigControllerTest::configEvents()
{
    ClientCall *call = m_gateway->client().get(QStringLiteral("/admin/state"));
    if (!GatewayClient::waitFor(call))
        return {};
    QStringList reasons;
    for (const QJsonValue &event : call->json().value(QLatin1String("recent_events")).toArray()) {
        if (event.toObject().value(u"kind").toString() == QLatin1String("config"))
            reasons.append(event.toObject().value(u"reason").toString());
    }
    return reasons;
}

bool ConfigControllerTest::startOn(const QByteArray &json, const QString &listen)
{
    QFile file(m_path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    file.write(json);
    file.close();
    m_document = std::make_unique<ConfigDocument>();
    if (!m_document->load(m_path).isValid())
        return false;
    m_gateway = std::make_unique<GatewayUnderTest>();
    QString error;
    if (!m_gateway->start(json, &error, listen)) {
        qWarning("%s", qPrintable(error));
        return false;
    }
    m_controller = std::make_unique<ConfigController>(m_gateway->host().engine(), m_document.get());
    return true;
}

void ConfigControllerTest::anEditRunsAndThenIsSaved()
{
    QVERIFY(startOn(configWithLanes({ QStringLiteral("main") })));
    QSignalSpy applied(m_controller.get(), &ConfigController::applied);
    QJsonObject json = ConfigDocument::withLane(
        m_controller->json(), QStringLiteral("second"), { QStringLiteral("r") }, QString());
    QStringList answer { QStringLiteral("<no answer>") };
    m_controller->propose(json, this, [&answer](const QStringList &errors) { answer = errors; });
    QTRY_VERIFY(answer != QStringList { QStringLiteral("<no answer>") });
    QCOMPARE(answer, QStringList());
    QCOMPARE(applied.size(), 1);
    QVERIFY(m_controller->config().lanes.contains(QStringLiteral("second")));
    QVERIFY(modelIds().contains(QStringLiteral("second")));
    QFile file(m_path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject saved = QJsonDocument::fromJson(file.readAll()).object();
    QVERIFY(saved.value(QLatin1String("lanes")).toObject().contains(QLatin1String("second")));
    QCOMPARE(saved.value(QLatin1String("x-owner")).toString(), QStringLiteral("config-test"));
}

void ConfigControllerTest::aSecondEditMadeWhileTheFirstRunsKeepsBoth()
{
    QVERIFY(startOn(configWithLanes({ QStringLiteral("main") })));
    int answered = 0;
    QStringList errors;
    auto done = [&](const QStringList &e) {
        ++answered;
        errors += e;
    };
    // The second is built before the first is answered, as a quick second click would.
    m_controller->propose(ConfigDocument::withLane(m_controller->json(), QStringLiteral("second"),
                              { QStringLiteral("r") }, QString()),
        this, done);
    m_controller->propose(ConfigDocument::withLane(m_controller->json(), QStringLiteral("third"),
                              { QStringLiteral("r") }, QString()),
        this, done);
    QTRY_COMPARE(answered, 2);
    QCOMPARE(errors, QStringList());
    QVERIFY(m_controller->config().lanes.contains(QStringLiteral("second")));
    QVERIFY(m_controller->config().lanes.contains(QStringLiteral("third")));
    const QStringList ids = modelIds();
    QVERIFY(ids.contains(QStringLiteral("second")) && ids.contains(QStringLiteral("third")));
    QFile file(m_path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject lanes
        = QJsonDocument::fromJson(file.readAll()).object().value(u"lanes").toObject();
    QVERIFY(lanes.contains(QLatin1String("second")) && lanes.contains(QLatin1String("third")));
}

void ConfigControllerTest::aChangedFileIsReloadedWithoutAnyView()
{
    QVERIFY(startOn(configWithLanes({ QStringLiteral("main") })));
    QSignalSpy reloaded(m_controller.get(), &ConfigController::reloaded);
    writeAtomically(configWithLanes({ QStringLiteral("main"), QStringLiteral("later") }));
    QTRY_VERIFY_WITH_TIMEOUT(!reloaded.isEmpty(), 10000);
    QVERIFY(m_controller->config().lanes.contains(QStringLiteral("later")));
    QVERIFY(modelIds().contains(QStringLiteral("later")));
    // The event log says so, for the console and /admin/events.
    QTRY_COMPARE(configEvents(), QStringList { QStringLiteral("Reloaded %1").arg(m_path) });

    // reload() is what SIGHUP calls; the same file again changes nothing but runs it.
    m_controller->reload();
    QTRY_COMPARE(reloaded.size(), 2);
}

void ConfigControllerTest::aFileThatDoesNotValidateLeavesTheRunningConfig()
{
    QVERIFY(startOn(configWithLanes({ QStringLiteral("main") })));
    QSignalSpy refused(m_controller.get(), &ConfigController::reloadRefused);
    writeAtomically(R"({"providers": {}, "routes": {"r": {"provider": "gone"}}})");
    QTRY_VERIFY_WITH_TIMEOUT(!refused.isEmpty(), 10000);
    QVERIFY2(refused.first().first().toString().contains(QLatin1String("routes.r")),
        qPrintable(refused.first().first().toString()));
    QVERIFY(m_controller->config().lanes.contains(QStringLiteral("main")));
    QVERIFY(modelIds().contains(QStringLiteral("main")));
    QTRY_COMPARE(configEvents().size(), 1);
    const QString event = configEvents().constFirst();
    QVERIFY2(
        event.contains(QLatin1String("not valid")) && event.contains(QLatin1String("routes.r")),
        qPrintable(event));
}

void ConfigControllerTest::anEditTheEngineRefusesIsNeitherRunNorWritten()
{
    // Beyond loopback a gateway needs an admin token; an edit that drops it is refused by the
    // engine, not by validation. (Reached over loopback all the same.)
    qputenv("SWITCHYARD_TEST_ADMIN", "a-long-enough-admin-token-for-the-test");
    QVERIFY(startOn(configWithLanes({ QStringLiteral("main") },
                        R"({"admin_token": {"env": "SWITCHYARD_TEST_ADMIN"}})"),
        QStringLiteral("0.0.0.0:0")));
    QFile before(m_path);
    QVERIFY(before.open(QIODevice::ReadOnly));
    const QByteArray onDisk = before.readAll();

    QJsonObject json = m_controller->json();
    json.remove(QStringLiteral("admin_token"));
    json = ConfigDocument::withLane(json, QStringLiteral("second"), { QStringLiteral("r") }, {});
    QStringList answer { QStringLiteral("<no answer>") };
    m_controller->propose(json, this, [&answer](const QStringList &errors) { answer = errors; });
    QTRY_VERIFY(answer != QStringList { QStringLiteral("<no answer>") });
    QCOMPARE(answer.size(), 1);
    QVERIFY2(answer.first().contains(QLatin1String("admin_token")), qPrintable(answer.first()));
    QFile after(m_path);
    QVERIFY(after.open(QIODevice::ReadOnly));
    QCOMPARE(after.readAll(), onDisk);
    QVERIFY(!m_controller->config().lanes.contains(QStringLiteral("second")));
    QVERIFY(!modelIds().contains(QStringLiteral("second")));
    qunsetenv("SWITCHYARD_TEST_ADMIN");
}

void ConfigControllerTest::theAdminApiAnswersAfterTheConfigRuns()
{
    qputenv("SWITCHYARD_TEST_ADMIN", "a-long-enough-admin-token-for-the-test");
    QVERIFY(startOn(configWithLanes({ QStringLiteral("main") },
                        R"({"admin_token": {"env": "SWITCHYARD_TEST_ADMIN"}})"),
        QStringLiteral("0.0.0.0:0")));
    m_gateway->client().setAdminToken("a-long-enough-admin-token-for-the-test");
    QJsonObject refused
        = QJsonDocument::fromJson(configWithLanes({ QStringLiteral("x") })).object();
    ClientCall *call = m_gateway->client().postAndWait(
        QStringLiteral("/admin/config"), QJsonDocument(refused).toJson());
    QCOMPARE(call->status, 409);
    QCOMPARE(call->json().value(QLatin1String("error")).toObject().value(QLatin1String("code")),
        QStringLiteral("config_refused"));
    QVERIFY(!modelIds().contains(QStringLiteral("x")));

    QJsonObject accepted
        = QJsonDocument::fromJson(configWithLanes({ QStringLiteral("y") },
                                      R"({"admin_token": {"env": "SWITCHYARD_TEST_ADMIN"}})"))
              .object();
    accepted.insert(QStringLiteral("x-posted"), true); // unknown keys are kept, as the console's
    call = m_gateway->client().postAndWait(
        QStringLiteral("/admin/config"), QJsonDocument(accepted).toJson());
    QCOMPARE(call->status, 200);
    QCOMPARE(call->json().value(u"saved").toBool(), true);
    // Answered once it runs: the very next request sees it.
    QVERIFY(modelIds().contains(QStringLiteral("y")));
    // And once it is saved: a restart or a reload runs it too.
    QFile file(m_path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject saved = QJsonDocument::fromJson(file.readAll()).object();
    QVERIFY(saved.value(u"lanes").toObject().contains(QLatin1String("y")));
    QCOMPARE(saved.value(u"x-posted").toBool(), true);
    QCOMPARE(m_controller->json(), saved);
    QVERIFY(m_controller->config().lanes.contains(QStringLiteral("y")));
    QTRY_COMPARE(configEvents(),
        QStringList {
            QStringLiteral("Applied an edit from the admin API and saved it to %1").arg(m_path) });
    qunsetenv("SWITCHYARD_TEST_ADMIN");
}

QTEST_GUILESS_MAIN(ConfigControllerTest)
#include "tst_configcontroller.moc"
