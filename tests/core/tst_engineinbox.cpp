#include "engine/enginecall.h"

#include <QCoreApplication>
#include <QTest>
#include <QThread>

#include <atomic>
#include <vector>

using namespace Switchyard;

// The I/O threads' hand-over to the engine thread: the first item after a quiet spell is taken up
// at the engine's next turn, later ones at the pace, an urgent one at once, and from many threads
// nothing is lost or reordered.
class EngineInboxTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void theFirstItemIsTakenUpAtTheNextTurn();
    void itemsWithinThePaceWaitForIt();
    void anUrgentItemWakesTheEngineWithinThePace();
    void aQuietSpellEndsThePace();
    void itemsFromManyThreadsComeInTheirOrder();
    void betweenEventsTheEngineGivesTheStateBack();
};

namespace {

// A pace no test run reaches: what is taken up within it was not taken up by the pace's timer.
constexpr int NeverMs = 600000;

void turn()
{
    QCoreApplication::processEvents(QEventLoop::AllEvents);
}

} // namespace

void EngineInboxTest::theFirstItemIsTakenUpAtTheNextTurn()
{
    QObject engine;
    EngineInbox inbox(&engine, nullptr, NeverMs);
    bool ran = false;
    inbox.post([&ran] { ran = true; });
    QVERIFY(!ran); // never in the poster's call
    turn();
    QVERIFY(ran);
    QVERIFY(inbox.isPaced());
}

void EngineInboxTest::itemsWithinThePaceWaitForIt()
{
    QObject engine;
    EngineInbox inbox(&engine, nullptr, NeverMs);
    std::vector<int> ran;
    inbox.post([&ran] { ran.push_back(1); });
    turn();
    inbox.post([&ran] { ran.push_back(2); });
    inbox.post([&ran] { ran.push_back(3); });
    turn();
    turn();
    QCOMPARE(ran, std::vector<int>({ 1 }));
    // What the engine does before anything else it is asked (Engine::event).
    inbox.takeUp();
    QCOMPARE(ran, std::vector<int>({ 1, 2, 3 }));
}

void EngineInboxTest::anUrgentItemWakesTheEngineWithinThePace()
{
    QObject engine;
    EngineInbox inbox(&engine, nullptr, NeverMs);
    std::vector<int> ran;
    inbox.post([&ran] { ran.push_back(1); });
    turn();
    inbox.post([&ran] { ran.push_back(2); });
    inbox.post([&ran] { ran.push_back(3); }, true);
    turn();
    QCOMPARE(ran, std::vector<int>({ 1, 2, 3 }));
}

void EngineInboxTest::aQuietSpellEndsThePace()
{
    QObject engine;
    EngineInbox inbox(&engine, nullptr, 20);
    int ran = 0;
    inbox.post([&ran] { ++ran; });
    turn();
    QCOMPARE(ran, 1);
    inbox.post([&ran] { ++ran; });
    QTRY_COMPARE(ran, 2); // the pace's timer came back for it
    QTRY_VERIFY(!inbox.isPaced()); // then found nothing: a quiet spell
    inbox.post([&ran] { ++ran; });
    turn();
    QCOMPARE(ran, 3);
}

void EngineInboxTest::itemsFromManyThreadsComeInTheirOrder()
{
    QObject engine;
    EngineInbox inbox(&engine, nullptr, 1);
    constexpr int Threads = 4;
    constexpr int ItemsEach = 2000;
    std::vector<std::vector<int>> seen(Threads);
    std::vector<std::unique_ptr<QThread>> posters;
    for (int t = 0; t < Threads; ++t) {
        posters.emplace_back(QThread::create([&inbox, &seen, t] {
            for (int i = 0; i < ItemsEach; ++i)
                inbox.post([&seen, t, i] { seen[t].push_back(i); }, i % 500 == 0);
        }));
        posters.back()->start();
    }
    for (const std::unique_ptr<QThread> &poster : posters)
        QVERIFY(poster->wait(10000));
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const std::vector<int> &items : seen)
                if (int(items.size()) != ItemsEach)
                    return false;
            return true;
        }(),
        10000);
    for (const std::vector<int> &items : seen)
        for (int i = 0; i < ItemsEach; ++i)
            QCOMPARE(items[i], i);
}

// The engine holds the state lock whenever it is awake. What it takes up between events runs
// without that hold, so another thread may decide meanwhile; what it takes up in the middle of
// its own work (takeUp) runs as that work holds it.
void EngineInboxTest::betweenEventsTheEngineGivesTheStateBack()
{
    QObject engine;
    StateLock lock;
    EngineInbox inbox(&engine, &lock, NeverMs);
    const StateLock::Held awake = StateLock::hold(&lock);
    const auto anotherThreadDecides = [&lock] {
        std::unique_ptr<QThread> other(
            QThread::create([&lock] { const StateLock::Held held = StateLock::hold(&lock); }));
        other->start();
        return other->wait(5000);
    };
    std::vector<bool> heldDuring;
    bool otherDecided = false;
    inbox.post([&] {
        heldDuring.push_back(StateLock::heldHere());
        otherDecided = anotherThreadDecides();
    });
    turn(); // the wake-up
    QCOMPARE(heldDuring, std::vector<bool>({ false }));
    QVERIFY(otherDecided);
    QVERIFY(StateLock::heldHere());
    inbox.post([&] { heldDuring.push_back(StateLock::heldHere()); });
    inbox.takeUpBetweenEvents(); // before a call queued to the engine
    inbox.post([&] { heldDuring.push_back(StateLock::heldHere()); });
    inbox.takeUp();
    QCOMPARE(heldDuring, std::vector<bool>({ false, false, true }));
    QVERIFY(StateLock::heldHere());
}

QTEST_GUILESS_MAIN(EngineInboxTest)
#include "tst_engineinbox.moc"
