#include "translate/responsesprotocol.h"

#include "routing/requestanalysis.h"
#include "translate/anthropicshapes.h"
#include "translate/openaierror.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMap>

namespace Switchyard {

using AnthropicShapes::compact;

namespace {

QString str(const QJsonObject &object, const char *key)
{
    return object.value(QLatin1String(key)).toString();
}

QJsonObject usageObject(qint64 input, qint64 output, const CachedTokens &cached)
{
    return QJsonObject { { QStringLiteral("input_tokens"), qMax<qint64>(0, input) },
        { QStringLiteral("input_tokens_details"),
            QJsonObject { { QStringLiteral("cached_tokens"), cached.read } } },
        { QStringLiteral("output_tokens"), qMax<qint64>(0, output) },
        { QStringLiteral("output_tokens_details"),
            QJsonObject { { QStringLiteral("reasoning_tokens"), 0 } } },
        { QStringLiteral("total_tokens"), qMax<qint64>(0, input) + qMax<qint64>(0, output) } };
}

// The Responses API's usage in chat completions' terms (input_tokens_details.cached_tokens are
// the cache reads), for readUsage.
QJsonObject chatUsage(const QJsonObject &usage)
{
    QJsonObject chat;
    const auto copy = [&](const char *from, const char *to) {
        if (usage.contains(QLatin1String(from)))
            chat.insert(QLatin1String(to), usage.value(QLatin1String(from)));
    };
    copy("input_tokens", "prompt_tokens");
    copy("output_tokens", "completion_tokens");
    copy("total_tokens", "total_tokens");
    const QJsonObject details = usage.value(QLatin1String("input_tokens_details")).toObject();
    if (details.contains(QLatin1String("cached_tokens")))
        chat.insert(QStringLiteral("prompt_tokens_details"),
            QJsonObject { { QStringLiteral("cached_tokens"),
                details.value(QLatin1String("cached_tokens")) } });
    return chat;
}

// Why a response is incomplete, by chat's finish reason; empty when it is complete.
QString incompleteReason(const QString &finishReason)
{
    if (finishReason == QLatin1String("length"))
        return QStringLiteral("max_output_tokens");
    if (finishReason == QLatin1String("content_filter"))
        return QStringLiteral("content_filter");
    return QString();
}

// A response object as the API shows it; `output` and `usage` filled in by the caller.
QJsonObject responseObject(const QString &id, const QString &model, const QString &status,
    qint64 createdAt = QDateTime::currentSecsSinceEpoch())
{
    return QJsonObject { { QStringLiteral("id"), id },
        { QStringLiteral("object"), QStringLiteral("response") },
        { QStringLiteral("created_at"), createdAt }, { QStringLiteral("status"), status },
        { QStringLiteral("model"), model }, { QStringLiteral("output"), QJsonArray() },
        { QStringLiteral("error"), QJsonValue() },
        { QStringLiteral("incomplete_details"), QJsonValue() },
        { QStringLiteral("parallel_tool_calls"), true },
        { QStringLiteral("tool_choice"), QStringLiteral("auto") },
        { QStringLiteral("tools"), QJsonArray() }, { QStringLiteral("store"), false },
        { QStringLiteral("metadata"), QJsonObject() }, { QStringLiteral("usage"), QJsonValue() } };
}

// The Responses API's ids from a chat completion's (itself maybe made from Anthropic's msg_ id):
// resp_<id>, msg_<id>_<n>, fc_<id>_<n>.
QString idFrom(const QString &chatId, const QString &prefix, int item = -1)
{
    QString id = chatId;
    id.remove(QStringLiteral("chatcmpl-"));
    if (id.startsWith(QLatin1String("msg_")))
        id.remove(0, 4);
    if (id.isEmpty())
        id = QStringLiteral("switchyard");
    return prefix + id + (item >= 0 ? QStringLiteral("_%1").arg(item) : QString());
}

QJsonObject messageItem(const QString &id, const QString &text, const QString &status)
{
    return QJsonObject { { QStringLiteral("id"), id },
        { QStringLiteral("type"), QStringLiteral("message") }, { QStringLiteral("status"), status },
        { QStringLiteral("role"), QStringLiteral("assistant") },
        { QStringLiteral("content"),
            QJsonArray { QJsonObject { { QStringLiteral("type"), QStringLiteral("output_text") },
                { QStringLiteral("text"), text },
                { QStringLiteral("annotations"), QJsonArray() } } } } };
}

QJsonObject functionItem(const QString &id, const QString &callId, const QString &name,
    const QString &arguments, const QString &status)
{
    return QJsonObject { { QStringLiteral("id"), id },
        { QStringLiteral("type"), QStringLiteral("function_call") },
        { QStringLiteral("status"), status }, { QStringLiteral("call_id"), callId },
        { QStringLiteral("name"), name }, { QStringLiteral("arguments"), arguments } };
}

// What one Responses request becomes as chat completions; the first problem found wins.
class ChatBuilder final : public ChatRequestBuilder {
public:
    QJsonArray messages;
    QJsonArray pendingCalls;

