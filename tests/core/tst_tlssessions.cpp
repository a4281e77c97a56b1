#include "upstream/tlssessions.h"

#include <QTest>

#include <limits>
#include <memory>
#include <optional>
#include <vector>

using namespace Switchyard;

namespace {

const QString Endpoint = QStringLiteral("https 6c6162 upstream.test:443");

// A connection that would begin its handshake: what it was told to offer, once told.
struct Connection {
    std::unique_ptr<QObject> owner = std::make_unique<QObject>();
    std::optional<QByteArray> offered;
};

} // namespace

class TlsSessionsTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_clock = std::make_unique<ManualClock>();
        m_sessions = std::make_unique<TlsSessions>(*m_clock);
    }
    void aBurstWaitsForTheFirstTicket();
    void aBurstToAServerThatResumesNothingGoesOnWithout();
    void aProbeThatFailsIsTriedByTheNextInLine();
    void aFailedLeaderIsReplacedByTheNextInLine();
    void aServerOnAnOlderProtocolHoldsNoOneBack();
    void aTicketThatNeverComesIsWaitedForBriefly();
    void aServerThatResumesNothingIsLetBe();
    void aBurstEndsOnceItsLeadersAreDone();
    void aProbeThatFailsOnTheSessionLetsTheRestLead();
    void aProbeThatHangsHoldsTheRestBriefly();
    void aSessionIsOfferedForTheLifetimeItsServerHinted();
    void aServerThatResumedBeforeOnlyLosesTheSessionItRefused();
    void aConnectionGoneOrGivenUpIsNeverBegun();
    void aLeaderDeletedWithoutAWordHoldsNoOneBack();
    void sessionsAreBoundedInCountAndSize();

private:
    // `count` new connections to Endpoint and a ticket for them: its leaders under way, the first
    // waiter offering the ticket, the rest waiting.
    std::vector<Connection> probing(int count);
    // The handshake of `prober`, which offered the ticket, ended so.
    void endProbe(const Connection &prober, TlsSessions::Outcome outcome);
    // Schedules `count` new connections to Endpoint.
    std::vector<Connection> schedule(int count);
    static int begun(const std::vector<Connection> &connections, const QByteArray &offered);

    std::unique_ptr<ManualClock> m_clock;
    std::unique_ptr<TlsSessions> m_sessions;
};

std::vector<Connection> TlsSessionsTest::schedule(int count)
{
    std::vector<Connection> connections(static_cast<size_t>(count));
    for (Connection &connection : connections) {
        m_sessions->schedule(Endpoint, connection.owner.get(),
            [&connection](const QByteArray &session) { connection.offered = session; });
    }
    return connections;
}

std::vector<Connection> TlsSessionsTest::probing(int count)
{
    std::vector<Connection> connections = schedule(count);
    m_sessions->keep(Endpoint, "ticket");
    [[maybe_unused]] const bool probed
        = QTest::qWaitFor([&connections] { return begun(connections, "ticket") == 1; });
    return connections;
}

void TlsSessionsTest::endProbe(const Connection &prober, TlsSessions::Outcome outcome)
{
    m_sessions->handshakeEnded(Endpoint, prober.owner.get(), "ticket", outcome);
}

int TlsSessionsTest::begun(const std::vector<Connection> &connections, const QByteArray &offered)
{
    int count = 0;
    for (const Connection &connection : connections)
        count += connection.offered == offered ? 1 : 0;
    return count;
}

void TlsSessionsTest::aBurstWaitsForTheFirstTicket()
{
    constexpr int Leaders = TlsSessions::MaxLeadingHandshakes;
    std::vector<Connection> burst = schedule(Leaders + 10);
    QCOMPARE(begun(burst, QByteArray()), Leaders); // at once, with no session to offer
    QCOMPARE(m_sessions->waitingCount(Endpoint), 10);

    // The first in line tries the session the first leader brought...
    m_sessions->keep(Endpoint, "ticket");
    QTRY_COMPARE(begun(burst, "ticket"), 1); // from the event loop, not inside the ticket's signal
    QCOMPARE(*burst.at(Leaders).offered, QByteArray("ticket"));
    QCOMPARE(m_sessions->waitingCount(Endpoint), 9);
    // ...and once the server resumed it, the rest offer it too.
    endProbe(burst.at(Leaders), TlsSessions::Outcome::Resumed);
    QCOMPARE(m_sessions->waitingCount(Endpoint), 0);
    QTRY_COMPARE(begun(burst, "ticket"), 10);
    QCOMPARE(begun(burst, QByteArray()), Leaders);

    // Later connections offer it at once.
    std::vector<Connection> later = schedule(Leaders + 1);
    QCOMPARE(begun(later, "ticket"), Leaders + 1);
}

