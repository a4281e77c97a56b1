#include "proxy/gatewayresponse.h"

#include "observe/redactor.h"
#include "translate/callerprotocol.h"
#include "translate/openaierror.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Switchyard {

namespace {

QByteArray boolHeader(bool value)
{
    return value ? QByteArrayLiteral("1") : QByteArrayLiteral("0");
}

const QByteArray ShouldRetry = QByteArrayLiteral("x-should-retry");

// The OpenAI and Anthropic SDKs retry a 5xx or 429 twice by default; after the gateway has walked
// the chain, a resend walks it again (and again), so they are told not to.
void sayDoNotRetry(HeaderList &headers)
{
    for (const auto &[name, value] : std::as_const(headers)) {
        if (name == ShouldRetry)
            return;
    }
    headers.append({ ShouldRetry, QByteArrayLiteral("false") });
}

} // namespace

GatewayResponse::GatewayResponse(ClientResponse response, const CallerProtocol *protocol)
    : m_response(std::move(response))
    , m_protocol(protocol)
{
}

HeaderList GatewayResponse::routingHeaders(const Routing &routing)
{
    HeaderList headers {
        { QByteArrayLiteral("X-Switchyard-Request-Id"), routing.requestId.toUtf8() },
    };
    // Never an empty header: a request refused before it had a lane names none.
    if (!routing.lane.isEmpty())
        headers.append({ QByteArrayLiteral("X-Switchyard-Lane"), routing.lane.toUtf8() });
    if (!routing.route.isEmpty())
        headers.append({ QByteArrayLiteral("X-Switchyard-Route"), routing.route.toUtf8() });
    headers.append({ QByteArrayLiteral("X-Switchyard-Attempts"),
        QByteArray::number(routing.upstreamAttempts) });
    headers.append({ QByteArrayLiteral("X-Switchyard-Fallback"), boolHeader(routing.fallback) });
    headers.append({ QByteArrayLiteral("X-Switchyard-Degraded"), boolHeader(routing.degraded) });
    if (routing.upstreamAttempts > 1)
        sayDoNotRetry(headers);
    return headers;
}

GatewayResponse::AllFailed GatewayResponse::allRoutesFailed(
    const TraceRecord &trace, int upstreamAttempts, qint64 soonestRetryMs, qint64 breakersReopenMs)
{
    QJsonArray attempts;
    bool allRateLimited = true;
    bool allIncompatible = true;
    bool allBudget = true;
    for (const AttemptRecord &attempt : trace.attempts) {
        QJsonObject item { { QStringLiteral("route"), attempt.route },
            { QStringLiteral("decision"), decisionName(attempt.decision) },
            { QStringLiteral("status"), attempt.httpStatus },
            { QStringLiteral("reason"), attempt.reason } };
        if (!attempt.skipped || attempt.skip == QLatin1String("incompatible")
            || attempt.skip == QLatin1String("misconfigured")
            || attempt.skip == QLatin1String("cooling_down")
            || attempt.skip == QLatin1String("budget"))
            item.insert(QStringLiteral("class"), failureClassName(attempt.failureClass));
        if (attempt.skipped)
            item.insert(QStringLiteral("skip"), attempt.skip);
        if (attempt.drill)
            item.insert(QStringLiteral("drill"), true);
        attempts.append(item);
        allRateLimited = allRateLimited && attempt.failureClass == FailureClass::RateLimited;
        allIncompatible = allIncompatible && attempt.failureClass == FailureClass::Incompatible;
        allBudget = allBudget && attempt.failureClass == FailureClass::Budget;
    }
    // The status tells a client what to do next: wait (429), change the request (400),
    // come back later (503: nothing was even tried), or not rely on us (502).
    AllFailed answer;
    QString message
        = QStringLiteral("Every route of lane '%1' failed; see error.attempts.").arg(trace.lane);
    const bool any = !trace.attempts.isEmpty();
    if (any && allIncompatible) {
        answer.status = 400;
        message = QStringLiteral("No route of lane '%1' can serve this request; see "
                                 "error.attempts.")
                      .arg(trace.lane);
    } else if (any && allRateLimited) {
        answer.status = 429;
    } else if (any && allBudget) {
        answer.status = 429;
        message = QStringLiteral(
            "Lane '%1' has reached its spend cap for today (UTC); see error.attempts.")
                      .arg(trace.lane);
    } else if (breakersReopenMs > 0) {
        answer.status = 503;
        answer.retryAfterSeconds = (breakersReopenMs + 999) / 1000;
        message = QStringLiteral("Every route of lane '%1' is held back by its circuit breaker; "
                                 "the first may be tried again in %2 s. See error.attempts.")
                      .arg(trace.lane)
                      .arg(answer.retryAfterSeconds);
    } else if (upstreamAttempts == 0) {
        answer.status = 503;
        message = QStringLiteral("No route of lane '%1' is available now; see error.attempts.")
                      .arg(trace.lane);
    }
    answer.message = message;
    answer.attempts = attempts;
    QJsonObject error = openAiErrorObject(message, QStringLiteral("all_routes_failed"));
    error.insert(QStringLiteral("attempts"), attempts);
    answer.body = QJsonDocument(
        QJsonObject { { QStringLiteral("error"),
            error } }).toJson(QJsonDocument::Compact);
    if (answer.status == 429 && soonestRetryMs > 0)
        answer.retryAfterSeconds = (soonestRetryMs + 999) / 1000;
    return answer;
}