    // A message's content: a string, or parts (input_text, output_text, input_image, …).
    QJsonValue content(const QJsonValue &value, const QString &param, bool textOnly)
    {
        if (value.isString())
            return value;
        if (!value.isArray()) {
            invalid(QStringLiteral("'%1' must be a string or an array.").arg(param), param);
            return QString();
        }
        QJsonArray parts;
        QString text;
        for (const QJsonValue &partValue : value.toArray()) {
            const QJsonObject part = partValue.toObject();
            const QString type = str(part, "type");
            if (type == QLatin1String("input_text") || type == QLatin1String("output_text")
                || type == QLatin1String("text")) {
                if (!text.isEmpty())
                    text += QLatin1Char('\n');
                text += str(part, "text");
                parts.append(QJsonObject { { QStringLiteral("type"), QStringLiteral("text") },
                    { QStringLiteral("text"), str(part, "text") } });
            } else if (type == QLatin1String("refusal")) {
                text += str(part, "refusal");
            } else if (type == QLatin1String("input_image") && !textOnly
                && part.value(QLatin1String("image_url")).isString()) {
                QJsonObject image { { QStringLiteral("url"), str(part, "image_url") } };
                if (part.contains(QLatin1String("detail")))
                    image.insert(QStringLiteral("detail"), part.value(QLatin1String("detail")));
                parts.append(QJsonObject { { QStringLiteral("type"), QStringLiteral("image_url") },
                    { QStringLiteral("image_url"), image } });
            } else {
                untranslatable(QStringLiteral("a '%1' part in %2 has no chat-completions form")
                                   .arg(type.left(40), param));
            }
        }
        // Plain text as a string: every chat provider takes that.
        bool allText = true;
        for (const QJsonValue &part : std::as_const(parts))
            allText = allText && str(part.toObject(), "type") == QLatin1String("text");
        return allText ? QJsonValue(text) : QJsonValue(parts);
    }

    // The assistant turn of the calls gathered so far: the assistant's text just before them, if
    // that was the last message, gets them; otherwise a turn of their own.
    void flushCalls()
    {
        if (pendingCalls.isEmpty())
            return;
        QJsonObject last = messages.isEmpty() ? QJsonObject() : messages.last().toObject();
        if (str(last, "role") == QLatin1String("assistant")
            && !last.contains(QLatin1String("tool_calls"))) {
            last.insert(QStringLiteral("tool_calls"), pendingCalls);
            messages.replace(messages.size() - 1, last);
        } else {
            messages.append(QJsonObject { { QStringLiteral("role"), QStringLiteral("assistant") },
                { QStringLiteral("content"), QJsonValue() },
                { QStringLiteral("tool_calls"), pendingCalls } });
        }
        pendingCalls = QJsonArray();
    }

