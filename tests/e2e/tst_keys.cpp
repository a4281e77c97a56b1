#include "config/configloader.h"
#include "engine/engine.h"
#include "engine/enginehost.h"
#include "fakesecretstore.h"
#include "fakeupstream.h"
#include "gatewayharness.h"
#include "jsontext.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QMutexLocker>
#include <QTest>

#include <memory>

using namespace Switchyard;
using namespace Switchyard::Testing;

namespace {

// Every log line of every thread, to prove that no key reaches the log.
QMutex logMutex;
QStringList logLines;
QtMessageHandler previousHandler = nullptr;

void captureLog(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    {
        QMutexLocker lock(&logMutex);
        logLines.append(message);
    }
    if (previousHandler)
        previousHandler(type, context, message);
}

// Shaped like no well-known key, so only knowing the value can redact it.
const QByteArray ProviderSecret = "live-SECRET-4242-keychain";
const QByteArray AdminToken = "adm-SECRET-7777-token";

} // namespace

// Keychain references end to end, against an in-memory SecretStore: the key reaches the upstream,
// every way of not having one is a clear "misconfigured", and no output ever shows a key.
class KeysTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void keychainKeyReachesTheUpstreamAndIsReadOnce();
    void missingKeyMarksTheRouteMisconfigured();
    void lockedKeychainMarksTheRouteMisconfigured();
    void noKeychainServiceSaysWhatToInstall();
    void aKeySetLaterIsUsedAfterReload();
    void everyApplyReadsTheKeysAgain();
    void aKeychainThatDoesNotAnswerDoesNotHoldTheGatewayBack();
    void adminTokenComesFromTheKeychain();
    void providerTestReportsSuccessAndRejection();
    void keysNeverReachAnyOutput();

private:
    QByteArray config(bool withAdminToken = false) const;
    void startGateway(bool withAdminToken = false);
    ProviderSnapshot provider(const QString &name) const;
    ClientCall *chat(const QString &model);

    std::shared_ptr<FakeSecretStore> m_store;
    std::unique_ptr<FakeUpstream> m_a;
    std::unique_ptr<FakeUpstream> m_b;
    std::unique_ptr<GatewayUnderTest> m_gateway;
    std::unique_ptr<QObject> m_scope; // the context of lambdas connected to the engine
    QList<ProviderSnapshot> m_providers;
};

void KeysTest::initTestCase()
{
    previousHandler = qInstallMessageHandler(captureLog);
}

void KeysTest::init()
{
    m_store = std::make_shared<FakeSecretStore>();
    m_a = std::make_unique<FakeUpstream>();
    m_b = std::make_unique<FakeUpstream>();
    QVERIFY(m_a->listen() && m_b->listen());
    m_a->setDefaultResponse(FakeResponse::completion(QStringLiteral("from a")));
    m_b->setDefaultResponse(FakeResponse::completion(QStringLiteral("from b")));
    m_providers.clear();
}

void KeysTest::cleanup()
{
    m_gateway.reset();
    m_scope.reset();
    m_a.reset();
    m_b.reset();
}

QByteArray KeysTest::config(bool withAdminToken) const
{
    QByteArray json = jsonText(R"JSON({
      @ADMIN@
      'providers': {
        'a': {'base_url': '@A@', 'api_key': {'keychain': 'openai'}},
        'b': {'base_url': '@B@'}
      },
      'routes': {
        'ra': {'provider': 'a', 'model': 'model-a'},
        'rb': {'provider': 'b', 'model': 'model-b'}
      },
      'lanes': {'main': {'chain': ['ra', 'rb'], 'retry': {'max_retries': 0}}},
      'default_lane': 'main'
    })JSON");
    json.replace(
        "@ADMIN@", withAdminToken ? jsonText("'admin_token': {'keychain': 'admin'},") : "");
    json.replace("@A@", m_a->baseUrl().toUtf8());
    json.replace("@B@", m_b->baseUrl().toUtf8());
    return json;
}

void KeysTest::startGateway(bool withAdminToken)
{
    m_gateway = std::make_unique<GatewayUnderTest>();
    m_scope = std::make_unique<QObject>();
    connect(m_gateway->host().engine(), &Engine::providersUpdated, m_scope.get(),
        [this](const QList<ProviderSnapshot> &providers) { m_providers = providers; });
    m_gateway->host().engine()->setSecretStore(m_store);
    QString error;
    QVERIFY2(m_gateway->start(config(withAdminToken), &error), qPrintable(error));
}

ProviderSnapshot KeysTest::provider(const QString &name) const
{
    for (const ProviderSnapshot &snapshot : m_providers) {
        if (snapshot.name == name)
            return snapshot;
    }
    return ProviderSnapshot();
}

