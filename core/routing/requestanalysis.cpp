#include "routing/requestanalysis.h"

#include "routing/classifier.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <algorithm>

namespace Switchyard {

namespace {

RequestAnalysis invalid(const QString &message, const QString &param = QString())
{
    RequestAnalysis result;
    result.error = message;
    result.errorParam = param;
    return result;
}

qint64 textLength(const QJsonValue &content, bool *hasImage)
{
    if (content.isString())
        return content.toString().size();
    qint64 length = 0;
    if (content.isArray()) {
        for (const QJsonValue &part : content.toArray()) {
            const QJsonObject object = part.toObject();
            const QString type = object.value(QLatin1String("type")).toString();
            if (type == QLatin1String("image_url") || type == QLatin1String("input_image"))
                *hasImage = true;
            length += object.value(QLatin1String("text")).toString().size();
        }
    }
    return length;
}

// Skips one JSON value starting at `pos` (whitespace already skipped); returns the index just past
// it, or -1 on malformed input. Only used on documents QJsonDocument has already accepted.
qsizetype skipValue(const QByteArray &json, qsizetype pos)
{
    const qsizetype size = json.size();
    if (pos >= size)
        return -1;
    if (json.at(pos) == '"') {
        for (qsizetype i = pos + 1; i < size; ++i) {
            if (json.at(i) == '\\')
                ++i;
            else if (json.at(i) == '"')
                return i + 1;
        }
        return -1;
    }
    if (json.at(pos) == '{' || json.at(pos) == '[') {
        int depth = 0;
        for (qsizetype i = pos; i < size; ++i) {
            const char c = json.at(i);
            if (c == '"') {
                i = skipValue(json, i);
                if (i < 0)
                    return -1;
                --i;
            } else if (c == '{' || c == '[') {
                ++depth;
            } else if (c == '}' || c == ']') {
                if (--depth == 0)
                    return i + 1;
            }
        }
        return -1;
    }
    qsizetype i = pos;
    while (i < size && json.at(i) != ',' && json.at(i) != '}' && json.at(i) != ']'
        && !std::isspace(uchar(json.at(i))))
        ++i;
    return i;
}

qsizetype skipSpace(const QByteArray &json, qsizetype pos)
{
    while (pos < json.size() && std::isspace(uchar(json.at(pos))))
        ++pos;
    return pos;
}

// A member name as JSON means it: "mod\u0065l" is "model".
QString decodedKey(QByteArrayView quotedKey)
{
    if (!quotedKey.contains('\\'))
        return QString::fromUtf8(quotedKey.sliced(1, quotedKey.size() - 2));
    const QJsonDocument wrapper = QJsonDocument::fromJson("[" + quotedKey.toByteArray() + "]");
    return wrapper.array().first().toString();
}

struct Member {
    QString key;
    qsizetype valueStart = 0;
    qsizetype valueEnd = 0;
};

// The top-level members of a JSON object as written, duplicates included (QJsonDocument keeps one
// of them silently). Only used on documents QJsonDocument has already accepted.
QList<Member> topLevelMembers(const QByteArray &body)
{
    QList<Member> members;
    qsizetype pos = skipSpace(body, 0);
    if (pos >= body.size() || body.at(pos) != '{')
        return members;
    pos = skipSpace(body, pos + 1);
    while (pos < body.size() && body.at(pos) == '"') {
        const qsizetype keyEnd = skipValue(body, pos);
        if (keyEnd < 0)
            return members;
        Member member;
        member.key = decodedKey(QByteArrayView(body.constData() + pos, keyEnd - pos));
        pos = skipSpace(body, keyEnd);
        if (pos >= body.size() || body.at(pos) != ':')
            return members;
        member.valueStart = skipSpace(body, pos + 1);
        member.valueEnd = skipValue(body, member.valueStart);
        if (member.valueEnd < 0)
            return members;
        members.append(member);
        pos = skipSpace(body, member.valueEnd);
        if (pos < body.size() && body.at(pos) == ',')
            pos = skipSpace(body, pos + 1);
        else
            break;
    }
    return members;
}

QByteArray quoted(const QString &text)
{
    // A model's name is nearly always printable ASCII with nothing to escape: then it goes in as
    // it is (building a JSON document for it was a few percent of a short request's CPU).
    const bool plain = std::all_of(text.cbegin(), text.cend(), [](QChar c) {
        return c.unicode() >= 0x20 && c.unicode() < 0x7f && c != u'"' && c != u'\\';
    });
    if (plain)
        return '"' + text.toLatin1() + '"';
    // QJsonDocument escapes exactly as JSON requires; an array wrapper is the cheapest carrier.
    QByteArray array = QJsonDocument(QJsonArray { text }).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}

} // namespace

RequestAnalysis RequestAnalysis::parseObject(const QByteArray &body, QJsonObject *root)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return invalid(QStringLiteral("The request body is not valid JSON (at byte %1: %2).")
                           .arg(parseError.offset)
                           .arg(parseError.errorString()));
    if (!document.isObject())
        return invalid(QStringLiteral("The request body must be a JSON object."));
    *root = document.object();
    // A name given twice means one thing to us and maybe another to the upstream (routed as a
    // cheap model, billed as an expensive one): refused, whatever the name.
    QSet<QString> seen;
    for (const Member &member : topLevelMembers(body)) {
        if (seen.contains(member.key))
            return invalid(QStringLiteral("The request body names '%1' more than once.")
                               .arg(member.key.left(64)),
                member.key.left(64));
        seen.insert(member.key);
    }
    RequestAnalysis parsed;
    parsed.valid = true;
    return parsed;
}