    void item(const QJsonObject &item, const QString &param)
    {
        QString type = str(item, "type");
        if (type != QLatin1String("function_call"))
            flushCalls();
        if (type.isEmpty() && item.contains(QLatin1String("role")))
            type = QStringLiteral("message");
        if (type == QLatin1String("message")) {
            QString role = str(item, "role");
            if (role == QLatin1String("developer"))
                role = QStringLiteral("system");
            if (role != QLatin1String("user") && role != QLatin1String("assistant")
                && role != QLatin1String("system")) {
                invalid(QStringLiteral("'%1.role' must be user, assistant, system or developer.")
                            .arg(param),
                    param + QStringLiteral(".role"));
                return;
            }
            messages.append(QJsonObject { { QStringLiteral("role"), role },
                { QStringLiteral("content"),
                    content(item.value(QLatin1String("content")),
                        param + QStringLiteral(".content"), role != QLatin1String("user")) } });
        } else if (type == QLatin1String("function_call")) {
            // Calls the model made together are one assistant turn with several tool calls,
            // gathered here and written once (flushCalls), not copied on every call.
            pendingCalls.append(QJsonObject { { QStringLiteral("id"), str(item, "call_id") },
                { QStringLiteral("type"), QStringLiteral("function") },
                { QStringLiteral("function"),
                    QJsonObject { { QStringLiteral("name"), str(item, "name") },
                        { QStringLiteral("arguments"), str(item, "arguments") } } } });
        } else if (type == QLatin1String("function_call_output")) {
            messages.append(QJsonObject { { QStringLiteral("role"), QStringLiteral("tool") },
                { QStringLiteral("tool_call_id"), str(item, "call_id") },
                { QStringLiteral("content"),
                    content(item.value(QLatin1String("output")), param + QStringLiteral(".output"),
                        true) } });
        } else if (type == QLatin1String("reasoning")) {
            drop(QStringLiteral("reasoning items"));
        } else {
            untranslatable(QStringLiteral("a '%1' item in %2 has no chat-completions form")
                               .arg(type.left(40), param));
        }
    }

    QJsonArray tools(const QJsonArray &tools)
    {
        QJsonArray out;
        for (const QJsonValue &value : tools) {
            const QJsonObject tool = value.toObject();
            const QString type = str(tool, "type");
            if (type != QLatin1String("function")) {
                // A hosted tool (web search, file search) or a namespace runs where the Responses
                // API runs: a chat route cannot offer it, so the model is not told of it.
                drop(QStringLiteral("the '%1' tool")
                         .arg((str(tool, "name").isEmpty() ? type : str(tool, "name")).left(64)));
                continue;
            }
            QJsonObject function { { QStringLiteral("name"), str(tool, "name") },
                { QStringLiteral("parameters"), tool.value(QLatin1String("parameters")) } };
            for (const char *key : { "description", "strict" }) {
                if (tool.contains(QLatin1String(key)) && !tool.value(QLatin1String(key)).isNull())
                    function.insert(QLatin1String(key), tool.value(QLatin1String(key)));
            }
            out.append(QJsonObject { { QStringLiteral("type"), QStringLiteral("function") },
                { QStringLiteral("function"), function } });
        }
        return out;
    }
};

// Chat completion chunks as the Responses stream: response.created, an output item per text run
// or function call (added, its deltas, done), and response.completed (or .incomplete) with the
// whole response and its usage at [DONE]. Every event carries its sequence_number.
class ResponsesEncoder final : public ChatChunkEncoder {
public:
    QByteArray chunk(const ChatChunk &chunk) override
    {
        QByteArray out = start(chunk.object);
        const QString &text = chunk.text;
        if (!text.isEmpty()) {
            if (m_open < 0 || m_items.at(m_open).function) {
                out += closeItem();
                out += openItem(
                    Item { false, idFrom(m_chatId, QStringLiteral("msg_"), int(m_items.size())) });
                out += event(QStringLiteral("response.content_part.added"),
                    { { QStringLiteral("item_id"), m_items.at(m_open).id },
                        { QStringLiteral("output_index"), m_open },
                        { QStringLiteral("content_index"), 0 },
                        { QStringLiteral("part"),
                            QJsonObject { { QStringLiteral("type"), QStringLiteral("output_text") },
                                { QStringLiteral("text"), QString() },
                                { QStringLiteral("annotations"), QJsonArray() } } } });
            }
            m_items[m_open].text += text;
            out += event(QStringLiteral("response.output_text.delta"),
                { { QStringLiteral("item_id"), m_items.at(m_open).id },
                    { QStringLiteral("output_index"), m_open },
                    { QStringLiteral("content_index"), 0 }, { QStringLiteral("delta"), text },
                    { QStringLiteral("logprobs"), QJsonArray() } });
        }
        for (const QJsonValue &value : chunk.toolCalls) {
            const QJsonObject call = value.toObject();
            const int toolIndex = call.value(QLatin1String("index")).toInt();
            const QJsonObject function = call.value(QLatin1String("function")).toObject();
            if (!m_itemOfTool.contains(toolIndex)) {
                out += closeItem();
                Item item { true, idFrom(m_chatId, QStringLiteral("fc_"), int(m_items.size())) };
                item.callId = str(call, "id");
                item.name = str(function, "name");
                out += openItem(item);
                m_itemOfTool.insert(toolIndex, m_open);
            }
            const QString arguments = str(function, "arguments");
            if (arguments.isEmpty())
                continue;
            const int index = m_itemOfTool.value(toolIndex);
            m_items[index].text += arguments;
            out += event(QStringLiteral("response.function_call_arguments.delta"),
                { { QStringLiteral("item_id"), m_items.at(index).id },
                    { QStringLiteral("output_index"), index },
                    { QStringLiteral("delta"), arguments } });
        }
        if (!chunk.finishReason.isEmpty())
            m_finishReason = chunk.finishReason;
        return out;
    }

