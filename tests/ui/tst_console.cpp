#include "fakesecretstore.h"
#include "fakeupstream.h"
#include "gatewayharness.h"
#include "jsontext.h"

#include "bodiespanel.h"
#include "config/configdocument.h"
#include "engine/configcontroller.h"
#include "engine/engine.h"
#include "engine/enginehost.h"
#include "historyview.h"
#include "incidentdialog.h"
#include "lanehealthview.h"
#include "lanesview.h"
#include "link/embeddedlink.h"
#include "mainwindow.h"
#include "models/chainmodel.h"
#include "models/chainpreviewmodel.h"
#include "models/eventlistmodel.h"
#include "models/keytablemodel.h"
#include "models/lanehealthmodel.h"
#include "models/providertablemodel.h"
#include "models/routetablemodel.h"
#include "models/tracelistmodel.h"
#include "providerdialog.h"
#include "providersview.h"
#include "replaydialog.h"
#include "routedialog.h"
#include "routesview.h"
#include "statehistorywidget.h"
#include "timelinewidget.h"
#include "tracesview.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QIcon>
#include <QImage>
#include <QInputDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStringListModel>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QToolBar>
#include <QToolButton>

#include <memory>
#include <optional>

using namespace Switchyard;
using namespace Switchyard::Testing;

// The console, offscreen, against a real engine and fake upstreams: what an operator clicks
// must change what the gateway does.
class ConsoleTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void clickingDrainDrainsTheRoute();
    void reorderingAChainAndApplyingSwapsTheRunningConfig();
    void editsMadeWhileAnApplyIsAnsweredAreKept();
    void anExternalEditIsPickedUp();
    void aSelectedTraceShowsOneBarPerAttempt();
    void aHedgedRequestShowsTwoBarsSideBySide();
    void everyViewIsThere();
    void theChosenViewIsRemembered();
    void everyStateAndActionHasAnIconReadableAt16px();
    void addingAProviderAndARouteRoutesRequestsToThem();
    void invalidRouteSettingsAreShownInTheDialog();
    void removingARouteALaneUsesAsksAndNamesTheLanes();
    void setKeyStoresItAndTheGatewayUsesIt();
    void aKeyPoolIsManagedKeyByKey();
    void editingARouteKeepsWhatWasNotTouched();
    void testingAProviderShowsTheClassifiedResult();
    void aTraceStoreThatCannotWriteIsShownUntilItRecovers();
    void anotherConfigurationStartsWithItsOwnHistory();
    void theStatusBarNamesEveryRouteThatCannotServe();
    void aRequestIsFoundByItsIdAndExported();
    void historyRaisesNoAlertAndTheBannerSaysWhatIsDegraded();
    void aLaneSaysWhoServesItAndPickingItSelectsThatRoute();
    void theIncidentReportIsShownAndSavedInEveryFormat();
    void theHistoryShowsStatesOverTimeAndAMomentsEventsAndRequests();
    void aRouteDroppedOnAnotherIsInsertedAndLaneSettingsAreSaved();
    void laneSettingsNobodyTouchedAreNotRewritten();
    void theTracesViewSaysWhenSuccessesAreSampled();
    void capturedBodiesAreShownComparedAndReplayed();

private:
    ClientCall *chat(const QString &lane);
    QString routeState(const QString &route) const;

    QTemporaryDir m_dir;
    QString m_configPath;
    std::unique_ptr<FakeUpstream> m_a;
    std::unique_ptr<FakeUpstream> m_b;
    std::unique_ptr<GatewayUnderTest> m_gateway;
    std::unique_ptr<ConfigDocument> m_document;
    std::unique_ptr<ConfigController> m_controller;
    std::unique_ptr<EmbeddedLink> m_link;
    std::unique_ptr<MainWindow> m_window;
    std::shared_ptr<FakeSecretStore> m_secrets;
};

void ConsoleTest::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void ConsoleTest::init()
{
    m_a = std::make_unique<FakeUpstream>();
    m_b = std::make_unique<FakeUpstream>();
    QVERIFY(m_a->listen() && m_b->listen());
    m_a->setDefaultResponse(FakeResponse::completion(QStringLiteral("from a")));
    m_b->setDefaultResponse(FakeResponse::completion(QStringLiteral("from b")));
    QByteArray json = jsonText(R"JSON({
      'x-owner': 'console-test',
      'providers': {'a': {'base_url': '@A@'}, 'b': {'base_url': '@B@'}},
      'routes': {'ra': {'provider': 'a', 'model': 'model-a', 'capabilities': ['tools', 'stream']},
                 'rb': {'provider': 'b', 'model': 'model-b', 'capabilities': ['stream']}},
      'lanes': {'main': {'chain': ['ra', 'rb'], 'retry': {'max_retries': 1, 'base_ms': 1, 'max_ms': 2}},
                'hedged': {'chain': ['ra', 'rb'], 'hedge': {'after_ms': 50}}},
      'default_lane': 'main'
    })JSON");
    json.replace("@A@", m_a->baseUrl().toUtf8());
    json.replace("@B@", m_b->baseUrl().toUtf8());
    m_configPath = m_dir.filePath(QStringLiteral("switchyard.json"));
    QFile file(m_configPath);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(json);
    file.close();

    m_document = std::make_unique<ConfigDocument>();
    QVERIFY(m_document->load(m_configPath).isValid());
    m_gateway = std::make_unique<GatewayUnderTest>();
    m_secrets = std::make_shared<FakeSecretStore>();
    m_gateway->host().engine()->setSecretStore(m_secrets);
    QString error;
    QVERIFY2(m_gateway->start(json, &error), qPrintable(error));
    m_controller = std::make_unique<ConfigController>(m_gateway->host().engine(), m_document.get());
    m_link = std::make_unique<EmbeddedLink>(m_gateway->host().engine(), m_controller.get());
    m_window = std::make_unique<MainWindow>(m_link.get(), false, m_secrets);
    m_window->routesView()->setConfirm([](const QString &, const QString &) { return true; });
    m_window->resize(1280, 800);
    m_window->show();
    m_gateway->host().engine()->publishHistory();
    QTRY_COMPARE(m_window->routeModel()->rowCount(), 2);
}

void ConsoleTest::cleanup()
{
    m_window.reset();
    m_link.reset();
    m_controller.reset();
    m_gateway.reset();
    m_document.reset();
    m_a.reset();
    m_b.reset();
}

ClientCall *ConsoleTest::chat(const QString &lane)
{
    return m_gateway->client().postAndWait(QStringLiteral("/v1/chat/completions"), chatBody(lane));
}

QString ConsoleTest::routeState(const QString &route) const
{
    const int row = m_window->routeModel()->rowOf(route);
    return row < 0 ? QString() : breakerStateName(m_window->routeModel()->snapshot(row).state);
}

void ConsoleTest::clickingDrainDrainsTheRoute()
{
    RoutesView *view = m_window->routesView();
    m_window->showView(QStringLiteral("routesView"));
    view->selectRoute(QStringLiteral("ra"));
    QCOMPARE(view->selectedRoute(), QStringLiteral("ra"));
    QToolButton *drain = nullptr;
    for (QToolBar *toolbar : view->findChildren<QToolBar *>())
        drain = qobject_cast<QToolButton *>(toolbar->widgetForAction(view->drainAction()));
    QVERIFY(drain && drain->isEnabled());
    QTest::mouseClick(drain, Qt::LeftButton);
    QTRY_COMPARE(routeState(QStringLiteral("ra")), QStringLiteral("drained"));
    ClientCall *call = chat(QStringLiteral("main"));
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("rb"));
    QCOMPARE(m_a->requestCount("POST", "/v1/chat/completions"), 0);

    // The shortcut works as well as the button.
    QTRY_VERIFY(view->restoreAction()->isEnabled());
    QTest::keyClick(m_window.get(), Qt::Key_R, Qt::ControlModifier);
    QTRY_COMPARE(routeState(QStringLiteral("ra")), QStringLiteral("closed"));
    QCOMPARE(chat(QStringLiteral("main"))->header("X-Switchyard-Route"), QByteArray("ra"));
}

