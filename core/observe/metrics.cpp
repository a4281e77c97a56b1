#include "observe/metrics.h"

#include "config/config.h"
#include "translate/callerprotocol.h"

namespace Switchyard {

namespace {

constexpr QChar Separator(0x1f);

QString key(std::initializer_list<QString> parts)
{
    QString joined;
    for (const QString &part : parts) {
        if (!joined.isEmpty() || &part != parts.begin())
            joined += Separator;
        joined += part;
    }
    return joined;
}

QByteArray labels(const QStringList &names, const QString &joined)
{
    const QStringList values = joined.split(Separator);
    QByteArray text = "{";
    for (qsizetype i = 0; i < names.size(); ++i) {
        if (i > 0)
            text += ',';
        text += names.at(i).toUtf8() + "=\"" + Metrics::escapeLabel(values.value(i)) + '"';
    }
    return text + '}';
}

QByteArray number(double value)
{
    return QByteArray::number(value, 'g', 17);
}

void header(QByteArray &out, const char *name, const char *type, const char *help)
{
    out += QByteArray("# HELP ") + name + ' ' + help + '\n';
    out += QByteArray("# TYPE ") + name + ' ' + type + '\n';
}

template <typename Map>
void samples(QByteArray &out, const char *name, const QStringList &labelNames, const Map &map)
{
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        out += name + labels(labelNames, it.key()) + ' ' + number(double(it.value())) + '\n';
}

} // namespace

QByteArray Metrics::escapeLabel(const QString &value)
{
    QByteArray escaped = value.toUtf8();
    escaped.replace('\\', "\\\\");
    escaped.replace('"', "\\\"");
    escaped.replace('\n', "\\n");
    return escaped;
}

void Metrics::record(const TraceRecord &trace)
{
    const QString route = trace.route.isEmpty() ? QStringLiteral("none") : trace.route;
    ++m_requests[key({ trace.lane, route, failureClassName(trace.finalClass) })];
    // Known APIs only: the label's values stay a fixed few whatever paths callers try.
    if (CallerProtocol::apiNames().contains(trace.endpoint))
        ++m_requestsByApi[key({ trace.endpoint, failureClassName(trace.finalClass) })];
    if (trace.fallback)
        ++m_fallbacks[trace.lane];
    for (const AttemptRecord &attempt : trace.attempts) {
        if (attempt.skipped)
            continue;
        ++m_attempts[key({ attempt.route, failureClassName(attempt.failureClass), attempt.key })];
        if (attempt.decision == Decision::Retry)
            ++m_retries[attempt.route];
        if (attempt.hedge) {
            const QString result = attempt.failureClass == FailureClass::Ok ? QStringLiteral("won")
                : attempt.failureClass == FailureClass::Cancelled ? QStringLiteral("cancelled")
                                                                  : QStringLiteral("failed");
            ++m_hedges[key({ trace.lane, result })];
        }
        m_cost[attempt.route] += attempt.costUsd;
        // Prompt tokens by how the cache took them; the kinds of "in" add up to all.
        const PromptTokens prompt = PromptTokens::split(
            attempt.tokensIn, attempt.cacheReadTokens, attempt.cacheWriteTokens);
        const QString in = QStringLiteral("in");
        m_tokens[key({ attempt.route, in, QStringLiteral("uncached") })]
            += quint64(prompt.uncached);
        if (prompt.cacheRead > 0)
            m_tokens[key({ attempt.route, in, QStringLiteral("cache_read") })]
                += quint64(prompt.cacheRead);
        if (prompt.cacheWrite > 0)
            m_tokens[key({ attempt.route, in, QStringLiteral("cache_write") })]
                += quint64(prompt.cacheWrite);
        m_tokens[key({ attempt.route, QStringLiteral("out"), QStringLiteral("output") })]
            += quint64(attempt.tokensOut);
    }
    Histogram &histogram = m_duration[trace.lane];
    const double seconds = double(trace.durationMs) / 1000.0;
    for (size_t i = 0; i < DurationBuckets.size(); ++i) {
        if (seconds <= DurationBuckets[i])
            ++histogram.buckets[i];
    }
    histogram.sum += seconds;
    ++histogram.count;
}

QByteArray Metrics::render(const QList<QPair<QString, int>> &breakerStates) const
{
    QByteArray out;
    out.reserve(4096);
    header(out, "switchyard_requests_total", "counter",
        "Requests answered, by lane, serving route and final class.");
    samples(out, "switchyard_requests_total",
        { QStringLiteral("lane"), QStringLiteral("route"), QStringLiteral("class") }, m_requests);
    header(out, "switchyard_api_requests_total", "counter",
        "Requests answered, by the API the caller spoke (chat.completions, messages, responses, "
        "embeddings) and final class.");
    samples(out, "switchyard_api_requests_total",
        { QStringLiteral("api"), QStringLiteral("class") }, m_requestsByApi);
    header(out, "switchyard_attempts_total", "counter",
        "Upstream attempts, by route, class and the label of the provider's key it sent.");
    samples(out, "switchyard_attempts_total",
        { QStringLiteral("route"), QStringLiteral("class"), QStringLiteral("key") }, m_attempts);
    header(out, "switchyard_fallbacks_total", "counter",
        "Requests served by a route other than the lane's first eligible one.");
    samples(out, "switchyard_fallbacks_total", { QStringLiteral("lane") }, m_fallbacks);
    header(out, "switchyard_retries_total", "counter", "Retries made on the same route.");
    samples(out, "switchyard_retries_total", { QStringLiteral("route") }, m_retries);
    header(out, "switchyard_hedges_total", "counter",
        "Hedges started, by lane and result: won (it answered), cancelled (the first attempt "
        "answered first, or the request ended), failed.");
    samples(out, "switchyard_hedges_total", { QStringLiteral("lane"), QStringLiteral("result") },
        m_hedges);
    header(out, "switchyard_breaker_state", "gauge",
        "Breaker state: 0 closed, 1 open, 2 half_open, 3 recovering, 4 drained, 5 drilling.");
    for (const auto &[route, state] : breakerStates)
        out += "switchyard_breaker_state{route=\"" + escapeLabel(route) + "\"} "
            + QByteArray::number(state) + '\n';
    header(out, "switchyard_request_duration_seconds", "histogram",
        "Time from request to the end of its answer.");
    for (auto it = m_duration.cbegin(); it != m_duration.cend(); ++it) {
        const QByteArray lane = "lane=\"" + escapeLabel(it.key()) + '"';
        for (size_t i = 0; i < DurationBuckets.size(); ++i)
            out += "switchyard_request_duration_seconds_bucket{" + lane + ",le=\""
                + number(DurationBuckets[i]) + "\"} " + QByteArray::number(it->buckets[i]) + '\n';
        out += "switchyard_request_duration_seconds_bucket{" + lane + ",le=\"+Inf\"} "
            + QByteArray::number(it->count) + '\n';
        out += "switchyard_request_duration_seconds_sum{" + lane + "} " + number(it->sum) + '\n';
        out += "switchyard_request_duration_seconds_count{" + lane + "} "
            + QByteArray::number(it->count) + '\n';
    }
    header(out, "switchyard_cost_usd_total", "counter", "Spend in US dollars, by route.");
    samples(out, "switchyard_cost_usd_total", { QStringLiteral("route") }, m_cost);
    header(out, "switchyard_tokens_total", "counter",
        "Tokens, by route, direction (in, out) and kind: a prompt's tokens are uncached, "
        "cache_read or cache_write; an answer's are output.");
    samples(out, "switchyard_tokens_total",
        { QStringLiteral("route"), QStringLiteral("direction"), QStringLiteral("kind") }, m_tokens);
    header(out, "switchyard_refused_requests_total", "counter",
        "Requests refused before routing, by HTTP status (only a sample of them is traced).");
    samples(out, "switchyard_refused_requests_total", { QStringLiteral("status") }, m_refused);
    header(out, "switchyard_trace_write_errors_total", "counter",
        "Traces that could not be stored (disk full, database error, writer queue full).");
    out += "switchyard_trace_write_errors_total " + QByteArray::number(m_traceWriteErrors) + '\n';
    header(out, "switchyard_spend_write_errors_total", "counter",
        "Spend records (a request's cost and tokens on one route) that could not be stored: "
        "the running budgets count them, the cost history read after a restart does not.");
    out += "switchyard_spend_write_errors_total " + QByteArray::number(m_spendWriteErrors) + '\n';
    return out;
}

} // namespace Switchyard