    QByteArray done(const ChatUsage &usage) override
    {
        QByteArray out = start(QJsonObject());
        out += closeItem();
        const QString incomplete = incompleteReason(m_finishReason);
        const bool truncated = !incomplete.isEmpty();
        QJsonObject response
            = snapshot(truncated ? QStringLiteral("incomplete") : QStringLiteral("completed"));
        if (truncated)
            response.insert(QStringLiteral("incomplete_details"),
                QJsonObject { { QStringLiteral("reason"), incomplete } });
        response.insert(
            QStringLiteral("usage"), usageObject(usage.input, usage.output, usage.cached));
        out += event(truncated ? QStringLiteral("response.incomplete")
                               : QStringLiteral("response.completed"),
            { { QStringLiteral("response"), response } });
        return out;
    }

    QByteArray failure(const QString &message) override
    {
        QByteArray out = start(QJsonObject());
        QJsonObject response = snapshot(QStringLiteral("failed"));
        response.insert(QStringLiteral("error"),
            QJsonObject { { QStringLiteral("code"), QStringLiteral("server_error") },
                { QStringLiteral("message"), message } });
        return out
            + event(
                QStringLiteral("response.failed"), { { QStringLiteral("response"), response } });
    }

private:
    struct Item {
        bool function = false;
        QString id;
        QString text; // a message's text, a call's arguments
        QString callId;
        QString name;
        bool done = false;

        QJsonObject json() const
        {
            const QString status
                = done ? QStringLiteral("completed") : QStringLiteral("in_progress");
            if (function)
                return functionItem(id, callId, name, text, status);
            QJsonObject item = messageItem(id, text, status);
            // A message's part is added by its own event (content_part.added), after the item.
            if (!done && text.isEmpty())
                item.insert(QStringLiteral("content"), QJsonArray());
            return item;
        }
    };

    QByteArray event(const QString &type, QJsonObject data)
    {
        data.insert(QStringLiteral("type"), type);
        data.insert(QStringLiteral("sequence_number"), m_sequence++);
        return "event: " + type.toUtf8() + "\ndata: " + compact(data) + "\n\n";
    }

    QJsonObject snapshot(const QString &status) const
    {
        QJsonObject response = responseObject(m_id, m_model, status, m_createdAt);
        QJsonArray output;
        for (const Item &item : m_items)
            output.append(item.json());
        response.insert(QStringLiteral("output"), output);
        return response;
    }

    QByteArray start(const QJsonObject &chunk)
    {
        if (m_started)
            return QByteArray();
        m_started = true;
        m_chatId = str(chunk, "id");
        m_id = idFrom(m_chatId, QStringLiteral("resp_"));
        m_model = str(chunk, "model");
        // One moment for every snapshot of this response: the chat stream's, when it says.
        if (chunk.value(QLatin1String("created")).isDouble())
            m_createdAt = chunk.value(QLatin1String("created")).toInteger();
        const QJsonObject response = snapshot(QStringLiteral("in_progress"));
        QByteArray out = event(
            QStringLiteral("response.created"), { { QStringLiteral("response"), response } });
        out += event(
            QStringLiteral("response.in_progress"), { { QStringLiteral("response"), response } });
        return out;
    }

    QByteArray openItem(const Item &item)
    {
        m_items.append(item);
        m_open = int(m_items.size()) - 1;
        return event(QStringLiteral("response.output_item.added"),
            { { QStringLiteral("output_index"), m_open },
                { QStringLiteral("item"), item.json() } });
    }

