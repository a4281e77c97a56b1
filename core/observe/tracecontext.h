#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <optional>

namespace Switchyard {

// A request's place in a distributed trace (W3C Trace Context, traceparent): continued from the
// caller's, or begun here; and whether it is sampled, that is exported. Hand-written: the format
// is four dashes and some hex, and Debian packages no OpenTelemetry C++ SDK.
struct TraceContext {
    QString traceId; // 32 lower-case hex digits
    QString parentSpanId; // the caller's span (16 hex digits); empty when the trace began here
    bool sampled = false;

    // The caller's traceparent, or nullopt when it is absent or malformed (the specification's
    // rule: then a new trace begins).
    static std::optional<TraceContext> fromTraceparent(QByteArrayView header);
    // The caller's trace, its sampling decision kept (parent-based); else a new trace, sampled at
    // `ratio` by its id, so every instance and every exporter decides a trace alike.
    static TraceContext begin(QByteArrayView traceparent, double ratio);
    static QString newTraceId();
    static QString newSpanId();
    // What an upstream is sent, with `spanId` (the attempt's span) as its parent.
    QByteArray traceparentFor(const QString &spanId) const;
};

} // namespace Switchyard
