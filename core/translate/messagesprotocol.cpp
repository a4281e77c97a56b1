#include "translate/messagesprotocol.h"

#include "routing/requestanalysis.h"
#include "translate/anthropicshapes.h"
#include "translate/anthropicstream.h"
#include "translate/anthropictranslator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QMap>
#include <QSet>

namespace Switchyard {

using AnthropicShapes::compact;

namespace {

QString str(const QJsonObject &object, const char *key)
{
    return object.value(QLatin1String(key)).toString();
}

QByteArray sseEvent(const QString &type, const QJsonObject &data)
{
    return "event: " + type.toUtf8() + "\ndata: " + compact(data) + "\n\n";
}

QByteArray errorEvent(const QString &type, const QString &message)
{
    return sseEvent(QStringLiteral("error"),
        QJsonObject { { QStringLiteral("type"), QStringLiteral("error") },
            { QStringLiteral("error"),
                QJsonObject {
                    { QStringLiteral("type"), type }, { QStringLiteral("message"), message } } } });
}

// Some upstreams (Ollama among them) finish a tool call with "stop": Claude Code runs the tools
// only on tool_use.
QString stopReasonWithTools(const QString &stopReason, bool calledTools)
{
    if (calledTools && (stopReason.isEmpty() || stopReason == QLatin1String("end_turn")))
        return QStringLiteral("tool_use");
    return stopReason.isEmpty() ? QStringLiteral("end_turn") : stopReason;
}

// What one Messages request becomes as chat completions; the first problem found wins.
class ChatBuilder final : public ChatRequestBuilder {
public:
    // A text block list (a system prompt, a tool result) as one text.
    QString text(const QJsonValue &content, const QString &param, const QString &what)
    {
        if (content.isString())
            return content.toString();
        if (content.isUndefined() || content.isNull())
            return QString();
        if (!content.isArray()) {
            invalid(
                QStringLiteral("'%1' must be a string or an array of blocks.").arg(param), param);
            return QString();
        }
        QStringList texts;
        for (const QJsonValue &value : content.toArray()) {
            const QJsonObject block = value.toObject();
            const QString type = str(block, "type");
            if (type == QLatin1String("text"))
                texts.append(str(block, "text"));
            else
                untranslatable(QStringLiteral("%1 holds a '%2' block").arg(what, type.left(40)));
        }
        return texts.join(QLatin1Char('\n'));
    }

    QJsonObject imagePart(const QJsonObject &block)
    {
        const QJsonObject source = block.value(QLatin1String("source")).toObject();
        const QString type = str(source, "type");
        QString url;
        if (type == QLatin1String("base64"))
            url = QStringLiteral("data:%1;base64,%2")
                      .arg(str(source, "media_type"), str(source, "data"));
        else if (type == QLatin1String("url"))
            url = str(source, "url");
        else
            untranslatable(QStringLiteral("an image from a '%1' source").arg(type.left(40)));
        return QJsonObject { { QStringLiteral("type"), QStringLiteral("image_url") },
            { QStringLiteral("image_url"), QJsonObject { { QStringLiteral("url"), url } } } };
    }