    QByteArray closeItem()
    {
        if (m_open < 0)
            return QByteArray();
        const int index = std::exchange(m_open, -1);
        Item &item = m_items[index];
        item.done = true;
        QByteArray out;
        if (item.function) {
            out += event(QStringLiteral("response.function_call_arguments.done"),
                { { QStringLiteral("item_id"), item.id }, { QStringLiteral("output_index"), index },
                    { QStringLiteral("arguments"), item.text } });
        } else {
            out += event(QStringLiteral("response.output_text.done"),
                { { QStringLiteral("item_id"), item.id }, { QStringLiteral("output_index"), index },
                    { QStringLiteral("content_index"), 0 }, { QStringLiteral("text"), item.text },
                    { QStringLiteral("logprobs"), QJsonArray() } });
            out += event(QStringLiteral("response.content_part.done"),
                { { QStringLiteral("item_id"), item.id }, { QStringLiteral("output_index"), index },
                    { QStringLiteral("content_index"), 0 },
                    { QStringLiteral("part"),
                        item.json().value(QLatin1String("content")).toArray().first() } });
        }
        out += event(QStringLiteral("response.output_item.done"),
            { { QStringLiteral("output_index"), index }, { QStringLiteral("item"), item.json() } });
        return out;
    }

    bool m_started = false;
    qint64 m_createdAt = QDateTime::currentSecsSinceEpoch();
    int m_sequence = 0;
    QString m_chatId;
    QString m_id;
    QString m_model;
    QList<Item> m_items;
    int m_open = -1;
    QMap<int, int> m_itemOfTool; // chat's tool_calls index → the output item
    QString m_finishReason;
};

// A `responses` route's own stream, passed to the caller byte for byte and read alongside for
// content (text and argument deltas, a function call), the end (response.completed or
// .incomplete) and usage.
class NativeResponsesStream final : public StreamTranslator {
public:
    QByteArray translate(const QList<SseScanner::Event> &events) override
    {
        QByteArray out;
        for (const SseScanner::Event &event : events) {
            out += event.raw;
            if (event.comment)
                continue;
            const QJsonObject data = QJsonDocument::fromJson(event.data).object();
            const QString type = str(data, "type");
            m_sequence = qMax(m_sequence, data.value(QLatin1String("sequence_number")).toInt() + 1);
            if (type == QLatin1String("response.created")) {
                const QJsonObject response = data.value(QLatin1String("response")).toObject();
                m_id = str(response, "id");
                m_model = str(response, "model");
            }
            if ((type == QLatin1String("response.output_text.delta")
                    || type == QLatin1String("response.function_call_arguments.delta")
                    || type == QLatin1String("response.reasoning_summary_text.delta"))
                && !str(data, "delta").isEmpty())
                m_sawContent = true;
            if (type == QLatin1String("response.output_item.added")
                && str(data.value(QLatin1String("item")).toObject(), "type")
                    == QLatin1String("function_call"))
                m_sawContent = true;
            if (type == QLatin1String("response.completed")
                || type == QLatin1String("response.incomplete")) {
                const QJsonObject response = data.value(QLatin1String("response")).toObject();
                const QJsonObject usage = response.value(QLatin1String("usage")).toObject();
                if (readUsage(QJsonObject { { QStringLiteral("usage"), chatUsage(usage) } },
                        &m_tokensIn, &m_tokensOut, &m_cached)
                    == UsageRead::Invalid)
                    m_usageInvalid = true;
                m_complete = true;
            }
        }
        return out;
    }
    bool needsRawEvents() const override { return true; }
    bool complete() const override { return m_complete; }
    bool finalChunkSeen() const override { return m_complete; }
    QByteArray completeWithoutEnd() override { return QByteArray(); }
    bool sawContent() const override { return m_sawContent; }
    qint64 tokensIn() const override { return m_tokensIn; }
    qint64 tokensOut() const override { return m_tokensOut; }
    CachedTokens cachedTokens() const override { return m_cached; }
    bool usageInvalid() const override { return m_usageInvalid; }
    QByteArray failureEvent(const QString &message) override
    {
        QJsonObject response = responseObject(m_id, m_model, QStringLiteral("failed"));
        response.insert(QStringLiteral("error"),
            QJsonObject { { QStringLiteral("code"), QStringLiteral("server_error") },
                { QStringLiteral("message"), message } });
        return "event: response.failed\ndata: "
            + compact(QJsonObject { { QStringLiteral("type"), QStringLiteral("response.failed") },
                { QStringLiteral("sequence_number"), m_sequence },
                { QStringLiteral("response"), response } })
            + "\n\n";
    }

private:
    bool m_complete = false;
    bool m_sawContent = false;
    bool m_usageInvalid = false;
    int m_sequence = 0;
    QString m_id = QStringLiteral("resp_switchyard");
    QString m_model;
    qint64 m_tokensIn = -1;
    qint64 m_tokensOut = -1;
    CachedTokens m_cached;
};

class NativeResponsesTranslator final : public ProviderTranslator {
public:
    TranslatedRequest translateRequest(
        const QJsonObject &, const RouteConfig &, const QByteArray &) const override
    {
        // The request is the caller's own (ResponsesProtocol::nativeRequest).
        return { QStringLiteral("a Responses request is not rebuilt from chat completions"), {}, {},
            {} };
    }
    QByteArray translateResponse(const QByteArray &body, QString *error) const override
    {
        return ResponsesProtocol::responseAsChat(QJsonDocument::fromJson(body).object(), error);
    }
    QByteArray translateError(const QByteArray &body) const override { return body; }
    std::unique_ptr<StreamTranslator> streamTranslator(bool) const override
    {
        return std::make_unique<NativeResponsesStream>();
    }
    TranslatedRequest probeRequest(const RouteConfig &, const QByteArray &, bool) const override
    {
        return { QStringLiteral("probed as an OpenAI route"), {}, {}, {} };
    }
    bool passesCallerApi() const override { return true; }
};

} // namespace

CallerRequest ResponsesProtocol::toChat(const QJsonObject &request) const
{
    ChatBuilder builder;
    QJsonObject chat;
    const QJsonValue model = request.value(QLatin1String("model"));
    if (!model.isString())
        builder.invalid(
            QStringLiteral("'model' is required and must be a string."), QStringLiteral("model"));
    chat.insert(QStringLiteral("model"), model);
    for (const char *key : { "previous_response_id", "conversation" }) {
        const QJsonValue value = request.value(QLatin1String(key));
        if (!value.isUndefined() && !value.isNull())
            builder.invalid(QStringLiteral("'%1' is not supported: this gateway keeps no "
                                           "responses. Send the whole conversation as 'input' "
                                           "(with store: false).")
                                .arg(QLatin1String(key)),
                QLatin1String(key));
    }
    if (request.value(QLatin1String("background")).toBool())
        builder.invalid(QStringLiteral("'background' is not supported: this gateway keeps no "
                                       "responses to poll."),
            QStringLiteral("background"));

    const QJsonValue instructions = request.value(QLatin1String("instructions"));
    if (instructions.isString() && !instructions.toString().isEmpty())
        builder.messages.append(QJsonObject { { QStringLiteral("role"), QStringLiteral("system") },
            { QStringLiteral("content"), instructions } });
    const QJsonValue input = request.value(QLatin1String("input"));
    if (input.isString()) {
        builder.messages.append(QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
            { QStringLiteral("content"), input } });
    } else if (input.isArray()) {
        const QJsonArray items = input.toArray();
        for (qsizetype i = 0; i < items.size(); ++i) {
            const QString param = QStringLiteral("input[%1]").arg(i);
            if (!items.at(i).isObject()) {
                builder.invalid(QStringLiteral("'%1' must be an object.").arg(param), param);
                break;
            }
            builder.item(items.at(i).toObject(), param);
        }
        builder.flushCalls();
    } else {
        builder.invalid(QStringLiteral("'input' is required and must be a string or an array."),
            QStringLiteral("input"));
    }
    chat.insert(QStringLiteral("messages"), builder.messages);

