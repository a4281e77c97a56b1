#include "config/secretdestinations.h"

#include <algorithm>

namespace Switchyard {

namespace {

QString destinationOf(const QUrl &url)
{
    const int defaultPort = url.scheme() == QLatin1String("https") ? 443 : 80;
    return QStringLiteral("%1://%2:%3").arg(url.scheme(), url.host()).arg(url.port(defaultPort));
}

} // namespace

QString SecretDestinationChange::describe() const
{
    return QStringLiteral("provider '%1' would send %2 to %3").arg(provider, secret, destination);
}

QList<SecretDestinationChange> secretDestinationChanges(
    const Config &running, const Config &proposed)
{
    QList<SecretDestinationChange> changes;
    for (const ProviderConfig &provider : proposed.providers) {
        if (provider.kind == QLatin1String("simulated"))
            continue;
        const auto before = running.providers.constFind(provider.name);
        // A provider that was simulated sent its key nowhere; one of another kind may send it
        // elsewhere (a simulated provider's address is its own, not the configured one).
        const bool sameDestination = before != running.providers.cend()
            && before->kind == provider.kind
            && destinationOf(before->baseUrl) == destinationOf(provider.baseUrl);
        for (const ProviderKey &key : provider.keys) {
            const bool sentThereBefore = sameDestination
                && std::any_of(before->keys.cbegin(), before->keys.cend(),
                    [&key](const ProviderKey &old) { return old.ref == key.ref; });
            if (!sentThereBefore)
                changes.append(
                    { provider.name, key.ref.describe(), destinationOf(provider.baseUrl) });
        }
    }
    return changes;
}

} // namespace Switchyard