    void message(const QJsonObject &turn, int index, QJsonArray &out)
    {
        const QString param = QStringLiteral("messages[%1]").arg(index);
        const QString role = str(turn, "role");
        const QJsonValue content = turn.value(QLatin1String("content"));
        if (role == QLatin1String("system")) {
            // Claude Code sends system turns mid-conversation; chat completions have them too.
            out.append(QJsonObject { { QStringLiteral("role"), role },
                { QStringLiteral("content"),
                    text(content, param + QStringLiteral(".content"),
                        QStringLiteral("a system turn")) } });
            return;
        }
        if (role != QLatin1String("user") && role != QLatin1String("assistant")) {
            invalid(QStringLiteral("'%1.role' must be \"user\", \"assistant\" or \"system\".")
                        .arg(param),
                param + QStringLiteral(".role"));
            return;
        }
        if (content.isString()) {
            out.append(QJsonObject {
                { QStringLiteral("role"), role }, { QStringLiteral("content"), content } });
            return;
        }
        if (!content.isArray()) {
            invalid(
                QStringLiteral("'%1.content' must be a string or an array of blocks.").arg(param),
                param + QStringLiteral(".content"));
            return;
        }
        QJsonArray parts;
        QString assistantText;
        QJsonArray toolCalls;
        QJsonArray toolResults;
        const bool user = role == QLatin1String("user");
        for (const QJsonValue &value : content.toArray()) {
            const QJsonObject block = value.toObject();
            const QString type = str(block, "type");
            if (type == QLatin1String("text")) {
                if (user)
                    parts.append(QJsonObject { { QStringLiteral("type"), QStringLiteral("text") },
                        { QStringLiteral("text"), str(block, "text") } });
                else
                    assistantText += str(block, "text");
            } else if (type == QLatin1String("image") && user) {
                parts.append(imagePart(block));
            } else if (type == QLatin1String("tool_use") && !user) {
                toolCalls.append(QJsonObject { { QStringLiteral("id"), str(block, "id") },
                    { QStringLiteral("type"), QStringLiteral("function") },
                    { QStringLiteral("function"),
                        QJsonObject { { QStringLiteral("name"), str(block, "name") },
                            { QStringLiteral("arguments"),
                                QString::fromUtf8(compact(
                                    block.value(QLatin1String("input")).toObject())) } } } });
            } else if (type == QLatin1String("tool_result") && user) {
                QString result = text(block.value(QLatin1String("content")),
                    param + QStringLiteral(".content"), QStringLiteral("a tool result"));
                if (block.value(QLatin1String("is_error")).toBool())
                    result = QStringLiteral("Error: ") + result;
                toolResults.append(QJsonObject { { QStringLiteral("role"), QStringLiteral("tool") },
                    { QStringLiteral("tool_call_id"), str(block, "tool_use_id") },
                    { QStringLiteral("content"), result } });
            } else if (type == QLatin1String("thinking")
                || type == QLatin1String("redacted_thinking")) {
                drop(QStringLiteral("thinking blocks"));
            } else {
                untranslatable(QStringLiteral("a '%1' block in %2 has no chat-completions form")
                                   .arg(type.left(40), param));
            }
        }
        // A tool's result answers the call just before it: chat completions want it first.
        for (const QJsonValue &result : std::as_const(toolResults))
            out.append(result);
        if (user) {
            if (!parts.isEmpty())
                out.append(QJsonObject {
                    { QStringLiteral("role"), role }, { QStringLiteral("content"), parts } });
            return;
        }
        QJsonObject reply { { QStringLiteral("role"), role },
            { QStringLiteral("content"),
                assistantText.isEmpty() && !toolCalls.isEmpty() ? QJsonValue()
                                                                : QJsonValue(assistantText) } };
        if (!toolCalls.isEmpty())
            reply.insert(QStringLiteral("tool_calls"), toolCalls);
        out.append(reply);
    }

