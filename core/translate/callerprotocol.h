#pragma once

#include "config/config.h"
#include "http/httpmessage.h"
#include "translate/providertranslator.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>

#include <memory>

namespace Switchyard {

// A caller's request in an API other than chat completions, as the gateway routes it: chat
// completions are what the classifier reads and every provider translator takes, so the request
// is also read as one.
struct CallerRequest {
    QJsonObject chat; // the request as chat completions, for the routes that need a translation
    QString error; // malformed: why, for the caller's invalid_request_error
    QString errorParam;
    // Something chat completions cannot carry: every route that would need the translation is
    // incompatible for this request (the reason in its trace), only a native route can take it.
    QString untranslatable;
    QStringList dropped; // what the translation leaves out, said in the trace of such a route
};

// One inbound API beside chat completions (Anthropic Messages, OpenAI Responses): the request read
// as chat completions, every answer the gateway makes itself in the API's own error shape, chat
// answers and streams turned into the API's, and the routes that speak the API themselves, which
// get the caller's request as it was sent. Pure, like the provider translators, and table-tested.
class CallerProtocol {
public:
    virtual ~CallerProtocol() = default;

    // The API's name in traces, the console and metrics: "messages", "responses".
    virtual QString name() const = 0;
    virtual CallerRequest toChat(const QJsonObject &request) const = 0;

    // An error the gateway answers itself; `param` names the offending field. `detail` (the
    // attempts of a request every route failed) goes into the error object where the API has room
    // for it.
    virtual QByteArray errorBody(int status, const QString &message, const QString &code,
        const QString &param = QString(), const QJsonValue &detail = QJsonValue()) const = 0;
    // An upstream's chat.completion as the caller's answer; empty with `error` when it is not one.
    virtual QByteArray fromChatResponse(const QByteArray &chatCompletion, QString *error) const = 0;
    // An upstream's error, already in OpenAI's shape, as the caller's.
    virtual QByteArray fromChatError(int status, const QByteArray &openAiError) const = 0;
    // A chat.completion.chunk stream (what `chat` makes of the upstream's) as the caller's events.
    virtual std::unique_ptr<StreamTranslator> fromChatStream(
        std::unique_ptr<StreamTranslator> chat) const = 0;

    // A route that speaks this API itself gets the caller's request untouched but for its model,
    // the route's key, and the API's own headers the caller sent (`callerHeaders`).
    virtual bool isNativeTo(const ProviderConfig &provider, const RouteConfig &route) const = 0;
    virtual TranslatedRequest nativeRequest(const QByteArray &body, const HeaderList &callerHeaders,
        const RouteConfig &route, const QByteArray &apiKey) const = 0;
    // How a native route's answers are read: into OpenAI's shape for the classifier, while the
    // caller gets them as they came (a stream byte for byte).
    virtual const ProviderTranslator *nativeTranslator() const = 0;
    // The caller's headers a native route is sent (lower-case names).
    virtual QList<QByteArray> forwardedHeaders() const { return {}; }

    // The protocol served at `path` (/v1/messages and its count_tokens, /v1/responses); null for
    // chat completions.
    static const CallerProtocol *forPath(const QString &path);
    // Every API a trace may name (TraceRecord::endpoint), and the one served at `path` (the path
    // itself where none is).
    static const QStringList &apiNames();
    static QString apiName(const QString &path);
};

// What translating one request into chat completions found, for a CallerProtocol's toChat; the
// first problem of each kind is the one the caller or the trace is told.
class ChatRequestBuilder {
public:
    CallerRequest result;

    void invalid(const QString &message, const QString &param);
    void untranslatable(const QString &what);
    void drop(const QString &what);
};

// One chat.completion.chunk as the encoders read it: its first choice's delta, taken apart once.
struct ChatChunk {
    QJsonObject object; // the whole chunk: id, model, created
    QString text;
    QJsonArray toolCalls;
    QString finishReason;
};

// A stream's usage as the route's translator read it; -1 where it reported none.
struct ChatUsage {
    qint64 input = -1;
    qint64 output = -1;
    CachedTokens cached;
};

// A chat.completion.chunk stream turned into another API's events, one chunk at a time: what a
// CallerProtocol's fromChatStream wraps around the route's own translator.
class ChatChunkEncoder {
public:
    virtual ~ChatChunkEncoder() = default;
    virtual QByteArray chunk(const ChatChunk &chunk) = 0;
    // [DONE]: the answer is whole.
    virtual QByteArray done(const ChatUsage &usage) = 0;
    virtual QByteArray failure(const QString &message) = 0;
};

std::unique_ptr<StreamTranslator> encodeChatStream(
    std::unique_ptr<StreamTranslator> chat, std::unique_ptr<ChatChunkEncoder> encoder);

} // namespace Switchyard