RequestAnalysis RequestAnalysis::analyze(Endpoint endpoint, const QByteArray &body)
{
    QJsonObject root;
    const RequestAnalysis parsed = parseObject(body, &root);
    if (!parsed.valid)
        return parsed;

    RequestAnalysis result;
    result.document = root;
    const QJsonValue model = root.value(QLatin1String("model"));
    if (!model.isUndefined() && !model.isString())
        return invalid(QStringLiteral("'model' must be a string."), QStringLiteral("model"));
    result.model = model.toString();

    if (endpoint == Endpoint::Embeddings) {
        const QJsonValue input = root.value(QLatin1String("input"));
        if (!input.isString() && !input.isArray())
            return invalid(QStringLiteral("'input' is required and must be a string or an array."),
                QStringLiteral("input"));
        result.needs |= unsigned(Capability::Embeddings);
        if (input.isString())
            result.estimatedTokens = input.toString().size() / 4;
        else
            for (const QJsonValue &item : input.toArray())
                result.estimatedTokens += item.toString().size() / 4;
        result.valid = true;
        return result;
    }

    const QJsonValue messages = root.value(QLatin1String("messages"));
    if (!messages.isArray())
        return invalid(QStringLiteral("'messages' is required and must be an array."),
            QStringLiteral("messages"));
    bool hasImage = false;
    qint64 characters = 0;
    const QJsonArray messageArray = messages.toArray();
    for (qsizetype i = 0; i < messageArray.size(); ++i) {
        if (!messageArray.at(i).isObject())
            return invalid(QStringLiteral("'messages[%1]' must be an object.").arg(i),
                QStringLiteral("messages[%1]").arg(i));
        const QJsonObject message = messageArray.at(i).toObject();
        characters += textLength(message.value(QLatin1String("content")), &hasImage);
        for (const QJsonValue &call : message.value(QLatin1String("tool_calls")).toArray())
            characters += call.toObject()
                              .value(QLatin1String("function"))
                              .toObject()
                              .value(QLatin1String("arguments"))
                              .toString()
                              .size();
    }
    if (hasImage)
        result.needs |= unsigned(Capability::Vision);

    const QJsonValue stream = root.value(QLatin1String("stream"));
    if (!stream.isUndefined() && !stream.isNull() && !stream.isBool())
        return invalid(QStringLiteral("'stream' must be a boolean."), QStringLiteral("stream"));
    result.stream = stream.toBool();
    const QJsonValue streamOptions = root.value(QLatin1String("stream_options"));
    result.hasStreamOptions = !streamOptions.isUndefined() && !streamOptions.isNull();
    result.callerAskedUsage
        = streamOptions.toObject().value(QLatin1String("include_usage")).toBool();
    if (result.stream)
        result.needs |= unsigned(Capability::Stream);

    const QJsonValue tools = root.value(QLatin1String("tools"));
    if (!tools.isUndefined() && !tools.isNull() && !tools.isArray())
        return invalid(QStringLiteral("'tools' must be an array."), QStringLiteral("tools"));
    if (!tools.toArray().isEmpty() || root.contains(QLatin1String("functions")))
        result.needs |= unsigned(Capability::Tools);
    // Tool definitions are part of the prompt (an agent's are often thousands of tokens).
    if (!tools.toArray().isEmpty())
        characters += QJsonDocument(tools.toArray()).toJson(QJsonDocument::Compact).size();

    const QJsonValue format = root.value(QLatin1String("response_format"));
    if (!format.isUndefined() && !format.isNull() && !format.isObject())
        return invalid(QStringLiteral("'response_format' must be an object."),
            QStringLiteral("response_format"));
    const QString formatType = format.toObject().value(QLatin1String("type")).toString();
    if (formatType == QLatin1String("json_object") || formatType == QLatin1String("json_schema")) {
        result.jsonOutput = true;
        result.needs |= unsigned(Capability::Json);
    }

    qint64 outputTokens = 0;
    for (const char *key : { "max_tokens", "max_completion_tokens" }) {
        const QJsonValue value = root.value(QLatin1String(key));
        if (value.isUndefined() || value.isNull())
            continue;
        // readTokenCount checks the number as a double first: 1e300 must not become a qint64.
        bool outOfRange = false;
        const qint64 tokens = readTokenCount(value, &outOfRange);
        if (outOfRange)
            return invalid(QStringLiteral("'%1' must be an integer from 0 to %2.")
                               .arg(QLatin1String(key))
                               .arg(MaxReportedTokens),
                QLatin1String(key));
        outputTokens = qMax(outputTokens, tokens);
    }
    result.promptTokens = characters / 4;
    result.estimatedTokens = result.promptTokens + outputTokens;
    result.valid = true;
    return result;
}