void TlsSessionsTest::aBurstToAServerThatResumesNothingGoesOnWithout()
{
    constexpr int Leaders = TlsSessions::MaxLeadingHandshakes;
    std::vector<Connection> burst = probing(Leaders + 10);
    QCOMPARE(begun(burst, "ticket"), 1);
    endProbe(burst.at(Leaders), TlsSessions::Outcome::Full);
    QVERIFY(m_sessions->session(Endpoint).isEmpty());
    QCOMPARE(m_sessions->waitingCount(Endpoint), 0); // at once, not when the probe's time is up
    QTRY_COMPARE(begun(burst, QByteArray()), Leaders + 9);
}

void TlsSessionsTest::aProbeThatFailsIsTriedByTheNextInLine()
{
    constexpr int Leaders = TlsSessions::MaxLeadingHandshakes;
    std::vector<Connection> burst = probing(Leaders + 3);
    QCOMPARE(begun(burst, "ticket"), 1);
    endProbe(burst.at(Leaders), TlsSessions::Outcome::Failed);
    QTRY_COMPARE(begun(burst, "ticket"), 2);
    QCOMPARE(m_sessions->waitingCount(Endpoint), 1);

    // One that fails because the server chokes on the session forgets it: the rest wait for
    // another, as before the first came, and lead when a leader fails.
    m_sessions->forget(Endpoint, "ticket");
    endProbe(burst.at(Leaders + 1), TlsSessions::Outcome::Failed);
    QCOMPARE(m_sessions->waitingCount(Endpoint), 1);
    m_sessions->handshakeEnded(Endpoint, burst.at(0).owner.get(), {}, TlsSessions::Outcome::Failed);
    QTRY_COMPARE(begun(burst, QByteArray()), Leaders + 1);
}

void TlsSessionsTest::aFailedLeaderIsReplacedByTheNextInLine()
{
    constexpr int Leaders = TlsSessions::MaxLeadingHandshakes;
    std::vector<Connection> burst = schedule(Leaders + 2);
    m_sessions->handshakeEnded(Endpoint, burst.at(0).owner.get(), {}, TlsSessions::Outcome::Failed);
    QTRY_VERIFY(burst.at(Leaders).offered.has_value());
    QCOMPARE(*burst.at(Leaders).offered, QByteArray());
    QVERIFY(!burst.at(Leaders + 1).offered.has_value());
    QCOMPARE(m_sessions->leadingCount(Endpoint), Leaders);
    QCOMPARE(m_sessions->waitingCount(Endpoint), 1);
}

void TlsSessionsTest::aServerOnAnOlderProtocolHoldsNoOneBack()
{
    // TLS 1.2: Qt hands out no session for it, so waiting for one would be waiting for nothing.
    constexpr int Leaders = TlsSessions::MaxLeadingHandshakes;
    std::vector<Connection> burst = schedule(Leaders + 3);
    m_sessions->handshakeEnded(
        Endpoint, burst.at(0).owner.get(), {}, TlsSessions::Outcome::FullWithoutTickets);
    QCOMPARE(m_sessions->waitingCount(Endpoint), 0); // at once, not after a grace
    QTRY_COMPARE(begun(burst, QByteArray()), Leaders + 3);
    std::vector<Connection> next = schedule(Leaders + 3);
    QCOMPARE(begun(next, QByteArray()), Leaders + 3); // remembered: none waits
}

void TlsSessionsTest::aTicketThatNeverComesIsWaitedForBriefly()
{
    constexpr int Leaders = TlsSessions::MaxLeadingHandshakes;
    std::vector<Connection> burst = schedule(Leaders + 3);
    m_sessions->handshakeEnded(Endpoint, burst.at(0).owner.get(), {}, TlsSessions::Outcome::Full);
    QCOMPARE(m_sessions->leadingCount(Endpoint), Leaders - 1);
    QCOMPARE(m_sessions->waitingCount(Endpoint), 3); // its ticket may come yet: none leads
    QTRY_COMPARE_WITH_TIMEOUT(begun(burst, QByteArray()), Leaders + 3, 5000);
    std::vector<Connection> next = schedule(Leaders + 3);
    QCOMPARE(begun(next, QByteArray()), Leaders + 3);

    // For a minute: then a burst waits for a ticket again.
    m_clock->advance(TlsSessions::ForgoResumptionMs);
    std::vector<Connection> after = schedule(Leaders + 1);
    QCOMPARE(begun(after, QByteArray()), Leaders);
    QCOMPARE(m_sessions->waitingCount(Endpoint), 1);
}

