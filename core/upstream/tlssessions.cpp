#include "upstream/tlssessions.h"

#include <QSslSocket>
#include <QTimer>

#include <algorithm>
#include <utility>

namespace Switchyard {

TlsSessions::TlsSessions(const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_clock(clock)
{
}

QByteArray TlsSessions::session(const QString &endpoint) const
{
    const auto found = m_sessions.constFind(endpoint);
    if (found == m_sessions.cend() || m_clock.nowMs() >= found->expiresAt)
        return QByteArray();
    return found->bytes;
}

void TlsSessions::keep(const QString &endpoint, const QByteArray &session, qint64 lifetimeSeconds)
{
    // A lifetime of 0 says not to resume it (RFC 8446, 4.6.1).
    if (session.isEmpty() || session.size() > MaxSessionBytes || lifetimeSeconds == 0) {
        forgo(endpoint); // never offered, so nothing waits for one
        return;
    }
    if (forgone(endpoint))
        return;
    // Endpoints come from the configuration, so this rarely fills; when it does, expired
    // sessions go first, then any.
    if (m_sessions.size() >= MaxSessions && !m_sessions.contains(endpoint)) {
        const qint64 now = m_clock.nowMs();
        m_sessions.removeIf([now](const auto &entry) { return now >= entry.value().expiresAt; });
        if (m_sessions.size() >= MaxSessions)
            m_sessions.erase(m_sessions.begin());
    }
    Session &kept = m_sessions[endpoint];
    kept.bytes = session;
    kept.expiresAt = m_clock.nowMs()
        + (lifetimeSeconds > 0 ? qMin<qint64>(lifetimeSeconds, 7 * 24 * 3600) * 1000
                               : DefaultLifetimeMs);
    const auto burst = m_bursts.find(endpoint);
    if (burst == m_bursts.end())
        return;
    burst->ticketCame = true;
    if (!burst->prober)
        probe(endpoint, *burst);
}

void TlsSessions::forget(const QString &endpoint, const QByteArray &session)
{
    const auto found = m_sessions.find(endpoint);
    if (!session.isEmpty() && found != m_sessions.end() && found->bytes == session)
        m_sessions.erase(found);
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
    if (burst != m_bursts.end() && burst->prober && burst->probeOverdue) {
        begin(QByteArray()); // behind a probe that stalls: no session, and no wait
        return;
    }
    if (burst == m_bursts.end()) {
        burst = m_bursts.insert(endpoint, Burst {});
        burst->generation = m_nextGeneration++;
    }
    // A leader deleted mid-handshake without a word frees its place.
    burst->leaders.removeIf([](const Leader &leader) { return !leader.owner; });
    if (offered.isEmpty() && burst->leaders.size() < MaxLeadingHandshakes
        && burst->waiters.isEmpty()) {
        burst->leaders.append({ owner, m_clock.nowMs() });
        begin(QByteArray());
        return;
    }
    burst->waiters.append({ owner, std::move(begin) });
}

void TlsSessions::handshakeEnded(
    const QString &endpoint, QObject *owner, const QByteArray &offered, Outcome outcome)
{
    if (!offered.isEmpty() && (outcome == Outcome::Full || outcome == Outcome::FullWithoutTickets))
        refused(endpoint, offered);
    else if (outcome == Outcome::Resumed) {
        if (m_proven.size() >= MaxSessions && !m_proven.contains(endpoint))
            m_proven.erase(m_proven.begin());
        m_proven.insert(endpoint);
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
            probe(endpoint, burst); // the next in line tries the session, if one is left
        return;
    }
    qsizetype at = 0;
    while (at < burst.leaders.size() && burst.leaders.at(at).owner != owner)
        ++at;
    if (at == burst.leaders.size())
        return;
    const Leader leader = burst.leaders.takeAt(at);
    switch (outcome) {
    case Outcome::Resumed: // a leader offers no session
    case Outcome::Full:
        // Its place goes to no waiter while its ticket may come: a waiter that led meanwhile
        // would make the full handshake this one was to spare.
        burst.lastHandshakeMs = m_clock.nowMs() - leader.startedAt;
        if (!burst.ticketCame)
            after(qMax(TicketGraceMs, burst.lastHandshakeMs), endpoint, burst.generation,
                &TlsSessions::ticketOverdue);
        else if (!burst.prober)
            probe(endpoint, burst);
        return;
    case Outcome::FullWithoutTickets:
        forgo(endpoint);
        return;
    case Outcome::Failed:
        promote(endpoint, burst);
        return;
    }
}

TlsSessions::Outcome TlsSessions::outcomeOf(const QSslSocket &socket, const QByteArray &offered)
{
    // A resumed handshake carries no certificate chain (OpenSSL's SSL_get_peer_cert_chain is
    // empty for one; its session holds the server's certificate alone).
    if (!offered.isEmpty() && socket.peerCertificateChain().isEmpty())
        return Outcome::Resumed;
    return socket.sessionProtocol() == QSsl::TlsV1_3 ? Outcome::Full : Outcome::FullWithoutTickets;
}

int TlsSessions::leadingCount(const QString &endpoint) const
{
    const auto burst = m_bursts.constFind(endpoint);
    if (burst == m_bursts.cend())
        return 0;
    return int(std::count_if(burst->leaders.cbegin(), burst->leaders.cend(),
        [](const Leader &leader) { return !leader.owner.isNull(); }));
}

int TlsSessions::waitingCount(const QString &endpoint) const
{
    const auto burst = m_bursts.constFind(endpoint);
    return burst == m_bursts.cend() ? 0 : int(burst->waiters.size());
}

void TlsSessions::promote(const QString &endpoint, Burst &burst)
{
    // The next in line go without a session in the leaders' free places: none came, or the one
    // that came was forgotten.
    burst.leaders.removeIf([](const Leader &leader) { return !leader.owner; });
    while (
        !burst.prober && burst.leaders.size() < MaxLeadingHandshakes && !burst.waiters.isEmpty()) {
        const Waiter waiter = burst.waiters.takeFirst();
        if (!waiter.owner)
            continue;
        burst.leaders.append({ waiter.owner, m_clock.nowMs() });
        begin(waiter, QByteArray());
    }
    if (burst.leaders.isEmpty() && burst.waiters.isEmpty() && !burst.prober)
        m_bursts.remove(endpoint);
}

void TlsSessions::probe(const QString &endpoint, Burst &burst)
{
    // One waiter offers the session first: a server that resumes none would cost every other a
    // session decoded and a full handshake besides.
    const QByteArray offered = session(endpoint);
    while (!offered.isEmpty() && !burst.waiters.isEmpty()) {
        const Waiter waiter = burst.waiters.takeFirst();
        if (!waiter.owner)
            continue;
        burst.prober = waiter.owner;
        burst.probe = m_nextGeneration++;
        burst.probeOverdue = false;
        begin(waiter, offered);
        // A server (or a middlebox) that stalls on the session would hold the rest till their
        // connect timeout with it.
        after(qMax(ProbeGraceMs, 2 * burst.lastHandshakeMs), endpoint, burst.probe,
            &TlsSessions::probeOverdue);
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

void TlsSessions::after(qint64 ms, const QString &endpoint, quint64 token,
    void (TlsSessions::*check)(const QString &, quint64))
{
    QTimer::singleShot(int(qMin<qint64>(ms, 60'000)), this,
        [this, endpoint, check, token] { (this->*check)(endpoint, token); });
}

void TlsSessions::ticketOverdue(const QString &endpoint, quint64 generation)
{
    const auto burst = m_bursts.constFind(endpoint);
    if (burst == m_bursts.cend() || burst->generation != generation || burst->ticketCame)
        return;
    forgo(endpoint);
}

void TlsSessions::probeOverdue(const QString &endpoint, quint64 probe)
{
    // The rest go on without a session, and so do new connections while the probe lasts; it
    // still decides for those after it.
    const auto burst = m_bursts.find(endpoint);
    if (burst == m_bursts.end() || burst->probe != probe || !burst->prober)
        return;
    burst->probeOverdue = true;
    const QList<Waiter> waiters = std::exchange(burst->waiters, {});
    for (const Waiter &waiter : waiters)
        begin(waiter, QByteArray());
}

void TlsSessions::refused(const QString &endpoint, const QByteArray &offered)
{
    // A server that resumed before has rotated its keys, or let the session expire: the next
    // handshake is a full one that brings a new session. One that never resumed is let be.
    // Judged once: connections that offered it together are refused together.
    if (m_sessions.value(endpoint).bytes != offered)
        return;
    forget(endpoint, offered);
    if (!m_proven.remove(endpoint)) // refused twice with no resumption between: let be
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