    const QJsonArray tools = request.value(QLatin1String("tools")).toArray();
    const QJsonArray chatTools = builder.tools(tools);
    if (!chatTools.isEmpty())
        chat.insert(QStringLiteral("tools"), chatTools);
    const QJsonValue toolChoice = request.value(QLatin1String("tool_choice"));
    if (toolChoice.isString() && !chatTools.isEmpty())
        chat.insert(QStringLiteral("tool_choice"), toolChoice);
    else if (str(toolChoice.toObject(), "type") == QLatin1String("function"))
        chat.insert(QStringLiteral("tool_choice"),
            QJsonObject { { QStringLiteral("type"), QStringLiteral("function") },
                { QStringLiteral("function"),
                    QJsonObject {
                        { QStringLiteral("name"), str(toolChoice.toObject(), "name") } } } });
    if (request.contains(QLatin1String("parallel_tool_calls")) && !chatTools.isEmpty())
        chat.insert(QStringLiteral("parallel_tool_calls"),
            request.value(QLatin1String("parallel_tool_calls")));
    for (const char *key : { "temperature", "top_p", "user" }) {
        if (request.contains(QLatin1String(key)) && !request.value(QLatin1String(key)).isNull())
            chat.insert(QLatin1String(key), request.value(QLatin1String(key)));
    }
    const QJsonValue maxOutput = request.value(QLatin1String("max_output_tokens"));
    if (!maxOutput.isUndefined() && !maxOutput.isNull())
        chat.insert(QStringLiteral("max_tokens"), maxOutput);