ClientCall *KeysTest::chat(const QString &model)
{
    return m_gateway->client().postAndWait(QStringLiteral("/v1/chat/completions"), chatBody(model));
}

void KeysTest::keychainKeyReachesTheUpstreamAndIsReadOnce()
{
    m_store->setEntry(QStringLiteral("openai"), ProviderSecret);
    startGateway();
    for (int i = 0; i < 3; ++i) {
        ClientCall *call = chat(QStringLiteral("main"));
        QCOMPARE(call->status, 200);
        QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("ra"));
    }
    QCOMPARE(m_a->requestCount(), 3);
    for (const ReceivedRequest &request : m_a->requests())
        QCOMPARE(request.headers.value("authorization"), QByteArray("Bearer " + ProviderSecret));
    // Read when the config was applied, never per request.
    QCOMPARE(m_store->readCount(QStringLiteral("openai")), 1);
    QTRY_COMPARE(provider(QStringLiteral("a")).keyState, KeyState::Set);
    QCOMPARE(provider(QStringLiteral("a")).key.name, QStringLiteral("openai"));
    QCOMPARE(provider(QStringLiteral("b")).keyState, KeyState::NotNeeded);
}

void KeysTest::missingKeyMarksTheRouteMisconfigured()
{
    startGateway(); // no entry "openai"
    ClientCall *call = chat(QStringLiteral("main"));
    QCOMPARE(call->status, 200);
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("rb"));
    QCOMPARE(m_a->requestCount(), 0); // never called without its key

    ClientCall *pinned = chat(QStringLiteral("ra"));
    QCOMPARE(pinned->status, 503);
    // error.attempts says why the route was skipped.
    QVERIFY2(pinned->body.contains("keychain entry 'openai' is missing"), pinned->body.constData());
    QTRY_COMPARE(provider(QStringLiteral("a")).keyState, KeyState::Missing);
    QVERIFY(provider(QStringLiteral("a")).keyDetail.contains(QStringLiteral("keys set openai")));
}

void KeysTest::lockedKeychainMarksTheRouteMisconfigured()
{
    m_store->setEntry(QStringLiteral("openai"), ProviderSecret);
    m_store->failEveryCall(SecretStatus::Locked, QStringLiteral("the keychain is locked"));
    startGateway();
    ClientCall *call = chat(QStringLiteral("main"));
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("rb"));
    QCOMPARE(m_a->requestCount(), 0);
    QTRY_COMPARE(provider(QStringLiteral("a")).keyState, KeyState::Unreadable);
    QVERIFY(provider(QStringLiteral("a")).keyDetail.contains(QStringLiteral("locked")));

    ClientCall *state = m_gateway->client().get(QStringLiteral("/admin/state"));
    QVERIFY(GatewayClient::waitFor(state));
    QVERIFY2(state->body.contains("the keychain is locked"), state->body.constData());
}

void KeysTest::noKeychainServiceSaysWhatToInstall()
{
    m_store->failEveryCall(SecretStatus::NoService,
        QStringLiteral("no keychain service is reachable: install gnome-keyring"));
    startGateway();
    ClientCall *pinned = chat(QStringLiteral("ra"));
    QCOMPARE(pinned->status, 503);
    QVERIFY2(pinned->body.contains("install gnome-keyring"), pinned->body.constData());
    QTRY_COMPARE(provider(QStringLiteral("a")).keyState, KeyState::Unreadable);
    QCOMPARE(m_a->requestCount(), 0);
}

void KeysTest::aKeySetLaterIsUsedAfterReload()
{
    startGateway();
    QCOMPARE(chat(QStringLiteral("main"))->header("X-Switchyard-Route"), QByteArray("rb"));
    m_store->setEntry(QStringLiteral("openai"), ProviderSecret);
    m_gateway->host().engine()->reloadSecrets();
    QTRY_COMPARE(provider(QStringLiteral("a")).keyState, KeyState::Set);
    ClientCall *call = chat(QStringLiteral("main"));
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("ra"));
    QCOMPARE(m_a->requests().constLast().headers.value("authorization"),
        QByteArray("Bearer " + ProviderSecret));
}

void KeysTest::everyApplyReadsTheKeysAgain()
{
    m_store->setEntry(QStringLiteral("openai"), ProviderSecret);
    startGateway();
    QCOMPARE(chat(QStringLiteral("main"))->header("X-Switchyard-Route"), QByteArray("ra"));
    // Changed from the command line, say: the next apply reads it.
    m_store->setEntry(QStringLiteral("openai"), "replaced-key-0001");
    const ConfigResult config = ConfigLoader::fromJson(this->config());
    QVERIFY(config.isValid());
    m_gateway->host().engine()->applyConfig(config.config);
    QTRY_COMPARE(m_store->readCount(QStringLiteral("openai")), 2);
    QTRY_VERIFY(chat(QStringLiteral("main"))->header("X-Switchyard-Route") == "ra"
        && m_a->requests().constLast().headers.value("authorization")
            == "Bearer replaced-key-0001");
}

