#include "proxy/requesttrace.h"

#include "observe/tracecontext.h"

#include "observe/redactor.h"
#include "routing/clock.h"

#include <QDateTime>

namespace Switchyard {

RequestTrace::RequestTrace(
    const Clock &clock, const QString &id, const QString &lane, const QString &api, bool stream)
    : m_clock(clock)
{
    m_record.id = id;
    m_record.lane = lane;
    m_record.endpoint = api;
    m_record.stream = stream;
}

void RequestTrace::start()
{
    m_startMs = m_clock.nowMs();
    m_record.startedAtUtcMs = QDateTime::currentMSecsSinceEpoch();
}

qint64 RequestTrace::elapsed() const
{
    return m_clock.nowMs() - m_startMs;
}

void RequestTrace::skip(
    const QString &route, FailureClass failureClass, const QString &skip, const QString &reason)
{
    m_record.attempts.append(
        AttemptRecord::skippedRoute(route, failureClass, skip, reason, elapsed()));
}

AttemptRecord &RequestTrace::beginAttempt(
    const QString &route, bool trial, int trialEpoch, bool drill)
{
    AttemptRecord attempt;
    attempt.route = route;
    attempt.startMs = elapsed();
    attempt.trial = trial;
    attempt.trialEpoch = trial ? trialEpoch : -1;
    attempt.drill = drill;
    if (!m_record.traceId.isEmpty())
        attempt.spanId = TraceContext::newSpanId();
    m_record.attempts.append(attempt);
    ++m_upstreamAttempts;
    m_current = int(m_record.attempts.size()) - 1;
    m_attemptOpen = true;
    return current();
}

int RequestTrace::beginHedge(const QString &route, bool trial, int trialEpoch, bool drill)
{
    const int previous = m_current;
    const bool previousOpen = m_attemptOpen;
    beginAttempt(route, trial, trialEpoch, drill).hedge = true;
    const int hedge = m_current;
    m_current = previous;
    m_attemptOpen = previousOpen;
    return hedge;
}

void RequestTrace::makeCurrent(int index)
{
    m_current = index;
    m_attemptOpen = true;
}

const AttemptRecord *RequestTrace::finalRecord() const
{
    for (qsizetype i = m_record.attempts.size() - 1; i >= 0; --i) {
        if (!m_record.attempts.at(i).hedge || i == m_current)
            return &m_record.attempts.at(i);
    }
    return nullptr;
}

QStringList RequestTrace::triedRoutes() const
{
    QStringList tried;
    for (const AttemptRecord &attempt : m_record.attempts) {
        if (!attempt.skipped)
            tried.append(attempt.route);
    }
    return tried;
}

void RequestTrace::connected(int index)
{
    at(index < 0 ? m_current : index).connectedMs = elapsed();
}

void RequestTrace::responseStarted(int status, int index)
{
    AttemptRecord &attempt = at(index < 0 ? m_current : index);
    attempt.firstByteMs = elapsed();
    if (attempt.connectedMs < 0)
        attempt.connectedMs = attempt.firstByteMs;
    attempt.httpStatus = status;
}

void RequestTrace::firstToken(int index)
{
    at(index < 0 ? m_current : index).firstTokenMs = elapsed();
}

void RequestTrace::recordUsage(const Classification &classification, int index)
{
    if (classification.tokensIn < 0)
        return;
    AttemptRecord &attempt = at(index < 0 ? m_current : index);
    attempt.tokensIn = classification.tokensIn;
    attempt.tokensOut = classification.tokensOut;
    attempt.cacheReadTokens = classification.cached.read;
    attempt.cacheWriteTokens = classification.cached.write;
}

SettledAttempt RequestTrace::settle(FailureClass failureClass, const QString &reason, bool panic,
    const Redactor &redactor, const RouteConfig &route)
{
    m_attemptOpen = false;
    return settleAt(m_current, failureClass, reason, panic, redactor, route);
}

SettledAttempt RequestTrace::settleAt(int index, FailureClass failureClass, const QString &reason,
    bool panic, const Redactor &redactor, const RouteConfig &route)
{
    AttemptRecord &attempt = at(index);
    attempt.endMs = elapsed();
    attempt.failureClass = failureClass;
    if (attempt.reason.isEmpty())
        attempt.reason = reason;
    if (panic)
        attempt.reason
            = QStringLiteral("panic (every route's breaker was open; this one cools down first)%1")
                  .arg(
                      attempt.reason.isEmpty() ? QString() : QStringLiteral(": ") + attempt.reason);
    // Upstream error text may echo a key back; it goes no further than this.
    attempt.reason = redactor.redact(attempt.reason);
    attempt.costUsd = route.price.costUsd(
        attempt.tokensIn, attempt.tokensOut, attempt.cacheReadTokens, attempt.cacheWriteTokens);
    SettledAttempt settled { attempt.route, failureClass, attempt.endMs - attempt.startMs,
        attempt.reason, attempt.trial, attempt.trialEpoch, attempt.drill };
    settled.stream = m_record.stream;
    if (failureClass == FailureClass::Ok)
        settled.firstContentMs = !m_record.stream ? settled.durationMs
            : attempt.firstTokenMs >= 0           ? attempt.firstTokenMs - attempt.startMs
                                                  : -1;
    return settled;
}

} // namespace Switchyard
