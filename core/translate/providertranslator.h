#pragma once

#include "config/config.h"
#include "http/clientresponse.h"
#include "http/ssescanner.h"
#include "routing/classifier.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <memory>

namespace Switchyard {

// Turns one upstream stream's events into OpenAI chat.completion.chunk events, incrementally, and
// says what the stream has shown so far: content, its final chunk, its end, its usage.
class StreamTranslator {
public:
    virtual ~StreamTranslator() = default;
    // The OpenAI SSE bytes ("data: …\n\n") for these upstream events; may be empty.
    virtual QByteArray translate(const QList<SseScanner::Event> &events) = 0;
    // Wants each event's raw bytes and the blocks without data (SseScanner::setKeepRaw).
    virtual bool needsRawEvents() const { return false; }
    // The upstream said the stream is over ([DONE] or its own end event); the caller's [DONE]
    // has been translated.
    virtual bool complete() const = 0;
    // The answer's final chunk (one with a finish reason) has been translated: a clean end of
    // the body from here on is a whole answer, whether or not the end event follows.
    virtual bool finalChunkSeen() const = 0;
    // For a body that ended cleanly after the final chunk without the stream's end: what closes
    // the caller's stream (its [DONE], and the usage chunk when asked for).
    virtual QByteArray completeWithoutEnd() = 0;
    // Content has been translated: text, a tool call, a refusal or reasoning. A role alone, an
    // empty delta or a keep-alive is none.
    virtual bool sawContent() const = 0;
    virtual qint64 tokensIn() const = 0;
    virtual qint64 tokensOut() const = 0;
    // The part of tokensIn the provider's prompt cache served or stored.
    virtual CachedTokens cachedTokens() const { return {}; }
    // A usage figure that no honest upstream sends (negative, fractional, absurd).
    virtual bool usageInvalid() const { return false; }
    // The caller's last event when the stream fails after its first content, in the caller's
    // API's shape (OpenAI's error object here).
    virtual QByteArray failureEvent(const QString &message);
};

// What the gateway sends upstream for one attempt, or why this route cannot take the request.
struct TranslatedRequest {
    QString incompatible; // non-empty: skip the route with class incompatible
    QString path; // appended to the provider's base URL
    HeaderList headers;
    QByteArray body;
};

// The translation between OpenAI's chat API, which callers speak, and a provider's own API.
// Pure: no network, no clock, no state between calls, so each provider kind is table-tested
// and a new kind is one added file. OpenAI-kind providers need none: bodies pass through.
class ProviderTranslator {
public:
    virtual ~ProviderTranslator() = default;

    virtual TranslatedRequest translateRequest(const QJsonObject &openAiRequest,
        const RouteConfig &route, const QByteArray &apiKey) const = 0;
    // A 2xx body into an OpenAI chat.completion body; empty with `error` set when it is not the
    // API's shape.
    virtual QByteArray translateResponse(const QByteArray &body, QString *error) const = 0;
    // An error body into OpenAI's error shape, keeping what the classifier reads (code, type,
    // message).
    virtual QByteArray translateError(const QByteArray &body) const = 0;
    virtual std::unique_ptr<StreamTranslator> streamTranslator(bool includeUsage) const = 0;
    // True for a route that speaks the caller's own API (CallerProtocol::nativeTranslator): the
    // caller gets its answers as they came, and this translator only reads them.
    virtual bool passesCallerApi() const { return false; }
    // The cheap health probe: a models list, or a one-token completion.
    virtual TranslatedRequest probeRequest(
        const RouteConfig &route, const QByteArray &apiKey, bool completion) const = 0;

    // The translator for a provider kind; nullptr where requests pass through untouched.
    static const ProviderTranslator *forKind(const QString &kind);
};

} // namespace Switchyard