QString incompatibilityReason(const RouteConfig &route, const RequestAnalysis &request)
{
    const Capabilities missing = request.needs & ~route.capabilities;
    if (missing)
        return QStringLiteral("route lacks %1")
            .arg(capabilityNames(missing).join(QLatin1String(", ")));
    if (route.contextWindow > 0 && request.estimatedTokens > route.contextWindow)
        return QStringLiteral("request needs about %1 tokens, route's context window is %2")
            .arg(request.estimatedTokens)
            .arg(route.contextWindow);
    return QString();
}

QByteArray withStreamUsage(const QByteArray &body)
{
    const qsizetype brace = body.indexOf('{');
    if (brace < 0)
        return body;
    const qsizetype next = skipSpace(body, brace + 1);
    const bool empty = next < body.size() && body.at(next) == '}';
    QByteArray result = body;
    result.insert(brace + 1,
        empty ? QByteArrayLiteral("\"stream_options\":{\"include_usage\":true}")
              : QByteArrayLiteral("\"stream_options\":{\"include_usage\":true},"));
    return result;
}

QByteArray replaceTopLevelModel(const QByteArray &body, const QString &model)
{
    // The member found by its meaning, so an escaped name is replaced like a plain one.
    for (const Member &member : topLevelMembers(body)) {
        if (member.key != QLatin1String("model"))
            continue;
        QByteArray result;
        const QByteArray replacement = quoted(model);
        result.reserve(body.size() + replacement.size());
        result.append(body.constData(), member.valueStart);
        result.append(replacement);
        result.append(body.constData() + member.valueEnd, body.size() - member.valueEnd);
        return result;
    }
    // No model key: add one at the front, where it cannot disturb the rest.
    const qsizetype brace = body.indexOf('{');
    if (brace < 0)
        return body;
    QByteArray result = body;
    const bool empty
        = skipSpace(body, brace + 1) < body.size() && body.at(skipSpace(body, brace + 1)) == '}';
    result.insert(brace + 1, "\"model\":" + quoted(model) + (empty ? "" : ","));
    return result;
}

} // namespace Switchyard
