#include "translate/anthropictranslator.h"

#include "translate/anthropicshapes.h"
#include "translate/anthropicstream.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

namespace Switchyard {

using namespace AnthropicShapes;

namespace {

const QSet<QString> &translatableFields()
{
    static const QSet<QString> fields { QStringLiteral("model"), QStringLiteral("messages"),
        QStringLiteral("max_tokens"), QStringLiteral("max_completion_tokens"),
        QStringLiteral("temperature"), QStringLiteral("top_p"), QStringLiteral("stop"),
        QStringLiteral("stream"), QStringLiteral("stream_options"), QStringLiteral("tools"),
        QStringLiteral("tool_choice"), QStringLiteral("response_format"), QStringLiteral("user"),
        QStringLiteral("metadata"), QStringLiteral("store"), QStringLiteral("parallel_tool_calls"),
        QStringLiteral("n") };
    return fields;
}

struct Translation {
    QString incompatible;
    QJsonArray messages;
    QStringList system;
};

// Anthropic wants strictly alternating turns; consecutive turns of one role become one.
void appendTurn(QJsonArray &messages, const QString &role, const QJsonArray &blocks)
{
    if (!messages.isEmpty()
        && messages.last().toObject().value(QLatin1String("role")).toString() == role) {
        QJsonObject last = messages.last().toObject();
        QJsonArray content = last.value(QLatin1String("content")).toArray();
        for (const QJsonValue &block : blocks)
            content.append(block);
        last.insert(QStringLiteral("content"), content);
        messages[messages.size() - 1] = last;
        return;
    }
    messages.append(
        QJsonObject { { QStringLiteral("role"), role }, { QStringLiteral("content"), blocks } });
}

QJsonObject imageBlock(const QString &url, QString *incompatible)
{
    if (url.startsWith(QLatin1String("data:"))) {
        // data:<media type>;base64,<data>
        const qsizetype comma = url.indexOf(QLatin1Char(','));
        const QString header = url.mid(5, comma - 5);
        if (comma < 0 || !header.endsWith(QLatin1String(";base64"))) {
            *incompatible = QStringLiteral("an image data URL that is not base64");
            return {};
        }
        return QJsonObject { { QStringLiteral("type"), QStringLiteral("image") },
            { QStringLiteral("source"),
                QJsonObject { { QStringLiteral("type"), QStringLiteral("base64") },
                    { QStringLiteral("media_type"), header.chopped(7) },
                    { QStringLiteral("data"), url.mid(comma + 1) } } } };
    }
    if (url.startsWith(QLatin1String("https://")) || url.startsWith(QLatin1String("http://")))
        return QJsonObject { { QStringLiteral("type"), QStringLiteral("image") },
            { QStringLiteral("source"),
                QJsonObject { { QStringLiteral("type"), QStringLiteral("url") },
                    { QStringLiteral("url"), url } } } };
    *incompatible = QStringLiteral("an image URL Anthropic cannot fetch");
    return {};
}

QJsonArray contentBlocks(const QJsonValue &content, QString *incompatible)
{
    QJsonArray blocks;
    if (content.isString()) {
        if (!content.toString().isEmpty())
            blocks.append(QJsonObject { { QStringLiteral("type"), QStringLiteral("text") },
                { QStringLiteral("text"), content } });
        return blocks;
    }
    for (const QJsonValue &value : content.toArray()) {
        const QJsonObject part = value.toObject();
        const QString type = part.value(QLatin1String("type")).toString();
        if (type == QLatin1String("text")) {
            blocks.append(QJsonObject { { QStringLiteral("type"), QStringLiteral("text") },
                { QStringLiteral("text"), part.value(QLatin1String("text")) } });
        } else if (type == QLatin1String("image_url")) {
            const QJsonValue image = part.value(QLatin1String("image_url"));
            const QString url = image.isObject()
                ? image.toObject().value(QLatin1String("url")).toString()
                : image.toString();
            const QJsonObject block = imageBlock(url, incompatible);
            if (!incompatible->isEmpty())
                return {};
            blocks.append(block);
        } else {
            *incompatible = QStringLiteral("a content part of type '%1'").arg(type);
            return {};
        }
    }
    return blocks;
}

Translation translateMessages(const QJsonArray &messages)
{
    Translation result;
    for (const QJsonValue &value : messages) {
        const QJsonObject message = value.toObject();
        const QString role = message.value(QLatin1String("role")).toString();
        const QJsonValue content = message.value(QLatin1String("content"));
        if (role == QLatin1String("system") || role == QLatin1String("developer")) {
            if (content.isString())
                result.system.append(content.toString());
            else
                for (const QJsonValue &part : content.toArray())
                    result.system.append(part.toObject().value(QLatin1String("text")).toString());
            continue;
        }
        if (role == QLatin1String("tool")) {
            QString text = content.toString();
            if (content.isArray()) {
                for (const QJsonValue &part : content.toArray())
                    text += part.toObject().value(QLatin1String("text")).toString();
            }
            appendTurn(result.messages, QStringLiteral("user"),
                { QJsonObject { { QStringLiteral("type"), QStringLiteral("tool_result") },
                    { QStringLiteral("tool_use_id"), message.value(QLatin1String("tool_call_id")) },
                    { QStringLiteral("content"), text } } });
            continue;
        }
        if (role != QLatin1String("user") && role != QLatin1String("assistant")) {
            result.incompatible = QStringLiteral("a message with role '%1'").arg(role);
            return result;
        }
        QJsonArray blocks = contentBlocks(content, &result.incompatible);
        if (!result.incompatible.isEmpty())
            return result;
        for (const QJsonValue &call : message.value(QLatin1String("tool_calls")).toArray()) {
            const QJsonObject function
                = call.toObject().value(QLatin1String("function")).toObject();
            QJsonParseError parseError;
            const QJsonDocument arguments = QJsonDocument::fromJson(
                function.value(QLatin1String("arguments")).toString().toUtf8(), &parseError);
            if (parseError.error != QJsonParseError::NoError || !arguments.isObject()) {
                result.incompatible
                    = QStringLiteral("tool call arguments that are not a JSON object");
                return result;
            }
            blocks.append(QJsonObject { { QStringLiteral("type"), QStringLiteral("tool_use") },
                { QStringLiteral("id"), call.toObject().value(QLatin1String("id")) },
                { QStringLiteral("name"), function.value(QLatin1String("name")) },
                { QStringLiteral("input"), arguments.object() } });
        }
        if (blocks.isEmpty())
            continue; // an empty turn says nothing, and Anthropic refuses empty content
        appendTurn(result.messages, role, blocks);
    }
    return result;
}

} // namespace

QString AnthropicTranslator::finishReason(const QString &stopReason)
{
    if (stopReason == QLatin1String("max_tokens"))
        return QStringLiteral("length");
    if (stopReason == QLatin1String("tool_use"))
        return QStringLiteral("tool_calls");
    if (stopReason == QLatin1String("refusal"))
        return QStringLiteral("content_filter");
    return QStringLiteral("stop"); // end_turn, stop_sequence, pause_turn
}

TranslatedRequest AnthropicTranslator::translateRequest(
    const QJsonObject &request, const RouteConfig &route, const QByteArray &apiKey) const
{
    TranslatedRequest result;
    for (auto it = request.begin(); it != request.end(); ++it) {
        if (!translatableFields().contains(it.key()) && !it.value().isNull()) {
            result.incompatible = QStringLiteral("'%1' has no Anthropic equivalent").arg(it.key());
            return result;
        }
    }
    if (request.value(QLatin1String("n")).toInt(1) != 1) {
        result.incompatible = QStringLiteral("Anthropic returns one choice, not n > 1");
        return result;
    }
    Translation translation = translateMessages(request.value(QLatin1String("messages")).toArray());
    if (!translation.incompatible.isEmpty()) {
        result.incompatible
            = QStringLiteral("Anthropic cannot take %1").arg(translation.incompatible);
        return result;
    }
    QJsonObject body { { QStringLiteral("model"), route.model },
        { QStringLiteral("messages"), translation.messages } };
    qint64 maxTokens = route.maxTokens;
    for (const char *key : { "max_completion_tokens", "max_tokens" }) {
        const QJsonValue value = request.value(QLatin1String(key));
        if (value.isUndefined() || value.isNull())
            continue;
        bool outOfRange = false;
        const qint64 tokens = readTokenCount(value, &outOfRange);
        if (outOfRange) { // the request analysis refuses these first; this keeps the unit safe
                          // alone
            result.incompatible
                = QStringLiteral("'%1' is not a token count").arg(QLatin1String(key));
            return result;
        }
        maxTokens = tokens;
    }
    body.insert(QStringLiteral("max_tokens"), maxTokens); // required by Anthropic

    const QJsonValue temperature = request.value(QLatin1String("temperature"));
    if (temperature.isDouble()) {
        if (temperature.toDouble() > 1.0) {
            result.incompatible = QStringLiteral("temperature %1 is above Anthropic's maximum of 1")
                                      .arg(temperature.toDouble());
            return result;
        }
        body.insert(QStringLiteral("temperature"), temperature);
    }
    if (request.value(QLatin1String("top_p")).isDouble())
        body.insert(QStringLiteral("top_p"), request.value(QLatin1String("top_p")));
    const QJsonValue stop = request.value(QLatin1String("stop"));
    if (stop.isString())
        body.insert(QStringLiteral("stop_sequences"), QJsonArray { stop });
    else if (stop.isArray())
        body.insert(QStringLiteral("stop_sequences"), stop);
    if (request.value(QLatin1String("stream")).toBool())
        body.insert(QStringLiteral("stream"), true);
    if (request.value(QLatin1String("user")).isString())
        body.insert(QStringLiteral("metadata"),
            QJsonObject { { QStringLiteral("user_id"), request.value(QLatin1String("user")) } });

    const QJsonObject format = request.value(QLatin1String("response_format")).toObject();
    const QString formatType = format.value(QLatin1String("type")).toString();
    if (formatType == QLatin1String("json_schema")) {
        result.incompatible = QStringLiteral("Anthropic cannot enforce a JSON schema");
        return result;
    }
    if (formatType == QLatin1String("json_object")) {
        // No JSON mode upstream: ask for it; the proxy still checks that the answer is JSON.
        translation.system.append(
            QStringLiteral("Respond with a single valid JSON object and nothing else."));
    }
    if (!translation.system.isEmpty())
        body.insert(QStringLiteral("system"), translation.system.join(QStringLiteral("\n\n")));

    const QJsonArray tools = request.value(QLatin1String("tools")).toArray();
    if (!tools.isEmpty()) {
        QJsonArray converted;
        for (const QJsonValue &value : tools) {
            const QJsonObject tool = value.toObject();
            if (tool.value(QLatin1String("type")).toString() != QLatin1String("function")) {
                result.incompatible = QStringLiteral("a tool of type '%1'")
                                          .arg(tool.value(QLatin1String("type")).toString());
                return result;
            }
            const QJsonObject function = tool.value(QLatin1String("function")).toObject();
            QJsonObject schema = function.value(QLatin1String("parameters")).toObject();
            if (schema.isEmpty())
                schema = QJsonObject { { QStringLiteral("type"), QStringLiteral("object") } };
            QJsonObject convertedTool { { QStringLiteral("name"),
                                            function.value(QLatin1String("name")) },
                { QStringLiteral("input_schema"), schema } };
            if (function.contains(QLatin1String("description")))
                convertedTool.insert(
                    QStringLiteral("description"), function.value(QLatin1String("description")));
            converted.append(convertedTool);
        }
        body.insert(QStringLiteral("tools"), converted);
    }
    const QJsonValue choice = request.value(QLatin1String("tool_choice"));
    QJsonObject toolChoice;
    if (choice.toString() == QLatin1String("auto"))
        toolChoice = QJsonObject { { QStringLiteral("type"), QStringLiteral("auto") } };
    else if (choice.toString() == QLatin1String("required"))
        toolChoice = QJsonObject { { QStringLiteral("type"), QStringLiteral("any") } };
    else if (choice.toString() == QLatin1String("none"))
        toolChoice = QJsonObject { { QStringLiteral("type"), QStringLiteral("none") } };
    else if (choice.isObject())
        toolChoice = QJsonObject { { QStringLiteral("type"), QStringLiteral("tool") },
            { QStringLiteral("name"),
                choice.toObject()
                    .value(QLatin1String("function"))
                    .toObject()
                    .value(QLatin1String("name")) } };
    if (request.value(QLatin1String("parallel_tool_calls")).isBool()
        && !request.value(QLatin1String("parallel_tool_calls")).toBool()) {
        if (toolChoice.isEmpty())
            toolChoice = QJsonObject { { QStringLiteral("type"), QStringLiteral("auto") } };
        toolChoice.insert(QStringLiteral("disable_parallel_tool_use"), true);
    }
    if (!toolChoice.isEmpty() && !tools.isEmpty())
        body.insert(QStringLiteral("tool_choice"), toolChoice);

    result.path = QStringLiteral("/v1/messages");
    result.body = compact(body);
    result.headers = { { QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json") },
        { QByteArrayLiteral("anthropic-version"), QByteArray(ApiVersion) } };
    if (!apiKey.isEmpty())
        result.headers.append({ QByteArrayLiteral("x-api-key"), apiKey });
    return result;
}

QByteArray AnthropicTranslator::translateResponse(const QByteArray &body, QString *error) const
{
    const QJsonObject message = QJsonDocument::fromJson(body).object();
    if (message.value(QLatin1String("type")).toString() != QLatin1String("message")
        || !message.value(QLatin1String("content")).isArray()) {
        *error = QStringLiteral("2xx body is not an Anthropic message");
        return QByteArray();
    }
    QString text;
    bool hasText = false;
    QJsonArray toolCalls;
    for (const QJsonValue &value : message.value(QLatin1String("content")).toArray()) {
        const QJsonObject block = value.toObject();
        const QString type = block.value(QLatin1String("type")).toString();
        if (type == QLatin1String("text")) {
            text += block.value(QLatin1String("text")).toString();
            hasText = true;
        } else if (type == QLatin1String("tool_use")) {
            toolCalls.append(QJsonObject {
                { QStringLiteral("id"), block.value(QLatin1String("id")) },
                { QStringLiteral("type"), QStringLiteral("function") },
                { QStringLiteral("function"),
                    QJsonObject { { QStringLiteral("name"), block.value(QLatin1String("name")) },
                        { QStringLiteral("arguments"),
                            QString::fromUtf8(
                                QJsonDocument(block.value(QLatin1String("input")).toObject())
                                    .toJson(QJsonDocument::Compact)) } } } });
        }
    }
    QJsonObject reply { { QStringLiteral("role"), QStringLiteral("assistant") },
        { QStringLiteral("content"), hasText ? QJsonValue(text) : QJsonValue() } };
    if (!toolCalls.isEmpty())
        reply.insert(QStringLiteral("tool_calls"), toolCalls);
    qint64 input = 0;
    qint64 output = 0;
    CachedTokens cached;
    readAnthropicUsage(message.value(QLatin1String("usage")).toObject(), &input, &output, &cached);
    const QJsonObject completion { { QStringLiteral("id"),
                                       openAiId(message.value(QLatin1String("id")).toString()) },
        { QStringLiteral("object"), QStringLiteral("chat.completion") },
        { QStringLiteral("created"), QDateTime::currentSecsSinceEpoch() },
        { QStringLiteral("model"), message.value(QLatin1String("model")) },
        { QStringLiteral("choices"),
            QJsonArray { QJsonObject { { QStringLiteral("index"), 0 },
                { QStringLiteral("message"), reply }, { QStringLiteral("logprobs"), QJsonValue() },
                { QStringLiteral("finish_reason"),
                    finishReason(message.value(QLatin1String("stop_reason")).toString()) } } } },
        { QStringLiteral("usage"), usageObject(input, output, cached) } };
    return compact(completion);
}

QByteArray AnthropicTranslator::translateError(const QByteArray &body) const
{
    const QJsonObject error
        = QJsonDocument::fromJson(body).object().value(QLatin1String("error")).toObject();
    if (error.isEmpty())
        return body;
    const QString type = error.value(QLatin1String("type")).toString();
    const QString message = error.value(QLatin1String("message")).toString();
    QString code = type;
    // What OpenAI's callers (and our classifier) recognise.
    if (message.contains(QLatin1String("prompt is too long"), Qt::CaseInsensitive)
        || message.contains(QLatin1String("context window"), Qt::CaseInsensitive))
        code = QStringLiteral("context_length_exceeded");
    else if (type == QLatin1String("rate_limit_error"))
        code = QStringLiteral("rate_limit_exceeded");
    else if (type == QLatin1String("authentication_error"))
        code = QStringLiteral("invalid_api_key");
    return compact(QJsonObject { { QStringLiteral("error"),
        QJsonObject { { QStringLiteral("message"), message }, { QStringLiteral("type"), type },
            { QStringLiteral("code"), code }, { QStringLiteral("param"), QJsonValue() } } } });
}

std::unique_ptr<StreamTranslator> AnthropicTranslator::streamTranslator(bool includeUsage) const
{
    return anthropicStreamTranslator(includeUsage);
}

TranslatedRequest AnthropicTranslator::probeRequest(
    const RouteConfig &route, const QByteArray &apiKey, bool completion) const
{
    TranslatedRequest probe;
    probe.headers = { { QByteArrayLiteral("anthropic-version"), QByteArray(ApiVersion) } };
    if (!apiKey.isEmpty())
        probe.headers.append({ QByteArrayLiteral("x-api-key"), apiKey });
    if (!completion) {
        probe.path = QStringLiteral("/v1/models");
        return probe;
    }
    probe.path = QStringLiteral("/v1/messages");
    probe.headers.append(
        { QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json") });
    probe.body = compact(
        QJsonObject { { QStringLiteral("model"), route.model }, { QStringLiteral("max_tokens"), 1 },
            { QStringLiteral("messages"),
                QJsonArray { QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                    { QStringLiteral("content"), QStringLiteral("ping") } } } } });
    return probe;
}

const ProviderTranslator *ProviderTranslator::forKind(const QString &kind)
{
    static const AnthropicTranslator anthropic;
    if (kind == QLatin1String("anthropic"))
        return &anthropic;
    return nullptr;
}

} // namespace Switchyard
