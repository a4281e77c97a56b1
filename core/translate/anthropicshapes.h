#pragma once

#include "routing/classifier.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

// What the Anthropic translator's two directions share: OpenAI's usage object from Anthropic's
// figures, and the ids and JSON text both write.
namespace Switchyard::AnthropicShapes {

QByteArray compact(const QJsonObject &object);
// OpenAI's usage object; prompt_tokens includes the cached tokens, as OpenAI counts them. Cache
// reads are prompt_tokens_details.cached_tokens; cache writes, which OpenAI has no field for,
// are cache_creation_input_tokens beside them, as LiteLLM reports them.
QJsonObject usageObject(qint64 input, qint64 output, const CachedTokens &cached);
// Reads Anthropic's usage into OpenAI's terms; a figure left out leaves its target as it was.
void readAnthropicUsage(
    const QJsonObject &usage, qint64 *input, qint64 *output, CachedTokens *cached);
QString openAiId(const QString &messageId);

} // namespace Switchyard::AnthropicShapes
