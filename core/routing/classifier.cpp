#include "routing/classifier.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QTimeZone>

#include <algorithm>
#include <cmath>

namespace Switchyard {

namespace {

struct UpstreamError {
    QString code;
    QString type;
    QString message;
};

UpstreamError readErrorObject(const QJsonObject &root)
{
    UpstreamError error;
    const QJsonValue value = root.value(QLatin1String("error"));
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        error.code = object.value(QLatin1String("code")).toVariant().toString();
        error.type = object.value(QLatin1String("type")).toString();
        error.message = object.value(QLatin1String("message")).toString();
    } else if (value.isString()) {
        error.message = value.toString();
    }
    return error;
}

UpstreamError readError(const QByteArray &body)
{
    const QJsonDocument document = QJsonDocument::fromJson(body);
    return document.isObject() ? readErrorObject(document.object()) : UpstreamError {};
}

bool isContextLengthError(const UpstreamError &error)
{
    return error.code == QLatin1String("context_length_exceeded")
        || error.message.contains(QLatin1String("maximum context length"), Qt::CaseInsensitive)
        || error.message.contains(QLatin1String("context window"), Qt::CaseInsensitive);
}

bool isContentPolicyError(const UpstreamError &error)
{
    return error.code == QLatin1String("content_filter")
        || error.code == QLatin1String("content_policy_violation")
        || error.type == QLatin1String("content_filter")
        || error.code == QLatin1String("content_policy")
        || error.type == QLatin1String("content_policy_violation");
}

} // namespace

qint64 readTokenCount(const QJsonValue &value, bool *invalid)
{
    if (value.isUndefined() || value.isNull())
        return -1;
    const double number = value.toDouble(-1.0);
    // Checked as a double before any conversion: 1e30 must not become INT64_MIN.
    const bool possible = value.isDouble() && std::isfinite(number) && number >= 0
        && number <= double(MaxReportedTokens) && std::floor(number) == number;
    if (!possible) {
        if (invalid)
            *invalid = true;
        return -1;
    }
    return qint64(number);
}

UsageRead readUsage(
    const QJsonObject &root, qint64 *tokensIn, qint64 *tokensOut, CachedTokens *cached)
{
    const QJsonValue usage = root.value(QLatin1String("usage"));
    if (!usage.isObject())
        return UsageRead::Absent;
    const QJsonObject object = usage.toObject();
    bool invalid = false;
    const qint64 in = readTokenCount(object.value(QLatin1String("prompt_tokens")), &invalid);
    const qint64 out = readTokenCount(object.value(QLatin1String("completion_tokens")), &invalid);
    const qint64 read = readTokenCount(object.value(QLatin1String("prompt_tokens_details"))
                                           .toObject()
                                           .value(QLatin1String("cached_tokens")),
        &invalid);
    const qint64 write
        = readTokenCount(object.value(QLatin1String("cache_creation_input_tokens")), &invalid);
    if (invalid)
        return UsageRead::Invalid;
    *tokensIn = qMax<qint64>(0, in);
    *tokensOut = qMax<qint64>(0, out);
    if (cached)
        *cached = { qMax<qint64>(0, read), qMax<qint64>(0, write) };
    return UsageRead::Valid;
}

