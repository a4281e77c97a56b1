#include "routing/chainwarnings.h"

#include <QCoreApplication>

namespace Switchyard {

namespace {

double blendedPrice(const RouteConfig &route)
{
    // A typical chat request reads about three tokens for every one it writes.
    return (3.0 * route.price.inputPerMTok + route.price.outputPerMTok) / 4.0;
}

} // namespace

QStringList chainWarnings(const Config &config, const QStringList &chain, const QString &degraded)
{
    QStringList warnings;
    if (chain.isEmpty()) {
        warnings.append(QCoreApplication::translate(
            "ChainWarnings", "The chain is empty: every request to this lane will fail."));
        return warnings;
    }
    const auto primary = config.routes.constFind(chain.first());
    if (primary == config.routes.cend()) {
        warnings.append(
            QCoreApplication::translate("ChainWarnings", "Unknown route '%1'.").arg(chain.first()));
        return warnings;
    }
    QStringList fallbacks = chain.mid(1);
    if (!degraded.isEmpty() && !fallbacks.contains(degraded))
        fallbacks.append(degraded);
    const unsigned honoured = unsigned(Capability::Tools) | unsigned(Capability::Json)
        | unsigned(Capability::Vision) | unsigned(Capability::Stream);
    for (const QString &name : std::as_const(fallbacks)) {
        const auto route = config.routes.constFind(name);
        if (route == config.routes.cend()) {
            warnings.append(
                QCoreApplication::translate("ChainWarnings", "Unknown route '%1'.").arg(name));
            continue;
        }
        const Capabilities missing = primary->capabilities & ~route->capabilities & honoured;
        if (missing)
            warnings.append(
                QCoreApplication::translate(
                    "ChainWarnings", "%1 cannot honour %2 of %3: such requests skip it.")
                    .arg(name, capabilityNames(missing).join(QLatin1String(", ")), primary->name));
        if (route->contextWindow > 0
            && (primary->contextWindow == 0 || route->contextWindow < primary->contextWindow))
            warnings.append(QCoreApplication::translate(
                "ChainWarnings", "%1 has a smaller context window (%2 tokens) than %3 (%4).")
                                .arg(name)
                                .arg(route->contextWindow)
                                .arg(primary->name,
                                    primary->contextWindow > 0
                                        ? QString::number(primary->contextWindow)
                                        : QCoreApplication::translate("ChainWarnings", "unknown")));
        const double from = blendedPrice(*primary);
        const double to = blendedPrice(*route);
        if (from > 0 && to > 3.0 * from)
            warnings.append(QCoreApplication::translate(
                "ChainWarnings", "%1 costs %2× as much as %3 per token.")
                                .arg(name)
                                .arg(to / from, 0, 'f', 1)
                                .arg(primary->name));
    }
    return warnings;
}

} // namespace Switchyard