void GatewayResponse::sendUpstream(const Routing &routing, int status,
    const UpstreamOutcome &answer, const HeaderList &passHeaders, const Redactor &redactor)
{
    HeaderList headers = routingHeaders(routing);
    headers.append({ QByteArrayLiteral("Content-Type"),
        answer.contentType.isEmpty() ? QByteArrayLiteral("application/json")
                                     : answer.contentType });
    headers.append(passHeaders);
    // An upstream's error may quote the provider's key; the caller must never see it.
    const bool success = status >= 200 && status < 300;
    QByteArray body = answer.body;
    if (m_protocol && !answer.callerBody.isEmpty()) {
        body = answer.callerBody; // written in the caller's API by the attempt, or as it came
    } else if (m_protocol && success) {
        status = 502; // no attempt made it so: nothing the caller's API can say was answered
        body = m_protocol->errorBody(status,
            QStringLiteral("The upstream's answer has no %1 form.").arg(m_protocol->name()),
            QStringLiteral("untranslatable_answer"));
    } else if (m_protocol) {
        body = m_protocol->fromChatError(status, answer.body);
    }
    m_response.send(
        status, headers, status >= 200 && status < 300 ? body : redactor.redactKnownSecrets(body));
}

void GatewayResponse::sendAllFailed(const Routing &routing, const AllFailed &answer)
{
    HeaderList headers = routingHeaders(routing);
    sayDoNotRetry(headers);
    if (answer.retryAfterSeconds > 0)
        headers.append(
            { QByteArrayLiteral("Retry-After"), QByteArray::number(answer.retryAfterSeconds) });
    m_response.sendJson(answer.status, headers,
        m_protocol ? m_protocol->errorBody(answer.status, answer.message,
            QStringLiteral("all_routes_failed"), QString(), answer.attempts)
                   : answer.body);
}

void GatewayResponse::sendDeadlineExceeded(
    const Routing &routing, qint64 deadlineMs, int upstreamAttempts)
{
    HeaderList headers = routingHeaders(routing);
    sayDoNotRetry(headers);
    const QString message = QStringLiteral("The lane deadline of %1 ms was exceeded after %2 "
                                           "attempt(s).")
                                .arg(deadlineMs)
                                .arg(upstreamAttempts);
    m_response.sendJson(504, headers,
        m_protocol ? m_protocol->errorBody(504, message, QStringLiteral("deadline_exceeded"))
                   : openAiError(message, QStringLiteral("deadline_exceeded")));
}

void GatewayResponse::beginStream(const Routing &routing, int status, const HeaderList &passHeaders)
{
    HeaderList headers = routingHeaders(routing);
    headers.append({ QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/event-stream") });
    headers.append({ QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-cache") });
    headers.append(passHeaders);
    m_response.beginChunked(status, headers);
}

void GatewayResponse::endStreamWithError(const QByteArray &failureEvent)
{
    m_response.writeChunk(failureEvent);
    m_response.endChunked();
}

} // namespace Switchyard
