#include "translate/anthropicstream.h"

#include "translate/anthropicshapes.h"
#include "translate/anthropictranslator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Switchyard {

using namespace AnthropicShapes;

namespace {

class AnthropicStream final : public StreamTranslator {
public:
    explicit AnthropicStream(bool includeUsage)
        : m_includeUsage(includeUsage)
    {
    }

    QByteArray translate(const QList<SseScanner::Event> &events) override
    {
        QByteArray out;
        for (const SseScanner::Event &event : events) {
            const QJsonObject data = QJsonDocument::fromJson(event.data).object();
            const QString type = data.value(QLatin1String("type")).toString();
            if (type == QLatin1String("message_start")) {
                const QJsonObject message = data.value(QLatin1String("message")).toObject();
                m_id = openAiId(message.value(QLatin1String("id")).toString());
                m_model = message.value(QLatin1String("model")).toString();
                readAnthropicUsage(message.value(QLatin1String("usage")).toObject(), &m_tokensIn,
                    &m_tokensOut, &m_cached);
                out += chunk(QJsonObject { { QStringLiteral("role"), QStringLiteral("assistant") },
                    { QStringLiteral("content"), QString() } });
            } else if (type == QLatin1String("content_block_start")) {
                const QJsonObject block = data.value(QLatin1String("content_block")).toObject();
                if (block.value(QLatin1String("type")).toString() == QLatin1String("tool_use")) {
                    m_sawContent = true;
                    const int toolIndex = m_toolIndexOfBlock.size();
                    m_toolIndexOfBlock.insert(
                        data.value(QLatin1String("index")).toInt(), toolIndex);
                    const QJsonObject call { { QStringLiteral("index"), toolIndex },
                        { QStringLiteral("id"), block.value(QLatin1String("id")) },
                        { QStringLiteral("type"), QStringLiteral("function") },
                        { QStringLiteral("function"),
                            QJsonObject {
                                { QStringLiteral("name"), block.value(QLatin1String("name")) },
                                { QStringLiteral("arguments"), QString() } } } };
                    out += chunk(
                        QJsonObject { { QStringLiteral("tool_calls"), QJsonArray { call } } });
                }
            } else if (type == QLatin1String("content_block_delta")) {
                const QJsonObject delta = data.value(QLatin1String("delta")).toObject();
                const QString deltaType = delta.value(QLatin1String("type")).toString();
                if (deltaType == QLatin1String("thinking_delta")
                    && !delta.value(QLatin1String("thinking")).toString().isEmpty())
                    m_sawContent = true; // the model is answering, though OpenAI's shape has no
                                         // place for it
                if (deltaType == QLatin1String("text_delta")) {
                    if (!delta.value(QLatin1String("text")).toString().isEmpty())
                        m_sawContent = true;
                    out += chunk(QJsonObject {
                        { QStringLiteral("content"), delta.value(QLatin1String("text")) } });
                } else if (deltaType == QLatin1String("input_json_delta")) {
                    const int toolIndex
                        = m_toolIndexOfBlock.value(data.value(QLatin1String("index")).toInt());
                    const QJsonObject call { { QStringLiteral("index"), toolIndex },
                        { QStringLiteral("function"),
                            QJsonObject { { QStringLiteral("arguments"),
                                delta.value(QLatin1String("partial_json")) } } } };
                    out += chunk(
                        QJsonObject { { QStringLiteral("tool_calls"), QJsonArray { call } } });
                }
            } else if (type == QLatin1String("message_delta")) {
                readAnthropicUsage(data.value(QLatin1String("usage")).toObject(), &m_tokensIn,
                    &m_tokensOut, &m_cached);
                const QString stop = data.value(QLatin1String("delta"))
                                         .toObject()
                                         .value(QLatin1String("stop_reason"))
                                         .toString();
                out += chunk(QJsonObject(), AnthropicTranslator::finishReason(stop));
                if (!stop.isEmpty())
                    m_finalChunkSeen = true;
            } else if (type == QLatin1String("message_stop")) {
                out += completeWithoutEnd();
            } else if (type == QLatin1String("error")) {
                // Passed on in OpenAI's error shape; before the first byte the proxy fails over on
                // it.
                const QJsonObject error = data.value(QLatin1String("error")).toObject();
                out += "data: "
                    + compact(QJsonObject { { QStringLiteral("error"),
                        QJsonObject {
                            { QStringLiteral("message"), error.value(QLatin1String("message")) },
                            { QStringLiteral("type"), error.value(QLatin1String("type")) },
                            { QStringLiteral("code"), error.value(QLatin1String("type")) } } } })
                    + "\n\n";
            }
            // ping, content_block_stop: nothing for the caller
        }
        return out;
    }

    bool complete() const override { return m_complete; }
    bool finalChunkSeen() const override { return m_finalChunkSeen; }
    bool sawContent() const override { return m_sawContent; }

    QByteArray completeWithoutEnd() override
    {
        if (m_complete)
            return QByteArray();
        m_complete = true;
        QByteArray out;
        if (m_includeUsage) {
            QJsonObject last = base();
            last.insert(QStringLiteral("choices"), QJsonArray());
            last.insert(QStringLiteral("usage"), usageObject(m_tokensIn, m_tokensOut, m_cached));
            out += "data: " + compact(last) + "\n\n";
        }
        return out + "data: [DONE]\n\n";
    }
    qint64 tokensIn() const override { return m_tokensIn; }
    qint64 tokensOut() const override { return m_tokensOut; }
    CachedTokens cachedTokens() const override { return m_cached; }

private:
    QJsonObject base() const
    {
        return QJsonObject { { QStringLiteral("id"), m_id },
            { QStringLiteral("object"), QStringLiteral("chat.completion.chunk") },
            { QStringLiteral("created"), m_created }, { QStringLiteral("model"), m_model } };
    }

    QByteArray chunk(const QJsonObject &delta, const QString &finishReason = QString())
    {
        QJsonObject object = base();
        object.insert(QStringLiteral("choices"),
            QJsonArray { QJsonObject { { QStringLiteral("index"), 0 },
                { QStringLiteral("delta"), delta }, { QStringLiteral("logprobs"), QJsonValue() },
                { QStringLiteral("finish_reason"),
                    finishReason.isEmpty() ? QJsonValue() : QJsonValue(finishReason) } } });
        if (m_includeUsage)
            object.insert(QStringLiteral("usage"), QJsonValue());
        return "data: " + compact(object) + "\n\n";
    }

    bool m_includeUsage;
    bool m_complete = false;
    bool m_finalChunkSeen = false;
    bool m_sawContent = false;
    QString m_id = QStringLiteral("chatcmpl-anthropic");
    QString m_model;
    qint64 m_created = QDateTime::currentSecsSinceEpoch();
    qint64 m_tokensIn = 0;
    qint64 m_tokensOut = 0;
    CachedTokens m_cached;
    QHash<int, int> m_toolIndexOfBlock;
};

} // namespace

std::unique_ptr<StreamTranslator> anthropicStreamTranslator(bool includeUsage)
{
    return std::make_unique<AnthropicStream>(includeUsage);
}

} // namespace Switchyard
