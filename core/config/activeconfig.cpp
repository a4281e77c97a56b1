#include "config/activeconfig.h"

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
    }
    return QString();
}

bool ActiveConfig::probesByCompletion(const RouteConfig &route) const
{
    if (route.probe.kind != QLatin1String("auto"))
        return route.probe.kind == QLatin1String("completion");
    const ResolvedSecret key = providerKeys.value(route.provider);
    const bool embeddingsOnly = route.capabilities == unsigned(Capability::Embeddings);
    return key.ok && !key.value.isEmpty() && !embeddingsOnly;
}

} // namespace Switchyard
