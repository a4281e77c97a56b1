#pragma once

#include "routing/failureclass.h"
#include "routing/providersnapshot.h"

#include <QHash>

namespace Switchyard {

class KeyPools;
class RouteRegistry;

// What the Providers view shows of each provider: where its key comes from and whether it is
// there, the last Test and how it went, and whether real traffic says the upstream rejects the
// key. Engine thread only.
class ProviderStatus final {
public:
    void testStarted(const QString &provider);
    // `result` is already redacted; `tested` is false when no call was made.
    void testFinished(
        const QString &provider, bool tested, FailureClass failureClass, const QString &result);
    // A new key deserves a fresh verdict.
    void forgetTest(const QString &provider) { m_tests.remove(provider); }
    QString lastResult(const QString &provider) const { return m_tests.value(provider).result; }

    QList<ProviderSnapshot> snapshots(
        const ActiveConfig &active, const RouteRegistry &routes, const KeyPools &keys) const;

private:
    struct Test {
        ProviderSnapshot::Test state = ProviderSnapshot::Test::NotRun;
        QString result;
        bool rejectedKey = false;
        qint64 atMs = 0;
    };
    QHash<QString, Test> m_tests;
};

} // namespace Switchyard