    const QJsonObject format
        = request.value(QLatin1String("text")).toObject().value(QLatin1String("format")).toObject();
    const QString formatType = str(format, "type");
    if (formatType == QLatin1String("json_object")) {
        chat.insert(QStringLiteral("response_format"),
            QJsonObject { { QStringLiteral("type"), QStringLiteral("json_object") } });
    } else if (formatType == QLatin1String("json_schema")) {
        QJsonObject schema { { QStringLiteral("name"), str(format, "name") },
            { QStringLiteral("schema"), format.value(QLatin1String("schema")) } };
        for (const char *key : { "description", "strict" }) {
            if (format.contains(QLatin1String(key)))
                schema.insert(QLatin1String(key), format.value(QLatin1String(key)));
        }
        chat.insert(QStringLiteral("response_format"),
            QJsonObject { { QStringLiteral("type"), QStringLiteral("json_schema") },
                { QStringLiteral("json_schema"), schema } });
    }
    if (request.value(QLatin1String("reasoning")).isObject())
        builder.drop(QStringLiteral("reasoning settings"));

    const QJsonValue stream = request.value(QLatin1String("stream"));
    if (!stream.isUndefined() && !stream.isNull() && !stream.isBool())
        builder.invalid(QStringLiteral("'stream' must be a boolean."), QStringLiteral("stream"));
    if (stream.toBool()) {
        chat.insert(QStringLiteral("stream"), true);
        // response.completed carries the usage: the chat stream must report it.
        chat.insert(QStringLiteral("stream_options"),
            QJsonObject { { QStringLiteral("include_usage"), true } });
    }
    builder.result.chat = chat;
    return builder.result;
}

QByteArray ResponsesProtocol::errorBody(int, const QString &message, const QString &code,
    const QString &param, const QJsonValue &detail) const
{
    // The Responses API answers errors in OpenAI's usual error object.
    QJsonObject error = openAiErrorObject(message,
        code == QLatin1String("all_routes_failed") || code == QLatin1String("deadline_exceeded")
            ? code
            : QStringLiteral("invalid_request_error"),
        code, param);
    if (!detail.isUndefined() && !detail.isNull())
        error.insert(QStringLiteral("attempts"), detail);
    return compact(QJsonObject { { QStringLiteral("error"), error } });
}

QByteArray ResponsesProtocol::fromChatResponse(
    const QByteArray &chatCompletion, QString *error) const
{
    const QJsonObject completion = QJsonDocument::fromJson(chatCompletion).object();
    const QJsonObject choice
        = completion.value(QLatin1String("choices")).toArray().first().toObject();
    if (choice.isEmpty()) {
        *error = QStringLiteral("chat completion has no choice");
        return QByteArray();
    }
    const QJsonObject message = choice.value(QLatin1String("message")).toObject();
    const QString chatId = str(completion, "id");
    QJsonArray output;
    const QString text = str(message, "content");
    if (!text.isEmpty())
        output.append(messageItem(idFrom(chatId, QStringLiteral("msg_"), int(output.size())), text,
            QStringLiteral("completed")));
    const QJsonArray calls = message.value(QLatin1String("tool_calls")).toArray();
    for (qsizetype i = 0; i < calls.size(); ++i) {
        const QJsonObject call = calls.at(i).toObject();
        const QJsonObject function = call.value(QLatin1String("function")).toObject();
        output.append(
            functionItem(idFrom(chatId, QStringLiteral("fc_"), int(output.size())), str(call, "id"),
                str(function, "name"), str(function, "arguments"), QStringLiteral("completed")));
    }
    const QString incomplete = incompleteReason(str(choice, "finish_reason"));
    QJsonObject response
        = responseObject(idFrom(chatId, QStringLiteral("resp_")), str(completion, "model"),
            incomplete.isEmpty() ? QStringLiteral("completed") : QStringLiteral("incomplete"));
    if (!incomplete.isEmpty())
        response.insert(QStringLiteral("incomplete_details"),
            QJsonObject { { QStringLiteral("reason"), incomplete } });
    response.insert(QStringLiteral("output"), output);
    qint64 input = 0;
    qint64 outputTokens = 0;
    CachedTokens cached;
    readUsage(completion, &input, &outputTokens, &cached);
    response.insert(QStringLiteral("usage"), usageObject(input, outputTokens, cached));
    return compact(response);
}

