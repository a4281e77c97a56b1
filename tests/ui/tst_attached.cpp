#include "fakesecretstore.h"
#include "fakeupstream.h"
#include "gatewayharness.h"
#include "jsontext.h"
#include "redisserver.h"

#include "connectdialog.h"
#include "consolesettings.h"
#include "gatewaywindows.h"
#include "link/remotelink.h"
#include "mainwindow.h"
#include "models/eventlistmodel.h"
#include "models/fleetmodels.h"
#include "models/routetablemodel.h"
#include "models/tracelistmodel.h"
#include "routesview.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>
#include <QToolButton>

#include <memory>

using namespace Switchyard;
using namespace Switchyard::Testing;

namespace {

constexpr char Token[] = "attached-console-admin-token";

} // namespace

// The console attached to a headless gateway that runs as its own process (issue 18): the same
// window, fed over the admin API; what the operator does reaches that gateway, and what happens
// there reaches the window.
class AttachedConsoleTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void init();
    void cleanup();
    void drainFromTheConsoleReachesTheGateway();
    void aBreakerThatOpensThereReachesTheConsole();
    void theConsoleSaysWhileTheGatewayIsGoneAndRecovers();
    void onAFleetADrainAppliesEverywhereWithEachInstancesAnswer();
    void aWindowForEachGatewayAndTheConnectDialog();

private:
    QString startHeadless(const QString &listen);
    QString routeState(const QString &route) const;
    void attachTo(const QString &url, const QByteArray &token);
    QJsonObject gatewayState();
    ClientCall *chat();

    QTemporaryDir m_dir;
    std::unique_ptr<FakeUpstream> m_a;
    std::unique_ptr<FakeUpstream> m_b;
    std::unique_ptr<QProcess> m_gateway;
    QString m_url;
    std::unique_ptr<GatewayClient> m_client;
    std::unique_ptr<RemoteLink> m_link;
    std::unique_ptr<MainWindow> m_window;
};

QString AttachedConsoleTest::startHeadless(const QString &listen)
{
    m_gateway = std::make_unique<QProcess>();
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("config")));
    // A folder of its own per test (traces and events are kept there), the same across restarts.
    environment.insert(QStringLiteral("XDG_DATA_HOME"),
        m_dir.filePath(QStringLiteral("data-%1").arg(QTest::currentTestFunction())));
    environment.insert(QStringLiteral("HOME"), m_dir.path());
    environment.insert(QStringLiteral("SWITCHYARD_TEST_TOKEN"), QString::fromLatin1(Token));
    m_gateway->setProcessEnvironment(environment);
    m_gateway->start(QStringLiteral(SWITCHYARD_BINARY),
        { QStringLiteral("--headless"), QStringLiteral("--config"),
            m_dir.filePath(QStringLiteral("gateway.json")), QStringLiteral("--listen"), listen });
    if (!m_gateway->waitForStarted(10000))
        return {};
    static const QRegularExpression listening(QStringLiteral("listening on (http://[0-9.:]+)/v1"));
    QByteArray seen;
    QString url;
    [[maybe_unused]] const bool found = QTest::qWaitFor(
        [&] {
            seen += m_gateway->readAllStandardError();
            const QRegularExpressionMatch match = listening.match(QString::fromUtf8(seen));
            if (match.hasMatch())
                url = match.captured(1);
            return !url.isEmpty() || m_gateway->state() == QProcess::NotRunning;
        },
        15000);
    if (url.isEmpty())
        qWarning("switchyard said: %s", seen.constData());
    return url;
}

void AttachedConsoleTest::init()
{
    m_a = std::make_unique<FakeUpstream>();
    m_b = std::make_unique<FakeUpstream>();
    QVERIFY(m_a->listen() && m_b->listen());
    m_a->setDefaultResponse(FakeResponse::completion(QStringLiteral("from a")));
    m_b->setDefaultResponse(FakeResponse::completion(QStringLiteral("from b")));
    QByteArray config = jsonText(R"JSON({
      'admin_token': {'env': 'SWITCHYARD_TEST_TOKEN'},
      'providers': {'a': {'base_url': '@A@'}, 'b': {'base_url': '@B@'}},
      'routes': {
        'ra': {'provider': 'a', 'model': 'model-a',
               'breaker': {'consecutive_failures': 2, 'cooldown_ms': 60000}},
        'rb': {'provider': 'b', 'model': 'model-b'}},
      'lanes': {'main': {'chain': ['ra', 'rb'], 'retry': {'max_retries': 0}}},
      'default_lane': 'main'
    })JSON");
    config.replace("@A@", m_a->baseUrl().toUtf8());
    config.replace("@B@", m_b->baseUrl().toUtf8());
    QFile file(m_dir.filePath(QStringLiteral("gateway.json")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(config);
    file.close();
    m_url = startHeadless(QStringLiteral("127.0.0.1:0"));
    QVERIFY(!m_url.isEmpty());
    m_client = std::make_unique<GatewayClient>(m_url);
    m_client->setAdminToken(Token);

    attachTo(m_url, Token);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->routeModel()->rowCount(), 2, 10000);
}

