#include "proxy/upstreamcall.h"

#include "translate/callerprotocol.h"
#include "translate/openaistream.h"
#include "upstream/upstreampool.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace Switchyard {

namespace {

QString endpointPath(Endpoint endpoint)
{
    return endpoint == Endpoint::Embeddings ? QStringLiteral("/embeddings")
                                            : QStringLiteral("/chat/completions");
}

} // namespace

UpstreamCall prepareUpstreamCall(const UpstreamCallInput &input)
{
    const RouteConfig &route = *input.route;
    const RequestAnalysis &analysis = *input.analysis;
    UpstreamCall prepared;
    UpstreamAttempt::Call &call = prepared.call;
    const QString path = input.translator ? input.translated->path : endpointPath(input.endpoint);
    call.request = UpstreamPool::requestTo(*input.provider, path);
    QNetworkRequest &request = call.request;
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    if (analysis.stream)
        request.setRawHeader(QByteArrayLiteral("Accept"), QByteArrayLiteral("text/event-stream"));
    prepared.relay.maxEventBytes = input.maxEventBytes;
    if (input.translator) {
        for (const auto &[name, value] : std::as_const(input.translated->headers))
            request.setRawHeader(name, value);
        if (analysis.stream)
            prepared.relay.translator
                = input.translator->streamTranslator(analysis.callerAskedUsage);
        call.body = input.translated->body;
        call.passThrough = input.translator->passesCallerApi();
    } else {
        if (!input.key.isEmpty())
            request.setRawHeader(
                QByteArrayLiteral("Authorization"), QByteArrayLiteral("Bearer ") + input.key);
        call.body = replaceTopLevelModel(*input.callerBody, route.model);
        // Agents ask for their own model's most output tokens (Claude Code: 32000 or more, which
        // Messages makes them name); a route that speaks chat completions would refuse that, so
        // a translated request asks it for no more than the route's max_tokens.
        const QJsonValue asked = analysis.document.value(QLatin1String("max_tokens"));
        if (analysis.protocol && asked.isDouble() && asked.toDouble() > route.maxTokens) {
            QJsonObject capped = analysis.document;
            capped.insert(QStringLiteral("max_tokens"), route.maxTokens);
            call.body = replaceTopLevelModel(
                QJsonDocument(capped).toJson(QJsonDocument::Compact), route.model);
        }
        // Ask for usage in the final chunk so a stream can be costed; the caller sees no
        // difference.
        const bool injectUsage = analysis.stream && !analysis.hasStreamOptions
            && (input.provider->kind == QLatin1String("openai")
                || input.provider->kind == QLatin1String("simulated"));
        if (injectUsage)
            call.body = withStreamUsage(call.body);
        if (analysis.stream)
            prepared.relay.translator = openAiStreamPassThrough(injectUsage);
    }
    // A caller of another API gets the chat stream in its API's events, unless the route spoke
    // that API itself.
    if (analysis.protocol && analysis.stream && !call.passThrough)
        prepared.relay.translator
            = analysis.protocol->fromChatStream(std::move(prepared.relay.translator));
    call.timeouts = route.timeouts;
    call.deadlineMs = input.deadlineMs;
    call.endpoint = input.endpoint;
    call.streamWanted = analysis.stream;
    call.jsonOutputRequested = analysis.jsonOutput;
    call.translator = input.translator;
    call.callerProtocol = analysis.protocol;
    return prepared;
}

} // namespace Switchyard
