#include "observe/capturedbodies.h"

#include "observe/redactor.h"
#include "routing/requestanalysis.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <functional>

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
        const QByteArray text = body.data.chopped(trailing);
        if (text.isValidUtf8()) {
            json.insert(QStringLiteral("text"), QString::fromUtf8(text));
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

// What one capture is redacted with: the gateway's redactor, the keys the request itself sent
// (which the redactor may no longer know after a reload), and capture.redact.
struct Redaction {
    const Redactor &redactor;
    QList<QString> ownKeys;
    const QList<QRegularExpression> &patterns;
};

// Field names that say credential, whatever their value: "api_key", "x-api-key", "password",
// "client_secret", "access_token", a bare "token" (not "max_tokens").
#define SWITCHYARD_CREDENTIAL_NAME                                                                 \
    R"re((?:[A-Za-z_-]*(?:api[_-]?key|access[_-]?token|refresh[_-]?token|auth[_-]?token|)re"       \
    R"re(id[_-]?token|private[_-]?key|client[_-]?secret|password|passwd|secret|authorization|)re"  \
    R"re(credentials?)[A-Za-z_-]*|token))re"

// Every match of `pattern` in `text` blanked, one at a time, so that a pattern that fails (PCRE's
// match limit on a pathological body) is noticed rather than leaving the rest of the text as it
// was, and one that matches the empty text cannot blank between every character. False on failure.
bool blankMatches(QString *text, const QRegularExpression &pattern)
{
    QString result;
    qsizetype copied = 0;
    qsizetype offset = 0;
    while (offset <= text->size()) {
        const QRegularExpressionMatch match = pattern.match(*text, offset);
        if (!match.isValid())
            return false;
        if (!match.hasMatch())
            break;
        if (match.capturedLength() == 0) {
            offset = match.capturedStart() + 1;
            continue;
        }
        result += QStringView(*text).mid(copied, match.capturedStart() - copied);
        result += Redacted;
        copied = offset = match.capturedEnd();
    }
    if (copied == 0)
        return true;
    result += QStringView(*text).mid(copied);
    *text = result;
    return true;
}

// Nullopt when a capture.redact pattern failed on the text: it is then not kept at all.
std::optional<QString> redactText(const QString &text, const Redaction &redaction)
{
    QString result = redaction.redactor.redact(text);
    for (const QString &key : redaction.ownKeys)
        result.replace(key, Redacted);
    // Possessive quantifiers throughout: a long value is scanned once, never backtracked over.
    static const QRegularExpression credentialField(
        QStringLiteral(
            R"re("()re" SWITCHYARD_CREDENTIAL_NAME R"re()"\s*+:\s*+"(?:[^"\\]++|\\.)*+")re"),
        QRegularExpression::CaseInsensitiveOption);
    result.replace(credentialField, QStringLiteral("\"\\1\": \"[redacted]\""));
    // The same inside a JSON string (a tool call's arguments, pasted JSON): \"api_key\": \"…\".
    static const QRegularExpression escapedField(
        QStringLiteral(R"re(\\"()re" SWITCHYARD_CREDENTIAL_NAME
                       R"re()\\"\s*+:\s*+\\"(?:[^"\\]++|\\[^"])*+\\")re"),
        QRegularExpression::CaseInsensitiveOption);
    result.replace(escapedField, QStringLiteral("\\\\\"\\1\\\\\": \\\\\"[redacted]\\\\\""));
    // A credential field whose value the cut left without its end.
    static const QRegularExpression openField(
        QStringLiteral(
            R"re(\\?"()re" SWITCHYARD_CREDENTIAL_NAME R"re()\\?"\s*+:\s*+\\?"[^"]*+$)re"),
        QRegularExpression::CaseInsensitiveOption);
    result.replace(openField, QStringLiteral("\"\\1\": \"[redacted]"));
    // Credential headers written inside a string, quotes escaped.
    static const QRegularExpression escapedHeader(
        QStringLiteral(R"re((authorization|x-api-key|api-key|proxy-authorization|x-goog-api-key))re"
                       R"re((\\?["']?\s*+[:=]\s*+\\?["']?)(?:(?:bearer|basic|token)\s++)?)re"
                       R"re([^\s"'\\,;}]++)re"),
        QRegularExpression::CaseInsensitiveOption);
    result.replace(escapedHeader, QStringLiteral("\\1\\2[redacted]"));
    // Keys known by their shape: Google, GitHub, Groq, AWS, Slack; and private keys.
    static const QRegularExpression shaped(QStringLiteral(
        R"re(\b(?:AIza[0-9A-Za-z_-]{20,}+|(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}+|)re"
        R"re(github_pat_[A-Za-z0-9_]{20,}+|gsk_[A-Za-z0-9]{20,}+|AKIA[0-9A-Z]{16}|)re"
        R"re(xox[abposr]-[A-Za-z0-9-]{10,}+))re"));
    result.replace(shaped, Redacted);
    static const QRegularExpression privateKey(
        QStringLiteral(R"re(-----BEGIN [A-Z ]*PRIVATE KEY-----(?:(?!-----END)[\s\S])*+)re"
                       R"re((?:-----END [A-Z ]*PRIVATE KEY-----)?)re"));
    result.replace(privateKey, Redacted);
    for (const QRegularExpression &pattern : redaction.patterns) {
        if (!blankMatches(&result, pattern))
            return std::nullopt;
    }
    return result;
}

// The text a stream's events carry, joined: a secret the answer repeats arrives split over
// several events ("sk", "-proj", "-Ab12…"), where no rule can see it in the raw events.
QString streamedText(const QByteArray &events)
{
    static const QStringList textKeys { QStringLiteral("content"), QStringLiteral("text"),
        QStringLiteral("arguments"), QStringLiteral("partial_json"), QStringLiteral("thinking"),
        QStringLiteral("refusal"), QStringLiteral("delta") };
    QString joined;
    std::function<void(const QJsonValue &, const QString &)> collect
        = [&](const QJsonValue &value, const QString &key) {
              if (value.isString() && textKeys.contains(key))
                  joined += value.toString();
              else if (value.isObject()) {
                  const QJsonObject object = value.toObject();
                  for (auto it = object.begin(); it != object.end(); ++it)
                      collect(it.value(), it.key());
              } else if (value.isArray()) {
                  for (const QJsonValue &item : value.toArray())
                      collect(item, key);
              }
          };
    for (const QByteArray &line : events.split('\n')) {
        if (!line.startsWith("data:"))
            continue;
        const QJsonDocument event = QJsonDocument::fromJson(line.mid(5).trimmed());
        if (event.isObject())
            collect(event.object(), QString());
    }
    return joined;
}

bool looksLikeEvents(const QByteArray &body)
{
    return body.startsWith("data:") || body.startsWith("event:") || body.contains("\ndata:");
}

void redactBody(CapturedBody *body, const Redaction &redaction, qint64 maxBytes)
{
    if (body->data.isEmpty())
        return;
    if (body->cut && body->data.size() > maxBytes) {
        // Cut while collected, maybe inside a key: back to where a token ends, so that no part
        // of one is left for the rules to miss.
        static const QByteArray delimiters(" \t\r\n\"',;:{}[]");
        qsizetype end = body->data.size();
        const qsizetype floor = qMax<qsizetype>(0, end - CaptureMargin);
        while (end > floor && !delimiters.contains(body->data.at(end - 1)))
            --end;
        body->data.truncate(end > floor ? end : floor);
    }
    // Bytes that are not UTF-8 go through as Latin-1, which keeps every byte as it was.
    const bool utf8 = body->data.isValidUtf8();
    const QString text = utf8 ? QString::fromUtf8(body->data) : QString::fromLatin1(body->data);
    std::optional<QString> redacted = redactText(text, redaction);
    if (redacted && looksLikeEvents(body->data)) {
        const QString said = streamedText(body->data);
        const std::optional<QString> saidRedacted = redactText(said, redaction);
        if (!saidRedacted || *saidRedacted != said)
            redacted = QStringLiteral("[redacted: the answer's text carries a credential across "
                                      "its events, so none of it is kept]");
    }
    if (!redacted)
        redacted = QStringLiteral("[redacted: a capture.redact pattern could not be applied to "
                                  "this body, so none of it is kept]");
    body->data = utf8 ? redacted->toUtf8() : redacted->toLatin1();
    if (body->data.size() > maxBytes) {
        body->data.truncate(maxBytes);
        body->cut = true;
    }
}

void redactHeaders(CapturedHeaders *headers, const Redaction &redaction)
{
    for (auto &[name, value] : *headers) {
        if (isCredentialHeader(name))
            value = QString(Redacted);
        else
            value = redactText(value, redaction).value_or(QString(Redacted));
    }
}

} // namespace

bool isCredentialHeader(QStringView name)
{
    static const QStringList names { QStringLiteral("authorization"),
        QStringLiteral("proxy-authorization"), QStringLiteral("x-api-key"),
        QStringLiteral("api-key"), QStringLiteral("x-goog-api-key"), QStringLiteral("cookie"),
        QStringLiteral("set-cookie") };
    return names.contains(name, Qt::CaseInsensitive);
}

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
    // Only the model changes: numbers and the order of fields stay as the caller wrote them.
    if (!QJsonDocument::fromJson(request.data).isObject())
        return QByteArray();
    return replaceTopLevelModel(request.data, route);
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

qint64 UnredactedCapture::bytes() const
{
    qint64 total = bodies.request.data.size();
    for (const CapturedAttempt &attempt : bodies.attempts)
        total += attempt.sent.data.size() + attempt.received.data.size();
    return total;
}

CapturedBodies UnredactedCapture::redacted() &&
{
    redactCapture(&bodies, redactor, patterns, maxBytes, ownKeys);
    return std::move(bodies);
}

void redactCapture(CapturedBodies *bodies, const Redactor &redactor,
    const QList<QRegularExpression> &patterns, qint64 maxBytes, const QList<QByteArray> &ownKeys)
{
    Redaction redaction { redactor, {}, patterns };
    for (const QByteArray &key : ownKeys) {
        if (key.size() >= 6) // as the redactor's own: a short value would blank ordinary words
            redaction.ownKeys.append(QString::fromUtf8(key));
    }
    redactHeaders(&bodies->callerHeaders, redaction);
    redactBody(&bodies->request, redaction, maxBytes);
    for (CapturedAttempt &attempt : bodies->attempts) {
        attempt.url = redactText(attempt.url, redaction).value_or(QString(Redacted));
        redactHeaders(&attempt.headers, redaction);
        redactBody(&attempt.sent, redaction, maxBytes);
        redactBody(&attempt.received, redaction, maxBytes);
    }
}

} // namespace Switchyard