    QJsonArray tools(const QJsonArray &tools)
    {
        QJsonArray out;
        for (const QJsonValue &value : tools) {
            const QJsonObject tool = value.toObject();
            const QString type = str(tool, "type");
            // Server tools (web search, code execution, bash, …) run at Anthropic.
            if (!tool.contains(QLatin1String("input_schema"))
                || (!type.isEmpty() && type != QLatin1String("custom"))) {
                untranslatable(
                    QStringLiteral("the server tool '%1'").arg(str(tool, "name").left(64)));
                continue;
            }
            QJsonObject function { { QStringLiteral("name"), str(tool, "name") },
                { QStringLiteral("parameters"), tool.value(QLatin1String("input_schema")) } };
            if (tool.contains(QLatin1String("description")))
                function.insert(
                    QStringLiteral("description"), tool.value(QLatin1String("description")));
            out.append(QJsonObject { { QStringLiteral("type"), QStringLiteral("function") },
                { QStringLiteral("function"), function } });
        }
        return out;
    }
};

// Chat completion chunks as Anthropic's stream: message_start, one content block per text run
// or tool call (started, its deltas, stopped), message_delta with the stop reason and usage, and
// message_stop at [DONE].
class MessagesEncoder final : public ChatChunkEncoder {
public:
    QByteArray chunk(const ChatChunk &chunk) override
    {
        QByteArray out = start(chunk.object);
        const QString &text = chunk.text;
        if (!text.isEmpty()) {
            if (m_openKind != Open::Text) {
                out += closeBlock();
                out += openBlock(Open::Text,
                    QJsonObject { { QStringLiteral("type"), QStringLiteral("text") },
                        { QStringLiteral("text"), QString() } });
            }
            out += blockDelta(m_open,
                QJsonObject { { QStringLiteral("type"), QStringLiteral("text_delta") },
                    { QStringLiteral("text"), text } });
        }
        for (const QJsonValue &value : chunk.toolCalls) {
            const QJsonObject call = value.toObject();
            const int toolIndex = call.value(QLatin1String("index")).toInt();
            const QJsonObject function = call.value(QLatin1String("function")).toObject();
            if (!m_blockOfTool.contains(toolIndex)) {
                out += closeBlock();
                out += openBlock(Open::Tool,
                    QJsonObject { { QStringLiteral("type"), QStringLiteral("tool_use") },
                        { QStringLiteral("id"), str(call, "id") },
                        { QStringLiteral("name"), str(function, "name") },
                        { QStringLiteral("input"), QJsonObject() } });
                m_blockOfTool.insert(toolIndex, m_open);
            }
            const QString arguments = str(function, "arguments");
            if (!arguments.isEmpty())
                out += blockDelta(m_blockOfTool.value(toolIndex),
                    QJsonObject { { QStringLiteral("type"), QStringLiteral("input_json_delta") },
                        { QStringLiteral("partial_json"), arguments } });
        }
        const QString &finish = chunk.finishReason;
        if (!finish.isEmpty())
            m_stopReason = MessagesProtocol::stopReason(finish);
        return out;
    }

    QByteArray done(const ChatUsage &usage) override
    {
        QByteArray out = start(QJsonObject());
        out += closeBlock();
        QJsonObject reported { { QStringLiteral("output_tokens"), qMax<qint64>(0, usage.output) } };
        if (usage.input >= 0) {
            reported.insert(QStringLiteral("input_tokens"),
                qMax<qint64>(0, usage.input - usage.cached.read - usage.cached.write));
            reported.insert(QStringLiteral("cache_read_input_tokens"), usage.cached.read);
            reported.insert(QStringLiteral("cache_creation_input_tokens"), usage.cached.write);
        }
        out += sseEvent(QStringLiteral("message_delta"),
            QJsonObject { { QStringLiteral("type"), QStringLiteral("message_delta") },
                { QStringLiteral("delta"),
                    QJsonObject { { QStringLiteral("stop_reason"),
                                      stopReasonWithTools(m_stopReason, !m_blockOfTool.isEmpty()) },
                        { QStringLiteral("stop_sequence"), QJsonValue() } } },
                { QStringLiteral("usage"), reported } });
        out += sseEvent(QStringLiteral("message_stop"),
            QJsonObject { { QStringLiteral("type"), QStringLiteral("message_stop") } });
        return out;
    }

    QByteArray failure(const QString &message) override
    {
        return errorEvent(QStringLiteral("api_error"), message);
    }

private:
    enum class Open { None, Text, Tool };

