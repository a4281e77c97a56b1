#include "routing/clock.h"
#include "routing/keypools.h"

#include <QHash>
#include <QTest>

using namespace Switchyard;

namespace {

const QString Provider = QStringLiteral("openai");

ResolvedKey readable(const QString &label, double weight = 1.0)
{
    ResolvedSecret secret;
    secret.ok = true;
    secret.state = KeyState::Set;
    secret.value = "value-of-" + label.toUtf8();
    return { label, weight, secret };
}

ResolvedKey missing(const QString &label)
{
    ResolvedSecret secret;
    secret.state = KeyState::Missing;
    secret.error = QStringLiteral("keychain entry '%1' is missing").arg(label);
    return { label, 1.0, secret };
}

ResolvedKeys pool(std::initializer_list<ResolvedKey> keys)
{
    return ResolvedKeys { QList<ResolvedKey>(keys) };
}

Classification outcome(FailureClass failureClass, qint64 retryAfterMs = -1)
{
    Classification classification;
    classification.failureClass = failureClass;
    classification.retryAfterMs = retryAfterMs;
    return classification;
}

ProviderConfig configOf(const ResolvedKeys &keys)
{
    ProviderConfig provider;
    provider.name = Provider;
    for (const ResolvedKey &key : keys.keys)
        provider.keys.append({ { SecretRef::Source::Keychain, key.label }, key.label, key.weight });
    return provider;
}

} // namespace

