#pragma once

#include "config/activeconfig.h"
#include "routing/classifier.h"

#include <QHash>
#include <QList>
#include <QString>

namespace Switchyard {

class Clock;

// One key of a provider as the Providers view shows it; never the key itself.
struct KeySnapshot {
    QString label;
    SecretRef ref; // where it is read from (a name, never the value)
    double weight = 1.0;
    KeyState state = KeyState::NotNeeded;
    QString detail; // why it cannot be read, or how the upstream rejected it
    qint64 coolingRemainingMs = 0; // until a rate-limited key serves again
    quint64 calls = 0; // attempts sent with it since the gateway started
    quint64 rateLimited = 0;
    quint64 rejections = 0;

    bool operator==(const KeySnapshot &other) const = default;
};

// Which of a provider's keys serves a call, and what each key has been through: a key the
// upstream rate-limits cools down on its own while the pool's others serve; a key it rejects
// (401/403) is skipped while another can serve. The same conversation keeps the same key while
// that key can serve, since prompt caches are kept per key (weighted rendezvous hashing: each key's
// score for a conversation is fixed, so a key cooling down moves only its own conversations).
// Kept across reloads for the keys that stay, by provider and label. Engine thread only.
class KeyPools final {
public:
    explicit KeyPools(const Clock &clock);

    // The key a call to `provider` with `affinity` (the conversation's, see affinityOf) sends.
    struct Pick {
        // Into keys.keys; -1 when no key is sent: none is needed, or none can serve.
        qsizetype index = -1;
        QString label;
        QByteArray value;
        bool rejected = false; // every readable key was rejected: this is the least recently
        // Why none can serve, when a key is needed and index is -1.
        enum class Lack { None, Unreadable, CoolingDown } lack = Lack::None;
        qint64 coolingMs = 0; // CoolingDown: until the first key serves again
        QString reason;
    };
    Pick pick(const QString &provider, const ResolvedKeys &keys, quint64 affinity) const;

    // What an attempt with the key `label` of `provider` that ended as `outcome` leaves on the
    // key: a success clears a rejection, a rate limit cools it down (for its Retry-After, at most
    // `maxCooldownMs`; DefaultCooldownMs without one), a 401/403 marks it rejected with `reason`
    // (already redacted). True when another key of the pool takes the next call: the key failed,
    // not the route, so the route is not charged for it.
    bool settle(const QString &provider, const ResolvedKeys &keys, const QString &label,
        const Classification &outcome, qint64 maxCooldownMs, const QString &reason);
    // How long a rate-limited key of a pool rests when the upstream does not say: providers count
    // their limits per minute.
    static constexpr qint64 DefaultCooldownMs = 30000;
    // The least a rate-limited key of a pool rests, whatever the upstream says: two keys that
    // both answer 429 must not take turns faster than the upstream can answer.
    static constexpr qint64 MinCooldownMs = 1000;

    // The parts of settle(), each on its own. Each returns true when another
    // key of the pool can serve at once, so the call goes again on that one and the route is not
    // charged: a rate limit cools the key down for `cooldownMs`, a rejection marks it (`reason`,
    // already redacted). With no other key, the route's own rules apply (its cooldown, its
    // misconfiguration) and the key is left as it was, except that a rejection is still shown.
    bool rateLimited(
        const QString &provider, const ResolvedKeys &keys, const QString &label, qint64 cooldownMs);
    bool rejected(const QString &provider, const ResolvedKeys &keys, const QString &label,
        const QString &reason);
    void sent(const QString &provider, const QString &label);
    // A success with the key: the upstream takes it (again).
    void served(const QString &provider, const QString &label);
    // A key whose value changed deserves a fresh verdict; keys no config names any more go.
    void forget(const QString &provider, const QString &label);
    void configure(const Config &config);

    QList<KeySnapshot> snapshots(const ProviderConfig &provider, const ResolvedKeys &keys) const;
    // Some key is cooling down: its countdown is worth a fresh snapshot now and then.
    bool anyCooling() const;
    // Something a snapshot shows has changed since the last clearChanged().
    bool changed() const { return m_changed; }
    void clearChanged() { m_changed = false; }

    // A conversation's key affinity: the same for every call of one conversation, from what the
    // caller says (`conversation`, e.g. prompt_cache_key), else from how it began (`opening`).
    static quint64 affinityOf(const QString &conversation, const QByteArray &opening);

private:
    struct Record {
        qint64 coolingUntilMs = 0;
        QString rejectedReason;
        qint64 rejectedAtMs = 0;
        quint64 calls = 0;
        quint64 rateLimited = 0;
        quint64 rejections = 0;
    };
    static QString id(const QString &provider, const QString &label);
    bool usableNow(const Record *record, const ResolvedKey &key, qint64 nowMs) const;
    bool anotherCanServe(const QString &provider, const ResolvedKeys &keys, const QString &label,
        qint64 nowMs) const;

    const Clock &m_clock;
    QHash<QString, Record> m_records; // by id(provider, label)
    bool m_changed = true;
};

} // namespace Switchyard
