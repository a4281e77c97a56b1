#include "translate/anthropicshapes.h"

#include "routing/classifier.h"

#include <QJsonDocument>

namespace Switchyard::AnthropicShapes {

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// OpenAI fields that Anthropic can express, or that mean nothing to a completion upstream.
QJsonObject usageObject(qint64 input, qint64 output, const CachedTokens &cached)
{
    QJsonObject usage { { QStringLiteral("prompt_tokens"), input },
        { QStringLiteral("completion_tokens"), output },
        { QStringLiteral("total_tokens"), input + output } };
    usage.insert(QStringLiteral("prompt_tokens_details"),
        QJsonObject { { QStringLiteral("cached_tokens"), cached.read } });
    if (cached.write > 0)
        usage.insert(QStringLiteral("cache_creation_input_tokens"), cached.write);
    return usage;
}

// Anthropic counts cache reads and writes apart from input_tokens; OpenAI's prompt_tokens includes
// them.
// Every figure is checked before it is added (readTokenCount): an impossible one counts as absent,
// so it can neither overflow a sum nor make a cost negative.
void readAnthropicUsage(
    const QJsonObject &usage, qint64 *input, qint64 *output, CachedTokens *cached)
{
    const qint64 cacheRead
        = qMax<qint64>(0, readTokenCount(usage.value(QLatin1String("cache_read_input_tokens"))));
    const qint64 cacheWrite = qMax<qint64>(
        0, readTokenCount(usage.value(QLatin1String("cache_creation_input_tokens"))));
    const qint64 inputTokens = readTokenCount(usage.value(QLatin1String("input_tokens")));
    if (inputTokens >= 0)
        *input = inputTokens + cacheRead + cacheWrite;
    const qint64 outputTokens = readTokenCount(usage.value(QLatin1String("output_tokens")));
    if (outputTokens >= 0)
        *output = outputTokens;
    if (usage.contains(QLatin1String("cache_read_input_tokens")))
        cached->read = cacheRead;
    if (usage.contains(QLatin1String("cache_creation_input_tokens")))
        cached->write = cacheWrite;
}

QString openAiId(const QString &messageId)
{
    return QStringLiteral("chatcmpl-") + messageId;
}

} // namespace Switchyard::AnthropicShapes