namespace {

Classification make(FailureClass failureClass, const QString &reason, qint64 retryAfterMs = -1)
{
    return Classification { failureClass, retryAfterMs, reason };
}

QString describe(const UpstreamError &error, int status)
{
    QString text = QStringLiteral("HTTP %1").arg(status);
    if (!error.code.isEmpty())
        text += QStringLiteral(" ") + error.code;
    if (!error.message.isEmpty())
        text += QStringLiteral(": ") + error.message.left(200);
    return text;
}

Classification classifySuccess(const UpstreamOutcome &outcome)
{
    if (outcome.streamed)
        return make(FailureClass::Ok, QString());
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(outcome.body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        return make(
            FailureClass::ContractViolation, QStringLiteral("2xx body is not a JSON object"));
    const QJsonObject root = document.object();
    Classification ok = make(FailureClass::Ok, QString());
    if (readUsage(root, &ok.tokensIn, &ok.tokensOut, &ok.cached) == UsageRead::Invalid)
        return make(FailureClass::ContractViolation,
            QStringLiteral("usage reports an impossible token count (negative, fractional or "
                           "beyond %1)")
                .arg(MaxReportedTokens));
    if (outcome.endpoint == Endpoint::Embeddings) {
        if (!root.value(QLatin1String("data")).isArray())
            return make(FailureClass::ContractViolation,
                QStringLiteral("embeddings answer without a data array"));
        return ok;
    }
    const QJsonArray choices = root.value(QLatin1String("choices")).toArray();
    if (choices.isEmpty() || !choices.first().isObject())
        return make(FailureClass::ContractViolation, QStringLiteral("completion without choices"));
    const QJsonObject choice = choices.first().toObject();
    const QJsonValue message = choice.value(QLatin1String("message"));
    if (!message.isObject())
        return make(
            FailureClass::ContractViolation, QStringLiteral("completion choice without a message"));
    if (choice.value(QLatin1String("finish_reason")).toString() == QLatin1String("content_filter"))
        return make(FailureClass::ContentPolicy, QStringLiteral("finish_reason content_filter"));
    if (outcome.jsonOutputRequested) {
        const QJsonValue content = message.toObject().value(QLatin1String("content"));
        if (content.isString()) {
            QJsonParseError contentError;
            QJsonDocument::fromJson(content.toString().toUtf8(), &contentError);
            if (contentError.error != QJsonParseError::NoError)
                return make(FailureClass::ContractViolation,
                    QStringLiteral("JSON output was requested but the content is not valid JSON"));
        }
    }
    return ok;
}

Classification classifyTransport(const UpstreamOutcome &outcome)
{
    const QString detail = outcome.transportDetail;
    switch (outcome.transport) {
    case TransportError::ConnectionRefused: {
        Classification refused
            = make(FailureClass::Transient, QStringLiteral("connection refused"));
        refused.retryable = false;
        return refused;
    }
    case TransportError::ConnectionReset: {
        Classification reset
            = make(FailureClass::Transient, QStringLiteral("connection reset: ") + detail);
        reset.retryAtOnce = outcome.closedOnReuse;
        return reset;
    }
    case TransportError::HostNotFound:
        return make(FailureClass::Transient, QStringLiteral("host not found: ") + detail);
    case TransportError::Tls:
        return make(FailureClass::Transient, QStringLiteral("TLS failure: ") + detail);
    case TransportError::Timeout: {
        Classification timeout
            = make(FailureClass::Transient, detail.isEmpty() ? QStringLiteral("timeout") : detail);
        timeout.silent = outcome.silent;
        return timeout;
    }
    case TransportError::OtherNetwork:
        return make(FailureClass::Transient, QStringLiteral("network error: ") + detail);
    case TransportError::Cancelled:
        return make(FailureClass::Cancelled, QStringLiteral("client went away"));
    case TransportError::None:
        break;
    }
    return make(FailureClass::Transient, detail);
}

} // namespace

qint64 parseRetryAfter(
    const QByteArray &retryAfter, const QByteArray &retryAfterMs, const QDateTime &nowUtc)
{
    // An upstream's number is untrusted: anything beyond a day is a day (the caller clamps further
    // to its configured ceiling), and a value that is not a finite number is no value at all. A
    // double outside qint64's range must never be converted (undefined behaviour).
    constexpr double Ceiling = double(MaxRetryAfterMs);
    bool ok = false;
    const double ms = retryAfterMs.trimmed().toDouble(&ok);
    if (ok && std::isfinite(ms) && ms >= 0)
        return qint64(std::min(ms, Ceiling));
    const QByteArray text = retryAfter.trimmed();
    if (text.isEmpty())
        return -1;
    const double seconds = text.toDouble(&ok);
    if (ok)
        return std::isfinite(seconds) && seconds >= 0 ? qint64(std::min(seconds * 1000.0, Ceiling))
                                                      : -1;
    // HTTP-date (RFC 9110: IMF-fixdate), always in GMT.
    QString date = QString::fromLatin1(text);
    if (date.endsWith(QLatin1String(" GMT")))
        date.chop(4);
    QDateTime when = QLocale::c().toDateTime(date, QStringLiteral("ddd, dd MMM yyyy HH:mm:ss"));
    if (!when.isValid())
        when = QDateTime::fromString(QString::fromLatin1(text), Qt::RFC2822Date);
    if (!when.isValid())
        return -1;
    when.setTimeSpec(Qt::UTC);
    return std::clamp<qint64>(nowUtc.msecsTo(when), 0, MaxRetryAfterMs);
}

Classification Classifier::classify(const UpstreamOutcome &outcome, const QDateTime &nowUtc)
{
    if (outcome.transport != TransportError::None && outcome.httpStatus == 0)
        return classifyTransport(outcome);

    const int status = outcome.httpStatus;
    if (status >= 200 && status < 300)
        return classifySuccess(outcome);

    const UpstreamError error = readError(outcome.body);
    const qint64 retryAfterMs = parseRetryAfter(outcome.retryAfter, outcome.retryAfterMs, nowUtc);
    if (status == 429 || status == 529)
        return make(FailureClass::RateLimited, describe(error, status), retryAfterMs);
    if (status == 401 || status == 403)
        return make(FailureClass::AuthError, describe(error, status));
    if (status == 408 || status >= 500)
        return make(FailureClass::Transient, describe(error, status), retryAfterMs);
    if (isContextLengthError(error))
        return make(FailureClass::Incompatible, describe(error, status));
    if (isContentPolicyError(error))
        return make(FailureClass::ContentPolicy, describe(error, status));
    if (status >= 400)
        return make(FailureClass::CallerError, describe(error, status));
    // 1xx and 3xx are not answers a completion API gives.
    return make(FailureClass::ContractViolation, QStringLiteral("unexpected HTTP %1").arg(status));
}

Classification Classifier::classifyStreamError(const QByteArray &eventData)
{
    const QJsonDocument document = QJsonDocument::fromJson(eventData);
    const UpstreamError error
        = document.isObject() ? readErrorObject(document.object()) : UpstreamError {};
    const QString reason = QStringLiteral("error event in stream: ")
        + (error.message.isEmpty() ? error.code : error.message);
    if (error.code == QLatin1String("rate_limit_exceeded")
        || error.type == QLatin1String("rate_limit_error")
        || error.type == QLatin1String("overloaded_error"))
        return make(FailureClass::RateLimited, reason);
    if (isContextLengthError(error))
        return make(FailureClass::Incompatible, reason);
    if (isContentPolicyError(error))
        return make(FailureClass::ContentPolicy, reason);
    // The caller's own mistake, reported in-stream: no other route would do better.
    if (error.type == QLatin1String("invalid_request_error"))
        return make(FailureClass::CallerError, reason);
    return make(FailureClass::Transient, reason);
}

} // namespace Switchyard
