#pragma once

#include "translate/providertranslator.h"

namespace Switchyard {

// OpenAI chat completions ⇄ Anthropic Messages: system prompts, turns, images, tools and tool
// results, stop sequences, JSON output, usage (with cache tokens), finish reasons, errors, and
// the Messages stream (message_start … message_stop) as chat.completion.chunk events.
class AnthropicTranslator final : public ProviderTranslator {
public:
    static constexpr const char *ApiVersion = "2023-06-01";

    TranslatedRequest translateRequest(const QJsonObject &openAiRequest, const RouteConfig &route,
        const QByteArray &apiKey) const override;
    QByteArray translateResponse(const QByteArray &body, QString *error) const override;
    QByteArray translateError(const QByteArray &body) const override;
    std::unique_ptr<StreamTranslator> streamTranslator(bool includeUsage) const override;
    TranslatedRequest probeRequest(
        const RouteConfig &route, const QByteArray &apiKey, bool completion) const override;

    static QString finishReason(const QString &stopReason);
};

} // namespace Switchyard