void ConsoleTest::reorderingAChainAndApplyingSwapsTheRunningConfig()
{
    LanesView *lanes = m_window->lanesView();
    m_window->showView(QStringLiteral("lanesView"));
    lanes->showLane(QStringLiteral("main"));
    QCOMPARE(lanes->chainModel()->routes(),
        (QStringList { QStringLiteral("ra"), QStringLiteral("rb") }));
    QVERIFY(lanes->warnings().first().contains(QStringLiteral("rb cannot honour tools")));

    QListView *chainView = lanes->chainView();
    chainView->setCurrentIndex(lanes->chainModel()->index(1));
    QPushButton *up = nullptr;
    QPushButton *apply = nullptr;
    for (QPushButton *button : lanes->findChildren<QPushButton *>()) {
        if (button->text() == QLatin1String("Move up"))
            up = button;
        if (button->text() == QLatin1String("Apply"))
            apply = button;
    }
    QVERIFY(up && apply);
    QTest::mouseClick(up, Qt::LeftButton);
    QCOMPARE(lanes->chainModel()->routes(),
        (QStringList { QStringLiteral("rb"), QStringLiteral("ra") }));
    QVERIFY(lanes->hasUnappliedChanges());
    QVERIFY(lanes->warnings().isEmpty()
        || !lanes->warnings().first().contains(QStringLiteral("rb cannot")));
    QTest::mouseClick(apply, Qt::LeftButton);
    // Applied once the engine runs it, and only then saved.
    QTRY_VERIFY2(!lanes->hasUnappliedChanges(), qPrintable(lanes->lastError()));

    // Saved atomically, unknown keys kept, and the running gateway follows.
    QFile file(m_configPath);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject saved = QJsonDocument::fromJson(file.readAll()).object();
    QCOMPARE(saved.value(QLatin1String("x-owner")).toString(), QStringLiteral("console-test"));
    QCOMPARE(saved.value(QLatin1String("lanes"))
                 .toObject()
                 .value(QLatin1String("main"))
                 .toObject()
                 .value(QLatin1String("chain"))
                 .toArray()
                 .first()
                 .toString(),
        QStringLiteral("rb"));
    QTRY_COMPARE(chat(QStringLiteral("main"))->header("X-Switchyard-Route"), QByteArray("rb"));
    QCOMPARE(chat(QStringLiteral("main"))->header("X-Switchyard-Fallback"), QByteArray("0"));
}

void ConsoleTest::editsMadeWhileAnApplyIsAnsweredAreKept()
{
    LanesView *lanes = m_window->lanesView();
    lanes->showLane(QStringLiteral("main"));
    lanes->chainModel()->moveRoute(1, 0); // rb, ra
    QVERIFY(lanes->hasUnappliedChanges());
    lanes->apply();
    // The engine answers through the event loop; this edit comes first.
    lanes->chainModel()->removeRoute(1);
    QCOMPARE(lanes->chainModel()->routes(), QStringList { QStringLiteral("rb") });
    QTRY_COMPARE(m_controller->config().lanes.value(QStringLiteral("main")).chain,
        (QStringList { QStringLiteral("rb"), QStringLiteral("ra") }));
    // What was applied runs; the later edit is still on screen, waiting for its own Apply.
    QCOMPARE(lanes->chainModel()->routes(), QStringList { QStringLiteral("rb") });
    QVERIFY(lanes->hasUnappliedChanges());
}

void ConsoleTest::anExternalEditIsPickedUp()
{
    QFile file(m_configPath);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QByteArray json = file.readAll();
    file.close();
    json.replace("\"chain\": [\"ra\", \"rb\"]", "\"chain\": [\"rb\"]");
    QVERIFY(json.contains("\"chain\": [\"rb\"]"));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(json);
    file.close();
    QTRY_COMPARE(
        m_window->lanesView()->chainModel()->routes(), QStringList { QStringLiteral("rb") });
    QTRY_COMPARE(chat(QStringLiteral("main"))->header("X-Switchyard-Route"), QByteArray("rb"));
}

void ConsoleTest::aSelectedTraceShowsOneBarPerAttempt()
{
    m_a->enqueue(FakeResponse::error(503, QStringLiteral("server_error")));
    m_a->enqueue(FakeResponse::error(503, QStringLiteral("server_error")));
    QCOMPARE(chat(QStringLiteral("main"))->header("X-Switchyard-Attempts"), QByteArray("3"));
    QTRY_VERIFY(m_window->traceModel()->rowCount() >= 1);
    m_window->showView(QStringLiteral("tracesView"));
    m_window->tracesView()->selectRow(0);
    TimelineWidget *timeline = m_window->tracesView()->timeline();
    QCOMPARE(timeline->trace().attempts.size(), 3);
    QCOMPARE(timeline->barCount(), 3);
    for (int row = 0; row < 3; ++row)
        QVERIFY(!timeline->barRect(row).isEmpty());
    // Bars share one time axis: a later attempt starts to the right of an earlier one.
    QVERIFY(timeline->barRect(2).left() >= timeline->barRect(0).left());
    QVERIFY(!timeline->grab().isNull());
}

void ConsoleTest::aHedgedRequestShowsTwoBarsSideBySide()
{
    FakeResponse slow = FakeResponse::completion(QStringLiteral("slow"));
    slow.holdUntilReleased = true;
    m_a->enqueue(slow);
    FakeResponse hedge = FakeResponse::completion(QStringLiteral("hedge"));
    hedge.delayMs = 150; // long enough to run beside the first attempt for a visible while
    m_b->enqueue(hedge);
    QCOMPARE(chat(QStringLiteral("hedged"))->header("X-Switchyard-Route"), QByteArray("rb"));
    m_a->release();
    QTRY_VERIFY(m_window->traceModel()->rowCount() >= 1);
    m_window->showView(QStringLiteral("tracesView"));
    m_window->tracesView()->selectRow(0);
    TimelineWidget *timeline = m_window->tracesView()->timeline();
    QCOMPARE(timeline->trace().attempts.size(), 2);
    QCOMPARE(timeline->barCount(), 2);
    // The hedge starts while the first attempt still runs: the bars overlap on the time axis.
    QVERIFY(timeline->barRect(1).left() > timeline->barRect(0).left());
    QVERIFY(timeline->barRect(1).left() < timeline->barRect(0).right());
    QVERIFY(timeline->tooltipFor(0).contains(QStringLiteral("cancelled")));
    QVERIFY(timeline->tooltipFor(1).contains(QStringLiteral("(a hedge:")));
    QVERIFY(!timeline->grab().isNull());
}

void ConsoleTest::everyViewIsThere()
{
    QStringList names;
    for (int i = 0; i < m_window->tabs()->count(); ++i) {
        if (m_window->tabs()->isTabVisible(i))
            names.append(m_window->tabs()->widget(i)->objectName());
    }
    // The Fleet view is there only for a gateway that shares its state with others.
    QCOMPARE(names,
        (QStringList { QStringLiteral("routesView"), QStringLiteral("lanesView"),
            QStringLiteral("tracesView"), QStringLiteral("costView"), QStringLiteral("eventsView"),
            QStringLiteral("historyView"), QStringLiteral("providersView") }));
    QVERIFY(m_window->findChild<QWidget *>(QStringLiteral("fleetView")));
    // Each on a key (View ▸ …, Ctrl+1 onwards), and Quit in File.
    QAction *traces = m_window->findChild<QAction *>(QStringLiteral("tracesViewAction"));
    QVERIFY(traces);
    QCOMPARE(traces->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_3));
    traces->trigger();
    QCOMPARE(m_window->tabs()->currentWidget()->objectName(), QStringLiteral("tracesView"));
    QVERIFY(!m_window->findChild<QAction *>(QStringLiteral("fleetViewAction"))->isVisible());
    QCOMPARE(m_window->findChild<QAction *>(QStringLiteral("quitAction"))->shortcut(),
        QKeySequence(QKeySequence::Quit));
}

void ConsoleTest::theChosenViewIsRemembered()
{
    m_window->showView(QStringLiteral("costView"));
    m_window->close(); // saves layout and view
    MainWindow reopened(m_link.get(), false);
    QCOMPARE(reopened.tabs()->currentWidget()->objectName(), QStringLiteral("costView"));
}

void ConsoleTest::everyStateAndActionHasAnIconReadableAt16px()
{
    const QStringList icons { QStringLiteral("states/closed"), QStringLiteral("states/open"),
        QStringLiteral("states/half_open"), QStringLiteral("states/recovering"),
        QStringLiteral("states/drained"), QStringLiteral("states/drilling"),
        QStringLiteral("actions/drain"), QStringLiteral("actions/restore"),
        QStringLiteral("actions/restore-staged"), QStringLiteral("actions/stage"),
        QStringLiteral("actions/probe"), QStringLiteral("actions/drill") };
    for (const QString &name : icons) {
        const QImage image
            = QIcon(QStringLiteral(":/icons/%1.svg").arg(name)).pixmap(16, 16).toImage();
        QVERIFY2(!image.isNull(), qPrintable(name));
        int opaque = 0;
        for (int y = 0; y < image.height(); ++y)
            for (int x = 0; x < image.width(); ++x)
                opaque += qAlpha(image.pixel(x, y)) > 128;
        QVERIFY2(opaque > 16, qPrintable(name)); // something visible, not a blank square
    }
}

namespace {

template <typename Dialog> Dialog *openDialog(QWidget *view, const QString &name = QString())
{
    Dialog *dialog = nullptr;
    [[maybe_unused]] const bool opened = QTest::qWaitFor([&] {
        dialog = view->findChild<Dialog *>(name);
        return dialog && dialog->isVisible();
    });
    return dialog;
}

void press(QDialog *dialog, QDialogButtonBox::StandardButton which)
{
    QTest::mouseClick(dialog->findChild<QDialogButtonBox *>()->button(which), Qt::LeftButton);
}

} // namespace

