#pragma once

#include "routing/clock.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>

#include <functional>

class QSslSocket;

namespace Switchyard {

// What a new TLS connection to an upstream endpoint offers to resume, and when it starts its
// handshake. One per thread, beside its pooled connections.
//
// A session is the newest one the endpoint's server handed out (a TLS 1.3 ticket; Qt's serialised
// SSL_SESSION, which holds its keys: it never leaves this object but to a new connection to the
// same endpoint, so it is only resumed under the trust and for the host name that verified it).
// A resumed handshake skips the certificate chain, its verification and the server's signature:
// less CPU on both sides, as nginx's proxy_ssl_session_reuse does.
//
// A burst of new connections to an endpoint with no session yet (the first second under load)
// would make only full handshakes: every ClientHello leaves before the first ticket comes back.
// So at most MaxLeadingHandshakes at a time go without one; the rest wait for the session the
// first of them brings, one of them proves that the server resumes it, and then the rest resume it
// too, as nginx's single worker does by taking one connection after another.
//
// A server that hands out no ticket (TLS 1.2, or none soon after the handshake), or that never
// resumed one (each of a Qt server's sockets has ticket keys of its own, and so may each machine
// behind a balancer), is let be for a minute: its sessions are neither kept nor offered nor
// waited for. Offered in vain, a session costs both sides its decoding and a full handshake
// besides. One that resumed before and refuses once (its keys rotated) only loses that session.
class TlsSessions final : public QObject {
    Q_OBJECT
public:
    explicit TlsSessions(const Clock &clock = SteadyClock::instance(), QObject *parent = nullptr);

    // Bounded in count and size: endpoints come from the configuration, but a server's
    // certificate is inside its session, and one that sends a huge one is not resumed.
    static constexpr int MaxSessions = 64;
    static constexpr qsizetype MaxSessionBytes = 16 * 1024;
    // Per endpoint and thread. More than one, so that one slow handshake holds up no burst alone.
    static constexpr int MaxLeadingHandshakes = 4;
    // How long after a leading handshake its ticket is waited for, at least: a ticket follows the
    // handshake by a round trip, but a busy server (or a busy thread here) takes longer. The
    // handshake's own duration, when that is longer.
    static constexpr qint64 TicketGraceMs = 250;
    // How long the first connection to offer a session is waited for, at least, before the rest
    // go without one; the leading handshake's duration, twice, when that is longer.
    static constexpr qint64 ProbeGraceMs = 250;
    // How long a server that hands out or resumes no session is let be.
    static constexpr qint64 ForgoResumptionMs = 60'000;
    // How long a session is offered when its server named no lifetime (Node's and nginx's 300 s).
    static constexpr qint64 DefaultLifetimeMs = 300'000;

    // The session a new connection to `endpoint` would offer; none once its lifetime ran out.
    QByteArray session(const QString &endpoint) const;
    // Keeps `session` (for `lifetimeSeconds`, as its server hinted; none: the default) and starts
    // the handshakes that waited for one.
    void keep(const QString &endpoint, const QByteArray &session, qint64 lifetimeSeconds = -1);
    // Forgets `endpoint`'s session if it is still `session`, not one a later handshake gave.
    void forget(const QString &endpoint, const QByteArray &session);

    enum class Outcome {
        Resumed, // the session it offered
        Full, // a full handshake over TLS 1.3: the server may yet hand out a ticket
        FullWithoutTickets, // over an older protocol, whose sessions Qt does not hand out
        Failed, // failed, timed out or given up (before it began, too: it stops waiting)
    };
    // Calls `begin` with the session a new connection of `owner` to `endpoint` offers (maybe
    // none): at once, or once the handshakes ahead of it brought one or no longer hold it back;
    // never once `owner` is gone or its handshake ended.
    void schedule(const QString &endpoint, QObject *owner,
        std::function<void(const QByteArray &session)> begin);
    // How the handshake of `socket`, now encrypted, went, having offered `offered`.
    static Outcome outcomeOf(const QSslSocket &socket, const QByteArray &offered);
    // `offered`: the session `owner`'s handshake offered; a full one though it offered one means
    // the server does not resume what it hands out.
    void handshakeEnded(
        const QString &endpoint, QObject *owner, const QByteArray &offered, Outcome outcome);

    // For tests: handshakes to `endpoint` under way without a session, and those that wait.
    int leadingCount(const QString &endpoint) const;
    int waitingCount(const QString &endpoint) const;

private:
    struct Session {
        QByteArray bytes;
        qint64 expiresAt = 0; // on the clock
    };
    struct Leader {
        QPointer<QObject> owner;
        qint64 startedAt = 0; // on the clock
    };
    struct Waiter {
        QPointer<QObject> owner;
        std::function<void(const QByteArray &)> begin;
    };
    // The new connections to an endpoint while it has no session proven to resume.
    struct Burst {
        QList<Leader> leaders; // handshaking without a session
        QList<Waiter> waiters; // first come, first started
        QPointer<QObject> prober; // the waiter that offers the session first, while it does
        quint64 probe = 0; // tells a timer whether its probe is still this one
        bool probeOverdue = false; // the rest went on without it: so do new connections
        qint64 lastHandshakeMs = 0; // how long the last leading handshake took
        bool ticketCame = false;
        quint64 generation = 0; // tells a timer whether its burst is still this one
    };

    void promote(const QString &endpoint, Burst &burst);
    void probe(const QString &endpoint, Burst &burst);
    void release(const QString &endpoint, const QByteArray &session);
    void after(qint64 ms, const QString &endpoint, quint64 token,
        void (TlsSessions::*check)(const QString &, quint64));
    void ticketOverdue(const QString &endpoint, quint64 generation);
    void probeOverdue(const QString &endpoint, quint64 probe);
    void refused(const QString &endpoint, const QByteArray &offered);
    void forgo(const QString &endpoint);
    bool forgone(const QString &endpoint);
    static void begin(const Waiter &waiter, const QByteArray &session);

    QHash<QString, Session> m_sessions;
    QHash<QString, Burst> m_bursts;
    // Endpoints whose servers handed out or resumed no session: until when they are let be.
    QHash<QString, qint64> m_forgoneUntil;
    // Endpoints whose servers resumed a session since they last refused one.
    QSet<QString> m_proven;
    quint64 m_nextGeneration = 1;
    const Clock &m_clock;
};

} // namespace Switchyard
