#include "observe/trace.h"

#include "config/config.h"

#include <QJsonArray>

#include <algorithm>

namespace Switchyard {

namespace {

// A stored trace names what this build may not know: read as the nearest safe meaning.
FailureClass classFromName(const QString &name)
{
    return parseFailureClass(name).value_or(FailureClass::Transient);
}

Decision decisionFromName(const QString &name)
{
    return parseDecision(name).value_or(Decision::Return);
}

} // namespace

AttemptRecord AttemptRecord::skippedRoute(const QString &route, FailureClass failureClass,
    const QString &skip, const QString &reason, qint64 atMs)
{
    AttemptRecord record;
    record.route = route;
    record.skipped = true;
    record.skip = skip;
    record.failureClass = failureClass;
    record.decision = Decision::Skip;
    record.reason = reason;
    record.startMs = record.endMs = atMs;
    return record;
}

bool TraceRecord::failed() const
{
    return finalClass != FailureClass::Ok && finalClass != FailureClass::CallerError
        && finalClass != FailureClass::Cancelled;
}

bool TraceRecord::endedInError() const
{
    return status < 200 || status >= 300 || finalClass != FailureClass::Ok;
}

void TraceRecord::conclude(int finalStatus, FailureClass finalClass_, qint64 duration,
    const QString &firstChoice, bool onDegradedRoute)
{
    status = finalStatus;
    finalClass = finalClass_;
    durationMs = duration;
    fallback = !route.isEmpty() && route != firstChoice;
    degraded = onDegradedRoute;
    for (AttemptRecord &attempt : attempts) {
        attempt.byFallback = !attempt.skipped && attempt.route != firstChoice;
        tokensIn += attempt.tokensIn;
        tokensOut += attempt.tokensOut;
        cacheReadTokens += attempt.cacheReadTokens;
        cacheWriteTokens += attempt.cacheWriteTokens;
        costUsd += attempt.costUsd;
        // What the first choice did not cost: spend that exists only because of fallback.
        if (attempt.byFallback)
            fallbackCostUsd += attempt.costUsd;
    }
}

QString TraceRecord::summary() const
{
    return QStringLiteral("request id=%1 lane=%2 route=%3 status=%4 class=%5 attempts=%6 "
                          "fallback=%7 ms=%8%9")
        .arg(id, lane, route.isEmpty() ? QStringLiteral("-") : route)
        .arg(status)
        .arg(failureClassName(finalClass))
        .arg(upstreamAttempts())
        .arg(int(fallback))
        .arg(durationMs)
        .arg(panic ? QStringLiteral(" panic=1") : QString());
}

int TraceRecord::upstreamAttempts() const
{
    return int(std::count_if(
        attempts.cbegin(), attempts.cend(), [](const AttemptRecord &a) { return !a.skipped; }));
}

bool TraceRecord::hasDrill() const
{
    return std::any_of(
        attempts.cbegin(), attempts.cend(), [](const AttemptRecord &a) { return a.drill; });
}

QJsonObject TraceRecord::toJson() const
{
    QJsonArray attemptArray;
    for (const AttemptRecord &attempt : attempts) {
        QJsonObject item { { QStringLiteral("route"), attempt.route },
            { QStringLiteral("class"), failureClassName(attempt.failureClass) },
            { QStringLiteral("decision"), decisionName(attempt.decision) },
            { QStringLiteral("status"), attempt.httpStatus },
            { QStringLiteral("reason"), attempt.reason },
            { QStringLiteral("start_ms"), attempt.startMs },
            { QStringLiteral("connected_ms"), attempt.connectedMs },
            { QStringLiteral("first_byte_ms"), attempt.firstByteMs },
            { QStringLiteral("first_token_ms"), attempt.firstTokenMs },
            { QStringLiteral("end_ms"), attempt.endMs }, { QStringLiteral("bytes"), attempt.bytes },
            { QStringLiteral("tokens_in"), attempt.tokensIn },
            { QStringLiteral("tokens_out"), attempt.tokensOut },
            { QStringLiteral("cache_read_tokens"), attempt.cacheReadTokens },
            { QStringLiteral("cache_write_tokens"), attempt.cacheWriteTokens },
            { QStringLiteral("cost_usd"), attempt.costUsd } };
        if (attempt.skipped)
            item.insert(QStringLiteral("skip"), attempt.skip);
        if (!attempt.continuation.isEmpty())
            item.insert(QStringLiteral("continuation"), attempt.continuation);
        if (attempt.hedge)
            item.insert(QStringLiteral("hedge"), true);
        if (!attempt.note.isEmpty())
            item.insert(QStringLiteral("note"), attempt.note);
        if (!attempt.key.isEmpty())
            item.insert(QStringLiteral("key"), attempt.key);
        if (!attempt.spanId.isEmpty())
            item.insert(QStringLiteral("span_id"), attempt.spanId);
        if (attempt.drill)
            item.insert(QStringLiteral("drill"), true);
        if (attempt.trial)
            item.insert(QStringLiteral("trial"), true);
        if (attempt.byFallback)
            item.insert(QStringLiteral("by_fallback"), true);
        attemptArray.append(item);
    }
    QJsonObject json { { QStringLiteral("id"), id }, { QStringLiteral("lane"), lane },
        { QStringLiteral("route"), route }, { QStringLiteral("endpoint"), endpoint },
        { QStringLiteral("stream"), stream }, { QStringLiteral("fallback"), fallback },
        { QStringLiteral("degraded"), degraded }, { QStringLiteral("panic"), panic },
        { QStringLiteral("status"), status },
        { QStringLiteral("class"), failureClassName(finalClass) },
        { QStringLiteral("started_at_ms"), startedAtUtcMs },
        { QStringLiteral("duration_ms"), durationMs }, { QStringLiteral("tokens_in"), tokensIn },
        { QStringLiteral("tokens_out"), tokensOut },
        { QStringLiteral("cache_read_tokens"), cacheReadTokens },
        { QStringLiteral("cache_write_tokens"), cacheWriteTokens },
        { QStringLiteral("cost_usd"), costUsd },
        { QStringLiteral("fallback_cost_usd"), fallbackCostUsd },
        { QStringLiteral("needs"), QJsonArray::fromStringList(capabilityNames(needs)) },
        { QStringLiteral("estimated_tokens"), estimatedTokens },
        { QStringLiteral("attempts"), attemptArray } };
    if (!traceId.isEmpty()) {
        json.insert(QStringLiteral("trace_id"), traceId);
        json.insert(QStringLiteral("span_id"), spanId);
        if (!parentSpanId.isEmpty())
            json.insert(QStringLiteral("parent_span_id"), parentSpanId);
    }
    return json;
}

TraceRecord TraceRecord::fromJson(const QJsonObject &json)
{
    TraceRecord trace;
    trace.id = json.value(QLatin1String("id")).toString();
    trace.lane = json.value(QLatin1String("lane")).toString();
    trace.route = json.value(QLatin1String("route")).toString();
    trace.endpoint = json.value(QLatin1String("endpoint")).toString();
    trace.stream = json.value(QLatin1String("stream")).toBool();
    trace.fallback = json.value(QLatin1String("fallback")).toBool();
    trace.degraded = json.value(QLatin1String("degraded")).toBool();
    trace.panic = json.value(QLatin1String("panic")).toBool();
    trace.status = json.value(QLatin1String("status")).toInt();
    trace.finalClass = classFromName(json.value(QLatin1String("class")).toString());
    trace.startedAtUtcMs = json.value(QLatin1String("started_at_ms")).toInteger();
    trace.durationMs = json.value(QLatin1String("duration_ms")).toInteger();
    trace.tokensIn = json.value(QLatin1String("tokens_in")).toInteger();
    trace.tokensOut = json.value(QLatin1String("tokens_out")).toInteger();
    trace.cacheReadTokens = json.value(QLatin1String("cache_read_tokens")).toInteger();
    trace.cacheWriteTokens = json.value(QLatin1String("cache_write_tokens")).toInteger();
    trace.costUsd = json.value(QLatin1String("cost_usd")).toDouble();
    trace.fallbackCostUsd = json.value(QLatin1String("fallback_cost_usd")).toDouble();
    trace.traceId = json.value(QLatin1String("trace_id")).toString();
    trace.spanId = json.value(QLatin1String("span_id")).toString();
    trace.parentSpanId = json.value(QLatin1String("parent_span_id")).toString();
    for (const QJsonValue &need : json.value(QLatin1String("needs")).toArray()) {
        for (Capability capability : allCapabilities()) {
            if (capabilityName(capability) == need.toString())
                trace.needs |= unsigned(capability);
        }
    }
    trace.estimatedTokens
        = qMax<qint64>(0, json.value(QLatin1String("estimated_tokens")).toInteger());
    for (const QJsonValue &value : json.value(QLatin1String("attempts")).toArray()) {
        const QJsonObject item = value.toObject();
        AttemptRecord attempt;
        attempt.route = item.value(QLatin1String("route")).toString();
        attempt.failureClass = classFromName(item.value(QLatin1String("class")).toString());
        attempt.decision = decisionFromName(item.value(QLatin1String("decision")).toString());
        attempt.skip = item.value(QLatin1String("skip")).toString();
        attempt.skipped = attempt.decision == Decision::Skip;
        attempt.drill = item.value(QLatin1String("drill")).toBool();
        attempt.hedge = item.value(QLatin1String("hedge")).toBool();
        attempt.note = item.value(QLatin1String("note")).toString();
        attempt.key = item.value(QLatin1String("key")).toString();
        attempt.spanId = item.value(QLatin1String("span_id")).toString();
        attempt.trial = item.value(QLatin1String("trial")).toBool();
        attempt.byFallback = item.value(QLatin1String("by_fallback")).toBool();
        attempt.httpStatus = item.value(QLatin1String("status")).toInt();
        attempt.reason = item.value(QLatin1String("reason")).toString();
        attempt.startMs = item.value(QLatin1String("start_ms")).toInteger();
        attempt.connectedMs = item.value(QLatin1String("connected_ms")).toInteger(-1);
        attempt.firstByteMs = item.value(QLatin1String("first_byte_ms")).toInteger(-1);
        attempt.firstTokenMs = item.value(QLatin1String("first_token_ms")).toInteger(-1);
        attempt.continuation = item.value(QLatin1String("continuation")).toString();
        attempt.endMs = item.value(QLatin1String("end_ms")).toInteger();
        attempt.bytes = item.value(QLatin1String("bytes")).toInteger();
        attempt.tokensIn = item.value(QLatin1String("tokens_in")).toInteger();
        attempt.tokensOut = item.value(QLatin1String("tokens_out")).toInteger();
        attempt.cacheReadTokens = item.value(QLatin1String("cache_read_tokens")).toInteger();
        attempt.cacheWriteTokens = item.value(QLatin1String("cache_write_tokens")).toInteger();
        attempt.costUsd = item.value(QLatin1String("cost_usd")).toDouble();
        trace.attempts.append(attempt);
    }
    return trace;
}

} // namespace Switchyard
