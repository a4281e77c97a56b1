#include "translate/openaistream.h"

#include "routing/classifier.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Switchyard {

namespace {

bool nonEmptyString(const QJsonValue &value)
{
    return value.isString() && !value.toString().isEmpty();
}

// Content in a chat.completion.chunk delta; reasoning counts, since reasoning models stream it
// long before their text and it is output the caller sees.
bool carriesContent(const QJsonObject &delta)
{
    return nonEmptyString(delta.value(QLatin1String("content")))
        || nonEmptyString(delta.value(QLatin1String("refusal")))
        || nonEmptyString(delta.value(QLatin1String("reasoning_content")))
        || nonEmptyString(delta.value(QLatin1String("reasoning")))
        || !delta.value(QLatin1String("tool_calls")).toArray().isEmpty()
        || delta.value(QLatin1String("function_call")).isObject();
}

bool mentionsFinishReason(const QByteArray &data)
{
    return data.contains("\"finish_reason\":\"") || data.contains("\"finish_reason\": \"");
}

bool mentionsUsage(const QByteArray &data)
{
    return data.contains("\"usage\":{") || data.contains("\"usage\": {");
}

class OpenAiPassThrough final : public StreamTranslator {
public:
    explicit OpenAiPassThrough(bool stripInjectedUsage)
        : m_strip(stripInjectedUsage)
    {
    }

    QByteArray translate(const QList<SseScanner::Event> &events) override
    {
        QByteArray out;
        for (const SseScanner::Event &event : events) {
            if (event.comment) {
                out += event.raw;
                continue;
            }
            if (event.data == "[DONE]") {
                m_complete = true;
                out += m_strip ? QByteArray("data: [DONE]\n\n") : event.raw;
                continue;
            }
            // Parsed only where it can tell something: every event until the first content, and
            // after it only those naming a finish reason or a usage object. Stripping the usage
            // the gateway asked for needs no parse either: a chunk without a usage object is
            // passed on with its "usage":null taken out.
            const bool finish = mentionsFinishReason(event.data);
            const bool usage = mentionsUsage(event.data);
            QJsonObject chunk;
            if (!m_sawContent || finish || usage)
                chunk = QJsonDocument::fromJson(event.data).object();
            const QJsonArray choices = chunk.value(QLatin1String("choices")).toArray();
            for (const QJsonValue &choice : choices) {
                const QJsonObject object = choice.toObject();
                if (!m_sawContent
                    && carriesContent(object.value(QLatin1String("delta")).toObject()))
                    m_sawContent = true;
                if (nonEmptyString(object.value(QLatin1String("finish_reason"))))
                    m_finalChunkSeen = true;
            }
            if (usage
                && readUsage(chunk, &m_tokensIn, &m_tokensOut, &m_cached) == UsageRead::Invalid)
                m_usageInvalid = true;
            if (!m_strip) {
                out += event.raw;
                continue;
            }
            if (chunk.value(QLatin1String("usage")).isObject() && choices.isEmpty())
                continue; // the usage-only chunk we asked for
            QByteArray payload = event.data;
            payload.replace(",\"usage\":null", "");
            payload.replace("\"usage\":null,", "");
            if (!event.event.isEmpty())
                out += "event: " + event.event + '\n';
            out += "data: " + payload + "\n\n";
        }
        return out;
    }

    bool needsRawEvents() const override { return true; }
    bool complete() const override { return m_complete; }
    bool finalChunkSeen() const override { return m_finalChunkSeen; }
    QByteArray completeWithoutEnd() override
    {
        m_complete = true;
        return QByteArrayLiteral("data: [DONE]\n\n");
    }
    bool sawContent() const override { return m_sawContent; }
    qint64 tokensIn() const override { return m_tokensIn; }
    qint64 tokensOut() const override { return m_tokensOut; }
    CachedTokens cachedTokens() const override { return m_cached; }
    bool usageInvalid() const override { return m_usageInvalid; }

private:
    bool m_strip;
    bool m_complete = false;
    bool m_finalChunkSeen = false;
    bool m_sawContent = false;
    bool m_usageInvalid = false;
    qint64 m_tokensIn = -1;
    qint64 m_tokensOut = -1;
    CachedTokens m_cached;
};

} // namespace

std::unique_ptr<StreamTranslator> openAiStreamPassThrough(bool stripInjectedUsage)
{
    return std::make_unique<OpenAiPassThrough>(stripInjectedUsage);
}

} // namespace Switchyard