    QByteArray start(const QJsonObject &chunk)
    {
        if (m_started)
            return QByteArray();
        m_started = true;
        QString id = str(chunk, "id");
        id.remove(QStringLiteral("chatcmpl-"));
        const QJsonObject message { { QStringLiteral("id"), QString(QStringLiteral("msg_") + id) },
            { QStringLiteral("type"), QStringLiteral("message") },
            { QStringLiteral("role"), QStringLiteral("assistant") },
            { QStringLiteral("model"), str(chunk, "model") },
            { QStringLiteral("content"), QJsonArray() },
            { QStringLiteral("stop_reason"), QJsonValue() },
            { QStringLiteral("stop_sequence"), QJsonValue() },
            { QStringLiteral("usage"),
                QJsonObject { { QStringLiteral("input_tokens"), 0 },
                    { QStringLiteral("output_tokens"), 0 } } } };
        return sseEvent(QStringLiteral("message_start"),
            QJsonObject { { QStringLiteral("type"), QStringLiteral("message_start") },
                { QStringLiteral("message"), message } });
    }

    QByteArray openBlock(Open kind, const QJsonObject &block)
    {
        m_open = m_nextBlock++;
        m_openKind = kind;
        return sseEvent(QStringLiteral("content_block_start"),
            QJsonObject { { QStringLiteral("type"), QStringLiteral("content_block_start") },
                { QStringLiteral("index"), m_open }, { QStringLiteral("content_block"), block } });
    }

    QByteArray closeBlock()
    {
        if (m_openKind == Open::None)
            return QByteArray();
        m_openKind = Open::None;
        return sseEvent(QStringLiteral("content_block_stop"),
            QJsonObject { { QStringLiteral("type"), QStringLiteral("content_block_stop") },
                { QStringLiteral("index"), m_open } });
    }

    static QByteArray blockDelta(int index, const QJsonObject &delta)
    {
        return sseEvent(QStringLiteral("content_block_delta"),
            QJsonObject { { QStringLiteral("type"), QStringLiteral("content_block_delta") },
                { QStringLiteral("index"), index }, { QStringLiteral("delta"), delta } });
    }

