#include "upstream/tlssessions.h"

#include <QTimer>

namespace Switchyard {

TlsSessions::TlsSessions(QObject *parent)
    : QObject(parent)
{
    m_clock.start();
}

void TlsSessions::keep(const QString &endpoint, const QByteArray &session)
{
    if (session.isEmpty() || session.size() > MaxSessionBytes) {
        m_sessions.remove(endpoint);
        // Its tickets are never resumed, so nothing waits for one.
        markTicketless(endpoint);
        release(endpoint, QByteArray());
        return;
    }
    // Endpoints come from the configuration, so this rarely fills; when it does, any goes.
    if (m_sessions.size() >= MaxSessions && !m_sessions.contains(endpoint))
        m_sessions.erase(m_sessions.begin());
    m_sessions.insert(endpoint, session);
    m_ticketless.remove(endpoint);
    release(endpoint, session);
}

void TlsSessions::forget(const QString &endpoint, const QByteArray &session)
{
    if (!session.isEmpty() && m_sessions.value(endpoint) == session)
        m_sessions.remove(endpoint);
}

void TlsSessions::schedule(
    const QString &endpoint, QObject *owner, std::function<void(const QByteArray &session)> begin)
{
    const QByteArray offered = session(endpoint);
    if (!offered.isEmpty() || m_ticketless.contains(endpoint)) {
        begin(offered);
        return;
    }
    auto burst = m_bursts.find(endpoint);
    if (burst == m_bursts.end())
        burst = m_bursts.insert(endpoint, Burst { {}, {}, m_nextGeneration++ });
    if (leading(*burst) < MaxLeadingHandshakes) {
        burst->leaders.append({ owner, m_clock.elapsed(), false });
        begin(QByteArray());
        return;
    }
    burst->waiters.append({ owner, std::move(begin) });
}

void TlsSessions::handshakeEnded(const QString &endpoint, QObject *owner, Outcome outcome)
{
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
    qsizetype at = 0;
    while (at < burst.leaders.size()
        && (burst.leaders.at(at).encrypted || burst.leaders.at(at).owner != owner))
        ++at;
    if (at == burst.leaders.size())
        return;
    switch (outcome) {
    case Outcome::Encrypted: {
        // The ticket follows the handshake by a round trip; the handshake took two at least.
        Leader &leader = burst.leaders[at];
        leader.encrypted = true;
        const qint64 grace = qMax(TicketGraceMs, m_clock.elapsed() - leader.startedAt);
        QTimer::singleShot(int(qMin<qint64>(grace, 60'000)), this,
            [this, endpoint, generation = burst.generation] {
                ticketOverdue(endpoint, generation);
            });
        return;
    }
    case Outcome::EncryptedWithoutTickets:
        markTicketless(endpoint);
        release(endpoint, QByteArray());
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
    // A leading handshake failed: the next in line goes without a session in its place.
    burst.leaders.removeIf([](const Leader &leader) { return !leader.encrypted && !leader.owner; });
    while (leading(burst) < MaxLeadingHandshakes && !burst.waiters.isEmpty()) {
        const Waiter waiter = burst.waiters.takeFirst();
        if (!waiter.owner)
            continue;
        burst.leaders.append({ waiter.owner, m_clock.elapsed(), false });
        begin(waiter, QByteArray());
    }
    if (burst.leaders.isEmpty() && burst.waiters.isEmpty())
        m_bursts.remove(endpoint);
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
    if (burst == m_bursts.cend() || burst->generation != generation)
        return;
    markTicketless(endpoint);
    release(endpoint, QByteArray());
}

void TlsSessions::markTicketless(const QString &endpoint)
{
    if (m_ticketless.size() >= MaxSessions && !m_ticketless.contains(endpoint))
        m_ticketless.erase(m_ticketless.begin());
    m_ticketless.insert(endpoint);
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