void TlsSessionsTest::aServerThatResumesNothingIsLetBe()
{
    // Its sessions are neither kept nor offered nor waited for, for a minute.
    constexpr int Leaders = TlsSessions::MaxLeadingHandshakes;
    m_sessions->keep(Endpoint, "ticket");
    QObject resumer;
    m_sessions->handshakeEnded(Endpoint, &resumer, "ticket", TlsSessions::Outcome::Full);
    QVERIFY(m_sessions->session(Endpoint).isEmpty());
    m_sessions->keep(Endpoint, "another ticket");
    QVERIFY(m_sessions->session(Endpoint).isEmpty());
    std::vector<Connection> burst = schedule(Leaders + 3);
    QCOMPARE(begun(burst, QByteArray()), Leaders + 3);

    m_clock->advance(TlsSessions::ForgoResumptionMs - 1);
    m_sessions->keep(Endpoint, "another ticket");
    QVERIFY(m_sessions->session(Endpoint).isEmpty());
    m_clock->advance(1);
    m_sessions->keep(Endpoint, "another ticket");
    QCOMPARE(m_sessions->session(Endpoint), QByteArray("another ticket"));
}

void TlsSessionsTest::aBurstEndsOnceItsLeadersAreDone()
{
    // Leaders that ended with a session kept hold no place: a later connection, once that
    // session is forgotten (it failed somewhere), leads at once.
    constexpr int Leaders = TlsSessions::MaxLeadingHandshakes;
    std::vector<Connection> burst = schedule(Leaders);
    for (const Connection &leader : burst)
        m_sessions->handshakeEnded(Endpoint, leader.owner.get(), {}, TlsSessions::Outcome::Full);
    m_sessions->keep(Endpoint, "ticket");
    QCOMPARE(m_sessions->leadingCount(Endpoint), 0);
    m_sessions->forget(Endpoint, "ticket");
    std::vector<Connection> next = schedule(1);
    QCOMPARE(begun(next, QByteArray()), 1);
}

void TlsSessionsTest::aProbeThatFailsOnTheSessionLetsTheRestLead()
{
    // The order Http1Reply reports in: the session it offered forgotten, then its failure.
    constexpr int Leaders = TlsSessions::MaxLeadingHandshakes;
    std::vector<Connection> burst = schedule(Leaders + 3);
    for (int i = 0; i < Leaders; ++i) {
        m_sessions->handshakeEnded(
            Endpoint, burst.at(i).owner.get(), {}, TlsSessions::Outcome::Full);
    }
    m_sessions->keep(Endpoint, "ticket");
    QTRY_COMPARE(begun(burst, "ticket"), 1);
    m_sessions->forget(Endpoint, "ticket");
    endProbe(burst.at(Leaders), TlsSessions::Outcome::Failed);
    QCOMPARE(m_sessions->waitingCount(Endpoint), 0); // at once, not when the probe's time is up
    QCOMPARE(m_sessions->leadingCount(Endpoint), 2);
    QTRY_COMPARE(begun(burst, QByteArray()), Leaders + 2);
}

void TlsSessionsTest::aProbeThatHangsHoldsTheRestBriefly()
{
    constexpr int Leaders = TlsSessions::MaxLeadingHandshakes;
    std::vector<Connection> burst = probing(Leaders + 3);
    QCOMPARE(begun(burst, "ticket"), 1);
    QCOMPARE(m_sessions->waitingCount(Endpoint), 2);
    QTRY_COMPARE_WITH_TIMEOUT(begun(burst, QByteArray()), Leaders + 2, 5000);
    // While it lasts, new connections go at once, without the session it has not proven.
    std::vector<Connection> meanwhile = schedule(1);
    QCOMPARE(begun(meanwhile, QByteArray()), 1);
    // The probe still decides for the connections after.
    endProbe(burst.at(Leaders), TlsSessions::Outcome::Full);
    QVERIFY(m_sessions->session(Endpoint).isEmpty());
}

void TlsSessionsTest::aSessionIsOfferedForTheLifetimeItsServerHinted()
{
    m_sessions->keep(Endpoint, "ticket", 2);
    m_clock->advance(1999);
    QCOMPARE(m_sessions->session(Endpoint), QByteArray("ticket"));
    m_clock->advance(1);
    QVERIFY(m_sessions->session(Endpoint).isEmpty());
    m_sessions->keep(Endpoint, "ticket");
    m_clock->advance(TlsSessions::DefaultLifetimeMs);
    QVERIFY(m_sessions->session(Endpoint).isEmpty());
    // A lifetime past TLS 1.3's seven days is held to them.
    m_sessions->keep(Endpoint, "ticket", std::numeric_limits<int>::max());
    m_clock->advance(qint64(7) * 24 * 3600 * 1000 - 1);
    QCOMPARE(m_sessions->session(Endpoint), QByteArray("ticket"));
    m_clock->advance(1);
    QVERIFY(m_sessions->session(Endpoint).isEmpty());
    // A lifetime of 0: not to be resumed at all.
    m_sessions->keep(Endpoint, "ticket", 0);
    QVERIFY(m_sessions->session(Endpoint).isEmpty());
}

