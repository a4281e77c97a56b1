#include "fakeupstream.h"
#include "gatewayharness.h"
#include "jsontext.h"

#include "config/configdocument.h"
#include "engine/engine.h"
#include "engine/enginehost.h"
#include "lanesview.h"
#include "mainwindow.h"
#include "models/routetablemodel.h"
#include "models/tracelistmodel.h"
#include "routesview.h"
#include "timelinewidget.h"
#include "tracesview.h"

#include <QAction>
#include <QFile>
#include <QIcon>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QListView>
#include <QPushButton>
#include <QStandardPaths>
#include <QStringListModel>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>
#include <QToolButton>

#include <memory>

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
    void anExternalEditIsPickedUp();
    void aSelectedTraceShowsOneBarPerAttempt();
    void everyViewIsThere();
    void theChosenViewIsRemembered();
    void everyStateAndActionHasAnIconReadableAt16px();

private:
    ClientCall *chat(const QString &lane);
    QString routeState(const QString &route) const;

    QTemporaryDir m_dir;
    QString m_configPath;
    std::unique_ptr<FakeUpstream> m_a;
    std::unique_ptr<FakeUpstream> m_b;
    std::unique_ptr<GatewayUnderTest> m_gateway;
    std::unique_ptr<ConfigDocument> m_document;
    std::unique_ptr<MainWindow> m_window;
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
      'lanes': {'main': {'chain': ['ra', 'rb'], 'retry': {'max_retries': 1, 'base_ms': 1, 'max_ms': 2}}}
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
    QString error;
    QVERIFY2(m_gateway->start(json, &error), qPrintable(error));
    m_window = std::make_unique<MainWindow>(m_gateway->host().engine(), m_document.get(), false);
    m_window->routesView()->setConfirm([](const QString &, const QString &) { return true; });
    m_window->resize(1280, 800);
    m_window->show();
    m_gateway->host().engine()->publishHistory();
    QTRY_COMPARE(m_window->routeModel()->rowCount(), 2);
}

void ConsoleTest::cleanup()
{
    m_window.reset();
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
    return row < 0 ? QString() : m_window->routeModel()->snapshot(row).state;
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
    QCOMPARE(lanes->chainModel()->stringList(),
        (QStringList { QStringLiteral("ra"), QStringLiteral("rb") }));
    QVERIFY(lanes->warnings().first().contains(QStringLiteral("rb cannot honour tools")));

    auto *chainView = lanes->findChild<QListView *>();
    QVERIFY(chainView);
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
    QCOMPARE(lanes->chainModel()->stringList(),
        (QStringList { QStringLiteral("rb"), QStringLiteral("ra") }));
    QVERIFY(lanes->hasUnappliedChanges());
    QVERIFY(lanes->warnings().isEmpty()
        || !lanes->warnings().first().contains(QStringLiteral("rb cannot")));
    QTest::mouseClick(apply, Qt::LeftButton);
    QVERIFY2(!lanes->hasUnappliedChanges(), qPrintable(lanes->lastError()));

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
        m_window->lanesView()->chainModel()->stringList(), QStringList { QStringLiteral("rb") });
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

void ConsoleTest::everyViewIsThere()
{
    QStringList names;
    for (int i = 0; i < m_window->tabs()->count(); ++i)
        names.append(m_window->tabs()->widget(i)->objectName());
    QCOMPARE(names,
        (QStringList { QStringLiteral("routesView"), QStringLiteral("lanesView"),
            QStringLiteral("tracesView"), QStringLiteral("costView"), QStringLiteral("eventsView"),
            QStringLiteral("providersView") }));
}

void ConsoleTest::theChosenViewIsRemembered()
{
    m_window->showView(QStringLiteral("costView"));
    m_window->close(); // saves layout and view
    MainWindow reopened(m_gateway->host().engine(), m_document.get(), false);
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

QTEST_MAIN(ConsoleTest)
#include "tst_console.moc"
