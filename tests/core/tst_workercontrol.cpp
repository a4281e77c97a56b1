#include "engine/enginecall.h"
#include "engine/workercontrol.h"
#include "stubgatewaycontrol.h"

#include <QSemaphore>
#include <QTest>
#include <QThread>

#include <atomic>
#include <functional>
#include <memory>

using namespace Switchyard;
using namespace Switchyard::Testing;

// How an I/O thread's admin API asks the engine (issue 20): it never waits for the answer. While
// the engine thread is busy — a batch of traces, a slow config swap — the thread that was asked
// for /metrics, /readyz, /admin/state, the providers or an operator's drain goes on serving its
// other clients, and the answer reaches it later, on its own thread; once the thread has closed
// its return address on its way out, an answer still coming is dropped.
class WorkerControlTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void aBusyEngineKeepsTheAskingThreadFree_data();
    void aBusyEngineKeepsTheAskingThreadFree();
    void anAnswerAfterTheThreadLeftIsDropped();

private:
    // Keeps the engine thread busy until released (or 20 s, so a control that waited for the
    // engine fails the test instead of hanging it).
    void occupyEngine();
    void releaseEngine();
    // Returns once the engine has handled everything queued to it before this call.
    void waitForEngineTurn();

    QThread m_engineThread;
    QObject *m_engineObject = nullptr;
    QSemaphore m_occupied;
    QSemaphore m_released;
    std::atomic<bool> m_engineBusy = false;
};

namespace {

// Answers every question at once, as the engine does on its own thread, and notes the thread.
class AnsweringControl final : public StubGatewayControl {
public:
    std::atomic<QThread *> answeredOn = nullptr;

    void readRoutes(RoutesRead done) override
    {
        note();
        RouteSnapshot route;
        route.name = QStringLiteral("ra");
        done({ route });
    }
    void readState(StateRead done) override
    {
        note();
        StatePicture state;
        state.recentEvents.append(StateEvent {});
        state.recentEvents.last().route = QStringLiteral("ra");
        done(state);
    }
    void runCommand(const RouteCommand &command, CommandDone done) override
    {
        note();
        done(command.route == QLatin1String("ra") ? QString() : QStringLiteral("no such route"));
    }
    void readMetrics(MetricsRead done) override
    {
        note();
        done(QByteArrayLiteral("switchyard_requests_total 7\n"));
    }
    void readProviders(ProvidersRead done) override
    {
        note();
        ProviderSnapshot provider;
        provider.name = QStringLiteral("pa");
        done({ provider });
    }

private:
    void note() { answeredOn = QThread::currentThread(); }
};

// Asks one question of `control`; `answered` gets the answer as text, once it is back.
using Question
    = std::function<void(GatewayControl &control, std::function<void(QString)> answered)>;

} // namespace

Q_DECLARE_METATYPE(Question)

void WorkerControlTest::init()
{
    m_engineObject = new QObject;
    m_engineObject->moveToThread(&m_engineThread);
    connect(&m_engineThread, &QThread::finished, m_engineObject, &QObject::deleteLater);
    m_engineThread.start();
}

void WorkerControlTest::cleanup()
{
    releaseEngine();
    m_engineThread.quit();
    m_engineThread.wait();
}

void WorkerControlTest::occupyEngine()
{
    QMetaObject::invokeMethod(
        m_engineObject,
        [this] {
            m_engineBusy = true;
            m_occupied.release();
            m_released.tryAcquire(1, 20000);
            m_engineBusy = false;
        },
        Qt::QueuedConnection);
    m_occupied.acquire();
}

void WorkerControlTest::releaseEngine()
{
    if (m_engineBusy)
        m_released.release();
}

void WorkerControlTest::waitForEngineTurn()
{
    QMetaObject::invokeMethod(
        m_engineObject, [] {}, Qt::BlockingQueuedConnection);
}

void WorkerControlTest::aBusyEngineKeepsTheAskingThreadFree_data()
{
    QTest::addColumn<Question>("question");
    QTest::addColumn<QString>("answer");

    QTest::newRow("routes, for /readyz") << Question([](GatewayControl &control, auto answered) {
        control.readRoutes(
            [answered](const QList<RouteSnapshot> &routes) { answered(routes.value(0).name); });
    }) << QStringLiteral("ra");
    QTest::newRow("state, for /admin/state") << Question(
        [](GatewayControl &control, auto answered) {
            control.readState([answered](const GatewayControl::StatePicture &state) {
                answered(state.recentEvents.value(0).route);
            });
        }) << QStringLiteral("ra");
    QTest::newRow("a drain") << Question([](GatewayControl &control, auto answered) {
        control.runCommand(RouteCommand { QStringLiteral("ra"), RouteCommand::Action::Drain },
            [answered](
                const QString &refused) { answered(QStringLiteral("refused: ") + refused); });
    }) << QStringLiteral("refused: ");
    QTest::newRow("a refused command") << Question([](GatewayControl &control, auto answered) {
        control.runCommand(RouteCommand { QStringLiteral("rz"), RouteCommand::Action::Drain },
            [answered](
                const QString &refused) { answered(QStringLiteral("refused: ") + refused); });
    }) << QStringLiteral("refused: no such route");
    QTest::newRow("metrics") << Question([](GatewayControl &control, auto answered) {
        control.readMetrics(
            [answered](const QByteArray &text) { answered(QString::fromUtf8(text).trimmed()); });
    }) << QStringLiteral("switchyard_requests_total 7");
    QTest::newRow("providers") << Question([](GatewayControl &control, auto answered) {
        control.readProviders([answered](const QList<ProviderSnapshot> &providers) {
            answered(providers.value(0).name);
        });
    }) << QStringLiteral("pa");
}

void WorkerControlTest::aBusyEngineKeepsTheAskingThreadFree()
{
    QFETCH(Question, question);
    QFETCH(QString, answer);

    AnsweringControl engine;
    QObject ioThread; // this thread plays the I/O thread
    auto home = std::make_shared<ReturnAddress>(&ioThread);
    WorkerControl control(engine, m_engineObject, home);

    occupyEngine();
    std::optional<QString> got;
    QThread *gotOn = nullptr;
    question(control, [&got, &gotOn](const QString &text) {
        got = text;
        gotOn = QThread::currentThread();
    });
    // The question was asked and the call came back while the engine was still busy: a control
    // that waited for the answer would have come back only once the engine gave up waiting.
    QVERIFY(m_engineBusy);
    QCoreApplication::processEvents();
    QVERIFY(!got);

    releaseEngine();
    QTRY_VERIFY(got.has_value());
    QCOMPARE(*got, answer);
    QCOMPARE(engine.answeredOn.load(), &m_engineThread); // worked out on the engine's thread
    QCOMPARE(gotOn, QThread::currentThread()); // and handed back to the thread that asked
}

void WorkerControlTest::anAnswerAfterTheThreadLeftIsDropped()
{
    AnsweringControl engine;
    bool answered = false;
    {
        QObject ioThread;
        auto home = std::make_shared<ReturnAddress>(&ioThread);
        WorkerControl control(engine, m_engineObject, home);
        occupyEngine();
        control.readMetrics([&answered](const QByteArray &) { answered = true; });
        // The thread ends, as IoServer::shutDown does: its address is closed first.
        home->close();
    }
    releaseEngine();
    waitForEngineTurn(); // the engine has answered, into the closed address
    QCoreApplication::processEvents();
    QCOMPARE(engine.answeredOn.load(), &m_engineThread);
    QVERIFY(!answered);
}

QTEST_GUILESS_MAIN(WorkerControlTest)
#include "tst_workercontrol.moc"
