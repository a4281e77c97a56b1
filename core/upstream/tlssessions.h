#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>

#include <functional>

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
// So at most MaxLeadingHandshakes go without one; the rest wait for the session the first of them
// brings and resume it, as nginx's single worker does by taking one connection after another. A
// server that hands out no ticket (TLS 1.2, or none soon after the handshake) is remembered, and
// nothing waits for it again until it does.
class TlsSessions final : public QObject {
    Q_OBJECT
public:
    explicit TlsSessions(QObject *parent = nullptr);

    // Bounded in count and size: endpoints come from the configuration, but a server's
    // certificate is inside its session, and one that sends a huge one is not resumed.
    static constexpr int MaxSessions = 64;
    static constexpr qsizetype MaxSessionBytes = 16 * 1024;
    // Per endpoint and thread. More than one, so that one slow handshake holds up no burst alone.
    static constexpr int MaxLeadingHandshakes = 4;
    // The least time a ticket is waited for after a leading handshake ended; the handshake's own
    // duration (two round trips at least, a ticket needs one) when that is longer.
    static constexpr qint64 TicketGraceMs = 20;

    QByteArray session(const QString &endpoint) const { return m_sessions.value(endpoint); }
    // Keeps `session` for `endpoint`, and starts the handshakes that waited for one.
    void keep(const QString &endpoint, const QByteArray &session);
    // Forgets `endpoint`'s session if it is still `session`, not one a later handshake gave.
    void forget(const QString &endpoint, const QByteArray &session);

    enum class Outcome {
        Encrypted, // over TLS 1.3: the server may yet hand out a ticket
        EncryptedWithoutTickets, // over an older protocol, whose sessions Qt does not hand out
        Failed, // failed, timed out or given up (before it began, too: it stops waiting)
    };
    // Calls `begin` with the session a new connection of `owner` to `endpoint` offers (maybe
    // none): at once, or once the handshakes ahead of it brought one or no longer hold it back;
    // never once `owner` is gone or its handshake ended.
    void schedule(const QString &endpoint, QObject *owner,
        std::function<void(const QByteArray &session)> begin);
    void handshakeEnded(const QString &endpoint, QObject *owner, Outcome outcome);

    // For tests: handshakes of `endpoint` that went without a session and wait for a ticket.
    int leadingCount(const QString &endpoint) const;
    int waitingCount(const QString &endpoint) const;

private:
    struct Leader {
        QPointer<QObject> owner;
        qint64 startedAt = 0; // on m_clock
        bool encrypted = false; // ended; counts until its ticket came or its grace ran out
    };
    struct Waiter {
        QPointer<QObject> owner;
        std::function<void(const QByteArray &)> begin;
    };
    // The handshakes of a burst to an endpoint that has no session yet.
    struct Burst {
        QList<Leader> leaders;
        QList<Waiter> waiters; // first come, first started
        quint64 generation = 0; // tells a grace timer whether its burst is still this one
    };

    static int leading(const Burst &burst);
    void promote(const QString &endpoint, Burst &burst);
    void release(const QString &endpoint, const QByteArray &session);
    void ticketOverdue(const QString &endpoint, quint64 generation);
    void markTicketless(const QString &endpoint);
    static void begin(const Waiter &waiter, const QByteArray &session);

    QHash<QString, QByteArray> m_sessions;
    QHash<QString, Burst> m_bursts;
    QSet<QString> m_ticketless; // endpoints whose servers handed out no ticket last time
    quint64 m_nextGeneration = 1;
    QElapsedTimer m_clock;
};

} // namespace Switchyard
