#include "observe/capturedbodies.h"

#include "observe/redactor.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QStringDecoder>

namespace Switchyard {

namespace {

constexpr QLatin1StringView Redacted("[redacted]");

// Text when the body is UTF-8 (a cut may fall inside its last character, which is then left
// out), base64 otherwise.
QJsonValue bodyJson(const CapturedBody &body)
{
    QJsonObject json { { QStringLiteral("bytes"), body.size },
        { QStringLiteral("cut"), body.cut } };
    for (int trailing = 0; trailing <= (body.cut ? 3 : 0) && trailing <= body.data.size();
         ++trailing) {
        QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        const QString text = utf8.decode(body.data.chopped(trailing));
        if (!utf8.hasError()) {
            json.insert(QStringLiteral("text"), text);
            return json;
        }
    }
    json.insert(QStringLiteral("base64"), QString::fromLatin1(body.data.toBase64()));
    return json;
}

CapturedBody bodyFrom(const QJsonValue &value)
{
    const QJsonObject json = value.toObject();
    CapturedBody body;
    body.data = json.contains(QLatin1String("base64"))
        ? QByteArray::fromBase64(json.value(QLatin1String("base64")).toString().toLatin1())
        : json.value(QLatin1String("text")).toString().toUtf8();
    body.size = qMax<qint64>(json.value(QLatin1String("bytes")).toInteger(), body.data.size());
    body.cut = json.value(QLatin1String("cut")).toBool();
    return body;
}

QJsonArray headersJson(const CapturedHeaders &headers)
{
    QJsonArray json;
    for (const auto &[name, value] : headers)
        json.append(QJsonArray { name, value });
    return json;
}

CapturedHeaders headersFrom(const QJsonValue &value)
{
    CapturedHeaders headers;
    for (const QJsonValue &pair : value.toArray())
        headers.append({ pair.toArray().at(0).toString(), pair.toArray().at(1).toString() });
    return headers;
}

// Headers that carry a credential, whatever their value looks like.
bool isCredentialHeader(const QString &name)
{
    static const QStringList names { QStringLiteral("authorization"),
        QStringLiteral("proxy-authorization"), QStringLiteral("x-api-key"),
        QStringLiteral("api-key"), QStringLiteral("x-goog-api-key"), QStringLiteral("cookie"),
        QStringLiteral("set-cookie") };
    return names.contains(name.toLower());
}

QString redactText(
    const QString &text, const Redactor &redactor, const QList<QRegularExpression> &patterns)
{
    QString result = redactor.redact(text);
    // A request body is JSON: a field named like a credential is one, whatever its value.
    static const QRegularExpression credentialField(
        QStringLiteral(R"re("([A-Za-z_-]*(?:api[_-]?key|access[_-]?token|refresh[_-]?token|)re"
                       R"re(password|passwd|secret|authorization|credential)[A-Za-z_-]*)"\s*:\s*)re"
                       R"re("(?:[^"\\]|\\.)*")re"),
        QRegularExpression::CaseInsensitiveOption);
    result.replace(credentialField, QStringLiteral("\"\\1\": \"[redacted]\""));
    // Google's keys, which the general rules do not know by their shape.
    static const QRegularExpression googleKey(QStringLiteral(R"(\bAIza[0-9A-Za-z_-]{20,})"));
    result.replace(googleKey, Redacted);
    for (const QRegularExpression &pattern : patterns)
        result.replace(pattern, Redacted);
    return result;
}

void redactBody(CapturedBody *body, const Redactor &redactor,
    const QList<QRegularExpression> &patterns, qint64 maxBytes)
{
    if (body->data.isEmpty())
        return;
    body->data = redactText(QString::fromUtf8(body->data), redactor, patterns).toUtf8();
    if (body->data.size() > maxBytes) {
        body->data.truncate(maxBytes);
        body->cut = true;
    }
}

void redactHeaders(
    CapturedHeaders *headers, const Redactor &redactor, const QList<QRegularExpression> &patterns)
{
    for (auto &[name, value] : *headers)
        value
            = isCredentialHeader(name) ? QString(Redacted) : redactText(value, redactor, patterns);
}

} // namespace

void CapturedBody::append(const QByteArray &bytes, qint64 limit)
{
    size += bytes.size();
    const qint64 room = limit - data.size();
    if (room >= bytes.size())
        data.append(bytes);
    else {
        if (room > 0)
            data.append(bytes.left(room));
        cut = true;
    }
}

const CapturedAttempt *CapturedBodies::attempt(int index) const
{
    for (const CapturedAttempt &captured : attempts) {
        if (captured.index == index)
            return &captured;
    }
    return nullptr;
}

QString CapturedBodies::path() const
{
    if (api == QLatin1String("chat.completions"))
        return QStringLiteral("/v1/chat/completions");
    if (api == QLatin1String("messages"))
        return QStringLiteral("/v1/messages");
    if (api == QLatin1String("responses"))
        return QStringLiteral("/v1/responses");
    if (api == QLatin1String("embeddings"))
        return QStringLiteral("/v1/embeddings");
    return QString();
}

QString CapturedBodies::replayRefusal() const
{
    if (path().isEmpty())
        return QStringLiteral("a request of the '%1' API cannot be replayed").arg(api);
    if (request.isEmpty())
        return QStringLiteral("no request body was kept for this trace");
    if (request.cut)
        return QStringLiteral("only %1 of the request's %2 bytes were kept (capture.max_bytes): it "
                              "cannot be sent again as it was")
            .arg(request.data.size())
            .arg(request.size);
    if (!QJsonDocument::fromJson(request.data).isObject())
        return QStringLiteral("the kept request is not a JSON object");
    return QString();
}

QByteArray CapturedBodies::requestFor(const QString &route) const
{
    QJsonObject object = QJsonDocument::fromJson(request.data).object();
    if (object.isEmpty())
        return QByteArray();
    object.insert(QStringLiteral("model"), route);
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QJsonObject CapturedBodies::toJson() const
{
    QJsonArray attemptsJson;
    for (const CapturedAttempt &attempt : attempts) {
        attemptsJson.append(QJsonObject { { QStringLiteral("index"), attempt.index },
            { QStringLiteral("route"), attempt.route }, { QStringLiteral("url"), attempt.url },
            { QStringLiteral("headers"), headersJson(attempt.headers) },
            { QStringLiteral("sent"), bodyJson(attempt.sent) },
            { QStringLiteral("status"), attempt.status },
            { QStringLiteral("received"), bodyJson(attempt.received) } });
    }
    return QJsonObject { { QStringLiteral("trace_id"), traceId },
        { QStringLiteral("captured_at_ms"), capturedAtUtcMs }, { QStringLiteral("api"), api },
        { QStringLiteral("caller_headers"), headersJson(callerHeaders) },
        { QStringLiteral("request"), bodyJson(request) },
        { QStringLiteral("attempts"), attemptsJson } };
}

std::optional<CapturedBodies> CapturedBodies::fromJson(const QJsonObject &json)
{
    if (!json.value(QLatin1String("trace_id")).isString())
        return std::nullopt;
    CapturedBodies bodies;
    bodies.traceId = json.value(QLatin1String("trace_id")).toString();
    bodies.capturedAtUtcMs = json.value(QLatin1String("captured_at_ms")).toInteger();
    bodies.api = json.value(QLatin1String("api")).toString();
    bodies.callerHeaders = headersFrom(json.value(QLatin1String("caller_headers")));
    bodies.request = bodyFrom(json.value(QLatin1String("request")));
    for (const QJsonValue &value : json.value(QLatin1String("attempts")).toArray()) {
        const QJsonObject object = value.toObject();
        CapturedAttempt attempt;
        attempt.index = object.value(QLatin1String("index")).toInt(-1);
        attempt.route = object.value(QLatin1String("route")).toString();
        attempt.url = object.value(QLatin1String("url")).toString();
        attempt.headers = headersFrom(object.value(QLatin1String("headers")));
        attempt.sent = bodyFrom(object.value(QLatin1String("sent")));
        attempt.status = object.value(QLatin1String("status")).toInt();
        attempt.received = bodyFrom(object.value(QLatin1String("received")));
        bodies.attempts.append(attempt);
    }
    return bodies;
}

QJsonObject ReplayResult::toJson() const
{
    QJsonObject json { { QStringLiteral("route"), route }, { QStringLiteral("trace_id"), traceId },
        { QStringLiteral("status"), status }, { QStringLiteral("body"), QString::fromUtf8(body) },
        { QStringLiteral("cut"), cut }, { QStringLiteral("sent"), sent } };
    if (!error.isEmpty())
        json.insert(QStringLiteral("error"), error);
    return json;
}

ReplayResult ReplayResult::fromJson(const QJsonObject &json)
{
    ReplayResult result;
    result.error = json.value(QLatin1String("error")).toString();
    result.route = json.value(QLatin1String("route")).toString();
    result.traceId = json.value(QLatin1String("trace_id")).toString();
    result.status = json.value(QLatin1String("status")).toInt();
    result.body = json.value(QLatin1String("body")).toString().toUtf8();
    result.cut = json.value(QLatin1String("cut")).toBool();
    result.sent = json.value(QLatin1String("sent")).toBool();
    return result;
}

void redactCapture(CapturedBodies *bodies, const Redactor &redactor,
    const QList<QRegularExpression> &patterns, qint64 maxBytes)
{
    redactHeaders(&bodies->callerHeaders, redactor, patterns);
    redactBody(&bodies->request, redactor, patterns, maxBytes);
    for (CapturedAttempt &attempt : bodies->attempts) {
        attempt.url = redactText(attempt.url, redactor, patterns);
        redactHeaders(&attempt.headers, redactor, patterns);
        redactBody(&attempt.sent, redactor, patterns, maxBytes);
        redactBody(&attempt.received, redactor, patterns, maxBytes);
    }
}

} // namespace Switchyard