void AttachedConsoleTest::attachTo(const QString &url, const QByteArray &token)
{
    m_window.reset();
    m_link = std::make_unique<RemoteLink>(QUrl(url), token);
    m_link->setReconnectPauses(50, 400);
    m_window = std::make_unique<MainWindow>(m_link.get(), false);
    m_window->routesView()->setConfirm([](const QString &, const QString &) { return true; });
    m_window->resize(1280, 800);
    m_window->show();
    m_link->open();
}

void AttachedConsoleTest::cleanup()
{
    m_window.reset();
    m_link.reset();
    m_client.reset();
    if (m_gateway) {
        m_gateway->terminate();
        m_gateway->waitForFinished(10000);
        m_gateway.reset();
    }
    m_a.reset();
    m_b.reset();
}

QString AttachedConsoleTest::routeState(const QString &route) const
{
    const int row = m_window->routeModel()->rowOf(route);
    return row < 0 ? QString() : breakerStateName(m_window->routeModel()->snapshot(row).state);
}

QJsonObject AttachedConsoleTest::gatewayState()
{
    ClientCall *call = m_client->get(QStringLiteral("/admin/state"));
    GatewayClient::waitFor(call);
    return call->json();
}

ClientCall *AttachedConsoleTest::chat()
{
    return m_client->postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")));
}

void AttachedConsoleTest::drainFromTheConsoleReachesTheGateway()
{
    RoutesView *view = m_window->routesView();
    m_window->showView(QStringLiteral("routesView"));
    view->selectRoute(QStringLiteral("ra"));
    QToolButton *drain = nullptr;
    for (QToolBar *toolbar : view->findChildren<QToolBar *>())
        drain = qobject_cast<QToolButton *>(toolbar->widgetForAction(view->drainAction()));
    QVERIFY(drain && drain->isEnabled());
    QTest::mouseClick(drain, Qt::LeftButton);

    // On the gateway, which now sends the lane's traffic to rb...
    QTRY_COMPARE_WITH_TIMEOUT(gatewayState()
                                  .value(u"routes")
                                  .toObject()
                                  .value(u"ra")
                                  .toObject()
                                  .value(u"state")
                                  .toString(),
        QStringLiteral("drained"), 5000);
    QCOMPARE(chat()->header("X-Switchyard-Route"), QByteArray("rb"));
    QCOMPARE(m_a->requestCount("POST", "/v1/chat/completions"), 0);
    // ...and back in the console, as the gateway's own state.
    QTRY_COMPARE_WITH_TIMEOUT(routeState(QStringLiteral("ra")), QStringLiteral("drained"), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->traceModel()->rowCount() >= 1, 5000);
}

void AttachedConsoleTest::aBreakerThatOpensThereReachesTheConsole()
{
    m_a->setDefaultResponse(FakeResponse::error(503, QStringLiteral("overloaded")));
    for (int i = 0; i < 2; ++i)
        QCOMPARE(chat()->header("X-Switchyard-Route"), QByteArray("rb"));
    QTRY_COMPARE_WITH_TIMEOUT(routeState(QStringLiteral("ra")), QStringLiteral("open"), 5000);
    // The event log and the traces, with each request's attempts for the timeline.
    EventListModel *events = m_window->eventModel();
    QTRY_VERIFY_WITH_TIMEOUT(events->rowCount() >= 1, 5000);
    QCOMPARE(events->index(0, EventListModel::Route).data().toString(), QStringLiteral("ra"));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->traceModel()->rowCount(), 2, 5000);
    QCOMPARE(m_window->traceModel()->trace(0).attempts.size(), 2);
}

