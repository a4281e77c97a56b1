#include "upstream/tlssessions.h"

#include <QTimer>

namespace Switchyard {

TlsSessions::TlsSessions(const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_clock(clock)
{
}

void TlsSessions::keep(const QString &endpoint, const QByteArray &session)
{
    if (session.isEmpty() || session.size() > MaxSessionBytes) {
        // Never offered, so nothing waits for one.
        forgo(endpoint);
        return;
    }
    if (forgone(endpoint))
        return;
    // Endpoints come from the configuration, so this rarely fills; when it does, any goes.
    if (m_sessions.size() >= MaxSessions && !m_sessions.contains(endpoint))
        m_sessions.erase(m_sessions.begin());
    m_sessions.insert(endpoint, session);
    const auto burst = m_bursts.find(endpoint);
    if (burst != m_bursts.end() && !burst->prober)
        probe(endpoint, *burst);
}

void TlsSessions::forget(const QString &endpoint, const QByteArray &session)
{
    if (!session.isEmpty() && m_sessions.value(endpoint) == session)
        m_sessions.remove(endpoint);
}

void TlsSessions::schedule(
    const QString &endpoint, QObject *owner, std::function<void(const QByteArray &session)> begin)
{
    if (forgone(endpoint)) {
        begin(QByteArray());
        return;
    }
    auto burst = m_bursts.find(endpoint);
    const QByteArray offered = session(endpoint);
    if (!offered.isEmpty() && (burst == m_bursts.end() || !burst->prober)) {
        begin(offered);
        return;
    }
    if (burst == m_bursts.end())
        burst = m_bursts.insert(endpoint, Burst { {}, {}, {}, m_nextGeneration++ });
    if (offered.isEmpty() && leading(*burst) < MaxLeadingHandshakes) {
        burst->leaders.append({ owner, m_clock.nowMs(), false });
        begin(QByteArray());
        return;
    }
    burst->waiters.append({ owner, std::move(begin) });
}

void TlsSessions::handshakeEnded(
    const QString &endpoint, QObject *owner, const QByteArray &offered, Outcome outcome)
{
    if (!offered.isEmpty()
        && (outcome == Outcome::Full || outcome == Outcome::FullWithoutTickets)) {
        forget(endpoint, offered);
        forgo(endpoint);
        return;
    }
    auto found = m_bursts.find(endpoint);
    if (found == m_bursts.end())
        return;
    Burst &burst = *found;
    for (qsizetype i = 0; i < burst.waiters.size(); ++i) {
        if (burst.waiters.at(i).owner == owner) {
            burst.waiters.removeAt(i); // given up while it waited
            return;
        }
    }
    if (burst.prober && burst.prober == owner) {
        burst.prober = nullptr;
        if (outcome == Outcome::Resumed)
            release(endpoint, session(endpoint));
        else
            probe(endpoint, burst); // failed or given up: the next in line tries it
        return;
    }
    qsizetype at = 0;
    while (at < burst.leaders.size()
        && (burst.leaders.at(at).encrypted || burst.leaders.at(at).owner != owner))
        ++at;
    if (at == burst.leaders.size())
        return;
    switch (outcome) {
    case Outcome::Resumed: // a leader offers no session
    case Outcome::Full: {
        // The ticket follows the handshake by a round trip; the handshake took two at least.
        Leader &leader = burst.leaders[at];
        leader.encrypted = true;
        const qint64 grace = qMax(TicketGraceMs, m_clock.nowMs() - leader.startedAt);
        QTimer::singleShot(int(qMin<qint64>(grace, 60'000)), this,
            [this, endpoint, generation = burst.generation] {
                ticketOverdue(endpoint, generation);
            });
        return;
    }
    case Outcome::FullWithoutTickets:
        forgo(endpoint);
        return;
    case Outcome::Failed:
        burst.leaders.removeAt(at);
        promote(endpoint, burst);
        return;
    }
}

int TlsSessions::leadingCount(const QString &endpoint) const
{
    const auto burst = m_bursts.constFind(endpoint);
    return burst == m_bursts.cend() ? 0 : leading(*burst);
}

int TlsSessions::waitingCount(const QString &endpoint) const
{
    const auto burst = m_bursts.constFind(endpoint);
    return burst == m_bursts.cend() ? 0 : int(burst->waiters.size());
}

int TlsSessions::leading(const Burst &burst)
{
    // A leader deleted mid-handshake without a word holds no one back.
    int count = 0;
    for (const Leader &leader : burst.leaders)
        count += leader.encrypted || leader.owner ? 1 : 0;
    return count;
}

void TlsSessions::promote(const QString &endpoint, Burst &burst)
{
    // A leading handshake failed: the next in line goes without a session in its place (unless
    // a session came meanwhile, which the waiters try instead).
    burst.leaders.removeIf([](const Leader &leader) { return !leader.encrypted && !leader.owner; });
    while (!burst.prober && leading(burst) < MaxLeadingHandshakes && !burst.waiters.isEmpty()) {
        const Waiter waiter = burst.waiters.takeFirst();
        if (!waiter.owner)
            continue;
        burst.leaders.append({ waiter.owner, m_clock.nowMs(), false });
        begin(waiter, QByteArray());
    }
    if (burst.leaders.isEmpty() && burst.waiters.isEmpty() && !burst.prober)
        m_bursts.remove(endpoint);
}

void TlsSessions::probe(const QString &endpoint, Burst &burst)
{
    // One waiter offers the session first: a server that resumes none (each of a Qt server's
    // sockets has ticket keys of its own) would cost every other a session decoded and a full
    // handshake besides.
    const QByteArray offered = session(endpoint);
    while (!offered.isEmpty() && !burst.waiters.isEmpty()) {
        const Waiter waiter = burst.waiters.takeFirst();
        if (!waiter.owner)
            continue;
        burst.prober = waiter.owner;
        begin(waiter, offered);
        return;
    }
    promote(endpoint, burst);
}

void TlsSessions::release(const QString &endpoint, const QByteArray &session)
{
    const QList<Waiter> waiters = m_bursts.take(endpoint).waiters;
    for (const Waiter &waiter : waiters)
        begin(waiter, session);
}

void TlsSessions::ticketOverdue(const QString &endpoint, quint64 generation)
{
    const auto burst = m_bursts.constFind(endpoint);
    if (burst == m_bursts.cend() || burst->generation != generation || !session(endpoint).isEmpty())
        return;
    forgo(endpoint);
}

void TlsSessions::forgo(const QString &endpoint)
{
    m_sessions.remove(endpoint);
    if (m_forgoneUntil.size() >= MaxSessions && !m_forgoneUntil.contains(endpoint))
        m_forgoneUntil.erase(m_forgoneUntil.begin());
    m_forgoneUntil.insert(endpoint, m_clock.nowMs() + ForgoResumptionMs);
    release(endpoint, QByteArray()); // none waits for what will not come
}

bool TlsSessions::forgone(const QString &endpoint)
{
    const auto until = m_forgoneUntil.constFind(endpoint);
    if (until == m_forgoneUntil.cend())
        return false;
    if (m_clock.nowMs() < *until)
        return true;
    m_forgoneUntil.erase(until);
    return false;
}

void TlsSessions::begin(const Waiter &waiter, const QByteArray &session)
{
    // From the event loop: this runs inside another connection's signal.
    if (waiter.owner)
        QMetaObject::invokeMethod(
            waiter.owner, [begin = waiter.begin, session] { begin(session); },
            Qt::QueuedConnection);
}

} // namespace Switchyard