void ConsoleTest::addingAProviderAndARouteRoutesRequestsToThem()
{
    FakeUpstream groq;
    QVERIFY(groq.listen());
    groq.setDefaultResponse(FakeResponse::completion(QStringLiteral("from the new provider")));
    m_secrets->setEntry(QStringLiteral("groq"), "gsk-console-test-key");
    ProvidersView *view = m_window->providersView();
    m_window->showView(QStringLiteral("providersView"));

    view->addProvider();
    auto *providerDialog = openDialog<ProviderDialog>(view);
    QVERIFY(providerDialog);
    // Starting from the catalogue fills in the kind, the address and a keychain reference.
    auto *catalogue = providerDialog->findChild<QComboBox *>(QStringLiteral("catalogue"));
    catalogue->setCurrentIndex(catalogue->findText(QStringLiteral("Groq")));
    QCOMPARE(providerDialog->findChild<QLineEdit *>(QStringLiteral("name"))->text(),
        QStringLiteral("groq"));
    QCOMPARE(providerDialog->findChild<QLineEdit *>(QStringLiteral("baseUrl"))->text(),
        QStringLiteral("https://api.groq.com/openai/v1"));
    QCOMPARE(providerDialog->findChild<QLineEdit *>(QStringLiteral("keyName"))->text(),
        QStringLiteral("groq"));
    // This test's upstream stands in for Groq.
    providerDialog->findChild<QLineEdit *>(QStringLiteral("baseUrl"))->setText(groq.baseUrl());
    press(providerDialog, QDialogButtonBox::Ok);
    // A key that goes to a new host is the user's explicit choice, named with that host.
    auto *question = openDialog<QMessageBox>(view);
    QVERIFY(question);
    QVERIFY2(question->text().contains(QStringLiteral("keychain entry 'groq'"))
            && question->text().contains(QUrl(groq.baseUrl()).host()),
        qPrintable(question->text()));
    QVERIFY(!m_window->findChild<ProviderTableModel *>()->provider(QStringLiteral("groq")));
    QTest::mouseClick(question->button(QMessageBox::Yes), Qt::LeftButton);
    QTRY_VERIFY2(view->statusText().contains(QStringLiteral("Provider groq added")),
        qPrintable(view->statusText()));

    QTRY_VERIFY(m_window->findChild<ProviderTableModel *>()->provider(QStringLiteral("groq")));
    QTRY_COMPARE(
        m_window->findChild<ProviderTableModel *>()->provider(QStringLiteral("groq"))->keyState,
        KeyState::Set);
    view->selectProvider(QStringLiteral("groq"));
    view->addRoute();
    auto *routeDialog = openDialog<RouteDialog>(view);
    QVERIFY(routeDialog);
    QCOMPARE(routeDialog->findChild<QComboBox *>(QStringLiteral("provider"))->currentText(),
        QStringLiteral("groq"));
    routeDialog->findChild<QLineEdit *>(QStringLiteral("name"))
        ->setText(QStringLiteral("llama-fast"));
    routeDialog->findChild<QLineEdit *>(QStringLiteral("model"))
        ->setText(QStringLiteral("llama-3.1-8b-instant"));
    routeDialog->findChild<QSpinBox *>(QStringLiteral("context_window"))->setValue(131072);
    routeDialog->findChild<QDoubleSpinBox *>(QStringLiteral("price.input_per_mtok"))
        ->setValue(0.05);
    routeDialog->findChild<QSpinBox *>(QStringLiteral("timeouts_ms.first_byte"))->setValue(8000);
    press(routeDialog, QDialogButtonBox::Ok);
    QTRY_VERIFY2(view->statusText().contains(QStringLiteral("Route llama-fast added")),
        qPrintable(view->statusText()));

    // Saved with the key as a reference only, unknown keys kept, defaults left out.
    QFile file(m_configPath);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    QVERIFY(!bytes.contains("gsk-console-test-key"));
    const QJsonObject saved = QJsonDocument::fromJson(bytes).object();
    QCOMPARE(saved.value(QLatin1String("x-owner")).toString(), QStringLiteral("console-test"));
    const QJsonObject route = saved.value(QLatin1String("routes"))
                                  .toObject()
                                  .value(QLatin1String("llama-fast"))
                                  .toObject();
    QCOMPARE(
        route.value(QLatin1String("model")).toString(), QStringLiteral("llama-3.1-8b-instant"));
    QCOMPARE(route.value(QLatin1String("context_window")).toInt(), 131072);
    QCOMPARE(route.value(QLatin1String("timeouts_ms"))
                 .toObject()
                 .value(QLatin1String("first_byte"))
                 .toInt(),
        8000);
    QVERIFY(
        !route.value(QLatin1String("timeouts_ms")).toObject().contains(QLatin1String("connect")));
    QVERIFY(!route.contains(QLatin1String("breaker")));

    // The running gateway has the route: a request naming it reaches the new upstream with the key.
    QTRY_VERIFY(m_window->routeModel()->rowOf(QStringLiteral("llama-fast")) >= 0);
    QCOMPARE(chat(QStringLiteral("llama-fast"))->status, 200);
    QCOMPARE(groq.requestCount(), 1);
    QCOMPARE(groq.requests().constFirst().json().value(QLatin1String("model")).toString(),
        QStringLiteral("llama-3.1-8b-instant"));
    QCOMPARE(groq.requests().constFirst().headers.value("authorization"),
        QByteArray("Bearer gsk-console-test-key"));
    // And the Lanes view offers it for a chain.
    QVERIFY(
        m_window->lanesView()
            ->findChildren<QListView *>()
            .constLast()
            ->model()
            ->match(m_window->lanesView()->findChildren<QListView *>().constLast()->model()->index(
                        0, 0),
                Qt::DisplayRole, QStringLiteral("llama-fast"))
            .size()
        == 1);
}

void ConsoleTest::invalidRouteSettingsAreShownInTheDialog()
{
    ProvidersView *view = m_window->providersView();
    view->addRoute();
    auto *dialog = openDialog<RouteDialog>(view);
    QVERIFY(dialog);
    dialog->findChild<QLineEdit *>(QStringLiteral("name"))->setText(QStringLiteral("bad"));
    // No model, and a breaker that needs more calls than its window holds.
    dialog->findChild<QSpinBox *>(QStringLiteral("breaker.window"))->setValue(3);
    dialog->findChild<QSpinBox *>(QStringLiteral("breaker.min_calls"))->setValue(10);
    press(dialog, QDialogButtonBox::Ok);
    QVERIFY(dialog->isVisible()); // refused, with the errors beside the settings
    QStringList shown;
    for (QLabel *label : dialog->findChildren<QLabel *>()) {
        if (!label->isHidden() && label->styleSheet().contains(QLatin1String("color")))
            shown.append(label->text());
    }
    const QString errors = shown.join(QLatin1Char('\n'));
    QVERIFY2(errors.contains(QStringLiteral("model")), qPrintable(errors));
    QVERIFY2(errors.contains(QStringLiteral("breaker.min_calls")), qPrintable(errors));
    dialog->findChild<QLineEdit *>(QStringLiteral("model"))->setText(QStringLiteral("m"));
    dialog->findChild<QSpinBox *>(QStringLiteral("breaker.min_calls"))->setValue(2);
    press(dialog, QDialogButtonBox::Ok);
    QTRY_VERIFY(!dialog || !dialog->isVisible());
    QTRY_VERIFY2(view->statusText().contains(QStringLiteral("Route bad added")),
        qPrintable(view->statusText()));
}

void ConsoleTest::removingARouteALaneUsesAsksAndNamesTheLanes()
{
    ProvidersView *view = m_window->providersView();
    view->selectRoute(QStringLiteral("rb"));
    QCOMPARE(view->selectedRoute(), QStringLiteral("rb"));
    view->removeRoute();
    auto *question = openDialog<QMessageBox>(view);
    QVERIFY(question);
    QVERIFY2(question->text().contains(QStringLiteral("used by lanes hedged, main")),
        qPrintable(question->text()));
    QTest::mouseClick(question->button(QMessageBox::Yes), Qt::LeftButton);
    QTRY_VERIFY2(view->statusText().contains(QStringLiteral("Route rb removed")),
        qPrintable(view->statusText()));
    const QJsonObject lanes = m_document->json().value(QLatin1String("lanes")).toObject();
    QCOMPARE(lanes.value(QLatin1String("main")).toObject().value(QLatin1String("chain")).toArray(),
        QJsonArray { QStringLiteral("ra") });
    QVERIFY(!m_document->json()
                 .value(QLatin1String("routes"))
                 .toObject()
                 .contains(QLatin1String("rb")));

    // The last route of a lane cannot go: said at once, without asking first.
    view->selectRoute(QStringLiteral("ra"));
    view->removeRoute();
    QVERIFY2(view->statusText().contains(QStringLiteral("Route ra cannot be removed yet")),
        qPrintable(view->statusText()));
    QVERIFY(!view->findChild<QMessageBox *>() || !view->findChild<QMessageBox *>()->isVisible());
    QVERIFY(
        m_document->json().value(QLatin1String("routes")).toObject().contains(QLatin1String("ra")));
}

