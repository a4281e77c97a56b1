#include "observe/trace.h"

#include "config/config.h"

#include <QCborStreamReader>
#include <QCborStreamWriter>
#include <QCborValue>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>
#include <utility>

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

// The fields of a trace, written once for both of its forms: the JSON object that the admin API
// and the console read, and the CBOR that the trace store keeps. The store's is streamed: building
// a JSON object per trace and printing it cost the store's writer more than SQLite did. A field's
// third argument is what its absence means when the store's form is read back (fromJson).
constexpr qint64 NotYet = -1; // an attempt's moment that never came (connected, first byte, token)

template <typename Out> void writeAttempt(const AttemptRecord &attempt, Out &out)
{
    out.field("route", attempt.route);
    out.field("class", failureClassName(attempt.failureClass));
    out.field("decision", decisionName(attempt.decision));
    out.field("status", qint64(attempt.httpStatus));
    out.field("reason", attempt.reason);
    out.field("start_ms", attempt.startMs);
    out.field("connected_ms", attempt.connectedMs, NotYet);
    out.field("first_byte_ms", attempt.firstByteMs, NotYet);
    out.field("first_token_ms", attempt.firstTokenMs, NotYet);
    out.field("end_ms", attempt.endMs);
    out.field("bytes", attempt.bytes);
    out.field("tokens_in", attempt.tokensIn);
    out.field("tokens_out", attempt.tokensOut);
    out.field("cache_read_tokens", attempt.cacheReadTokens);
    out.field("cache_write_tokens", attempt.cacheWriteTokens);
    out.field("cost_usd", attempt.costUsd);
    if (attempt.skipped)
        out.field("skip", attempt.skip);
    if (!attempt.continuation.isEmpty())
        out.field("continuation", attempt.continuation);
    if (attempt.hedge)
        out.field("hedge", true);
    if (!attempt.note.isEmpty())
        out.field("note", attempt.note);
    if (!attempt.key.isEmpty())
        out.field("key", attempt.key);
    if (!attempt.spanId.isEmpty())
        out.field("span_id", attempt.spanId);
    if (attempt.drill)
        out.field("drill", true);
    if (attempt.trial)
        out.field("trial", true);
    if (attempt.byFallback)
        out.field("by_fallback", true);
}

template <typename Out> void writeTrace(const TraceRecord &trace, Out &out)
{
    out.field("id", trace.id);
    out.field("lane", trace.lane);
    out.field("route", trace.route);
    out.field("endpoint", trace.endpoint);
    out.field("stream", trace.stream);
    out.field("fallback", trace.fallback);
    out.field("degraded", trace.degraded);
    out.field("panic", trace.panic);
    out.field("status", qint64(trace.status));
    out.field("class", failureClassName(trace.finalClass));
    out.field("started_at_ms", trace.startedAtUtcMs);
    out.field("duration_ms", trace.durationMs);
    out.field("tokens_in", trace.tokensIn);
    out.field("tokens_out", trace.tokensOut);
    out.field("cache_read_tokens", trace.cacheReadTokens);
    out.field("cache_write_tokens", trace.cacheWriteTokens);
    out.field("cost_usd", trace.costUsd);
    out.field("fallback_cost_usd", trace.fallbackCostUsd);
    out.field("needs", capabilityNames(trace.needs));
    out.field("estimated_tokens", trace.estimatedTokens);
    out.beginList("attempts");
    for (const AttemptRecord &attempt : trace.attempts) {
        out.beginItem();
        writeAttempt(attempt, out);
        out.endItem();
    }
    out.endList();
    if (trace.sampleWeight != 1.0)
        out.field("sample_weight", trace.sampleWeight);
    if (!trace.traceId.isEmpty()) {
        out.field("trace_id", trace.traceId);
        out.field("span_id", trace.spanId);
        if (!trace.parentSpanId.isEmpty())
            out.field("parent_span_id", trace.parentSpanId);
    }
}

