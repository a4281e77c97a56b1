#include "engine/providerstatus.h"

#include "routing/routeregistry.h"

#include <QDateTime>

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

QList<ProviderSnapshot> ProviderStatus::snapshots(
    const ActiveConfig &active, const RouteRegistry &routes) const
{
    QList<ProviderSnapshot> snapshots;
    for (const ProviderConfig &provider : active.config.providers) {
        ProviderSnapshot snapshot;
        snapshot.name = provider.name;
        snapshot.kind = provider.kind;
        // Shown in the console and sent by the admin API: never a password in the address.
        snapshot.baseUrl = provider.baseUrl.toString(QUrl::RemovePassword);
        snapshot.key = provider.apiKey;
        const ResolvedSecret key = active.providerKeys.value(provider.name);
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
        snapshots.append(snapshot);
    }
    return snapshots;
}

} // namespace Switchyard
