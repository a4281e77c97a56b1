#include "config/activeconfig.h"

#include <algorithm>

namespace Switchyard {

QString keyStateName(KeyState state)
{
    switch (state) {
    case KeyState::NotNeeded:
        return QStringLiteral("not_needed");
    case KeyState::Reading:
        return QStringLiteral("reading");
    case KeyState::Set:
        return QStringLiteral("set");
    case KeyState::Missing:
        return QStringLiteral("missing");
    case KeyState::Unreadable:
        return QStringLiteral("unreadable");
    case KeyState::Rejected:
        return QStringLiteral("rejected");
    case KeyState::CoolingDown:
        return QStringLiteral("cooling_down");
    }
    return QString();
}

bool ResolvedKeys::usable() const
{
    return keys.isEmpty() || std::any_of(keys.cbegin(), keys.cend(), [](const ResolvedKey &key) {
        return key.secret.ok;
    });
}

QString ResolvedKeys::error() const
{
    if (usable())
        return QString();
    if (keys.size() == 1)
        return keys.constFirst().secret.error;
    QStringList why;
    for (const ResolvedKey &key : keys)
        why.append(QStringLiteral("%1: %2").arg(key.label, key.secret.error));
    return QStringLiteral("no key of the pool can be read (%1)").arg(why.join(QLatin1String("; ")));
}

const ResolvedKey *ResolvedKeys::find(const QString &label) const
{
    for (const ResolvedKey &key : keys) {
        if (key.label == label)
            return &key;
    }
    return nullptr;
}

bool ActiveConfig::probesByCompletion(const RouteConfig &route) const
{
    if (route.probe.kind != QLatin1String("auto"))
        return route.probe.kind == QLatin1String("completion");
    const bool embeddingsOnly = route.capabilities == unsigned(Capability::Embeddings);
    return providerKeys.value(route.provider).needed()
        && providerKeys.value(route.provider).usable() && !embeddingsOnly;
}

} // namespace Switchyard
