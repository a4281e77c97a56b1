#pragma once

#include "config/config.h"
#include "http/httpmessage.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

namespace Switchyard {

// What the guard reads of a request before anything else looks at it.
struct GuardInput {
    QByteArray method; // upper case: "GET", "POST", "OPTIONS", ...
    QByteArray host; // the Host header as sent; empty when absent
    QByteArray origin; // the Origin header; empty when absent
    bool hasOrigin = false;
    QByteArray contentType;
    qint64 bodySize = 0;
    QString localAddress; // the address the client connected to, as QHostAddress prints it
};

// The guard's answer: let the request through, answer a CORS preflight, or refuse it.
struct GuardVerdict {
    enum class Kind { Pass, Preflight, Refuse };
    Kind kind = Kind::Pass;
    int status = 0;
    QString message;
    QString code;
    // Set when the request came from an allowed web origin: every answer then carries CORS headers.
    QByteArray allowOrigin;
};

// Keeps a local gateway out of reach of web pages (issue 14): a page the user merely visits
// can neither call it cross-origin (Origin allow-list, JSON bodies only, so no "simple"
// request slips past preflight) nor read it through DNS rebinding (Host allow-list).
// Pure: the caller gives the request's facts and the running config.
class RequestGuard final {
public:
    static GuardVerdict check(const GuardInput &request, const Config &config);
    // The facts of a request (or of its head alone, with the body's size as announced).
    static GuardInput inputOf(const HttpRequest &request, qint64 bodySize);

    // The CORS headers for an answer to an allowed origin, and for a preflight.
    static QList<QPair<QByteArray, QByteArray>> corsHeaders(const QByteArray &origin);
    static QList<QPair<QByteArray, QByteArray>> preflightHeaders(
        const QByteArray &origin, const QByteArray &requestedHeaders);

    // The host name of a Host header ("[::1]:8787" -> "::1"), lower case; empty if malformed.
    static QString hostName(const QByteArray &hostHeader);
};

} // namespace Switchyard