void ConsoleTest::editingARouteKeepsWhatWasNotTouched()
{
    QJsonObject json = m_document->json();
    QJsonObject route
        = json.value(QLatin1String("routes")).toObject().value(QLatin1String("ra")).toObject();
    route.insert(QStringLiteral("context_window"), 1000);
    route.insert(
        QStringLiteral("price"), QJsonObject { { QStringLiteral("input_per_mtok"), 0.00005 } });
    route.insert(QStringLiteral("x-note"), QStringLiteral("kept"));
    QString error;
    QVERIFY(m_document
                ->save(ConfigDocument::withEntry(
                           json, QStringLiteral("routes"), QStringLiteral("ra"), route),
                    &error)
                .isValid());
    m_window->providersView()->reloadFromDocument();

    ProvidersView *view = m_window->providersView();
    view->selectRoute(QStringLiteral("ra"));
    view->editRoute();
    auto *dialog = openDialog<RouteDialog>(view);
    QVERIFY(dialog);
    QVERIFY(dialog->findChild<QLineEdit *>(QStringLiteral("name"))->isReadOnly());
    QCOMPARE(dialog->findChild<QSpinBox *>(QStringLiteral("context_window"))->value(), 1000);
    dialog->findChild<QSpinBox *>(QStringLiteral("context_window"))->setValue(0); // "unknown"
    press(dialog, QDialogButtonBox::Ok);
    QTRY_VERIFY2(view->statusText().contains(QStringLiteral("Route ra changed")),
        qPrintable(view->statusText()));
    const QJsonObject saved = m_document->json()
                                  .value(QLatin1String("routes"))
                                  .toObject()
                                  .value(QLatin1String("ra"))
                                  .toObject();
    QVERIFY(!saved.contains(QLatin1String("context_window")));
    QCOMPARE(saved.value(QLatin1String("price"))
                 .toObject()
                 .value(QLatin1String("input_per_mtok"))
                 .toDouble(),
        0.00005);
    QCOMPARE(saved.value(QLatin1String("x-note")).toString(), QStringLiteral("kept"));
    QCOMPARE(saved.value(QLatin1String("capabilities")).toArray(),
        (QJsonArray { QStringLiteral("tools"), QStringLiteral("stream") }));
}

// A provider's key state as the model has it; nullopt while its first snapshot is on its way.
static std::optional<KeyState> keyStateOf(const ProviderTableModel *model, const QString &name)
{
    const ProviderSnapshot *provider = model->provider(name);
    return provider ? std::optional<KeyState>(provider->keyState) : std::nullopt;
}

