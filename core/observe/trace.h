#pragma once

#include "routing/failureclass.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

namespace Switchyard {

// One upstream attempt of a request, or one route the request skipped and why.
// Times are milliseconds since the request started; -1 where the moment never came.
struct AttemptRecord {
    QString route;
    bool skipped = false;
    // Why a route was skipped without a call: incompatible, misconfigured, cooling_down,
    // breaker_open, drained, half_open_busy, recovering_share, budget.
    QString skip;
    bool drill = false; // the outcome was injected by an operator's drill
    bool trial = false; // a half-open trial call
    int trialEpoch = -1; // which half-open period granted the trial
    bool byFallback = false; // on a route other than the lane's first eligible one
    FailureClass failureClass = FailureClass::Ok;
    Decision decision = Decision::Return;
    int httpStatus = 0;
    QString reason;
    qint64 startMs = 0;
    qint64 connectedMs = -1; // request written upstream
    qint64 firstByteMs = -1; // response headers arrived
    qint64 firstTokenMs = -1; // a stream's first content arrived (and went to the caller)
    // It continued a stream another attempt broke off: "prefill" or "restart"; empty otherwise.
    QString continuation;
    // Started in parallel because the attempt before it had no content after the lane's hedge
    // delay; the first of the two with content answers, the other is cancelled.
    bool hedge = false;
    // The label of the provider's key the call sent (never the key); empty when it sent none.
    QString key;
    // Its OpenTelemetry span (16 hex digits), the parent of the upstream's work through the
    // traceparent it was sent; empty when the request is not traced.
    QString spanId;
    // What the gateway decided beside the attempt's own outcome, such as a hedge it did not start.
    QString note;
    qint64 endMs = 0;
    qint64 bytes = 0;
    qint64 tokensIn = 0; // every prompt token, cached ones included
    qint64 tokensOut = 0;
    qint64 cacheReadTokens = 0; // of tokensIn: served by the provider's prompt cache
    qint64 cacheWriteTokens = 0; // of tokensIn: stored into it
    double costUsd = 0.0;

    // A route passed over without a call, `atMs` into the request.
    static AttemptRecord skippedRoute(const QString &route, FailureClass failureClass,
        const QString &skip, const QString &reason, qint64 atMs);
};

// Everything the gateway knows about one request once it has ended.
struct TraceRecord {
    QString id;
    QString lane;
    QString route; // the route that produced the response or the final error
    QString endpoint;
    bool stream = false;
    bool fallback = false;
    bool degraded = false;
    bool panic = false; // every route's breaker was open; the one cooling down soonest was tried
    // The request's shape, never its text: the capabilities it needed of a route (Capabilities
    // bits, config.h) and its estimated size in tokens (prompt plus requested output). What the
    // console's what-if preview runs through an edited chain.
    unsigned needs = 0;
    qint64 estimatedTokens = 0;
    int status = 0;
    FailureClass finalClass = FailureClass::Ok;
    qint64 startedAtUtcMs = 0; // wall clock, ms since the epoch
    qint64 durationMs = 0;
    qint64 tokensIn = 0;
    qint64 tokensOut = 0;
    qint64 cacheReadTokens = 0;
    qint64 cacheWriteTokens = 0;
    double costUsd = 0.0;
    double fallbackCostUsd = 0.0; // spent on routes other than the lane's first eligible one
    QList<AttemptRecord> attempts;
    // Its OpenTelemetry trace (32 hex digits), span (16) and the caller's span it continues
    // (empty when the caller sent no traceparent); all empty when the request is not traced.
    QString traceId;
    QString spanId;
    QString parentSpanId;
    bool sampled = false; // exported, when telemetry is on
    // How many requests this trace stands for in the store: 1/ratio for a plain success written
    // as a sample of them (traces.success_sample_ratio), otherwise 1. Read back within
    // [1, MaxSampleWeight].
    double sampleWeight = 1.0;
    static constexpr double MaxSampleWeight = 1e6;

    int upstreamAttempts() const;
    bool hasDrill() const;
    // The caller did not get what it asked for because of an upstream or the gateway: an error
    // answer, or a stream that broke after it started (sent as 200). A caller's own mistake or
    // a caller that went away is not a failure of the gateway.
    bool failed() const;
    // Anything but a whole success, the caller's mistakes included: what "Only errors" shows.
    bool endedInError() const;
    // Answered by the first route at the first try, nothing degraded, nothing noted: what
    // traces.success_sample_ratio may leave out of the store.
    bool isPlainSuccess() const;
    // The request has ended: its outcome, and the totals of its attempts. `firstChoice` is the
    // lane's first route that could serve it; spend anywhere else exists only by fallback.
    void conclude(int finalStatus, FailureClass finalClass, qint64 duration,
        const QString &firstChoice, bool onDegradedRoute);
    // One line for the log: who, where, how it ended, how long.
    QString summary() const;

    QJsonObject toJson() const;
    static TraceRecord fromJson(const QJsonObject &json);
    // What the trace store keeps: the same fields as toJson, in CBOR, written without building
    // a document. Reads what earlier versions kept (the JSON text) as well.
    QByteArray storedForm() const;
    static TraceRecord fromStoredForm(const QByteArray &stored);
};

} // namespace Switchyard

Q_DECLARE_METATYPE(Switchyard::TraceRecord)