void TlsSessionsTest::aServerThatResumedBeforeOnlyLosesTheSessionItRefused()
{
    // Its keys rotated: the next full handshake brings a new session. Refused twice in a row with
    // no resumption between, it is let be.
    QObject first;
    QObject second;
    QObject third;
    m_sessions->keep(Endpoint, "ticket");
    m_sessions->handshakeEnded(Endpoint, &first, "ticket", TlsSessions::Outcome::Resumed);
    m_sessions->handshakeEnded(Endpoint, &second, "ticket", TlsSessions::Outcome::Full);
    QVERIFY(m_sessions->session(Endpoint).isEmpty());
    m_sessions->keep(Endpoint, "new ticket");
    // Another connection that offered the old ticket with the second is refused too: judged once.
    QObject together;
    m_sessions->handshakeEnded(Endpoint, &together, "ticket", TlsSessions::Outcome::Full);
    QCOMPARE(m_sessions->session(Endpoint), QByteArray("new ticket"));
    m_sessions->handshakeEnded(Endpoint, &third, "new ticket", TlsSessions::Outcome::Full);
    m_sessions->keep(Endpoint, "newer ticket");
    QVERIFY(m_sessions->session(Endpoint).isEmpty());
}

void TlsSessionsTest::aConnectionGoneOrGivenUpIsNeverBegun()
{
    constexpr int Leaders = TlsSessions::MaxLeadingHandshakes;
    std::vector<Connection> burst = schedule(Leaders + 2);
    m_sessions->handshakeEnded(
        Endpoint, burst.at(Leaders).owner.get(), {}, TlsSessions::Outcome::Failed); // gave up
    QCOMPARE(m_sessions->waitingCount(Endpoint), 1);
    m_sessions->keep(Endpoint, "ticket");
    burst.at(Leaders + 1).owner.reset(); // deleted after its start was queued
    QCoreApplication::processEvents();
    QVERIFY(!burst.at(Leaders).offered.has_value());
    QVERIFY(!burst.at(Leaders + 1).offered.has_value());
    QCOMPARE(m_sessions->waitingCount(Endpoint), 0);
}

void TlsSessionsTest::aLeaderDeletedWithoutAWordHoldsNoOneBack()
{
    constexpr int Leaders = TlsSessions::MaxLeadingHandshakes;
    std::vector<Connection> burst = schedule(Leaders);
    burst.at(0).owner.reset();
    QCOMPARE(m_sessions->leadingCount(Endpoint), Leaders - 1);
    std::vector<Connection> next = schedule(1);
    QCOMPARE(begun(next, QByteArray()), 1);
}

void TlsSessionsTest::sessionsAreBoundedInCountAndSize()
{
    TlsSessions sessions;
    for (int i = 0; i <= TlsSessions::MaxSessions; ++i)
        sessions.keep(QString::number(i), QByteArray(100, 's'));
    int kept = 0;
    for (int i = 0; i <= TlsSessions::MaxSessions; ++i)
        kept += sessions.session(QString::number(i)).isEmpty() ? 0 : 1;
    QCOMPARE(kept, TlsSessions::MaxSessions);

    sessions.keep(QStringLiteral("0"), QByteArray(100, 's'));
    sessions.keep(QStringLiteral("0"), QByteArray(TlsSessions::MaxSessionBytes + 1, 's'));
    QVERIFY(sessions.session(QStringLiteral("0")).isEmpty()); // nor the one it replaced

    // Full, an expired session goes before any live one.
    ManualClock clock;
    TlsSessions full(clock);
    full.keep(QStringLiteral("short-lived"), "s", 1);
    for (int i = 1; i < TlsSessions::MaxSessions; ++i)
        full.keep(QString::number(i), QByteArray(100, 's'));
    clock.advance(1000);
    full.keep(QStringLiteral("new"), "s");
    int live = 0;
    for (int i = 1; i < TlsSessions::MaxSessions; ++i)
        live += full.session(QString::number(i)).isEmpty() ? 0 : 1;
    QCOMPARE(live, TlsSessions::MaxSessions - 1);
    QCOMPARE(full.session(QStringLiteral("new")), QByteArray("s"));

    // A failed handshake forgets the session it offered, not a newer one another handshake gave.
    sessions.keep(QStringLiteral("e"), "older");
    sessions.keep(QStringLiteral("e"), "newer");
    sessions.forget(QStringLiteral("e"), "older");
    QCOMPARE(sessions.session(QStringLiteral("e")), QByteArray("newer"));
    sessions.forget(QStringLiteral("e"), "newer");
    QVERIFY(sessions.session(QStringLiteral("e")).isEmpty());
}

QTEST_GUILESS_MAIN(TlsSessionsTest)
#include "tst_tlssessions.moc"
