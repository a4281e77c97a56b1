#pragma once

#include "config/config.h"
#include "http/httpmessage.h"
#include "routing/classifier.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace Switchyard {

class CallerProtocol;

// What a caller's request asks of a route, read once before any routing decision.
struct RequestAnalysis {
    bool valid = false;
    QString error; // why the request is malformed, for an invalid_request_error
    QString errorParam; // the offending field, OpenAI's "param"
    QString model;
    bool stream = false;
    bool jsonOutput = false;
    bool hasStreamOptions = false; // the caller set stream_options itself
    bool callerAskedUsage = false; // stream_options.include_usage was true
    Capabilities needs = 0;
    qint64 estimatedTokens = 0; // prompt (≈ 4 characters a token) plus requested output
    qint64 promptTokens = 0; // the prompt's share of it
    QJsonObject document; // the parsed body, for providers whose API needs a translation

    // A caller speaking another API than chat completions (Messages, Responses); the fields
    // above describe its request read as chat completions.
    const CallerProtocol *protocol = nullptr;
    QByteArray nativeBody; // the request as the caller sent it, for the routes that speak its API
    HeaderList nativeHeaders; // the API's own headers the caller sent (anthropic-beta, …)
    QString untranslatable; // non-empty: only a route speaking the caller's API can take it
    QStringList dropped; // what the translation to chat completions leaves out
    // The conversation's, for the key of a provider's pool that serves it (KeyPools::pick);
    // worked out only when the running config has a pool.
    quint64 keyAffinity = 0;

    static RequestAnalysis analyze(Endpoint endpoint, const QByteArray &body);
    // The body as a JSON object with no top-level name given twice; otherwise an invalid
    // analysis that says why. Every inbound API is read through it.
    static RequestAnalysis parseObject(const QByteArray &body, QJsonObject *root);
};

// Why `route` cannot serve `request`, or an empty string when it can.
QString incompatibilityReason(const RouteConfig &route, const RequestAnalysis &request);

// Returns `body` with its top-level "model" value replaced by `model`, leaving every other
// byte as the caller sent it (no re-serialisation: numbers and key order survive).
QByteArray replaceTopLevelModel(const QByteArray &body, const QString &model);

// Returns `body` with "stream_options": {"include_usage": true} added at the front, so a stream
// reports its token usage in a final chunk. Only for bodies without stream_options.
QByteArray withStreamUsage(const QByteArray &body);

} // namespace Switchyard