void KeysTest::aKeychainThatDoesNotAnswerDoesNotHoldTheGatewayBack()
{
    m_store->setEntry(QStringLiteral("openai"), ProviderSecret);
    m_store->holdAnswers(); // a keyring waiting for its password
    m_gateway = std::make_unique<GatewayUnderTest>();
    m_scope = std::make_unique<QObject>();
    connect(m_gateway->host().engine(), &Engine::providersUpdated, m_scope.get(),
        [this](const QList<ProviderSnapshot> &providers) { m_providers = providers; });
    m_gateway->host().engine()->setSecretStore(m_store);
    m_gateway->host().engine()->setKeychainPatience(300);
    QString error;
    QVERIFY2(m_gateway->start(config(), &error), qPrintable(error)); // starts after the wait
    QTRY_COMPARE(provider(QStringLiteral("a")).keyState, KeyState::Unreadable);
    QVERIFY(provider(QStringLiteral("a")).keyDetail.contains(QStringLiteral("did not answer")));
    QCOMPARE(chat(QStringLiteral("main"))->header("X-Switchyard-Route"), QByteArray("rb"));

    m_store->releaseAnswers(); // the user typed the password: the late answer is used
    QTRY_COMPARE(provider(QStringLiteral("a")).keyState, KeyState::Set);
    QCOMPARE(chat(QStringLiteral("main"))->header("X-Switchyard-Route"), QByteArray("ra"));
}

void KeysTest::adminTokenComesFromTheKeychain()
{
    m_store->setEntry(QStringLiteral("openai"), ProviderSecret);
    m_store->setEntry(QStringLiteral("admin"), AdminToken);
    startGateway(true);
    ClientCall *refused = m_gateway->client().get(QStringLiteral("/admin/state"));
    QVERIFY(GatewayClient::waitFor(refused));
    QCOMPARE(refused->status, 401);
    ClientCall *wrong = m_gateway->client().get(
        QStringLiteral("/admin/state"), { { "Authorization", "Bearer not-the-token" } });
    QVERIFY(GatewayClient::waitFor(wrong));
    QCOMPARE(wrong->status, 401);
    ClientCall *allowed = m_gateway->client().get(
        QStringLiteral("/admin/state"), { { "Authorization", "Bearer " + AdminToken } });
    QVERIFY(GatewayClient::waitFor(allowed));
    QCOMPARE(allowed->status, 200);
    QVERIFY(!allowed->body.contains(AdminToken));
}

void KeysTest::providerTestReportsSuccessAndRejection()
{
    m_store->setEntry(QStringLiteral("openai"), ProviderSecret);
    startGateway();
    m_a->enqueue(FakeResponse {
        200, {}, jsonText("{'object': 'list', 'data': [{'id': 'm1'}, {'id': 'm2'}]}") });
    m_gateway->host().engine()->testProvider(QStringLiteral("a"));
    QTRY_VERIFY(provider(QStringLiteral("a")).test != ProviderSnapshot::Test::NotRun
        && provider(QStringLiteral("a")).test != ProviderSnapshot::Test::Running);
    QVERIFY2(provider(QStringLiteral("a")).test == ProviderSnapshot::Test::Passed,
        qPrintable(provider(QStringLiteral("a")).testResult));
    QCOMPARE(provider(QStringLiteral("a")).testResult, QStringLiteral("ok: 2 models listed"));
    QCOMPARE(m_a->requests().constLast().path, QByteArray("/v1/models"));
    QCOMPARE(m_a->requests().constLast().headers.value("authorization"),
        QByteArray("Bearer " + ProviderSecret));

    m_a->enqueue(FakeResponse::error(401, QStringLiteral("invalid_request_error"),
        QStringLiteral("invalid_api_key"), QStringLiteral("Incorrect API key provided")));
    m_gateway->host().engine()->testProvider(QStringLiteral("a"));
    QTRY_COMPARE(provider(QStringLiteral("a")).test, ProviderSnapshot::Test::Failed);
    QVERIFY2(provider(QStringLiteral("a")).testResult.startsWith(QStringLiteral("auth_error")),
        qPrintable(provider(QStringLiteral("a")).testResult));
    QCOMPARE(provider(QStringLiteral("a")).keyState, KeyState::Rejected);

    // A new key clears the verdict on the old one.
    m_store->setEntry(QStringLiteral("openai"), "sk-another-key");
    m_gateway->host().engine()->reloadSecrets();
    QTRY_COMPARE(provider(QStringLiteral("a")).keyState, KeyState::Set);
    QCOMPARE(provider(QStringLiteral("a")).test, ProviderSnapshot::Test::NotRun);
}