    bool m_started = false;
    Open m_openKind = Open::None;
    int m_open = -1;
    int m_nextBlock = 0;
    QMap<int, int> m_blockOfTool; // chat's tool_calls index → the content block
    QString m_stopReason;
};

// An `anthropic` route's own stream, passed to the caller byte for byte; Anthropic's stream
// translator reads it alongside for what the relay must know (content, the end, usage).
class NativeMessagesStream final : public StreamTranslator {
public:
    QByteArray translate(const QList<SseScanner::Event> &events) override
    {
        m_reader->translate(events);
        QByteArray out;
        for (const SseScanner::Event &event : events)
            out += event.raw;
        return out;
    }
    bool needsRawEvents() const override { return true; }
    bool complete() const override { return m_reader->complete(); }
    bool finalChunkSeen() const override { return m_reader->finalChunkSeen(); }
    QByteArray completeWithoutEnd() override
    {
        m_reader->completeWithoutEnd();
        return sseEvent(QStringLiteral("message_stop"),
            QJsonObject { { QStringLiteral("type"), QStringLiteral("message_stop") } });
    }
    bool sawContent() const override { return m_reader->sawContent(); }
    qint64 tokensIn() const override { return m_reader->tokensIn(); }
    qint64 tokensOut() const override { return m_reader->tokensOut(); }
    CachedTokens cachedTokens() const override { return m_reader->cachedTokens(); }
    QByteArray failureEvent(const QString &message) override
    {
        return errorEvent(QStringLiteral("api_error"), message);
    }

private:
    std::unique_ptr<StreamTranslator> m_reader = anthropicStreamTranslator(true);
};

// How a native route's answers are judged: read as Anthropic's translator reads them.
class NativeMessagesTranslator final : public ProviderTranslator {
public:
    TranslatedRequest translateRequest(
        const QJsonObject &, const RouteConfig &, const QByteArray &) const override
    {
        // The request is the caller's own (MessagesProtocol::nativeRequest).
        return { QStringLiteral("a Messages request is not rebuilt from chat completions"), {}, {},
            {} };
    }
    QByteArray translateResponse(const QByteArray &body, QString *error) const override
    {
        return m_anthropic.translateResponse(body, error);
    }
    QByteArray translateError(const QByteArray &body) const override
    {
        return m_anthropic.translateError(body);
    }
    std::unique_ptr<StreamTranslator> streamTranslator(bool) const override
    {
        return std::make_unique<NativeMessagesStream>();
    }
    TranslatedRequest probeRequest(
        const RouteConfig &route, const QByteArray &apiKey, bool completion) const override
    {
        return m_anthropic.probeRequest(route, apiKey, completion);
    }
    bool passesCallerApi() const override { return true; }

private:
    AnthropicTranslator m_anthropic;
};

} // namespace

CallerRequest MessagesProtocol::toChat(const QJsonObject &request) const
{
    ChatBuilder builder;
    QJsonObject chat;
    const QJsonValue model = request.value(QLatin1String("model"));
    if (!model.isString())
        builder.invalid(
            QStringLiteral("model: Field required (a string)."), QStringLiteral("model"));
    chat.insert(QStringLiteral("model"), model);
    const QJsonValue maxTokens = request.value(QLatin1String("max_tokens"));
    if (!maxTokens.isDouble())
        builder.invalid(QStringLiteral("max_tokens: Field required (an integer)."),
            QStringLiteral("max_tokens"));
    chat.insert(QStringLiteral("max_tokens"), maxTokens);

    QJsonArray messages;
    const QString system = builder.text(request.value(QLatin1String("system")),
        QStringLiteral("system"), QStringLiteral("the system prompt"));
    if (!system.isEmpty())
        messages.append(QJsonObject { { QStringLiteral("role"), QStringLiteral("system") },
            { QStringLiteral("content"), system } });
    const QJsonValue turns = request.value(QLatin1String("messages"));
    if (!turns.isArray())
        builder.invalid(
            QStringLiteral("messages: Field required (an array)."), QStringLiteral("messages"));
    const QJsonArray turnArray = turns.toArray();
    for (qsizetype i = 0; i < turnArray.size(); ++i) {
        if (!turnArray.at(i).isObject()) {
            builder.invalid(QStringLiteral("'messages[%1]' must be an object.").arg(i),
                QStringLiteral("messages[%1]").arg(i));
            break;
        }
        builder.message(turnArray.at(i).toObject(), int(i), messages);
    }
    chat.insert(QStringLiteral("messages"), messages);

    const QJsonValue tools = request.value(QLatin1String("tools"));
    if (tools.isArray() && !tools.toArray().isEmpty())
        chat.insert(QStringLiteral("tools"), builder.tools(tools.toArray()));
    const QJsonObject toolChoice = request.value(QLatin1String("tool_choice")).toObject();
    const QString choice = str(toolChoice, "type");
    if (choice == QLatin1String("auto") || choice == QLatin1String("none"))
        chat.insert(QStringLiteral("tool_choice"), choice);
    else if (choice == QLatin1String("any"))
        chat.insert(QStringLiteral("tool_choice"), QStringLiteral("required"));
    else if (choice == QLatin1String("tool"))
        chat.insert(QStringLiteral("tool_choice"),
            QJsonObject { { QStringLiteral("type"), QStringLiteral("function") },
                { QStringLiteral("function"),
                    QJsonObject { { QStringLiteral("name"), str(toolChoice, "name") } } } });
    if (toolChoice.value(QLatin1String("disable_parallel_tool_use")).toBool())
        chat.insert(QStringLiteral("parallel_tool_calls"), false);

    for (const char *key : { "temperature", "top_p" }) {
        if (request.contains(QLatin1String(key)))
            chat.insert(QLatin1String(key), request.value(QLatin1String(key)));
    }
    if (request.contains(QLatin1String("stop_sequences")))
        chat.insert(QStringLiteral("stop"), request.value(QLatin1String("stop_sequences")));
    const QString user = str(request.value(QLatin1String("metadata")).toObject(), "user_id");
    if (!user.isEmpty())
        chat.insert(QStringLiteral("user"), user);
    if (request.contains(QLatin1String("top_k")))
        builder.drop(QStringLiteral("top_k"));
    if (request.value(QLatin1String("thinking")).isObject())
        builder.drop(QStringLiteral("extended thinking"));
    const QJsonValue stream = request.value(QLatin1String("stream"));
    if (!stream.isUndefined() && !stream.isNull() && !stream.isBool())
        builder.invalid(QStringLiteral("stream: must be a boolean."), QStringLiteral("stream"));
    if (stream.toBool()) {
        chat.insert(QStringLiteral("stream"), true);
        // message_delta carries the usage: the chat stream must report it.
        chat.insert(QStringLiteral("stream_options"),
            QJsonObject { { QStringLiteral("include_usage"), true } });
    }
    builder.result.chat = chat;
    return builder.result;
}

QString MessagesProtocol::errorType(int status)
{
    switch (status) {
    case 400:
        return QStringLiteral("invalid_request_error");
    case 401:
        return QStringLiteral("authentication_error");
    case 402:
        return QStringLiteral("billing_error");
    case 403:
        return QStringLiteral("permission_error");
    case 404:
        return QStringLiteral("not_found_error");
    case 413:
        return QStringLiteral("request_too_large");
    case 429:
        return QStringLiteral("rate_limit_error");
    case 504:
        return QStringLiteral("timeout_error");
    case 503:
    case 529:
        return QStringLiteral("overloaded_error");
    default:
        return status >= 400 && status < 500 ? QStringLiteral("invalid_request_error")
                                             : QStringLiteral("api_error");
    }
}

QString MessagesProtocol::stopReason(const QString &finishReason)
{
    if (finishReason == QLatin1String("length"))
        return QStringLiteral("max_tokens");
    if (finishReason == QLatin1String("tool_calls")
        || finishReason == QLatin1String("function_call"))
        return QStringLiteral("tool_use");
    if (finishReason == QLatin1String("content_filter"))
        return QStringLiteral("refusal");
    return QStringLiteral("end_turn");
}

QByteArray MessagesProtocol::errorBody(int status, const QString &message, const QString &code,
    const QString &, const QJsonValue &detail) const
{
    QJsonObject error { { QStringLiteral("type"), errorType(status) },
        { QStringLiteral("message"), message } };
    // Anthropic's error has no code; the gateway's own says which of its answers this is.
    if (!code.isEmpty())
        error.insert(QStringLiteral("code"), code);
    if (!detail.isUndefined() && !detail.isNull())
        error.insert(QStringLiteral("attempts"), detail);
    return compact(QJsonObject {
        { QStringLiteral("type"), QStringLiteral("error") }, { QStringLiteral("error"), error } });
}

QByteArray MessagesProtocol::fromChatResponse(
    const QByteArray &chatCompletion, QString *error) const
{
    const QJsonObject completion = QJsonDocument::fromJson(chatCompletion).object();
    const QJsonObject choice
        = completion.value(QLatin1String("choices")).toArray().first().toObject();
    const QJsonObject message = choice.value(QLatin1String("message")).toObject();
    QJsonArray content;
    const QString text = str(message, "content");
    if (!text.isEmpty())
        content.append(QJsonObject {
            { QStringLiteral("type"), QStringLiteral("text") }, { QStringLiteral("text"), text } });
    for (const QJsonValue &value : message.value(QLatin1String("tool_calls")).toArray()) {
        const QJsonObject call = value.toObject();
        const QJsonObject function = call.value(QLatin1String("function")).toObject();
        const QJsonDocument arguments
            = QJsonDocument::fromJson(str(function, "arguments").toUtf8());
        if (!arguments.isObject() && !str(function, "arguments").isEmpty()) {
            *error = QStringLiteral("tool call arguments are not a JSON object");
            return QByteArray();
        }
        content.append(QJsonObject { { QStringLiteral("type"), QStringLiteral("tool_use") },
            { QStringLiteral("id"), str(call, "id") },
            { QStringLiteral("name"), str(function, "name") },
            { QStringLiteral("input"), arguments.object() } });
    }
    qint64 input = 0;
    qint64 output = 0;
    CachedTokens cached;
    readUsage(completion, &input, &output, &cached);
    QString id = str(completion, "id");
    id.remove(QStringLiteral("chatcmpl-"));
    return compact(QJsonObject { { QStringLiteral("id"), QString(QStringLiteral("msg_") + id) },
        { QStringLiteral("type"), QStringLiteral("message") },
        { QStringLiteral("role"), QStringLiteral("assistant") },
        { QStringLiteral("model"), completion.value(QLatin1String("model")) },
        { QStringLiteral("content"), content },
        { QStringLiteral("stop_reason"),
            stopReasonWithTools(stopReason(str(choice, "finish_reason")),
                !message.value(QLatin1String("tool_calls")).toArray().isEmpty()) },
        { QStringLiteral("stop_sequence"), QJsonValue() },
        { QStringLiteral("usage"),
            QJsonObject { { QStringLiteral("input_tokens"),
                              qMax<qint64>(0, input - cached.read - cached.write) },
                { QStringLiteral("output_tokens"), qMax<qint64>(0, output) },
                { QStringLiteral("cache_read_input_tokens"), cached.read },
                { QStringLiteral("cache_creation_input_tokens"), cached.write } } } });
}

QByteArray MessagesProtocol::fromChatError(int status, const QByteArray &openAiError) const
{
    const QJsonObject error
        = QJsonDocument::fromJson(openAiError).object().value(QLatin1String("error")).toObject();
    QString message = str(error, "message");
    if (message.isEmpty())
        message = QString::fromUtf8(openAiError.left(512));
    return errorBody(status, message, str(error, "code"));
}

std::unique_ptr<StreamTranslator> MessagesProtocol::fromChatStream(
    std::unique_ptr<StreamTranslator> chat) const
{
    return encodeChatStream(std::move(chat), std::make_unique<MessagesEncoder>());
}

bool MessagesProtocol::isNativeTo(const ProviderConfig &provider, const RouteConfig &) const
{
    return provider.kind == QLatin1String("anthropic");
}

QList<QByteArray> MessagesProtocol::forwardedHeaders() const
{
    return { QByteArrayLiteral("anthropic-version"), QByteArrayLiteral("anthropic-beta") };
}

TranslatedRequest MessagesProtocol::nativeRequest(const QByteArray &body,
    const HeaderList &callerHeaders, const RouteConfig &route, const QByteArray &apiKey) const
{
    TranslatedRequest request;
    request.path = QStringLiteral("/v1/messages");
    request.body = replaceTopLevelModel(body, route.model);
    bool versioned = false;
    for (const auto &[name, value] : callerHeaders) {
        request.headers.append({ name, value });
        versioned = versioned || name == "anthropic-version";
    }
    if (!versioned)
        request.headers.append({ QByteArrayLiteral("anthropic-version"),
            QByteArray(AnthropicTranslator::ApiVersion) });
    // The gateway's key, never the caller's (which is not forwarded at all).
    if (!apiKey.isEmpty())
        request.headers.append({ QByteArrayLiteral("x-api-key"), apiKey });
    return request;
}

const ProviderTranslator *MessagesProtocol::nativeTranslator() const
{
    static const NativeMessagesTranslator translator;
    return &translator;
}

} // namespace Switchyard
