#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

// What the Anthropic translator's two directions share: OpenAI's usage object from Anthropic's
// figures, and the ids and JSON text both write.
namespace Switchyard::AnthropicShapes {

QByteArray compact(const QJsonObject &object);
// OpenAI's usage object; prompt_tokens includes the cached tokens, as OpenAI counts them.
QJsonObject usageObject(qint64 input, qint64 output, qint64 cached);
// Reads Anthropic's usage into OpenAI's terms; a figure left out leaves its target as it was.
void readUsage(const QJsonObject &usage, qint64 *input, qint64 *output, qint64 *cached);
QString openAiId(const QString &messageId);

} // namespace Switchyard::AnthropicShapes