QByteArray ResponsesProtocol::fromChatError(int, const QByteArray &openAiError) const
{
    return openAiError; // the same error object
}

std::unique_ptr<StreamTranslator> ResponsesProtocol::fromChatStream(
    std::unique_ptr<StreamTranslator> chat) const
{
    return encodeChatStream(std::move(chat), std::make_unique<ResponsesEncoder>());
}

bool ResponsesProtocol::isNativeTo(const ProviderConfig &provider, const RouteConfig &route) const
{
    return provider.kind == QLatin1String("openai")
        && (route.capabilities & unsigned(Capability::Responses)) != 0;
}

TranslatedRequest ResponsesProtocol::nativeRequest(const QByteArray &body, const HeaderList &,
    const RouteConfig &route, const QByteArray &apiKey) const
{
    TranslatedRequest request;
    request.path = QStringLiteral("/responses");
    request.body = replaceTopLevelModel(body, route.model);
    if (!apiKey.isEmpty())
        request.headers.append(
            { QByteArrayLiteral("Authorization"), QByteArrayLiteral("Bearer ") + apiKey });
    return request;
}

const ProviderTranslator *ResponsesProtocol::nativeTranslator() const
{
    static const NativeResponsesTranslator translator;
    return &translator;
}

QByteArray ResponsesProtocol::responseAsChat(const QJsonObject &response, QString *error)
{
    if (str(response, "object") != QLatin1String("response")
        || !response.value(QLatin1String("output")).isArray()) {
        *error = QStringLiteral("2xx body is not a Responses API response");
        return QByteArray();
    }
    QString text;
    QJsonArray toolCalls;
    for (const QJsonValue &value : response.value(QLatin1String("output")).toArray()) {
        const QJsonObject item = value.toObject();
        const QString type = str(item, "type");
        if (type == QLatin1String("message")) {
            for (const QJsonValue &part : item.value(QLatin1String("content")).toArray())
                text += str(part.toObject(), "text");
        } else if (type == QLatin1String("function_call")) {
            toolCalls.append(QJsonObject { { QStringLiteral("id"), str(item, "call_id") },
                { QStringLiteral("type"), QStringLiteral("function") },
                { QStringLiteral("function"),
                    QJsonObject { { QStringLiteral("name"), str(item, "name") },
                        { QStringLiteral("arguments"), str(item, "arguments") } } } });
        }
    }
    QJsonObject reply { { QStringLiteral("role"), QStringLiteral("assistant") },
        { QStringLiteral("content"), text } };
    if (!toolCalls.isEmpty())
        reply.insert(QStringLiteral("tool_calls"), toolCalls);
    const QJsonObject usage = response.value(QLatin1String("usage")).toObject();
    const QString finish = str(response, "status") == QLatin1String("incomplete")
        ? QStringLiteral("length")
        : (toolCalls.isEmpty() ? QStringLiteral("stop") : QStringLiteral("tool_calls"));
    return compact(QJsonObject { { QStringLiteral("id"), response.value(QLatin1String("id")) },
        { QStringLiteral("object"), QStringLiteral("chat.completion") },
        { QStringLiteral("model"), response.value(QLatin1String("model")) },
        { QStringLiteral("choices"),
            QJsonArray {
                QJsonObject { { QStringLiteral("index"), 0 }, { QStringLiteral("message"), reply },
                    { QStringLiteral("finish_reason"), finish } } } },
        { QStringLiteral("usage"), chatUsage(usage) } });
}

} // namespace Switchyard