void KeysTest::keysNeverReachAnyOutput()
{
    {
        QMutexLocker lock(&logMutex);
        logLines.clear();
    }
    m_store->setEntry(QStringLiteral("openai"), ProviderSecret);
    m_store->setEntry(QStringLiteral("admin"), AdminToken);
    startGateway(true);
    const QList<QPair<QByteArray, QByteArray>> admin { { "Authorization",
        "Bearer " + AdminToken } };
    // An upstream that echoes the key it was sent, as real providers do in their 401s.
    const FakeResponse echo = FakeResponse::error(401, QStringLiteral("invalid_request_error"),
        QStringLiteral("invalid_api_key"),
        QStringLiteral("Incorrect API key provided: ") + QString::fromUtf8(ProviderSecret));
    m_a->setDefaultResponse(echo);

    ClientCall *fellBack = chat(QStringLiteral("main"));
    QCOMPARE(fellBack->header("X-Switchyard-Route"), QByteArray("rb"));
    ClientCall *pinned = chat(QStringLiteral("ra"));
    QCOMPARE(pinned->status, 502);
    QVERIFY(pinned->body.contains("[redacted]"));
    m_gateway->host().engine()->testProvider(QStringLiteral("a"));
    QTRY_COMPARE(provider(QStringLiteral("a")).test, ProviderSnapshot::Test::Failed);
    // A health probe meets the same echo; its result shows in /admin/state and the console.
    m_gateway->host().engine()->probeNow(QStringLiteral("ra"));
    QTRY_VERIFY(m_a->requestCount("GET", "/v1/models") == 1);
    // Failures that open the breaker, echoing the key: the event says why, to /admin/events.
    ClientCall *events = m_gateway->client().get(QStringLiteral("/admin/events"), admin);
    m_a->setDefaultResponse(FakeResponse::error(503, QStringLiteral("server_error"), QString(),
        QStringLiteral("overloaded, key ") + QString::fromUtf8(ProviderSecret)));
    for (int i = 0; i < 5; ++i)
        chat(QStringLiteral("ra"));
    QTRY_VERIFY(events->body.contains("\"to\":\"open\""));
    events->abort();

    QList<QPair<QString, QByteArray>> outputs;
    outputs.append({ QStringLiteral("error body to the caller"), pinned->body });
    outputs.append({ QStringLiteral("fallback answer"), fellBack->body });
    outputs.append({ QStringLiteral("/admin/events"), events->body });
    for (const QString &path : { QStringLiteral("/admin/state"),
             QStringLiteral("/admin/traces?limit=10"), QStringLiteral("/metrics") }) {
        ClientCall *call = m_gateway->client().get(path, admin);
        QVERIFY(GatewayClient::waitFor(call));
        QCOMPARE(call->status, 200);
        outputs.append({ path, call->body });
    }
    ClientCall *probed = nullptr;
    QTRY_VERIFY((probed = m_gateway->client().get(QStringLiteral("/admin/state"), admin),
        GatewayClient::waitFor(probed) && probed->body.contains("Incorrect API key provided")));
    outputs.append({ QStringLiteral("/admin/state after a probe"), probed->body });
    QByteArray traceList;
    for (const auto &[where, text] : std::as_const(outputs)) {
        if (where.startsWith(QLatin1String("/admin/traces")))
            traceList = text;
    }
    const QJsonArray traces
        = QJsonDocument::fromJson(traceList).object().value(QStringLiteral("traces")).toArray();
    QVERIFY(!traces.isEmpty());
    for (const QJsonValue &trace : traces) {
        ClientCall *call = m_gateway->client().get(QStringLiteral("/admin/traces/")
                + trace.toObject().value(QStringLiteral("id")).toString(),
            admin);
        QVERIFY(GatewayClient::waitFor(call));
        QCOMPARE(call->status, 200);
        outputs.append({ QStringLiteral("trace detail"), call->body });
    }
    const ProviderSnapshot tested = provider(QStringLiteral("a"));
    outputs.append({ QStringLiteral("provider status"),
        (tested.keyDetail + tested.testResult + tested.key.name).toUtf8() });
    {
        QMutexLocker lock(&logMutex);
        QVERIFY(!logLines.isEmpty());
        outputs.append({ QStringLiteral("log"), logLines.join(QLatin1Char('\n')).toUtf8() });
    }
    for (const auto &[where, text] : std::as_const(outputs)) {
        QVERIFY2(!text.contains(ProviderSecret), qPrintable(where));
        QVERIFY2(!text.contains(AdminToken), qPrintable(where));
    }
    // The echoed message itself did arrive, so the checks above looked where the key would be.
    QVERIFY(outputs.constFirst().second.contains("Incorrect API key provided"));
}

QTEST_GUILESS_MAIN(KeysTest)
#include "tst_keys.moc"
