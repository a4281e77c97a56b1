#include "config/configschema.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <vector>

namespace Switchyard {

namespace {

// Optimal string alignment distance: Levenshtein plus a swap of two neighbours, which is the
// commonest typo ("capabilites", "defualt_lane"). Three rows, not a table: keys are short, but a
// file may hold many that are not.
int editDistance(const QString &a, const QString &b)
{
    const qsizetype m = b.size();
    std::vector<int> twoBack(size_t(m + 1)), previous(size_t(m + 1)), current(size_t(m + 1));
    for (qsizetype j = 0; j <= m; ++j)
        previous[size_t(j)] = int(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        current[0] = int(i);
        for (qsizetype j = 1; j <= m; ++j) {
            const int cost = a.at(i - 1).toLower() == b.at(j - 1).toLower() ? 0 : 1;
            int best = std::min({ previous[size_t(j)] + 1, current[size_t(j - 1)] + 1,
                previous[size_t(j - 1)] + cost });
            if (i > 1 && j > 1 && a.at(i - 1) == b.at(j - 2) && a.at(i - 2) == b.at(j - 1))
                best = std::min(best, twoBack[size_t(j - 2)] + 1);
            current[size_t(j)] = best;
        }
        std::swap(twoBack, previous);
        std::swap(previous, current);
    }
    return previous[size_t(m)];
}

QString normalised(QString key)
{
    return key.remove(QLatin1Char('_')).remove(QLatin1Char('-')).toLower();
}

} // namespace

const QStringList &ConfigSchema::keys()
{
    static const QStringList all {
        QStringLiteral("$schema"),
        QStringLiteral("listen"),
        QStringLiteral("admin_token"),
        QStringLiteral("log_level"),
        QStringLiteral("default_lane"),
        QStringLiteral("unknown_model"),
        QStringLiteral("max_request_bytes"),
        QStringLiteral("workers"),
        QStringLiteral("allowed_hosts"),
        QStringLiteral("allowed_origins"),

        QStringLiteral("providers"),
        QStringLiteral("providers.NAME.kind"),
        QStringLiteral("providers.NAME.base_url"),
        QStringLiteral("providers.NAME.api_key"),
        QStringLiteral("providers.NAME.api_key[].keychain"),
        QStringLiteral("providers.NAME.api_key[].env"),
        QStringLiteral("providers.NAME.api_key[].label"),
        QStringLiteral("providers.NAME.api_key[].weight"),
        QStringLiteral("providers.NAME.tls"),
        QStringLiteral("providers.NAME.tls.ca_file"),
        QStringLiteral("providers.NAME.simulation"),
        QStringLiteral("providers.NAME.simulation.latency_ms"),
        QStringLiteral("providers.NAME.simulation.jitter_ms"),
        QStringLiteral("providers.NAME.simulation.error_rate"),
        QStringLiteral("providers.NAME.simulation.tokens_out"),
        QStringLiteral("providers.NAME.simulation.stream_chunks"),
        QStringLiteral("providers.NAME.simulation.cycle_s"),
        QStringLiteral("providers.NAME.simulation.incidents"),
        QStringLiteral("providers.NAME.simulation.incidents[].start_s"),
        QStringLiteral("providers.NAME.simulation.incidents[].end_s"),
        QStringLiteral("providers.NAME.simulation.incidents[].fault"),
        QStringLiteral("providers.NAME.simulation.incidents[].rate"),
        QStringLiteral("providers.NAME.simulation.incidents[].latency_ms"),

        QStringLiteral("routes"),
        QStringLiteral("routes.NAME.provider"),
        QStringLiteral("routes.NAME.model"),
        QStringLiteral("routes.NAME.capabilities"),
        QStringLiteral("routes.NAME.context_window"),
        QStringLiteral("routes.NAME.max_tokens"),
        QStringLiteral("routes.NAME.budget_usd_per_day"),
        QStringLiteral("routes.NAME.price"),
        QStringLiteral("routes.NAME.price.input_per_mtok"),
        QStringLiteral("routes.NAME.price.output_per_mtok"),
        QStringLiteral("routes.NAME.price.cache_read_per_mtok"),
        QStringLiteral("routes.NAME.price.cache_write_per_mtok"),
        QStringLiteral("routes.NAME.timeouts_ms"),
        QStringLiteral("routes.NAME.timeouts_ms.connect"),
        QStringLiteral("routes.NAME.timeouts_ms.first_byte"),
        QStringLiteral("routes.NAME.timeouts_ms.first_token"),
        QStringLiteral("routes.NAME.timeouts_ms.idle"),
        QStringLiteral("routes.NAME.timeouts_ms.total"),
        QStringLiteral("routes.NAME.breaker"),
        QStringLiteral("routes.NAME.breaker.window"),
        QStringLiteral("routes.NAME.breaker.min_calls"),
        QStringLiteral("routes.NAME.breaker.failure_rate"),
        QStringLiteral("routes.NAME.breaker.consecutive_failures"),
        QStringLiteral("routes.NAME.breaker.slow_call_ms"),
        QStringLiteral("routes.NAME.breaker.slow_call_rate"),
        QStringLiteral("routes.NAME.breaker.cooldown_ms"),
        QStringLiteral("routes.NAME.breaker.max_cooldown_ms"),
        QStringLiteral("routes.NAME.breaker.half_open_calls"),
        QStringLiteral("routes.NAME.recovery"),
        QStringLiteral("routes.NAME.recovery.steps"),
        QStringLiteral("routes.NAME.recovery.step_ms"),
        QStringLiteral("routes.NAME.probe"),
        QStringLiteral("routes.NAME.probe.kind"),
        QStringLiteral("routes.NAME.probe.interval_ms"),
        QStringLiteral("routes.NAME.probe.open_interval_ms"),
        QStringLiteral("routes.NAME.probe.timeout_ms"),

        QStringLiteral("lanes"),
        QStringLiteral("lanes.NAME.chain"),
        QStringLiteral("lanes.NAME.degraded"),
        QStringLiteral("lanes.NAME.policy_fallbacks"),
        QStringLiteral("lanes.NAME.models"),
        QStringLiteral("lanes.NAME.deadline_ms"),
        QStringLiteral("lanes.NAME.budget_usd_per_day"),
        QStringLiteral("lanes.NAME.continuation"),
        QStringLiteral("lanes.NAME.hedge"),
        QStringLiteral("lanes.NAME.hedge.after_ms"),
        QStringLiteral("lanes.NAME.hedge.percentile"),
        QStringLiteral("lanes.NAME.retry"),
        QStringLiteral("lanes.NAME.retry.max_retries"),
        QStringLiteral("lanes.NAME.retry.base_ms"),
        QStringLiteral("lanes.NAME.retry.max_ms"),
        QStringLiteral("lanes.NAME.retry.max_retry_after_ms"),
        QStringLiteral("lanes.NAME.retry.budget_ratio"),
        QStringLiteral("lanes.NAME.retry.budget_min_retries"),
        QStringLiteral("lanes.NAME.retry.retry_silent"),

        QStringLiteral("limits"),
        QStringLiteral("limits.max_event_bytes"),
        QStringLiteral("limits.max_pending_stream_bytes"),
        QStringLiteral("limits.stalled_client_ms"),
        QStringLiteral("limits.max_retry_after_ms"),
        QStringLiteral("limits.max_head_bytes"),
        QStringLiteral("limits.client_read_timeout_ms"),
        QStringLiteral("limits.client_idle_timeout_ms"),

        QStringLiteral("traces"),
        QStringLiteral("traces.retention_hours"),
        QStringLiteral("traces.max_count"),
        QStringLiteral("traces.success_sample_ratio"),

        QStringLiteral("cluster"),
        QStringLiteral("cluster.redis"),
        QStringLiteral("cluster.instance"),

        QStringLiteral("tls"),
        QStringLiteral("tls.cert"),
        QStringLiteral("tls.key"),

        QStringLiteral("telemetry"),
        QStringLiteral("telemetry.otlp_endpoint"),
        QStringLiteral("telemetry.headers"),
        QStringLiteral("telemetry.sample_ratio"),
        QStringLiteral("capture"),
        QStringLiteral("capture.bodies"),
        QStringLiteral("capture.max_bytes"),
        QStringLiteral("capture.retention_hours"),
        QStringLiteral("capture.redact"),
        QStringLiteral("alerts"),
        QStringLiteral("alerts.webhook"),
        QStringLiteral("alerts.on"),
    };
    return all;
}

QStringList ConfigSchema::childrenOf(const QString &objectPath)
{
    const QString prefix = objectPath.isEmpty() ? QString() : objectPath + QLatin1Char('.');
    QStringList children;
    for (const QString &key : keys()) {
        if (!key.startsWith(prefix))
            continue;
        const QString rest = key.mid(prefix.size());
        // "providers.NAME.kind" is a child of "providers.NAME", not of the document.
        if (!rest.contains(QLatin1Char('.')))
            children.append(rest);
    }
    return children;
}

bool ConfigSchema::isNote(const QString &key)
{
    return key.startsWith(QLatin1String("//")) || key.startsWith(QLatin1String("x-"));
}

QString ConfigSchema::suggestionFor(const QString &key, const QStringList &known)
{
    QString best;
    int bestDistance = std::numeric_limits<int>::max();
    for (const QString &candidate : known) {
        // "firstByte", "First-Byte" and "firstbyte" all mean first_byte.
        // "timeout" for timeouts_ms: the start of a known key, long enough to mean it.
        const bool start = key.size() >= 4 && normalised(candidate).startsWith(normalised(key));
        // Lengths further apart than a typo allows cannot be one: no need to measure.
        const bool nearInLength
            = std::abs(key.size() - candidate.size()) <= candidate.size() / 3 + 1;
        const int distance = normalised(key) == normalised(candidate) ? 0
            : start                                                   ? 1
            : nearInLength ? editDistance(key.left(64), candidate)
                           : std::numeric_limits<int>::max();
        if (distance < bestDistance) {
            bestDistance = distance;
            best = candidate;
        }
    }
    // Beyond a third of the name it is another word, not a typo of this one.
    const int allowed = std::max(1, int(best.size()) / 3);
    return bestDistance <= allowed ? best : QString();
}

} // namespace Switchyard
