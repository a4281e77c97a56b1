#pragma once

#include "translate/callerprotocol.h"

namespace Switchyard {

// Anthropic's Messages API in (POST /v1/messages, as Claude Code and the Anthropic SDKs send it):
// passed through to `anthropic` routes as it came (thinking blocks and their signatures,
// cache_control, documents, betas), translated for the others as chat completions — system
// blocks, turns, images, tools and tool results, stop sequences, the stream's events, usage with
// its cache figures, and errors in Anthropic's shape.
class MessagesProtocol final : public CallerProtocol {
public:
    QString name() const override { return QStringLiteral("messages"); }
    CallerRequest toChat(const QJsonObject &request) const override;
    QByteArray errorBody(int status, const QString &message, const QString &code,
        const QString &param = QString(), const QJsonValue &detail = QJsonValue()) const override;
    QByteArray fromChatResponse(const QByteArray &chatCompletion, QString *error) const override;
    QByteArray fromChatError(int status, const QByteArray &openAiError) const override;
    std::unique_ptr<StreamTranslator> fromChatStream(
        std::unique_ptr<StreamTranslator> chat) const override;
    bool isNativeTo(const ProviderConfig &provider, const RouteConfig &route) const override;
    TranslatedRequest nativeRequest(const QByteArray &body, const HeaderList &callerHeaders,
        const RouteConfig &route, const QByteArray &apiKey) const override;
    const ProviderTranslator *nativeTranslator() const override;
    QList<QByteArray> forwardedHeaders() const override;

    // Anthropic's error type for an HTTP status.
    static QString errorType(int status);
    // Anthropic's stop_reason for OpenAI's finish_reason.
    static QString stopReason(const QString &finishReason);
};

} // namespace Switchyard