// Which key of a provider's pool serves a call, and what rate limits and rejections do to a key:
// a pure state machine on an injected clock.
class KeyPoolsTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void noKeysMeansNoKeyAndNoLack()
    {
        ManualClock clock;
        KeyPools pools(clock);
        const KeyPools::Pick pick = pools.pick(Provider, ResolvedKeys {}, 42);
        QCOMPARE(pick.index, -1);
        QCOMPARE(pick.lack, KeyPools::Pick::Lack::None);
        QVERIFY(pick.value.isEmpty());
    }

    void aConversationKeepsItsKeyAndThePoolIsShared()
    {
        ManualClock clock;
        KeyPools pools(clock);
        const ResolvedKeys keys = pool({ readable(QStringLiteral("a")),
            readable(QStringLiteral("b")), readable(QStringLiteral("c")) });
        QHash<QString, int> share;
        for (int conversation = 0; conversation < 3000; ++conversation) {
            const quint64 affinity
                = KeyPools::affinityOf(QStringLiteral("conversation-%1").arg(conversation), {});
            const KeyPools::Pick first = pools.pick(Provider, keys, affinity);
            QCOMPARE(pools.pick(Provider, keys, affinity).label, first.label);
            QCOMPARE(first.value, "value-of-" + first.label.toUtf8());
            ++share[first.label];
        }
        // Equal weights, equal shares (within a few percent of 1000 each).
        for (const QString &label :
            { QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c") })
            QVERIFY2(share.value(label) > 850 && share.value(label) < 1150,
                qPrintable(QStringLiteral("%1: %2").arg(label).arg(share.value(label))));
    }

    void weightsSetTheShares()
    {
        ManualClock clock;
        KeyPools pools(clock);
        const ResolvedKeys keys = pool(
            { readable(QStringLiteral("big"), 3.0), readable(QStringLiteral("small"), 1.0) });
        int big = 0;
        for (int conversation = 0; conversation < 4000; ++conversation)
            big += pools
                       .pick(
                           Provider, keys, KeyPools::affinityOf(QString::number(conversation), {}))
                       .label
                == QLatin1String("big");
        QVERIFY2(big > 2800 && big < 3200, qPrintable(QString::number(big))); // 3 in 4
    }

    void aCoolingKeyMovesOnlyItsOwnConversations()
    {
        ManualClock clock;
        KeyPools pools(clock);
        const ResolvedKeys keys = pool({ readable(QStringLiteral("a")),
            readable(QStringLiteral("b")), readable(QStringLiteral("c")) });
        QHash<int, QString> before;
        for (int conversation = 0; conversation < 300; ++conversation)
            before.insert(conversation,
                pools.pick(Provider, keys, KeyPools::affinityOf(QString::number(conversation), {}))
                    .label);

        QVERIFY(pools.settle(Provider, keys, QStringLiteral("a"),
            outcome(FailureClass::RateLimited, 20000), 600000, QString()));
        int moved = 0;
        for (int conversation = 0; conversation < 300; ++conversation) {
            const QString now
                = pools
                      .pick(Provider, keys, KeyPools::affinityOf(QString::number(conversation), {}))
                      .label;
            QVERIFY(now != QLatin1String("a"));
            if (before.value(conversation) != QLatin1String("a"))
                QCOMPARE(now, before.value(conversation)); // the others' caches stay warm
            else
                ++moved;
        }
        QVERIFY(moved > 0);

        // Its Retry-After over, the key takes its conversations back.
        clock.advance(20000);
        for (int conversation = 0; conversation < 300; ++conversation)
            QCOMPARE(
                pools.pick(Provider, keys, KeyPools::affinityOf(QString::number(conversation), {}))
                    .label,
                before.value(conversation));
    }

    void aRateLimitCoolsAKeyForItsRetryAfterClampedOrTheDefault()
    {
        ManualClock clock;
        KeyPools pools(clock);
        const ResolvedKeys keys
            = pool({ readable(QStringLiteral("a")), readable(QStringLiteral("b")) });
        const ProviderConfig config = configOf(keys);
        // An upstream naming a year is clamped to the config's max_retry_after_ms.
        QVERIFY(pools.settle(Provider, keys, QStringLiteral("a"),
            outcome(FailureClass::RateLimited, 365LL * 24 * 3600 * 1000), 60000, QString()));
        KeySnapshot a = pools.snapshots(config, keys).at(0);
        QCOMPARE(a.state, KeyState::CoolingDown);
        QCOMPARE(a.coolingRemainingMs, qint64(60000));
        QCOMPARE(a.rateLimited, quint64(1));
        clock.advance(60000);
        QCOMPARE(pools.snapshots(config, keys).at(0).state, KeyState::Set);

        // A Retry-After of a few milliseconds is still a rest of a second: two keys that both
        // answer 429 do not take turns as fast as the upstream answers.
        clock.advance(KeyPools::DefaultCooldownMs); // b's turn below; a is long back
        QVERIFY(pools.settle(Provider, keys, QStringLiteral("a"),
            outcome(FailureClass::RateLimited, 20), 600000, QString()));
        QCOMPARE(pools.snapshots(config, keys).at(0).coolingRemainingMs, KeyPools::MinCooldownMs);
        clock.advance(KeyPools::MinCooldownMs);

        // No Retry-After: the default rest.
        QVERIFY(pools.settle(Provider, keys, QStringLiteral("b"),
            outcome(FailureClass::RateLimited), 600000, QString()));
        QCOMPARE(
            pools.snapshots(config, keys).at(1).coolingRemainingMs, KeyPools::DefaultCooldownMs);
        QVERIFY(pools.anyCooling());
    }

    void theLastKeyThatCanServeIsLeftToTheRoute()
    {
        ManualClock clock;
        KeyPools pools(clock);
        const ResolvedKeys keys
            = pool({ readable(QStringLiteral("a")), readable(QStringLiteral("b")) });
        QVERIFY(pools.settle(Provider, keys, QStringLiteral("a"),
            outcome(FailureClass::RateLimited, 5000), 600000, QString()));
        // b is the only one left: its rate limit is the route's (a retry after Retry-After, or a
        // fallback that cools the route), and b stays usable for that retry.
        QVERIFY(!pools.settle(Provider, keys, QStringLiteral("b"),
            outcome(FailureClass::RateLimited, 5000), 600000, QString()));
        QCOMPARE(pools.pick(Provider, keys, 7).label, QStringLiteral("b"));

        // A single key is always the route's.
        const ResolvedKeys single = pool({ readable(QStringLiteral("only")) });
        QVERIFY(!pools.settle(Provider, single, QStringLiteral("only"),
            outcome(FailureClass::RateLimited, 5000), 600000, QString()));
        QCOMPARE(pools.pick(Provider, single, 7).label, QStringLiteral("only"));
    }

    void everyKeyCoolingMeansTheProviderWaits()
    {
        ManualClock clock;
        KeyPools pools(clock);
        const ResolvedKeys keys = pool({ readable(QStringLiteral("a")),
            readable(QStringLiteral("b")), readable(QStringLiteral("c")) });
        QVERIFY(pools.rateLimited(Provider, keys, QStringLiteral("a"), 9000));
        QVERIFY(pools.rateLimited(Provider, keys, QStringLiteral("b"), 4000));
        QVERIFY(!pools.rateLimited(Provider, keys, QStringLiteral("c"), 4000)); // the last one
        // Only a settle of the route can take the last one out; here, c is rejected meanwhile.
        QVERIFY(!pools.rejected(Provider, keys, QStringLiteral("c"), QStringLiteral("401")));
        const KeyPools::Pick pick = pools.pick(Provider, keys, 1);
        QCOMPARE(pick.index, -1);
        QCOMPARE(pick.lack, KeyPools::Pick::Lack::CoolingDown);
        QCOMPARE(pick.coolingMs, qint64(4000));
        clock.advance(4000);
        QCOMPARE(pools.pick(Provider, keys, 1).label, QStringLiteral("b"));
    }

    void aRejectedKeyIsSkippedUntilItsValueChanges()
    {
        ManualClock clock;
        KeyPools pools(clock);
        const ResolvedKeys keys
            = pool({ readable(QStringLiteral("a")), readable(QStringLiteral("b")) });
        const ProviderConfig config = configOf(keys);
        QVERIFY(pools.settle(Provider, keys, QStringLiteral("a"), outcome(FailureClass::AuthError),
            600000, QStringLiteral("401: invalid api key")));
        for (quint64 affinity = 0; affinity < 50; ++affinity)
            QCOMPARE(pools.pick(Provider, keys, affinity).label, QStringLiteral("b"));
        const KeySnapshot a = pools.snapshots(config, keys).at(0);
        QCOMPARE(a.state, KeyState::Rejected);
        QCOMPARE(a.detail, QStringLiteral("401: invalid api key"));
        QCOMPARE(a.rejections, quint64(1));
        // Time alone does not bring it back; a new value does.
        clock.advance(24LL * 3600 * 1000);
        QCOMPARE(pools.snapshots(config, keys).at(0).state, KeyState::Rejected);
        pools.forget(Provider, QStringLiteral("a"));
        QCOMPARE(pools.snapshots(config, keys).at(0).state, KeyState::Set);
    }

    void everyKeyRejectedFallsBackToTheLeastRecentlyRejected()
    {
        ManualClock clock;
        KeyPools pools(clock);
        const ResolvedKeys keys
            = pool({ readable(QStringLiteral("a")), readable(QStringLiteral("b")) });
        QVERIFY(pools.rejected(Provider, keys, QStringLiteral("a"), QStringLiteral("401")));
        clock.advance(10);
        QVERIFY(!pools.rejected(Provider, keys, QStringLiteral("b"), QStringLiteral("403")));
        // Rather than take the provider out for good, its routes go on (flagged misconfigured).
        const KeyPools::Pick pick = pools.pick(Provider, keys, 3);
        QCOMPARE(pick.label, QStringLiteral("a"));
        QVERIFY(pick.rejected);
        // And a success clears the verdict.
        pools.settle(Provider, keys, QStringLiteral("a"), outcome(FailureClass::Ok), 0, QString());
        QVERIFY(!pools.pick(Provider, keys, 3).rejected);
    }

    void unreadableKeysAreNeverSentAndSaySo()
    {
        ManualClock clock;
        KeyPools pools(clock);
        const ResolvedKeys some
            = pool({ missing(QStringLiteral("a")), readable(QStringLiteral("b")) });
        for (quint64 affinity = 0; affinity < 50; ++affinity)
            QCOMPARE(pools.pick(Provider, some, affinity).label, QStringLiteral("b"));
        const ResolvedKeys none
            = pool({ missing(QStringLiteral("a")), missing(QStringLiteral("b")) });
        const KeyPools::Pick pick = pools.pick(Provider, none, 1);
        QCOMPARE(pick.lack, KeyPools::Pick::Lack::Unreadable);
        QVERIFY2(pick.reason.contains(QLatin1String("keychain entry 'b' is missing")),
            qPrintable(pick.reason));
    }

    void stateFollowsTheConfigAndIsPerProvider()
    {
        ManualClock clock;
        KeyPools pools(clock);
        const ResolvedKeys keys
            = pool({ readable(QStringLiteral("a")), readable(QStringLiteral("b")) });
        QVERIFY(pools.rateLimited(Provider, keys, QStringLiteral("a"), 9000));
        // Another provider's key of the same label is another key.
        QCOMPARE(pools.pick(QStringLiteral("other"), keys, 0).lack, KeyPools::Pick::Lack::None);
        QVERIFY(
            pools.pick(QStringLiteral("other"), pool({ readable(QStringLiteral("a")) }), 0).label
            == QLatin1String("a"));
        // A config that still names the key keeps its state; one that drops it forgets it.
        Config config;
        config.providers.insert(Provider, configOf(keys));
        pools.configure(config);
        QCOMPARE(pools.snapshots(configOf(keys), keys).at(0).state, KeyState::CoolingDown);
        config.providers[Provider].keys.removeFirst();
        pools.configure(config);
        QCOMPARE(pools.snapshots(configOf(keys), keys).at(0).state, KeyState::Set);
    }

    void affinityIsStableAndSeparatesItsSources()
    {
        QCOMPARE(KeyPools::affinityOf(QStringLiteral("c1"), {}),
            KeyPools::affinityOf(QStringLiteral("c1"), "ignored"));
        QVERIFY(KeyPools::affinityOf(QStringLiteral("c1"), {})
            != KeyPools::affinityOf(QStringLiteral("c2"), {}));
        // A conversation named "x" and one that began with the bytes "x" are different ones.
        QVERIFY(KeyPools::affinityOf(QStringLiteral("x"), {}) != KeyPools::affinityOf({}, "x"));
        // Fixed values (FNV-1a): the same in every process and on every instance of a fleet, so
        // a change of hash, which would move every conversation to another key, is noticed.
        QCOMPARE(KeyPools::affinityOf({}, {}), quint64(14695981039346656037ull));
        QCOMPARE(KeyPools::affinityOf({}, "a"), quint64(0xaf63dc4c8601ec8cull));
    }
};

QTEST_GUILESS_MAIN(KeyPoolsTest)
#include "tst_keypools.moc"
