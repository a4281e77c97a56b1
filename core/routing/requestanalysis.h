#pragma once

#include "config/config.h"
#include "routing/classifier.h"

#include <QByteArray>
#include <QString>

namespace Switchyard {

// What a caller's request asks of a route, read once before any routing decision.
struct RequestAnalysis {
    bool valid = false;
    QString error; // why the request is malformed, for an invalid_request_error
    QString errorParam; // the offending field, OpenAI's "param"
    QString model;
    bool stream = false;
    bool jsonOutput = false;
    Capabilities needs = 0;
    qint64 estimatedTokens = 0; // prompt (≈ 4 characters a token) plus requested output

    static RequestAnalysis analyze(Endpoint endpoint, const QByteArray &body);
};

// Why `route` cannot serve `request`, or an empty string when it can.
QString incompatibilityReason(const RouteConfig &route, const RequestAnalysis &request);

// Returns `body` with its top-level "model" value replaced by `model`, leaving every other
// byte as the caller sent it (no re-serialisation: numbers and key order survive).
QByteArray replaceTopLevelModel(const QByteArray &body, const QString &model);

} // namespace Switchyard
