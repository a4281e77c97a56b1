#pragma once

#include "translate/callerprotocol.h"

namespace Switchyard {

// OpenAI's Responses API in (POST /v1/responses, as Codex and the OpenAI SDKs' responses.create
// send it): passed through to routes with the `responses` capability, translated for the others
// as chat completions — instructions, input as text or items, function tools and their outputs,
// JSON output, the stream's events (response.created … response.completed), usage with its
// cached tokens, and errors in OpenAI's shape. The gateway keeps no responses: a request that
// builds on a stored one (previous_response_id, conversation) is refused with a 400 that says so.
class ResponsesProtocol final : public CallerProtocol {
public:
    QString name() const override { return QStringLiteral("responses"); }
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

    // A Responses API response object as a chat.completion, for the classifier.
    static QByteArray responseAsChat(const QJsonObject &response, QString *error);
};

} // namespace Switchyard
