#include "engine/providerstatus.h"

#include "routing/keypools.h"
#include "routing/routeregistry.h"

#include <QDateTime>

#include <algorithm>

namespace Switchyard {

void ProviderStatus::testStarted(const QString &provider)
{
    m_tests[provider].state = ProviderSnapshot::Test::Running;
}

void ProviderStatus::testFinished(
    const QString &provider, bool tested, FailureClass failureClass, const QString &result)
{
    Test &test = m_tests[provider];
    const bool passed = tested && failureClass == FailureClass::Ok;
    test.state = passed ? ProviderSnapshot::Test::Passed : ProviderSnapshot::Test::Failed;
    test.result = passed || !tested
        ? result
        : failureClassName(failureClass) + QStringLiteral(": ") + result;
    test.rejectedKey = tested && failureClass == FailureClass::AuthError;
    test.atMs = QDateTime::currentMSecsSinceEpoch();
}

namespace {

// A pool's state in one word: Set while one of its keys serves, else why none does.
void summarisePool(ProviderSnapshot &snapshot)
{
    const QList<KeySnapshot> &keys = snapshot.keys;
    const auto count = [&keys](KeyState state) {
        return std::count_if(keys.cbegin(), keys.cend(),
            [state](const KeySnapshot &key) { return key.state == state; });
    };
    const qsizetype serving = count(KeyState::Set);
    snapshot.keyDetail = QStringLiteral("%1 of %2 keys serve").arg(serving).arg(keys.size());
    if (const qsizetype cooling = count(KeyState::CoolingDown))
        snapshot.keyDetail += QStringLiteral(", %1 cooling down").arg(cooling);
    if (const qsizetype rejected = count(KeyState::Rejected))
        snapshot.keyDetail += QStringLiteral(", %1 rejected").arg(rejected);
    for (KeyState state : { KeyState::Set, KeyState::CoolingDown, KeyState::Reading,
             KeyState::Rejected, KeyState::Unreadable, KeyState::Missing }) {
        if (count(state) > 0) {
            snapshot.keyState = state;
            return;
        }
    }
}

} // namespace

QList<ProviderSnapshot> ProviderStatus::snapshots(
    const ActiveConfig &active, const RouteRegistry &routes, const KeyPools &keys) const
{
    QList<ProviderSnapshot> snapshots;
    for (const ProviderConfig &provider : active.config.providers) {
        ProviderSnapshot snapshot;
        snapshot.name = provider.name;
        snapshot.kind = provider.kind;
        // Shown in the console and sent by the admin API: never a password in the address.
        snapshot.baseUrl = provider.baseUrl.toString(QUrl::RemovePassword);
        const ResolvedKeys resolved = active.providerKeys.value(provider.name);
        snapshot.keys = keys.snapshots(provider, resolved);
        if (!provider.keys.isEmpty())
            snapshot.key = provider.keys.constFirst().ref;
        // A single key is the provider's: its state, and what the test and real traffic say.
        const ResolvedSecret key = resolved.keys.size() == 1 ? resolved.keys.constFirst().secret
                                                             : ResolvedSecret { true };
        snapshot.keyState = key.state;
        snapshot.keyDetail = key.error;
        const Test test = m_tests.value(provider.name);
        snapshot.test = test.state;
        snapshot.testResult = test.result;
        snapshot.testedAtMs = test.atMs;
        if (key.ok && test.rejectedKey) {
            snapshot.keyState = KeyState::Rejected;
            snapshot.keyDetail = test.result;
        }
        for (const RouteConfig &route : active.config.routes) {
            if (route.provider != provider.name)
                continue;
            snapshot.routes.append(route.name);
            const RouteState *state = routes.find(route.name);
            // A 401/403 on real traffic flags the route; that is the upstream rejecting the key.
            if (key.ok && !test.rejectedKey && state && !state->misconfiguredReason.isEmpty()) {
                snapshot.keyState = KeyState::Rejected;
                snapshot.keyDetail = state->misconfiguredReason;
            }
        }
        if (resolved.keys.size() == 1 && snapshot.keys.constFirst().state == KeyState::Rejected
            && snapshot.keyState != KeyState::Rejected) {
            snapshot.keyState = KeyState::Rejected;
            snapshot.keyDetail = snapshot.keys.constFirst().detail;
        }
        if (resolved.pooled())
            summarisePool(snapshot);
        snapshots.append(snapshot);
    }
    return snapshots;
}

} // namespace Switchyard