void ConsoleTest::setKeyStoresItAndTheGatewayUsesIt()
{
    // Provider a moves its key into the keychain; none is set yet, so its route is skipped.
    QJsonObject json = m_document->json();
    json = ConfigDocument::withEntry(json, QStringLiteral("providers"), QStringLiteral("a"),
        QJsonObject { { QStringLiteral("base_url"), m_a->baseUrl() },
            { QStringLiteral("api_key"),
                QJsonObject { { QStringLiteral("keychain"), QStringLiteral("a-key") } } } });
    QString error;
    const ConfigResult result = m_document->save(json, &error);
    QVERIFY(result.isValid());
    m_gateway->host().engine()->applyConfig(result.config);
    auto *providers = m_window->findChild<ProviderTableModel *>();
    QTRY_COMPARE(keyStateOf(providers, QStringLiteral("a")), KeyState::Missing);
    QCOMPARE(chat(QStringLiteral("main"))->header("X-Switchyard-Route"), QByteArray("rb"));

    ProvidersView *view = m_window->providersView();
    view->selectProvider(QStringLiteral("a"));
    view->setKey();
    auto *input = openDialog<QInputDialog>(view);
    QVERIFY(input);
    QCOMPARE(input->textEchoMode(), QLineEdit::Password);
    input->setTextValue(QStringLiteral("sk-typed-in-the-console"));
    QTest::mouseClick(
        input->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QTRY_COMPARE(m_secrets->entry(QStringLiteral("a-key")), QByteArray("sk-typed-in-the-console"));
    QTRY_COMPARE(keyStateOf(providers, QStringLiteral("a")), KeyState::Set);
    QCOMPARE(chat(QStringLiteral("main"))->header("X-Switchyard-Route"), QByteArray("ra"));
    QCOMPARE(m_a->requests().constLast().headers.value("authorization"),
        QByteArray("Bearer sk-typed-in-the-console"));
    // The key shows nowhere in the view.
    for (int row = 0; row < providers->rowCount(); ++row) {
        for (int column = 0; column < ProviderTableModel::ColumnCount; ++column) {
            for (int role : { int(Qt::DisplayRole), int(Qt::ToolTipRole) })
                QVERIFY(!providers->index(row, column)
                             .data(role)
                             .toString()
                             .contains(QStringLiteral("sk-typed")));
        }
    }

    view->deleteKey();
    auto *question = openDialog<QMessageBox>(view);
    QVERIFY(question);
    QTest::mouseClick(question->button(QMessageBox::Yes), Qt::LeftButton);
    QTRY_VERIFY(!m_secrets->contains(QStringLiteral("a-key")));
    QTRY_COMPARE(keyStateOf(providers, QStringLiteral("a")), KeyState::Missing);
}

void ConsoleTest::aKeyPoolIsManagedKeyByKey()
{
    m_secrets->setEntry(QStringLiteral("a-one"), "sk-one-value-1111");
    QJsonObject json = ConfigDocument::withEntry(m_document->json(), QStringLiteral("providers"),
        QStringLiteral("a"),
        QJsonObject { { QStringLiteral("base_url"), m_a->baseUrl() },
            { QStringLiteral("api_key"),
                QJsonObject { { QStringLiteral("keychain"), QStringLiteral("a-one") } } } });
    QString error;
    const ConfigResult result = m_document->save(json, &error);
    QVERIFY2(result.isValid(), qPrintable(error));
    m_gateway->host().engine()->applyConfig(result.config);
    auto *providers = m_window->findChild<ProviderTableModel *>();
    QTRY_COMPARE(keyStateOf(providers, QStringLiteral("a")), KeyState::Set);

    ProvidersView *view = m_window->providersView();
    auto *keys = view->findChild<QTableView *>(QStringLiteral("keyTable"));
    QVERIFY(keys);
    view->selectProvider(QStringLiteral("a"));
    QTRY_COMPARE(keys->model()->rowCount(), 1); // its one key
    QCOMPARE(
        keys->model()->index(0, KeyTableModel::Label).data().toString(), QStringLiteral("a-one"));

    // Add key…: a label, the key, a weight; the key goes to the keychain, the label to the file.
    view->addKey();
    auto *add = openDialog<QDialog>(view, QStringLiteral("addKeyDialog"));
    QVERIFY(add);
    auto *label = add->findChild<QLineEdit *>(QStringLiteral("keyLabel"));
    QTest::keyClicks(label, QStringLiteral("team"));
    QCOMPARE(
        add->findChild<QLineEdit *>(QStringLiteral("keyEntry"))->text(), QStringLiteral("a-team"));
    QCOMPARE(
        add->findChild<QLineEdit *>(QStringLiteral("keyValue"))->echoMode(), QLineEdit::Password);
    add->findChild<QDoubleSpinBox *>(QStringLiteral("keyWeight"))->setValue(2.0);
    // Without the key itself, it says so and stays open.
    QTest::mouseClick(
        add->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QVERIFY(add->isVisible());
    QVERIFY(add->findChild<QLabel *>(QStringLiteral("keyErrors"))
                ->text()
                .contains(QStringLiteral("paste the key")));
    add->findChild<QLineEdit *>(QStringLiteral("keyValue"))
        ->setText(QStringLiteral("sk-team-value-2222"));
    QTest::mouseClick(
        add->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    // A new key for the provider's host is the user's explicit choice.
    auto *question = openDialog<QMessageBox>(view);
    QVERIFY(question);
    QVERIFY(question->text().contains(QStringLiteral("keychain entry 'a-team'")));
    QTest::mouseClick(question->button(QMessageBox::Yes), Qt::LeftButton);
    QTRY_COMPARE(m_secrets->entry(QStringLiteral("a-team")), QByteArray("sk-team-value-2222"));
    QTRY_COMPARE(keys->model()->rowCount(), 2);
    const QJsonArray saved = m_document->json()
                                 .value(QLatin1String("providers"))
                                 .toObject()
                                 .value(QLatin1String("a"))
                                 .toObject()
                                 .value(QLatin1String("api_key"))
                                 .toArray();
    QCOMPARE(saved,
        (QJsonArray { QJsonObject { { QStringLiteral("keychain"), QStringLiteral("a-one") } },
            QJsonObject { { QStringLiteral("keychain"), QStringLiteral("a-team") },
                { QStringLiteral("label"), QStringLiteral("team") },
                { QStringLiteral("weight"), 2.0 } } }));
    QTRY_VERIFY(providers->provider(QStringLiteral("a"))
        && providers->provider(QStringLiteral("a"))->keys.size() == 2
        && providers->provider(QStringLiteral("a"))->keys.at(1).state == KeyState::Set);
    const int providerRow = providers->index(0, 0).data().toString() == QLatin1String("a") ? 0 : 1;
    QCOMPARE(providers->index(providerRow, ProviderTableModel::Key).data().toString(),
        QStringLiteral("a pool of 2 keys"));

    // The upstream rate-limits the team key: it rests, and the table counts it down.
    m_a->setResponder([](const ReceivedRequest &request) -> std::optional<FakeResponse> {
        if (request.headers.value("authorization") == "Bearer sk-team-value-2222")
            return FakeResponse::error(429, QStringLiteral("rate_limit_exceeded"))
                .withHeader("Retry-After", "40");
        return std::nullopt;
    });
    for (int conversation = 0; conversation < 20; ++conversation)
        QCOMPARE(m_gateway->client()
                     .postAndWait(QStringLiteral("/v1/chat/completions"),
                         chatBody(QStringLiteral("ra"), false,
                             { { QStringLiteral("prompt_cache_key"),
                                 QStringLiteral("c%1").arg(conversation) } }))
                     ->status,
            200);
    view->selectKey(QStringLiteral("team"));
    const auto teamRow = [keys] {
        for (int row = 0; row < keys->model()->rowCount(); ++row) {
            if (keys->model()->index(row, KeyTableModel::Label).data() == QStringLiteral("team"))
                return row;
        }
        return -1;
    };
    QTRY_COMPARE(keys->model()->index(teamRow(), KeyTableModel::State).data().toString(),
        QStringLiteral("cooling down after a rate limit"));
    QVERIFY(keys->model()
                ->index(teamRow(), KeyTableModel::Cooldown)
                .data()
                .toString()
                .endsWith(QStringLiteral(" s")));
    QCOMPARE(keys->model()->index(teamRow(), KeyTableModel::RateLimited).data().toString(),
        QStringLiteral("1"));
    QVERIFY(providers->index(providerRow, ProviderTableModel::KeyStatus)
                .data()
                .toString()
                .contains(QStringLiteral("1 cooling down")));

    // Set key… acts on the selected key of the pool.
    view->selectKey(QStringLiteral("team"));
    view->setKey();
    auto *input = openDialog<QInputDialog>(view);
    QVERIFY(input);
    QCOMPARE(input->windowTitle(), QStringLiteral("Set key team of a"));
    input->reject();

    // Remove key takes it out of the file's pool.
    view->selectKey(QStringLiteral("team"));
    view->removeKey();
    auto *remove = openDialog<QMessageBox>(view);
    QVERIFY(remove);
    QTest::mouseClick(remove->button(QMessageBox::Yes), Qt::LeftButton);
    QTRY_COMPARE(keys->model()->rowCount(), 1);
    QCOMPARE(m_document->json()
                 .value(QLatin1String("providers"))
                 .toObject()
                 .value(QLatin1String("a"))
                 .toObject()
                 .value(QLatin1String("api_key"))
                 .toArray()
                 .size(),
        1);
    m_a->setResponder({});
}

void ConsoleTest::testingAProviderShowsTheClassifiedResult()
{
    ProvidersView *view = m_window->providersView();
    auto *providers = m_window->findChild<ProviderTableModel *>();
    QTRY_VERIFY(providers->provider(QStringLiteral("a")));
    view->selectProvider(QStringLiteral("a"));
    m_a->enqueue(
        FakeResponse { 200, {}, jsonText("{'object': 'list', 'data': [{'id': 'model-a'}]}") });
    QPushButton *test = nullptr;
    for (QPushButton *button : view->findChildren<QPushButton *>()) {
        if (button->text() == QLatin1String("&Test"))
            test = button;
    }
    QVERIFY(test && test->isEnabled());
    QTest::mouseClick(test, Qt::LeftButton);
    QTRY_VERIFY2(view->statusText().startsWith(QStringLiteral("Test of a passed")),
        qPrintable(view->statusText()));
    QVERIFY(view->statusText().contains(QStringLiteral("1 model listed")));
    const int row = providers->index(0, 0).data().toString() == QLatin1String("a") ? 0 : 1;
    QVERIFY(providers->index(row, ProviderTableModel::LastTest)
                .data()
                .toString()
                .startsWith(QStringLiteral("ok: 1 model listed")));

    m_a->enqueue(FakeResponse::error(503, QStringLiteral("server_error")));
    QTest::mouseClick(test, Qt::LeftButton);
    QTRY_VERIFY2(view->statusText().startsWith(QStringLiteral("Test of a failed: transient")),
        qPrintable(view->statusText()));
}

void ConsoleTest::aTraceStoreThatCannotWriteIsShownUntilItRecovers()
{
    auto *storage = m_window->findChild<QLabel *>(QStringLiteral("storageStatus"));
    QVERIFY(storage);
    QVERIFY(!storage->isVisible());
    Engine *engine = m_gateway->host().engine();
    // As the engine says it, from its own thread.
    QMetaObject::invokeMethod(engine, [engine] {
        Q_EMIT engine->storageProblemChanged(
            QStringLiteral("traces cannot be written (disk full)"));
    });
    QTRY_VERIFY(storage->isVisible());
    QVERIFY(storage->text().contains(QStringLiteral("not being saved")));
    QVERIFY(storage->toolTip().contains(QStringLiteral("disk full")));
    QMetaObject::invokeMethod(
        engine, [engine] { Q_EMIT engine->storageProblemChanged(QString()); });
    QTRY_VERIFY(!storage->isVisible());
}

// File ▸ Open Configuration moves the gateway to that file's own journal: the console shows what
// that configuration did, never the lanes and spend of the one before; and back again, the first
// file's history is where it was left.
void ConsoleTest::anotherConfigurationStartsWithItsOwnHistory()
{
    Engine *engine = m_gateway->host().engine();
    QCOMPARE(chat(QStringLiteral("main"))->status, 200);
    QCOMPARE(chat(QStringLiteral("main"))->status, 200);
    QTRY_COMPARE(m_window->traceModel()->rowCount(), 2);
    RouteCommand drain;
    drain.route = QStringLiteral("rb");
    m_link->submit(drain);
    QTRY_VERIFY(m_window->eventModel()->rowCount() > 0);

    // A read asked just before the move is answered all the same, from the file it asked.
    std::optional<IncidentReport> report;
    m_link->readIncident(0, QDateTime::currentMSecsSinceEpoch(), this,
        [&report](const IncidentReport &answer, const QString &) { report = answer; });
    engine->useJournal(QStringLiteral("other-0123abcd.sqlite"));
    QTRY_VERIFY(report.has_value());
    QCOMPARE(report->requests, 2);
    QTRY_COMPARE(m_window->traceModel()->rowCount(), 0);
    QCOMPARE(m_window->eventModel()->rowCount(), 0);
    QCOMPARE(chat(QStringLiteral("main"))->status, 200);
    QTRY_COMPARE(m_window->traceModel()->rowCount(), 1);

    engine->useJournal(QString());
    QTRY_COMPARE(m_window->traceModel()->rowCount(), 2);
    QVERIFY(m_window->eventModel()->rowCount() > 0);
}

void ConsoleTest::theStatusBarNamesEveryRouteThatCannotServe()
{
    auto *health = m_window->findChild<QLabel *>(QStringLiteral("routeHealth"));
    auto *errors = m_window->findChild<QLabel *>(QStringLiteral("errorRate"));
    QVERIFY(health && errors);
    QCOMPARE(health->text(), QStringLiteral("all routes serving"));

    // ra's key is refused: it cannot serve, though its breaker is closed.
    m_a->setDefaultResponse(FakeResponse::error(401, QStringLiteral("invalid_api_key")));
    QCOMPARE(chat(QStringLiteral("main"))->status, 200); // rb answered
    QTRY_COMPARE_WITH_TIMEOUT(health->text(), QStringLiteral("⚠ 1 misconfigured (ra)"), 5000);

    // rb drained, then taken back in steps: both named, neither as "closed".
    RouteCommand drain;
    drain.route = QStringLiteral("rb");
    m_link->submit(drain);
    QTRY_COMPARE_WITH_TIMEOUT(
        health->text(), QStringLiteral("⚠ 1 misconfigured (ra) · 1 drained (rb)"), 5000);
    RouteCommand staged = drain;
    staged.action = RouteCommand::Action::RestoreStaged;
    m_link->submit(staged);
    QTRY_COMPARE_WITH_TIMEOUT(
        health->text(), QStringLiteral("⚠ 1 misconfigured (ra) · 1 recovering (rb)"), 5000);
    QVERIFY(health->toolTip().contains(QStringLiteral("1 recovering: rb")));

    // A stream that breaks after it started is an error, though its status is 200.
    RouteCommand restore = drain;
    restore.action = RouteCommand::Action::Restore;
    m_link->submit(restore);
    QTRY_COMPARE_WITH_TIMEOUT(routeState(QStringLiteral("rb")), QStringLiteral("closed"), 5000);
    FakeResponse cut = FakeResponse::stream({ QStringLiteral("one"), QStringLiteral("two") });
    cut.cutAfterChunks = 1;
    m_b->setDefaultResponse(cut);
    m_a->setDefaultResponse(cut);
    ClientCall *call = m_gateway->client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main"), true));
    QCOMPARE(call->status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(errors->text().startsWith(QLatin1String("errors: 50.0%")), 5000);
    // And "Only errors" shows it.
    TraceFilterModel filter;
    filter.setSourceModel(m_window->traceModel());
    filter.setOnlyErrors(true);
    QCOMPARE(filter.rowCount(), 1);
}

void ConsoleTest::aRequestIsFoundByItsIdAndExported()
{
    QList<QByteArray> ids;
    for (int i = 0; i < 3; ++i)
        ids.append(chat(QStringLiteral("main"))->header("X-Switchyard-Request-Id"));
    QVERIFY(!ids.at(1).isEmpty());
    TracesView *view = m_window->tracesView();
    m_window->showView(QStringLiteral("tracesView"));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->traceModel()->rowCount(), 3, 5000);
    auto *found = view->findChild<QLabel *>(QStringLiteral("requestIdFound"));
    auto *search = view->findChild<QLineEdit *>(QStringLiteral("requestIdSearch"));

    // The id a caller pasted from its logs: selected in the list, its timeline shown.
    search->setText(QString::fromLatin1(ids.at(1)));
    view->findRequest(search->text());
    QCOMPARE(view->selectedTraces().size(), 1);
    QCOMPARE(view->selectedTraces().first().id, QString::fromLatin1(ids.at(1)));
    QCOMPARE(view->timeline()->trace().id, QString::fromLatin1(ids.at(1)));

    // Filtered out of the list (or older than it): read from the gateway's trace store.
    view->filter()->setOnlyErrors(true);
    search->setText(QString::fromLatin1(ids.at(0)));
    view->findRequest(search->text());
    QTRY_COMPARE_WITH_TIMEOUT(view->timeline()->trace().id, QString::fromLatin1(ids.at(0)), 5000);
    QVERIFY2(found->text().contains(QString::fromLatin1(ids.at(0))), qPrintable(found->text()));
    view->filter()->setOnlyErrors(false);

    // Unknown, and not an id at all (never sent to the gateway).
    search->setText(QStringLiteral("req_0000000000000000"));
    view->findRequest(search->text());
    QTRY_VERIFY_WITH_TIMEOUT(found->text().startsWith(QLatin1String("No request req_0000")), 5000);
    search->setText(QStringLiteral("x' OR 1=1; --"));
    view->findRequest(search->text());
    QVERIFY2(
        found->text().startsWith(QLatin1String("Not a request id")), qPrintable(found->text()));

    // The selected requests, exported for a bug report: each with its attempts.
    auto *table = view->findChild<QTableView *>();
    table->selectAll();
    QCOMPARE(view->selectedTraces().size(), 3);
    const QString path = m_dir.filePath(QStringLiteral("requests.json"));
    QString error;
    QVERIFY2(view->exportSelected(path, &error), qPrintable(error));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonArray exported = QJsonDocument::fromJson(file.readAll()).array();
    QCOMPARE(exported.size(), 3);
    QCOMPARE(exported.at(0).toObject().value(u"id").toString(), QString::fromLatin1(ids.at(2)));
    QVERIFY(!exported.at(0).toObject().value(u"attempts").toArray().isEmpty());
    QVERIFY(!view->exportSelected(m_dir.filePath(QStringLiteral("no/such/dir/x.json")), &error));
}

void ConsoleTest::historyRaisesNoAlertAndTheBannerSaysWhatIsDegraded()
{
    QSignalSpy alerts(m_window.get(), &MainWindow::alerted);
    auto *banner = m_window->findChild<QLabel *>(QStringLiteral("incidentBanner"));
    QVERIFY(banner && banner->isHidden());
    TraceRecord degraded;
    degraded.id = QStringLiteral("req_history");
    degraded.lane = QStringLiteral("a-lane-since-removed");
    degraded.route = QStringLiteral("rb");
    degraded.status = 200;
    degraded.degraded = true;
    degraded.startedAtUtcMs = QDateTime::currentMSecsSinceEpoch() - 2000;
    // Read back at a start or a reconnection: shown in the list, never alerted.
    Q_EMIT m_link->historyPublished({ degraded }, {}, {});
    QCOMPARE(m_window->traceModel()->rowCount(), 1);
    QCOMPARE(alerts.size(), 0);
    QVERIFY(banner->isHidden());

    // The same, live: an alert, and the banner until it is over.
    degraded.id = QStringLiteral("req_live");
    degraded.lane = QStringLiteral("main");
    Q_EMIT m_link->tracesAdded({ degraded });
    QCOMPARE(alerts.size(), 1);
    QCOMPARE(alerts.first().at(0).toString(), QStringLiteral("Lane main runs degraded"));
    QVERIFY(!banner->isHidden());
    QVERIFY2(banner->text().contains(QLatin1String("lane main runs on its degraded route")),
        qPrintable(banner->text()));

    // An open breaker is in the banner too, by name.
    m_a->setDefaultResponse(FakeResponse::error(503, QStringLiteral("overloaded")));
    for (int i = 0; i < 6 && routeState(QStringLiteral("ra")) != QLatin1String("open"); ++i)
        chat(QStringLiteral("main"));
    QTRY_VERIFY_WITH_TIMEOUT(banner->text().contains(QLatin1String("breaker open on ra")), 5000);
}

void ConsoleTest::aLaneSaysWhoServesItAndPickingItSelectsThatRoute()
{
    LaneHealthModel *lanes = m_window->laneHealthModel();
    RoutesView *view = m_window->routesView();
    m_window->showView(QStringLiteral("routesView"));
    QTRY_COMPARE(lanes->rowCount(), 2);
    const auto rowOf = [lanes](const QString &lane) {
        for (int row = 0; row < lanes->rowCount(); ++row) {
            if (lanes->health(row).lane == lane)
                return row;
        }
        return -1;
    };
    const int main = rowOf(QStringLiteral("main"));
    QVERIFY(main >= 0);
    QTRY_COMPARE(lanes->health(main).level, LaneHealth::Level::Healthy);

    // ra drained: the lane says it falls back to rb, in words.
    RouteCommand drain;
    drain.route = QStringLiteral("ra");
    m_link->submit(drain);
    QTRY_COMPARE_WITH_TIMEOUT(lanes->health(main).level, LaneHealth::Level::FallingBack, 5000);
    QCOMPARE(lanes->health(main).servedBy, QStringLiteral("rb"));
    QCOMPARE(lanes->index(main, LaneHealthModel::Summary).data().toString(),
        QStringLiteral("ra is drained; traffic goes to rb."));
    QCOMPARE(chat(QStringLiteral("main"))->status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(lanes->health(main).fellBack, 1, 5000);

    // Picking the lane in the strip selects the route that serves it, ready for an action.
    QTableView *strip = view->laneHealthView()->table();
    QVERIFY(strip->isVisible());
    int stripRow = -1;
    for (int row = 0; row < strip->model()->rowCount(); ++row) {
        if (strip->model()->index(row, LaneHealthModel::Lane).data() == QStringLiteral("main"))
            stripRow = row;
    }
    QVERIFY(stripRow >= 0);
    const QRect cell = strip->visualRect(strip->model()->index(stripRow, LaneHealthModel::Lane));
    QTest::mouseClick(strip->viewport(), Qt::LeftButton, {}, cell.center());
    QCOMPARE(view->selectedRoute(), QStringLiteral("rb"));
}

void ConsoleTest::theIncidentReportIsShownAndSavedInEveryFormat()
{
    // An incident: ra fails, its breaker opens, rb answers.
    m_a->setDefaultResponse(FakeResponse::error(503, QStringLiteral("overloaded")));
    for (int i = 0; i < 6; ++i)
        QCOMPARE(chat(QStringLiteral("main"))->status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(routeState(QStringLiteral("ra")), QStringLiteral("open"), 5000);

    // File ▸ Export Incident Report… opens the report of the incident.
    auto *action = m_window->findChild<QAction *>(QStringLiteral("incidentAction"));
    QVERIFY(action);
    action->trigger();
    auto *dialog = m_window->findChild<IncidentDialog *>(QStringLiteral("incidentDialog"));
    QVERIFY(dialog && dialog->isVisible());
    QTRY_VERIFY_WITH_TIMEOUT(dialog->hasReport(), 5000);
    QCOMPARE(dialog->report().requests, 6);
    QCOMPARE(dialog->report().fellBack, 6);
    QCOMPARE(dialog->report().failed, 0);
    QVERIFY(std::any_of(dialog->report().events.cbegin(), dialog->report().events.cend(),
        [](const StateEvent &event) {
            return event.route == QLatin1String("ra") && event.to == BreakerState::Open;
        }));
    auto *view = dialog->findChild<QTextBrowser *>();
    QVERIFY(
        view && view->toPlainText().contains(QStringLiteral("Top reasons for failed attempts")));
    // Triggered again, the same dialog comes forward.
    action->trigger();
    QCOMPARE(m_window->findChildren<IncidentDialog *>().size(), 1);

    QString error;
    const QString markdown = m_dir.filePath(QStringLiteral("incident.md"));
    const QString html = m_dir.filePath(QStringLiteral("incident.html"));
    const QString pdf = m_dir.filePath(QStringLiteral("incident.pdf"));
    QVERIFY2(dialog->saveAs(IncidentDialog::Format::Markdown, markdown, &error), qPrintable(error));
    QVERIFY2(dialog->saveAs(IncidentDialog::Format::Html, html, &error), qPrintable(error));
    QVERIFY2(dialog->saveAs(IncidentDialog::Format::Pdf, pdf, &error), qPrintable(error));
    QFile file(markdown);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray text = file.readAll();
    QVERIFY(text.startsWith("# Incident report: "));
    QVERIFY(text.contains("| main | 6 | 0 (0.0%) | 6 (100.0%) |"));
    file.close();
    file.setFileName(html);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.readAll().contains("<h2>Timeline</h2>"));
    file.close();
    file.setFileName(pdf);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.read(5) == "%PDF-");
    QVERIFY(file.size() > 1000);
    // Nowhere to write: said, not crashed.
    QVERIFY(!dialog->saveAs(IncidentDialog::Format::Markdown,
        m_dir.filePath(QStringLiteral("missing/folder/incident.md")), &error));
    QVERIFY(!error.isEmpty());

    // Open Configuration is offered only where the application can run another file.
    auto *open = m_window->findChild<QAction *>(QStringLiteral("openConfigAction"));
    QVERIFY(open && !open->isVisible());
    m_window->setConfigurationOpener([](const QString &) { return QStringList(); });
    QVERIFY(open->isVisible());
}

void ConsoleTest::theHistoryShowsStatesOverTimeAndAMomentsEventsAndRequests()
{
    // A request, then ra drained by the operator.
    QCOMPARE(chat(QStringLiteral("main"))->status, 200);
    RouteCommand drain;
    drain.route = QStringLiteral("ra");
    m_link->submit(drain);
    QTRY_COMPARE_WITH_TIMEOUT(routeState(QStringLiteral("ra")), QStringLiteral("drained"), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->traceModel()->rowCount() >= 1, 5000);

    m_window->showView(QStringLiteral("historyView"));
    HistoryView *view = m_window->historyView();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    view->refresh(now);
    const QList<StateHistory::RouteHistory> routes
        = m_window->stateHistory().routes(now - view->rangeMs(), now);
    QCOMPARE(routes.size(), 2);
    const StateHistory::RouteHistory &ra
        = routes.at(0).route == QLatin1String("ra") ? routes.at(0) : routes.at(1);
    QCOMPARE(ra.segments.last().state, BreakerState::Drained);
    QVERIFY(!ra.segments.first().known); // before the console knew: not claimed closed

    // A click on the moment of the drain lists its event and the request beside it.
    StateHistoryWidget *chart = view->chart();
    const qint64 drainedAt = ra.segments.last().fromMs;
    QTest::mouseClick(chart, Qt::LeftButton, {}, QPoint(chart->xAt(drainedAt), 40));
    QVERIFY(qAbs(chart->picked() - drainedAt) < view->rangeMs() / 100);
    QTRY_COMPARE(view->eventTable()->model()->rowCount(), 1);
    QCOMPARE(view->eventTable()->model()->index(0, EventListModel::Route).data().toString(),
        QStringLiteral("ra"));
    QCOMPARE(view->requestTable()->model()->rowCount(), 1);
    // Columns sized to what came into the empty table, not left at the width of their titles.
    QTableView *events = view->eventTable();
    const QString time = events->model()->index(0, EventListModel::Time).data().toString();
    QTRY_VERIFY(
        events->columnWidth(EventListModel::Time) >= events->fontMetrics().horizontalAdvance(time));

    // Double-clicking the request opens it in Traces.
    QSignalSpy opened(view, &HistoryView::requestOpened);
    const QModelIndex request = view->requestTable()->model()->index(0, 0);
    // A double click is a press, then the double click on the same row (as a mouse sends it).
    QTest::mousePress(view->requestTable()->viewport(), Qt::LeftButton, {},
        view->requestTable()->visualRect(request).center());
    QTest::mouseDClick(view->requestTable()->viewport(), Qt::LeftButton, {},
        view->requestTable()->visualRect(request).center());
    QCOMPARE(opened.count(), 1);
    QCOMPARE(m_window->tabs()->currentWidget()->objectName(), QStringLiteral("tracesView"));
}

void ConsoleTest::aRouteDroppedOnAnotherIsInsertedAndLaneSettingsAreSaved()
{
    // A request with tools: only ra can serve it.
    QByteArray body = chatBody(QStringLiteral("main"));
    body.replace("\"messages\"",
        "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{}}}],"
        "\"messages\"");
    QCOMPARE(
        m_gateway->client().postAndWait(QStringLiteral("/v1/chat/completions"), body)->status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->traceModel()->rowCount() == 1, 5000);

    LanesView *lanes = m_window->lanesView();
    m_window->showView(QStringLiteral("lanesView"));
    lanes->showLane(QStringLiteral("main"));
    QCOMPARE(lanes->previewModel()->rowCount(), 1);
    QCOMPARE(lanes->previewModel()->index(0, ChainPreviewModel::WouldServe).data().toString(),
        QStringLiteral("ra"));

    // rb dragged from the route list and dropped ON ra (not between them): inserted before it,
    // ra kept, rb not doubled.
    QListView *chain = lanes->chainView();
    ChainModel *palette = lanes->paletteModel();
    std::unique_ptr<QMimeData> data(palette->mimeData({ palette->index(1) }));
    QCOMPARE(palette->index(1).data().toString(), QStringLiteral("rb"));
    const QPoint onRa = chain->visualRect(lanes->chainModel()->index(0)).center();
    QDragEnterEvent enter(onRa, Qt::CopyAction | Qt::MoveAction, data.get(), Qt::LeftButton, {});
    QCoreApplication::sendEvent(chain->viewport(), &enter);
    QDragMoveEvent move(onRa, Qt::CopyAction | Qt::MoveAction, data.get(), Qt::LeftButton, {});
    QCoreApplication::sendEvent(chain->viewport(), &move);
    QDropEvent drop(QPointF(onRa), Qt::CopyAction | Qt::MoveAction, data.get(), Qt::LeftButton, {});
    QCoreApplication::sendEvent(chain->viewport(), &drop);
    QCOMPARE(lanes->chainModel()->routes(),
        (QStringList { QStringLiteral("rb"), QStringLiteral("ra") }));
    QVERIFY(lanes->hasUnappliedChanges());
    // The preview follows the edit before Apply: rb cannot take tools, so ra still would.
    QCOMPARE(lanes->previewModel()->index(0, ChainPreviewModel::Skipped).data().toString(),
        QStringLiteral("rb: lacks tools"));
    QVERIFY(lanes->previewSummary()->text().contains(
        QStringLiteral("0 would be served by another route")));

    // A lane setting edited in place, then Apply: the chain and the retry saved, the rest of the
    // lane as the file had it.
    lanes->retriesBox()->setValue(3);
    lanes->apply();
    QTRY_VERIFY2(!lanes->hasUnappliedChanges(), qPrintable(lanes->lastError()));
    QFile file(m_configPath);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject main = QJsonDocument::fromJson(file.readAll())
                                 .object()
                                 .value(QLatin1String("lanes"))
                                 .toObject()
                                 .value(QLatin1String("main"))
                                 .toObject();
    QCOMPARE(main.value(QLatin1String("chain")).toArray(),
        QJsonArray({ QStringLiteral("rb"), QStringLiteral("ra") }));
    const QJsonObject retry = main.value(QLatin1String("retry")).toObject();
    QCOMPARE(retry.value(QLatin1String("max_retries")).toInt(), 3);
    QCOMPARE(retry.value(QLatin1String("base_ms")).toInt(), 1);
    QVERIFY(!main.contains(QLatin1String("deadline_ms"))); // untouched, so not written
    QCOMPARE(m_controller->config().lanes.value(QStringLiteral("main")).retry.maxRetries, 3);
}

void ConsoleTest::laneSettingsNobodyTouchedAreNotRewritten()
{
    // A lane whose deadline and budget no spin box of a usual range would show as they are.
    QJsonObject json = m_link->configJson();
    QJsonObject lanes = json.value(QLatin1String("lanes")).toObject();
    lanes.insert(QStringLiteral("odd"),
        QJsonObject { { QStringLiteral("chain"), QJsonArray { QStringLiteral("ra") } },
            { QStringLiteral("deadline_ms"), 500 },
            { QStringLiteral("budget_usd_per_day"), 0.004 } });
    json.insert(QStringLiteral("lanes"), lanes);
    std::optional<QStringList> answer;
    m_link->proposeConfig(json, this, [&answer](const QStringList &errors) { answer = errors; });
    QTRY_VERIFY(answer.has_value());
    QCOMPARE(*answer, QStringList());

    LanesView *view = m_window->lanesView();
    QTRY_VERIFY(m_link->config().lanes.contains(QStringLiteral("odd")));
    view->revert();
    view->showLane(QStringLiteral("odd"));
    QCOMPARE(view->deadlineBox()->value(), 500);
    QCOMPARE(view->budgetBox()->value(), 0.004);
    view->retriesBox()->setValue(2);
    view->apply();
    QTRY_VERIFY2(!view->hasUnappliedChanges(), qPrintable(view->lastError()));
    QFile file(m_configPath);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject odd = QJsonDocument::fromJson(file.readAll())
                                .object()
                                .value(QLatin1String("lanes"))
                                .toObject()
                                .value(QLatin1String("odd"))
                                .toObject();
    QCOMPARE(odd.value(QLatin1String("deadline_ms")).toInt(), 500);
    QCOMPARE(odd.value(QLatin1String("budget_usd_per_day")).toDouble(), 0.004);
    QCOMPARE(
        odd.value(QLatin1String("retry")).toObject().value(QLatin1String("max_retries")).toInt(),
        2);
}

void ConsoleTest::theTracesViewSaysWhenSuccessesAreSampled()
{
    TracesView *view = m_window->tracesView();
    m_window->showView(QStringLiteral("tracesView"));
    auto *notice = view->findChild<QLabel *>(QStringLiteral("traceSamplingNotice"));
    QVERIFY(notice);
    QVERIFY(!notice->isVisible()); // every trace written: nothing to say

    std::optional<QStringList> answer;
    const auto propose = [this, &answer](double ratio) {
        QJsonObject json = m_link->configJson();
        json.insert(QStringLiteral("traces"),
            QJsonObject { { QStringLiteral("success_sample_ratio"), ratio } });
        answer.reset();
        m_link->proposeConfig(
            json, this, [&answer](const QStringList &errors) { answer = errors; });
    };
    propose(0.25);
    QTRY_VERIFY(answer.has_value());
    QCOMPARE(*answer, QStringList());
    QTRY_VERIFY(notice->isVisible());
    QVERIFY2(notice->text().contains(QLatin1String("25%")), qPrintable(notice->text()));
    QVERIFY2(notice->text().contains(QLatin1String("every failure")), qPrintable(notice->text()));

    // An id not found says whether sampling may have left it out: of two unknown ids, one
    // inside the share written and one outside.
    auto *found = view->findChild<QLabel *>(QStringLiteral("requestIdFound"));
    auto *search = view->findChild<QLineEdit *>(QStringLiteral("requestIdSearch"));
    QString inside;
    QString outside;
    for (int i = 0; (inside.isEmpty() || outside.isEmpty()) && i < 1000; ++i) {
        const QString id = QStringLiteral("req_%1").arg(i, 24, 10, QLatin1Char('0'));
        (TraceStore::sampled(id, 0.25) ? inside : outside) = id;
    }
    search->setText(outside);
    view->findRequest(search->text());
    QTRY_VERIFY_WITH_TIMEOUT(found->text().startsWith(QLatin1String("No request")), 5000);
    QVERIFY2(
        found->text().contains(QLatin1String("may not have been kept")), qPrintable(found->text()));
    search->setText(inside);
    view->findRequest(search->text());
    QTRY_VERIFY_WITH_TIMEOUT(found->text().startsWith(QLatin1String("No request ") + inside), 5000);
    QVERIFY2(!found->text().contains(QLatin1String("kept")), qPrintable(found->text()));

    propose(1.0);
    QTRY_VERIFY(answer.has_value());
    QCOMPARE(*answer, QStringList());
    QTRY_VERIFY(!notice->isVisible());
}

void ConsoleTest::capturedBodiesAreShownComparedAndReplayed()
{
    TracesView *view = m_window->tracesView();
    m_window->showView(QStringLiteral("tracesView"));
    auto *banner = view->findChild<QLabel *>(QStringLiteral("captureBanner"));
    auto *status = m_window->findChild<QLabel *>(QStringLiteral("captureStatus"));
    QVERIFY(banner && status);
    QVERIFY(!banner->isVisible() && !status->isVisible());

    // Off: a selected request says why it has no bodies, and how to keep them.
    chat(QStringLiteral("main"));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->traceModel()->rowCount(), 1, 5000);
    BodiesPanel *bodies = view->bodies();
    QSignalSpy shown(bodies, &BodiesPanel::bodiesShown);
    view->selectRow(0);
    QVERIFY(shown.wait(5000));
    QVERIFY2(bodies->status().contains(QLatin1String("Body capture is off")),
        qPrintable(bodies->status()));
    QVERIFY(!bodies->replayButton()->isEnabled());

    // On: said in the status bar and above the traces, for as long as it is on.
    QJsonObject json = m_link->configJson();
    json.insert(QStringLiteral("capture"),
        QJsonObject { { QStringLiteral("bodies"), QStringLiteral("errors") } });
    std::optional<QStringList> answer;
    m_link->proposeConfig(json, this, [&answer](const QStringList &errors) { answer = errors; });
    QTRY_VERIFY(answer.has_value());
    QCOMPARE(*answer, QStringList());
    QTRY_VERIFY(banner->isVisible() && status->isVisible());
    QVERIFY2(banner->text().contains(QLatin1String("failed attempt")), qPrintable(banner->text()));
    QVERIFY(status->text().contains(QLatin1String("Capturing")));

    m_a->enqueue(FakeResponse::error(
        503, QStringLiteral("server_error"), QString(), QStringLiteral("a is overloaded")));
    m_a->enqueue(FakeResponse::error(
        503, QStringLiteral("server_error"), QString(), QStringLiteral("a is overloaded")));
    ClientCall *call = chat(QStringLiteral("main"));
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("rb"));
    const QString id = QString::fromUtf8(call->header("X-Switchyard-Request-Id"));
    QTRY_VERIFY_WITH_TIMEOUT(
        view->selectNewest([&id](const TraceRecord &trace) { return trace.id == id; }), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(bodies->bodies() && bodies->bodies()->traceId == id, 5000);

    // The caller's request, then each attempt's: compared, as sent, answered.
    QComboBox *parts = bodies->parts();
    QCOMPARE(parts->count(), 1 + 3 * 3); // two tries on ra, one on rb
    QCOMPARE(parts->itemText(1), QStringLiteral("#1 ra: sent, compared with the caller's"));
    parts->setCurrentIndex(1);
    const QString diff = bodies->text()->toPlainText();
    QVERIFY2(diff.contains(QLatin1String("-     \"model\": \"main\"")), qPrintable(diff));
    QVERIFY2(diff.contains(QLatin1String("+     \"model\": \"model-a\"")), qPrintable(diff));
    QVERIFY(!bodies->text()->extraSelections().isEmpty());
    // To look at, as a user would: SWITCHYARD_SCREENSHOTS=DIR keeps pictures of both windows.
    const QString shots = qEnvironmentVariable("SWITCHYARD_SCREENSHOTS");
    if (!shots.isEmpty())
        m_window->grab().save(QDir(shots).filePath(QStringLiteral("bodies.png")));
    parts->setCurrentIndex(3);
    QCOMPARE(parts->itemText(3), QStringLiteral("#1 ra: answer, HTTP 503"));
    QVERIFY(bodies->text()->toPlainText().contains(QLatin1String("a is overloaded")));
    parts->setCurrentIndex(2);
    QVERIFY(bodies->text()->toPlainText().startsWith(QStringLiteral("POST ") + m_a->baseUrl()));
    // A click on an attempt in the timeline shows what it was sent: here, rb's.
    TimelineWidget *timeline = view->timeline();
    QCOMPARE(timeline->trace().id, id);
    QTest::mouseClick(timeline, Qt::LeftButton, {}, timeline->barRect(2).center());
    QCOMPARE(parts->currentText(), QStringLiteral("#3 rb: sent, compared with the caller's"));

    // Replay on…: the same request on the route that failed, its answer and trace beside the
    // original's.
    QVERIFY(bodies->replayButton()->isEnabled());
    QTest::mouseClick(bodies->replayButton(), Qt::LeftButton);
    auto *dialog = bodies->findChild<ReplayDialog *>();
    QVERIFY(dialog && dialog->isVisible());
    QVERIFY(dialog->originalAnswer().contains(QLatin1String("from b")));
    dialog->routes()->setCurrentIndex(dialog->routes()->findData(QStringLiteral("ra")));
    QSignalSpy replayed(dialog, &ReplayDialog::replayed);
    QTest::mouseClick(dialog->sendButton(), Qt::LeftButton);
    QVERIFY(replayed.wait(10000));
    QVERIFY2(dialog->replayStatus().startsWith(QLatin1String("Replay on ra: HTTP 200")),
        qPrintable(dialog->replayStatus()));
    QVERIFY(dialog->replayAnswer().contains(QLatin1String("from a")));
    QTRY_COMPARE_WITH_TIMEOUT(dialog->replayTimeline()->trace().route, QStringLiteral("ra"), 5000);
    QCOMPARE(dialog->replayTimeline()->barCount(), 1);
    if (!shots.isEmpty())
        dialog->grab().save(QDir(shots).filePath(QStringLiteral("replay.png")));
    dialog->close();
}

QTEST_MAIN(ConsoleTest)
#include "tst_console.moc"