void AttachedConsoleTest::theConsoleSaysWhileTheGatewayIsGoneAndRecovers()
{
    auto *connection = m_window->findChild<QLabel *>(QStringLiteral("connectionStatus"));
    QVERIFY(connection);
    QVERIFY(!connection->isVisible());
    const QString address = QUrl(m_url).authority();
    m_gateway->terminate();
    QVERIFY(m_gateway->waitForFinished(10000));
    QTRY_VERIFY_WITH_TIMEOUT(connection->isVisible(), 10000);
    QVERIFY2(connection->text().contains(QLatin1String("Disconnected since")),
        qPrintable(connection->text()));
    // What it showed stays meanwhile.
    QCOMPARE(m_window->routeModel()->rowCount(), 2);

    QCOMPARE(startHeadless(address), m_url);
    QTRY_VERIFY_WITH_TIMEOUT(!connection->isVisible(), 10000);
    QCOMPARE(m_window->routeModel()->rowCount(), 2);
}

void AttachedConsoleTest::onAFleetADrainAppliesEverywhereWithEachInstancesAnswer()
{
    // Two gateways that share their state through a Redis of the test's own.
    RedisServer redis;
    QVERIFY(redis.start());
    QByteArray config = jsonText(R"JSON({
      'cluster': {'redis': 'redis://127.0.0.1:@PORT@/1', 'instance': '@NAME@'},
      'providers': {'a': {'base_url': '@A@'}, 'b': {'base_url': '@B@'}},
      'routes': {'ra': {'provider': 'a', 'model': 'model-a'}, 'rb': {'provider': 'b', 'model': 'model-b'}},
      'lanes': {'main': {'chain': ['ra', 'rb']}, 'only-a': {'chain': ['ra']}},
      'default_lane': 'main'
    })JSON");
    config.replace("@PORT@", QByteArray::number(redis.port()));
    config.replace("@A@", m_a->baseUrl().toUtf8());
    config.replace("@B@", m_b->baseUrl().toUtf8());
    std::array<GatewayUnderTest, 2> fleet;
    for (int i = 0; i < 2; ++i) {
        QByteArray own = config;
        own.replace("@NAME@", i == 0 ? "east" : "west");
        QString error;
        QVERIFY2(fleet[i].start(own, &error), qPrintable(error));
    }
    attachTo(fleet[0].baseUrl(), fleet[0].client().adminToken());

    // The Fleet view appears, with both instances and their routes side by side.
    QTabWidget *tabs = m_window->tabs();
    QWidget *view = m_window->findChild<QWidget *>(QStringLiteral("fleetView"));
    QTRY_VERIFY_WITH_TIMEOUT(tabs->isTabVisible(tabs->indexOf(view)), 10000);
    FleetMemberModel *members = m_window->fleetMemberModel();
    FleetRouteModel *routes = m_window->fleetRouteModel();
    QTRY_COMPARE_WITH_TIMEOUT(members->rowCount(), 2, 10000);
    QCOMPARE(members->index(0, FleetMemberModel::Instance).data().toString(),
        QStringLiteral("east (this one)"));
    QTRY_COMPARE_WITH_TIMEOUT(routes->columnCount(), 3, 5000);
    QCOMPARE(routes->headerData(2, Qt::Horizontal).toString(), QStringLiteral("west"));
    QCOMPARE(routes->index(0, 2).data().toString(), QStringLiteral("Closed"));

    // A drain from the console: both gateways take it, the console says how each one did.
    m_window->showView(QStringLiteral("routesView"));
    m_window->routesView()->selectRoute(QStringLiteral("ra"));
    m_window->routesView()->drainAction()->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(
        routes->index(0, 2).data().toString(), QStringLiteral("Drained"), 5000);
    QCOMPARE(routes->index(0, 1).data().toString(), QStringLiteral("Drained"));
    QTRY_COMPARE_WITH_TIMEOUT(members->index(1, FleetMemberModel::LatestAction).data().toString(),
        QStringLiteral("drain of ra applied"), 5000);
    QCOMPARE(members->index(0, FleetMemberModel::LatestAction).data().toString(),
        QStringLiteral("drain of ra applied"));
    // With ra drained, the lane that has only ra has no route on either instance.
    QTRY_COMPARE_WITH_TIMEOUT(members->index(1, FleetMemberModel::Health).data().toString(),
        QStringLiteral("Not ready: no route for only-a"), 5000);
    m_window->showView(QStringLiteral("fleetView"));
    QVERIFY(!m_window->grab().isNull());
    m_window.reset(); // before the gateways it shows
    m_link.reset();
}

