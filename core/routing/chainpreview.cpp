#include "routing/chainpreview.h"

#include <algorithm>

namespace Switchyard {

QString ChainPreview::whyNot(
    const RouteConfig &route, const RouteSnapshot *state, unsigned needs, qint64 estimatedTokens)
{
    // The same order of checks as the gateway's admission: what it can do, then its key, then its
    // breaker and rate limit.
    const Capabilities missing = needs & ~route.capabilities;
    if (missing)
        return QStringLiteral("lacks %1").arg(capabilityNames(missing).join(QLatin1String(", ")));
    if (route.contextWindow > 0 && estimatedTokens > route.contextWindow)
        return QStringLiteral("context window %1 < %2 tokens")
            .arg(route.contextWindow)
            .arg(estimatedTokens);
    const std::optional<Unavailability> out = state ? unavailabilityOf(*state) : std::nullopt;
    if (!out)
        return QString();
    switch (*out) {
    case Unavailability::Open:
        return QStringLiteral("open");
    case Unavailability::HalfOpen:
        return QStringLiteral("half-open");
    case Unavailability::Drained:
        return QStringLiteral("drained");
    case Unavailability::Drilling:
        return QStringLiteral("in a drill");
    case Unavailability::Misconfigured:
        return QStringLiteral("misconfigured");
    case Unavailability::RateLimited:
        return QStringLiteral("rate-limited");
    }
    return QString();
}

ChainPreview ChainPreview::run(const QList<TraceRecord> &traces, const QString &lane,
    const Config &config, const QStringList &chain, const QString &degraded,
    const QHash<QString, RouteSnapshot> &routes, int most)
{
    QList<const TraceRecord *> picked;
    for (const TraceRecord &trace : traces) {
        if (trace.lane == lane && trace.finalClass != FailureClass::CallerError
            && !trace.attempts.isEmpty())
            picked.append(&trace);
    }
    std::stable_sort(picked.begin(), picked.end(), [](const TraceRecord *a, const TraceRecord *b) {
        return a->startedAtUtcMs > b->startedAtUtcMs;
    });
    if (picked.size() > most)
        picked.resize(most);

    QStringList order = chain;
    if (!degraded.isEmpty() && !order.contains(degraded))
        order.append(degraded);
    ChainPreview preview;
    for (const TraceRecord *trace : std::as_const(picked)) {
        Row row;
        row.id = trace->id;
        row.atMs = trace->startedAtUtcMs;
        row.needs = trace->needs;
        row.estimatedTokens = trace->estimatedTokens;
        row.stream = trace->stream;
        row.servedBy = trace->failed() ? QString() : trace->route;
        row.costThen = trace->costUsd;
        for (const QString &name : std::as_const(order)) {
            const auto route = config.routes.constFind(name);
            if (route == config.routes.cend()) {
                row.skipped.append({ name, QStringLiteral("unknown route") });
                continue;
            }
            const auto state = routes.constFind(name);
            const QString why = whyNot(*route, state == routes.cend() ? nullptr : &state.value(),
                trace->needs, trace->estimatedTokens);
            if (!why.isEmpty()) {
                row.skipped.append({ name, why });
                continue;
            }
            row.wouldServe = name;
            row.byDegraded = name == degraded && !chain.contains(name);
            row.costNow = route->price.costUsd(
                trace->tokensIn, trace->tokensOut, trace->cacheReadTokens, trace->cacheWriteTokens);
            break;
        }
        preview.elsewhere += row.wouldServe != row.servedBy ? 1 : 0;
        preview.unserved += row.wouldServe.isEmpty() ? 1 : 0;
        preview.costThen += row.costThen;
        preview.costNow += row.costNow;
        preview.rows.append(row);
    }
    return preview;
}

} // namespace Switchyard
