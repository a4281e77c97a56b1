#include "translate/callerprotocol.h"

#include "translate/messagesprotocol.h"
#include "translate/responsesprotocol.h"

#include <QJsonDocument>

namespace Switchyard {

namespace {

// The route's translator makes chat.completion.chunk events; they are read back as events and
// encoded one by one. The chat events are the translator's own output, each bounded by the
// upstream event it came from, so this second scanner holds no more than the first.
class EncodedChatStream final : public StreamTranslator {
public:
    EncodedChatStream(
        std::unique_ptr<StreamTranslator> chat, std::unique_ptr<ChatChunkEncoder> encoder)
        : m_chat(std::move(chat))
        , m_encoder(std::move(encoder))
    {
        m_scanner.setMaxEventBytes(std::numeric_limits<qsizetype>::max() / 4);
        m_scanner.setKeepRaw(true); // keep-alive comments go on to the caller
    }

    QByteArray translate(const QList<SseScanner::Event> &events) override
    {
        return encode(m_chat->translate(events));
    }
    bool needsRawEvents() const override { return m_chat->needsRawEvents(); }
    bool complete() const override { return m_chat->complete(); }
    bool finalChunkSeen() const override { return m_chat->finalChunkSeen(); }
    QByteArray completeWithoutEnd() override { return encode(m_chat->completeWithoutEnd()); }
    bool sawContent() const override { return m_chat->sawContent(); }
    qint64 tokensIn() const override { return m_chat->tokensIn(); }
    qint64 tokensOut() const override { return m_chat->tokensOut(); }
    CachedTokens cachedTokens() const override { return m_chat->cachedTokens(); }
    bool usageInvalid() const override { return m_chat->usageInvalid(); }
    QByteArray failureEvent(const QString &message) override { return m_encoder->failure(message); }

private:
    QByteArray encode(const QByteArray &chatBytes)
    {
        QByteArray out;
        for (const SseScanner::Event &event : m_scanner.feed(chatBytes)) {
            if (event.comment) {
                // A keep-alive through a long silence (reasoning, a slow tool call) keeps the
                // caller's connection and its idle timers alive, as it came.
                if (event.raw.startsWith(':'))
                    out += event.raw;
                continue;
            }
            if (event.data == "[DONE]") {
                out += m_encoder->done(
                    { m_chat->tokensIn(), m_chat->tokensOut(), m_chat->cachedTokens() });
                continue;
            }
            const QJsonObject chunk = QJsonDocument::fromJson(event.data).object();
            // An upstream's error object: the caller's API says it its own way.
            if (chunk.contains(QLatin1String("error"))) {
                out += m_encoder->failure(chunk.value(QLatin1String("error"))
                                              .toObject()
                                              .value(QLatin1String("message"))
                                              .toString());
                continue;
            }
            ChatChunk read { chunk, {}, {}, {} };
            const QJsonObject choice
                = chunk.value(QLatin1String("choices")).toArray().first().toObject();
            const QJsonObject delta = choice.value(QLatin1String("delta")).toObject();
            read.text = delta.value(QLatin1String("content")).toString();
            read.toolCalls = delta.value(QLatin1String("tool_calls")).toArray();
            read.finishReason = choice.value(QLatin1String("finish_reason")).toString();
            out += m_encoder->chunk(read);
        }
        return out;
    }

    std::unique_ptr<StreamTranslator> m_chat;
    std::unique_ptr<ChatChunkEncoder> m_encoder;
    SseScanner m_scanner;
};

} // namespace

void ChatRequestBuilder::invalid(const QString &message, const QString &param)
{
    if (result.error.isEmpty()) {
        result.error = message;
        result.errorParam = param;
    }
}

void ChatRequestBuilder::untranslatable(const QString &what)
{
    if (result.untranslatable.isEmpty())
        result.untranslatable = what;
}

void ChatRequestBuilder::drop(const QString &what)
{
    if (!result.dropped.contains(what))
        result.dropped.append(what);
}

std::unique_ptr<StreamTranslator> encodeChatStream(
    std::unique_ptr<StreamTranslator> chat, std::unique_ptr<ChatChunkEncoder> encoder)
{
    return std::make_unique<EncodedChatStream>(std::move(chat), std::move(encoder));
}

const CallerProtocol *CallerProtocol::forPath(const QString &path)
{
    static const MessagesProtocol messages;
    static const ResponsesProtocol responses;
    if (path == QLatin1String("/v1/messages") || path == QLatin1String("/v1/messages/count_tokens"))
        return &messages;
    if (path == QLatin1String("/v1/responses"))
        return &responses;
    return nullptr;
}

const QStringList &CallerProtocol::apiNames()
{
    static const QStringList names { QStringLiteral("chat.completions"), QStringLiteral("messages"),
        QStringLiteral("responses"), QStringLiteral("embeddings") };
    return names;
}

QString CallerProtocol::apiName(const QString &path)
{
    if (const CallerProtocol *protocol = forPath(path))
        return protocol->name();
    if (path == QLatin1String("/v1/chat/completions"))
        return QStringLiteral("chat.completions");
    if (path == QLatin1String("/v1/embeddings"))
        return QStringLiteral("embeddings");
    return path;
}

} // namespace Switchyard
