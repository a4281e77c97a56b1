// The epoll dispatcher, installed on this test's main thread before the application exists, so
// every wait below (QSignalSpy::wait, QTRY_*) runs through it, nested loops included. The gateway
// tests run it too: EngineHost gives it to the engine thread.
#include "engine/epolleventdispatcher.h"

#include <QAbstractEventDispatcher>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QPointer>
#include <QSignalSpy>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <memory>
#include <set>
#include <vector>

#include <sys/socket.h>
#include <unistd.h>

using namespace Switchyard;

namespace {

// Kills its partner's timer from its own timerEvent.
class Rival : public QObject {
public:
    Rival *partner = nullptr;
    int timerId = 0;
    int fired = 0;

protected:
    void timerEvent(QTimerEvent *event) override
    {
        if (event->timerId() != timerId)
            return;
        ++fired;
        killTimer(timerId);
        if (partner && partner->timerId)
            partner->killTimer(std::exchange(partner->timerId, 0));
    }
};

struct ConnectedPair {
    QTcpServer server;
    std::unique_ptr<QTcpSocket> client = std::make_unique<QTcpSocket>();
    QPointer<QTcpSocket> accepted;

    bool connect()
    {
        if (!server.listen(QHostAddress::LocalHost, 0))
            return false;
        client->connectToHost(QHostAddress::LocalHost, server.serverPort());
        if (!QTest::qWaitFor([this] { return server.hasPendingConnections(); }, 5000))
            return false;
        accepted = server.nextPendingConnection();
        return accepted
            && QTest::qWaitFor(
                [this] { return client->state() == QAbstractSocket::ConnectedState; }, 5000);
    }
};

} // namespace

class EventDispatcherTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void theMainThreadRunsOnIt()
    {
        QVERIFY(qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance()));
    }

    void callsQueuedFromAnotherThreadWakeIt()
    {
        // The loop blocks in epoll_wait (QTRY_ would poll without ever blocking), so only the
        // poster's wake-ups can bring it back; the safety timer only ends a failed run.
        QObject receiver;
        QEventLoop loop;
        int arrived = 0;
        std::unique_ptr<QThread> poster(QThread::create([&receiver, &arrived, &loop] {
            for (int i = 0; i < 2000; ++i) {
                QMetaObject::invokeMethod(
                    &receiver,
                    [&arrived, &loop] {
                        if (++arrived == 2000)
                            loop.quit();
                    },
                    Qt::QueuedConnection);
                if (i % 100 == 0)
                    QThread::usleep(200); // let the loop fall asleep in between
            }
        }));
        bool timedOut = false;
        QTimer::singleShot(20000, &loop, [&loop, &timedOut] {
            timedOut = true;
            loop.quit();
        });
        poster->start();
        loop.exec();
        QVERIFY(!timedOut);
        QCOMPARE(arrived, 2000);
        QVERIFY(poster->wait(5000));
    }

    void timersFireInTheOrderOfTheirDeadlines()
    {
        QList<int> order;
        QTimer::singleShot(60, Qt::PreciseTimer, this, [&order] { order << 60; });
        QTimer::singleShot(5, Qt::PreciseTimer, this, [&order] { order << 5; });
        QTimer::singleShot(30, Qt::CoarseTimer, this, [&order] { order << 30; });
        QTRY_COMPARE_WITH_TIMEOUT(order.size(), 3, 5000);
        QCOMPARE(order, (QList<int> { 5, 30, 60 }));
    }

    void aTimerKilledByAnotherInTheSamePassNeverFires()
    {
        // Both are due in the first pass; whichever fires first kills the other.
        Rival first;
        Rival second;
        first.partner = &second;
        second.partner = &first;
        first.timerId = first.startTimer(0);
        second.timerId = second.startTimer(0);
        QTRY_COMPARE_WITH_TIMEOUT(first.fired + second.fired, 1, 5000);
        QCoreApplication::processEvents();
        QCoreApplication::processEvents();
        QCOMPARE(first.fired + second.fired, 1);
    }

    void aTimerRestartedOftenFiresOnceAtItsLastDeadline()
    {
        QTimer timer;
        timer.setSingleShot(true);
        QSignalSpy fired(&timer, &QTimer::timeout);
        for (int i = 0; i < 200000; ++i)
            timer.start(40);
        const int remaining = timer.remainingTime();
        QVERIFY2(remaining > 0 && remaining <= 40, QByteArray::number(remaining));
        QVERIFY(fired.wait(5000));
        QCoreApplication::processEvents();
        QCOMPARE(fired.size(), 1);
        QCOMPARE(timer.remainingTime(), -1);
    }

    void aRepeatingZeroTimerLeavesRoomForSockets()
    {
        int spins = 0;
        QTimer busy;
        busy.setInterval(0);
        connect(&busy, &QTimer::timeout, this, [&spins] { ++spins; });
        busy.start();

        ConnectedPair pair;
        QVERIFY(pair.connect());
        pair.client->write("ping");
        QTRY_COMPARE_WITH_TIMEOUT(pair.accepted->bytesAvailable(), qint64(4), 5000);
        QVERIFY(spins > 0);
    }

    void aSocketCarriesMegabytesBothWays()
    {
        // Far more than the kernel buffers, so both sides turn their write notifiers on and off
        // many times while the data crosses.
        ConnectedPair pair;
        QVERIFY(pair.connect());
        QByteArray echoed;
        connect(pair.accepted, &QTcpSocket::readyRead, this,
            [socket = pair.accepted] { socket->write(socket->readAll()); });
        connect(pair.client.get(), &QTcpSocket::readyRead, this,
            [&echoed, socket = pair.client.get()] { echoed += socket->readAll(); });
        QByteArray payload(8 * 1024 * 1024, Qt::Uninitialized);
        for (qsizetype i = 0; i < payload.size(); ++i)
            payload[i] = char(i * 7 + i / 4096);
        pair.client->write(payload);
        QTRY_COMPARE_WITH_TIMEOUT(echoed.size(), payload.size(), 20000);
        QVERIFY(echoed == payload);
    }

    void aHungUpSocketNobodyReadsDoesNotSpin()
    {
        // The client's read buffer fills, Qt stops watching it for reading, the peer hangs up and
        // the client's own sending side is shut: epoll reports a hang-up on every descriptor it
        // holds, asked or not, so one nobody watches must be out of the set or every wake-up
        // returns at once.
        ConnectedPair pair;
        QVERIFY(pair.connect());
        pair.client->setReadBufferSize(1024);
        pair.accepted->write(QByteArray(16 * 1024, 'x'));
        pair.accepted->disconnectFromHost();
        QTRY_VERIFY_WITH_TIMEOUT(pair.client->bytesAvailable() >= 1024, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(pair.accepted->state(), QAbstractSocket::UnconnectedState, 5000);
        QCOMPARE(::shutdown(int(pair.client->socketDescriptor()), SHUT_WR), 0);

        int wakeUps = 0;
        connect(QAbstractEventDispatcher::instance(), &QAbstractEventDispatcher::awake, this,
            [&wakeUps] { ++wakeUps; });
        QEventLoop loop;
        QTimer::singleShot(200, &loop, &QEventLoop::quit);
        loop.exec();
        disconnect(
            QAbstractEventDispatcher::instance(), &QAbstractEventDispatcher::awake, this, nullptr);
        // A spinning loop wakes hundreds of thousands of times in 200 ms.
        QVERIFY2(wakeUps < 200, QByteArray::number(wakeUps));

        QByteArray rest;
        connect(pair.client.get(), &QTcpSocket::readyRead, this,
            [&rest, socket = pair.client.get()] { rest += socket->readAll(); });
        rest += pair.client->readAll();
        QTRY_COMPARE_WITH_TIMEOUT(rest.size(), 16 * 1024, 5000);
    }

    void excludedSocketNotifiersWaitForALaterPass()
    {
        ConnectedPair pair;
        QVERIFY(pair.connect());
        QSignalSpy readable(pair.accepted.data(), &QTcpSocket::readyRead);
        pair.client->write("hello");
        QVERIFY(pair.client->waitForBytesWritten(5000));
        QCoreApplication::processEvents(QEventLoop::ExcludeSocketNotifiers);
        QCOMPARE(readable.size(), 0);
        QVERIFY(readable.wait(5000));
    }

    void aNestedLoopDoesNotFireTheTimerItRunsIn()
    {
        // As with Qt's own dispatchers: the timer whose event runs a nested loop is not fired
        // again from inside it, however often it falls due meanwhile; others are.
        int fired = 0;
        int firedWhileNested = 0;
        int othersWhileNested = 0;
        bool nestedRunning = false;
        QTimer repeating;
        repeating.setInterval(0);
        QTimer other;
        other.setInterval(1);
        connect(&other, &QTimer::timeout, this, [&] { othersWhileNested += nestedRunning; });
        connect(&repeating, &QTimer::timeout, this, [&] {
            firedWhileNested += nestedRunning;
            if (++fired > 1)
                return;
            nestedRunning = true;
            QEventLoop nested;
            QTimer::singleShot(20, &nested, &QEventLoop::quit);
            nested.exec();
            nestedRunning = false;
        });
        repeating.start();
        other.start();
        QTRY_VERIFY_WITH_TIMEOUT(fired >= 3, 5000);
        repeating.stop();
        other.stop();
        QCOMPARE(firedWhileNested, 0);
        QVERIFY(othersWhileNested > 0);
    }

    void aReadinessDeliveredByANestedLoopIsNotDeliveredAgain()
    {
        // Two sockets ready in one pass, the first gathered first; its handler runs a nested
        // loop, whose passes see the second still ready and deliver it. The outer pass, going on
        // after the nested loop, must not deliver the second again from what it gathered before.
        ConnectedPair one;
        ConnectedPair two;
        QVERIFY(one.connect());
        QVERIFY(two.connect());
        one.accepted->setReadBufferSize(1); // Qt's own notifiers step aside for ours
        two.accepted->setReadBufferSize(1);
        QSocketNotifier first(one.accepted->socketDescriptor(), QSocketNotifier::Read);
        QSocketNotifier second(two.accepted->socketDescriptor(), QSocketNotifier::Read);
        bool nestedDone = false; // until the next pass begins
        int secondInNested = 0;
        int secondAfterNestedInSamePass = 0;
        connect(QAbstractEventDispatcher::instance(), &QAbstractEventDispatcher::awake, this,
            [&nestedDone] { nestedDone = false; });
        bool inNested = false;
        connect(&first, &QSocketNotifier::activated, this, [&] {
            first.setEnabled(false);
            inNested = true;
            QEventLoop loop;
            QTimer::singleShot(30, &loop, &QEventLoop::quit);
            loop.exec();
            inNested = false;
            nestedDone = true;
        });
        connect(&second, &QSocketNotifier::activated, this, [&] {
            if (inNested)
                ++secondInNested;
            else if (nestedDone)
                ++secondAfterNestedInSamePass;
        });
        one.client->write("1");
        QVERIFY(one.client->waitForBytesWritten(5000));
        // Loopback delivers during the write: the first is ready before the second is written.
        two.client->write("2");
        QVERIFY(two.client->waitForBytesWritten(5000));
        QTRY_VERIFY_WITH_TIMEOUT(!first.isEnabled() && !inNested, 5000);
        second.setEnabled(false);
        disconnect(
            QAbstractEventDispatcher::instance(), &QAbstractEventDispatcher::awake, this, nullptr);
        QVERIFY(secondInNested > 0);
        QCOMPARE(secondAfterNestedInSamePass, 0);
    }

    void backgroundSocketsWaitForTheOthers()
    {
        // Three handshakes' sockets and two streams' ready at once: the streams' go first, then
        // BackgroundPerPass of the handshakes', and the last one in a later pass. A mark given
        // before the socket had a notifier is not kept (its number's next owner would inherit it).
        static_assert(EpollEventDispatcher::BackgroundPerPass == 2);
        constexpr int Count = 5;
        int fds[Count][2];
        std::vector<std::unique_ptr<QSocketNotifier>> notifiers;
        int pass = 0;
        connect(QAbstractEventDispatcher::instance(), &QAbstractEventDispatcher::awake, this,
            [&pass] { ++pass; });
        std::vector<std::pair<int, int>> delivered; // pass, socket
        for (int i = 0; i < Count; ++i) {
            QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds[i]), 0);
            if (i == 4)
                SocketPriority::setBackgroundHere(fds[i][0], true); // no notifier yet
            notifiers.push_back(
                std::make_unique<QSocketNotifier>(fds[i][0], QSocketNotifier::Read));
            connect(notifiers.back().get(), &QSocketNotifier::activated, this, [&, i] {
                char byte = 0;
                QCOMPARE(::read(fds[i][0], &byte, 1), 1);
                delivered.push_back({ pass, i });
            });
        }
        for (int i = 1; i <= 3; ++i)
            SocketPriority::setBackgroundHere(fds[i][0], true);
        const auto writeToAll = [&fds] {
            for (int i = 0; i < Count; ++i)
                QCOMPARE(::write(fds[i][1], "x", 1), 1);
        };
        writeToAll();
        QTRY_COMPARE(delivered.size(), size_t(Count));
        const int first = delivered.front().first;
        QCOMPARE(delivered.at(0).first, first);
        QCOMPARE(delivered.at(1).first, first);
        QCOMPARE(std::set<int>({ delivered.at(0).second, delivered.at(1).second }),
            std::set<int>({ 0, 4 }));
        for (int i = 2; i < 4; ++i) {
            QCOMPARE(delivered.at(i).first, first);
            QVERIFY(delivered.at(i).second >= 1 && delivered.at(i).second <= 3);
        }
        QVERIFY(delivered.at(4).first > first);

        // Made ordinary again: all in one pass.
        for (int i = 1; i <= 3; ++i)
            SocketPriority::setBackgroundHere(fds[i][0], false);
        delivered.clear();
        writeToAll();
        QTRY_COMPARE(delivered.size(), size_t(Count));
        for (const auto &[inPass, socket] : delivered)
            QCOMPARE(inPass, delivered.front().first);

        disconnect(
            QAbstractEventDispatcher::instance(), &QAbstractEventDispatcher::awake, this, nullptr);
        notifiers.clear();
        for (auto &pair : fds) {
            ::close(pair[0]);
            ::close(pair[1]);
        }
    }

    void quitEndsAThreadThatWaitsWithNothingToDo()
    {
        QThread thread;
        thread.setEventDispatcher(new EpollEventDispatcher);
        thread.start();
        QTRY_VERIFY_WITH_TIMEOUT(thread.isRunning(), 5000);
        auto *worker = new QObject;
        worker->moveToThread(&thread);
        connect(&thread, &QThread::finished, worker, &QObject::deleteLater);
        bool ran = false;
        QMetaObject::invokeMethod(
            worker, [&ran] { ran = true; }, Qt::BlockingQueuedConnection);
        QVERIFY(ran);
        thread.quit();
        QVERIFY(thread.wait(5000));
    }

    void objectsDeletedLaterAreDeleted()
    {
        // Inside a running loop, not QTRY_ (whose qWait deletes them itself).
        QPointer<QObject> doomed = new QObject;
        QEventLoop loop;
        connect(doomed, &QObject::destroyed, &loop, &QEventLoop::quit);
        QTimer::singleShot(20000, &loop, &QEventLoop::quit);
        doomed->deleteLater();
        loop.exec();
        QVERIFY(doomed.isNull());
    }
};

int main(int argc, char **argv)
{
    QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
    QCoreApplication app(argc, argv);
    EventDispatcherTest test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_eventdispatcher.moc"