// Builds the JSON object: fields go to the list's item while there is one, else to the trace.
class JsonOut final {
public:
    // The admin API and the console show every field, those at their default too.
    template <typename T> void field(const char *key, const T &value, const T & = T())
    {
        (m_inItem ? m_item : m_object).insert(QLatin1String(key), toValue(value));
    }
    void beginList(const char *key) { m_listKey = QLatin1String(key); }
    void beginItem() { m_inItem = true; }
    void endItem()
    {
        m_list.append(std::exchange(m_item, QJsonObject()));
        m_inItem = false;
    }
    void endList() { m_object.insert(m_listKey, std::exchange(m_list, QJsonArray())); }
    QJsonObject object() const { return m_object; }

private:
    template <typename T> static QJsonValue toValue(const T &value) { return QJsonValue(value); }
    static QJsonValue toValue(const QStringList &values)
    {
        return QJsonArray::fromStringList(values);
    }

    QJsonObject m_object;
    QJsonObject m_item;
    QJsonArray m_list;
    QLatin1String m_listKey;
    bool m_inItem = false;
};

// Streams the CBOR: one map of the trace's fields, its attempts an array of maps. A field at what
// its absence means is left out: most of a plain request's are (no cache, no cost, no skip, no
// reason), and every byte the store writes costs its writer thread, which shares the machine's
// cores with the request path, at every request.
class CborOut final {
public:
    CborOut() { m_writer.startMap(); }
    template <typename T> void field(const char *key, const T &value, const T &absentMeans = T())
    {
        if (value == absentMeans)
            return;
        m_writer.append(QLatin1String(key));
        append(value);
    }
    void beginList(const char *key)
    {
        m_writer.append(QLatin1String(key));
        m_writer.startArray();
    }
    void beginItem() { m_writer.startMap(); }
    void endItem() { m_writer.endMap(); }
    void endList() { m_writer.endArray(); }
    QByteArray bytes()
    {
        m_writer.endMap();
        return m_bytes;
    }

private:
    void append(const QString &value) { m_writer.append(QStringView(value)); }
    void append(const QStringList &values)
    {
        m_writer.startArray(quint64(values.size()));
        for (const QString &value : values)
            m_writer.append(QStringView(value));
        m_writer.endArray();
    }
    void append(qint64 value) { m_writer.append(value); }
    void append(double value) { m_writer.append(value); }
    void append(bool value) { m_writer.append(value); }

    QByteArray m_bytes;
    QCborStreamWriter m_writer { &m_bytes };
};

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

bool TraceRecord::isPlainSuccess() const
{
    if (finalClass != FailureClass::Ok || fallback || degraded || panic || attempts.size() != 1)
        return false;
    // A note (a hedge that was wanted and not sent, parameters a translation dropped) or a
    // breaker's trial call is worth keeping however it ended.
    const AttemptRecord &attempt = attempts.constFirst();
    return attempt.failureClass == FailureClass::Ok && attempt.note.isEmpty() && !attempt.trial;
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
    JsonOut out;
    writeTrace(*this, out);
    return out.object();
}

QByteArray TraceRecord::storedForm() const
{
    CborOut out;
    writeTrace(*this, out);
    return out.bytes();
}

TraceRecord TraceRecord::fromStoredForm(const QByteArray &stored)
{
    // Stores before CBOR kept the JSON text; a JSON object starts with a brace, a CBOR map never.
    if (stored.startsWith('{'))
        return fromJson(QJsonDocument::fromJson(stored).object());
    // Qt 6.4's QCborValue::fromCbor reads past the end of a cut-off map (types from memory it
    // never wrote: random "unknown type" warnings, and now and then an exception that ended the
    // process). Only a whole, well-formed item is handed to it; the stream reader checks that.
    QCborStreamReader whole(stored);
    if (!whole.isMap() || !whole.next() || whole.lastError() != QCborError::NoError
        || whole.currentOffset() != stored.size())
        return TraceRecord();
    return fromJson(QCborValue::fromCbor(stored).toJsonValue().toObject());
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
    // A damaged or hostile value (NaN, negative, huge) must not skew a report's sums.
    const double weight = json.value(QLatin1String("sample_weight")).toDouble(1.0);
    trace.sampleWeight = std::isfinite(weight) ? std::clamp(weight, 1.0, MaxSampleWeight) : 1.0;
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