void AttachedConsoleTest::aWindowForEachGatewayAndTheConnectDialog()
{
    m_window.reset();
    m_link.reset();
    GatewayUnderTest second;
    QByteArray config = jsonText(R"JSON({
      'providers': {'b': {'base_url': '@B@'}},
      'routes': {'rc': {'provider': 'b', 'model': 'model-b'}},
      'lanes': {'main': {'chain': ['rc']}}, 'default_lane': 'main'
    })JSON");
    config.replace("@B@", m_b->baseUrl().toUtf8());
    QString error;
    QVERIFY2(second.start(config, &error), qPrintable(error));
    const auto secrets = std::make_shared<FakeSecretStore>();
    ConsoleSettings().rememberGateway(QStringLiteral("http://127.0.0.1:1"));
    GatewayWindows windows(secrets, Config(), ConsoleOptions());

    // A window on the first gateway; asked again, the same window comes forward.
    QString failed = QStringLiteral("not answered");
    windows.open(QUrl(m_url), Token, {}, [&failed](const QString &why) { failed = why; });
    QCOMPARE(failed, QString());
    QCOMPARE(windows.count(), 1);
    MainWindow *first = windows.windows().first();
    QTRY_COMPARE_WITH_TIMEOUT(first->routeModel()->rowCount(), 2, 10000);

    // File ▸ Connect to Gateway… from that window.
    first->findChild<QAction *>(QStringLiteral("connectAction"))->trigger();
    ConnectDialog *dialog = first->findChild<ConnectDialog *>();
    QVERIFY(dialog && dialog->isVisible());
    auto *address = dialog->findChild<QComboBox *>(QStringLiteral("gatewayAddress"));
    // Remembered, most recent first.
    QCOMPARE(address->itemText(0), m_url);
    QCOMPARE(address->itemText(1), QStringLiteral("http://127.0.0.1:1"));
    // A clear-text address beyond this machine is refused in the dialog, which stays open.
    address->setCurrentText(QStringLiteral("http://192.0.2.7:8787"));
    dialog->accept();
    QVERIFY(dialog->isVisible());
    QCOMPARE(windows.count(), 1);
    // The second gateway, with its token typed and kept in the keychain.
    const QUrl secondUrl(second.baseUrl());
    address->setCurrentText(QStringLiteral("127.0.0.1:%1").arg(secondUrl.port()));
    dialog->findChild<QLineEdit *>(QStringLiteral("adminToken"))
        ->setText(QString::fromLatin1(second.client().adminToken()));
    QVERIFY(dialog->findChild<QCheckBox *>(QStringLiteral("keepToken"))->isChecked());
    dialog->accept();
    QTRY_COMPARE_WITH_TIMEOUT(windows.count(), 2, 5000);
    MainWindow *other = windows.windows().last();
    QTRY_COMPARE_WITH_TIMEOUT(other->routeModel()->rowCount(), 1, 10000);
    QCOMPARE(other->routeModel()->snapshot(0).name, QStringLiteral("rc"));
    QVERIFY2(other->windowTitle().contains(QString::number(secondUrl.port())),
        qPrintable(other->windowTitle()));
    const QString entry = QStringLiteral("admin-token@127.0.0.1:%1").arg(secondUrl.port());
    QCOMPARE(secrets->entry(entry), second.client().adminToken());
    // Remembered by address, first; the token is nowhere in the settings.
    QCOMPARE(ConsoleSettings().rememberedGateways().first(),
        QStringLiteral("http://127.0.0.1:%1").arg(secondUrl.port()));
    QSettings settings;
    for (const QString &key : settings.allKeys())
        QVERIFY(!settings.value(key).toString().contains(
            QString::fromLatin1(second.client().adminToken())));

    // The next time, the kept token is found without being typed; SWITCHYARD_ADMIN_TOKEN, meant
    // for the gateway of a single --attach, is not sent to this one.
    qputenv("SWITCHYARD_ADMIN_TOKEN", "a-token-meant-for-another-gateway");
    other->close();
    QTRY_COMPARE_WITH_TIMEOUT(windows.count(), 1, 5000);
    failed = QStringLiteral("not answered");
    windows.open(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(secondUrl.port())), {}, {},
        [&failed](const QString &why) { failed = why; });
    QTRY_COMPARE_WITH_TIMEOUT(failed, QString(), 5000);
    QCOMPARE(windows.count(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(windows.windows().last()->routeModel()->rowCount(), 1, 10000);
    qunsetenv("SWITCHYARD_ADMIN_TOKEN");
}

QTEST_MAIN(AttachedConsoleTest)
#include "tst_attached.moc"
