#include "routing/keypools.h"

#include "routing/clock.h"

#include <QSet>

#include <algorithm>

#include <cmath>

namespace Switchyard {

namespace {

// Stable across runs and instances (qHash is seeded per process): a fleet's instances send one
// conversation to the same key.
quint64 fnv1a(const QByteArray &bytes, quint64 hash = 14695981039346656037ull)
{
    for (const char byte : bytes) {
        hash ^= quint8(byte);
        hash *= 1099511628211ull;
    }
    return hash;
}

quint64 mix(quint64 x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

// The key's score for a conversation, by weighted rendezvous hashing: the highest wins, and a
// key's share of the conversations is its weight's share of the pool's.
double scoreOf(quint64 affinity, const ResolvedKey &key)
{
    const quint64 hash = mix(affinity ^ fnv1a(key.label.toUtf8()));
    const double unit = (double(hash >> 11) + 0.5) / 9007199254740992.0; // in (0, 1)
    return key.weight / -std::log(unit);
}

} // namespace

KeyPools::KeyPools(const Clock &clock)
    : m_clock(clock)
{
}

QString KeyPools::id(const QString &provider, const QString &label)
{
    return provider + QChar(u'\n') + label; // neither a provider nor a label holds a newline
}

bool KeyPools::usableNow(const Record *record, const ResolvedKey &key, qint64 nowMs) const
{
    return key.secret.ok
        && (!record || (record->rejectedReason.isEmpty() && record->coolingUntilMs <= nowMs));
}

KeyPools::Pick KeyPools::pick(
    const QString &provider, const ResolvedKeys &keys, quint64 affinity) const
{
    Pick pick;
    if (!keys.needed())
        return pick;
    const qint64 now = m_clock.nowMs();
    double best = -1.0;
    qint64 soonestCooled = -1;
    qsizetype leastRecentlyRejected = -1;
    qint64 rejectedAt = 0;
    for (qsizetype i = 0; i < keys.keys.size(); ++i) {
        const ResolvedKey &key = keys.keys.at(i);
        const auto found = m_records.constFind(id(provider, key.label));
        const Record *record = found == m_records.cend() ? nullptr : &*found;
        if (usableNow(record, key, now)) {
            const double score = keys.pooled() ? scoreOf(affinity, key) : 1.0;
            if (score > best) {
                best = score;
                pick.index = i;
            }
        } else if (key.secret.ok && record && record->rejectedReason.isEmpty()) {
            const qint64 left = record->coolingUntilMs - now;
            soonestCooled = soonestCooled < 0 ? left : qMin(soonestCooled, left);
        } else if (key.secret.ok && record
            && (leastRecentlyRejected < 0 || record->rejectedAtMs < rejectedAt)) {
            leastRecentlyRejected = i;
            rejectedAt = record->rejectedAtMs;
        }
    }
    if (pick.index < 0 && soonestCooled > 0) {
        pick.lack = Pick::Lack::CoolingDown;
        pick.coolingMs = soonestCooled;
        pick.reason = QStringLiteral("every key is cooling down after a rate limit, for %1 ms more")
                          .arg(soonestCooled);
        return pick;
    }
    // Every readable key was rejected: rather than take the provider out until someone notices,
    // its routes go on as a single key's would, flagged misconfigured, on the least recent one.
    if (pick.index < 0 && leastRecentlyRejected >= 0) {
        pick.index = leastRecentlyRejected;
        pick.rejected = true;
    }
    if (pick.index < 0) {
        pick.lack = Pick::Lack::Unreadable;
        pick.reason = keys.error();
        return pick;
    }
    const ResolvedKey &chosen = keys.keys.at(pick.index);
    pick.label = chosen.label;
    pick.value = chosen.secret.value;
    return pick;
}

bool KeyPools::anotherCanServe(
    const QString &provider, const ResolvedKeys &keys, const QString &label, qint64 nowMs) const
{
    for (const ResolvedKey &key : keys.keys) {
        if (key.label == label)
            continue;
        const auto found = m_records.constFind(id(provider, key.label));
        if (usableNow(found == m_records.cend() ? nullptr : &*found, key, nowMs))
            return true;
    }
    return false;
}

bool KeyPools::settle(const QString &provider, const ResolvedKeys &keys, const QString &label,
    const Classification &outcome, qint64 maxCooldownMs, const QString &reason)
{
    if (label.isEmpty())
        return false; // no key was sent
    switch (outcome.failureClass) {
    case FailureClass::Ok:
        served(provider, label);
        return false;
    case FailureClass::RateLimited:
        return rateLimited(provider, keys, label,
            outcome.retryAfterMs > 0 ? qMin(outcome.retryAfterMs, maxCooldownMs)
                                     : qMin(DefaultCooldownMs, maxCooldownMs));
    case FailureClass::AuthError:
        return rejected(provider, keys, label, reason);
    default:
        return false;
    }
}

bool KeyPools::rateLimited(
    const QString &provider, const ResolvedKeys &keys, const QString &label, qint64 cooldownMs)
{
    Record &record = m_records[id(provider, label)];
    ++record.rateLimited;
    m_changed = true;
    const qint64 now = m_clock.nowMs();
    if (!anotherCanServe(provider, keys, label, now))
        return false;
    record.coolingUntilMs = qMax(record.coolingUntilMs, now + qMax(MinCooldownMs, cooldownMs));
    return true;
}

bool KeyPools::rejected(
    const QString &provider, const ResolvedKeys &keys, const QString &label, const QString &reason)
{
    Record &record = m_records[id(provider, label)];
    ++record.rejections;
    record.rejectedReason = reason;
    record.rejectedAtMs = m_clock.nowMs();
    m_changed = true;
    return anotherCanServe(provider, keys, label, record.rejectedAtMs);
}

void KeyPools::sent(const QString &provider, const QString &label)
{
    ++m_records[id(provider, label)].calls;
}

void KeyPools::served(const QString &provider, const QString &label)
{
    const auto found = m_records.find(id(provider, label));
    if (found == m_records.end() || found->rejectedReason.isEmpty())
        return;
    found->rejectedReason.clear();
    m_changed = true;
}

void KeyPools::forget(const QString &provider, const QString &label)
{
    const auto found = m_records.find(id(provider, label));
    if (found == m_records.end())
        return;
    found->rejectedReason.clear();
    found->coolingUntilMs = 0;
    m_changed = true;
}

void KeyPools::configure(const Config &config)
{
    QSet<QString> named;
    for (const ProviderConfig &provider : config.providers) {
        for (const ProviderKey &key : provider.keys)
            named.insert(id(provider.name, key.label));
    }
    for (auto it = m_records.begin(); it != m_records.end();) {
        if (named.contains(it.key()))
            ++it;
        else
            it = m_records.erase(it);
    }
    m_changed = true;
}

QList<KeySnapshot> KeyPools::snapshots(
    const ProviderConfig &provider, const ResolvedKeys &keys) const
{
    QList<KeySnapshot> snapshots;
    const qint64 now = m_clock.nowMs();
    for (qsizetype i = 0; i < keys.keys.size(); ++i) {
        const ResolvedKey &key = keys.keys.at(i);
        KeySnapshot snapshot;
        snapshot.label = key.label;
        if (i < provider.keys.size())
            snapshot.ref = provider.keys.at(i).ref;
        snapshot.weight = key.weight;
        snapshot.state = key.secret.state;
        snapshot.detail = key.secret.error;
        const auto found = m_records.constFind(id(provider.name, key.label));
        if (found != m_records.cend()) {
            snapshot.calls = found->calls;
            snapshot.rateLimited = found->rateLimited;
            snapshot.rejections = found->rejections;
            if (key.secret.ok && !found->rejectedReason.isEmpty()) {
                snapshot.state = KeyState::Rejected;
                snapshot.detail = found->rejectedReason;
            } else if (key.secret.ok && found->coolingUntilMs > now) {
                snapshot.state = KeyState::CoolingDown;
                // In whole seconds up: a countdown the console redraws once a second, not on
                // every tick.
                snapshot.coolingRemainingMs = (found->coolingUntilMs - now + 999) / 1000 * 1000;
            }
        }
        snapshots.append(snapshot);
    }
    return snapshots;
}

bool KeyPools::anyCooling() const
{
    const qint64 now = m_clock.nowMs();
    return std::any_of(m_records.cbegin(), m_records.cend(),
        [now](const Record &record) { return record.coolingUntilMs > now; });
}

quint64 KeyPools::affinityOf(const QString &conversation, const QByteArray &opening)
{
    if (!conversation.isEmpty())
        return fnv1a(conversation.toUtf8(), fnv1a(QByteArrayLiteral("conversation")));
    return fnv1a(opening);
}

} // namespace Switchyard
