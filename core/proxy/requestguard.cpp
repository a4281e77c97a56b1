#include "proxy/requestguard.h"

#include <QHostAddress>
#include <QUrl>

namespace Switchyard {

namespace {

bool isJsonMediaType(const QByteArray &contentType)
{
    const QByteArray mediaType = contentType.split(';').constFirst().trimmed().toLower();
    return mediaType == "application/json";
}

bool sameAddress(const QString &a, const QString &b)
{
    const QHostAddress left(a);
    const QHostAddress right(b);
    return !left.isNull() && !right.isNull()
        && left.isEqual(right, QHostAddress::TolerantConversion);
}

bool hostAllowed(const QString &host, const GuardInput &request, const Config &config)
{
    // The common answers first, without parsing an address (this runs on every request).
    if (host == QLatin1String("localhost") || host == QLatin1String("127.0.0.1")
        || host == request.localAddress || host == config.listenHost)
        return true;
    const QHostAddress address(host);
    if (!address.isNull() && address.isLoopback())
        return true;
    // The address the client dialled is the gateway itself, never a name an attacker controls:
    // rebinding needs a name, so an IP literal of this socket is safe to accept.
    if (sameAddress(host, request.localAddress))
        return true;
    if (host.compare(config.listenHost, Qt::CaseInsensitive) == 0
        || sameAddress(host, config.listenHost))
        return true;
    for (const QString &allowed : config.allowedHosts) {
        if (host.compare(allowed, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

bool originAllowed(const QByteArray &origin, const Config &config)
{
    const QString text = QString::fromLatin1(origin).trimmed();
    for (QString allowed : config.allowedOrigins) {
        while (allowed.endsWith(QLatin1Char('/')))
            allowed.chop(1);
        if (text.compare(allowed, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

GuardVerdict refuse(int status, const QString &message, const QString &code)
{
    GuardVerdict verdict;
    verdict.kind = GuardVerdict::Kind::Refuse;
    verdict.status = status;
    verdict.message = message;
    verdict.code = code;
    return verdict;
}

// Header values echoed into a preflight answer: tokens and commas only, so nothing a peer sends
// can end up as a header line of its own.
QByteArray tokenList(const QByteArray &value)
{
    QByteArray result;
    for (const char c : value) {
        if (std::isalnum(uchar(c)) || c == '-' || c == '_' || c == ',' || c == ' ')
            result += c;
    }
    return result.left(1024);
}

} // namespace

GuardInput RequestGuard::inputOf(const HttpRequest &request, qint64 bodySize)
{
    GuardInput facts;
    facts.method = request.method;
    facts.host = request.value("host");
    // value() cannot tell an empty header from a missing one; "Origin:" with no value is still
    // an origin the browser sent (and no allowed one).
    facts.hasOrigin = request.hasHeader("origin");
    facts.origin = request.value("origin");
    facts.contentType = request.value("content-type");
    facts.bodySize = bodySize;
    facts.localAddress = request.localAddress;
    return facts;
}

QString RequestGuard::hostName(const QByteArray &hostHeader)
{
    const QString text = QString::fromLatin1(hostHeader).trimmed().toLower();
    if (text.startsWith(QLatin1Char('['))) {
        const qsizetype close = text.indexOf(QLatin1Char(']'));
        if (close < 0)
            return QString();
        const QString rest = text.mid(close + 1);
        if (!rest.isEmpty() && !rest.startsWith(QLatin1Char(':')))
            return QString();
        return text.mid(1, close - 1);
    }
    QString host = text.section(QLatin1Char(':'), 0, 0);
    if (text.count(QLatin1Char(':')) > 1)
        return QString(); // an IPv6 literal must be bracketed
    while (host.endsWith(QLatin1Char('.')))
        host.chop(1); // "localhost." names the same host
    return host;
}

GuardVerdict RequestGuard::check(const GuardInput &request, const Config &config)
{
    if (!request.host.isEmpty()) {
        const QString host = hostName(request.host);
        if (host.isEmpty() || !hostAllowed(host, request, config))
            return refuse(421,
                QStringLiteral("This gateway does not answer for host '%1'. Add it to "
                               "\"allowed_hosts\" in the configuration to allow it.")
                    .arg(QString::fromLatin1(request.host.left(256))),
                QStringLiteral("host_not_allowed"));
    }
    GuardVerdict verdict;
    if (request.hasOrigin) {
        if (!originAllowed(request.origin, config))
            return refuse(403,
                QStringLiteral("Requests from the web origin '%1' are refused. Add it to "
                               "\"allowed_origins\" in the configuration to allow it.")
                    .arg(QString::fromLatin1(request.origin.left(256))),
                QStringLiteral("origin_not_allowed"));
        verdict.allowOrigin = request.origin.trimmed();
    }
    if (request.method == "OPTIONS") {
        verdict.kind = GuardVerdict::Kind::Preflight;
        return verdict;
    }
    if (request.method == "POST" && request.bodySize > 0 && !isJsonMediaType(request.contentType))
        return refuse(415,
            QStringLiteral("Request bodies must be sent as 'Content-Type: application/json'."),
            QStringLiteral("unsupported_media_type"));
    return verdict;
}

QList<QPair<QByteArray, QByteArray>> RequestGuard::corsHeaders(const QByteArray &origin)
{
    if (origin.isEmpty())
        return {};
    return { { QByteArrayLiteral("Access-Control-Allow-Origin"), origin },
        { QByteArrayLiteral("Vary"), QByteArrayLiteral("Origin") },
        { QByteArrayLiteral("Access-Control-Expose-Headers"),
            QByteArrayLiteral("X-Switchyard-Request-Id, X-Switchyard-Lane, X-Switchyard-Route, "
                              "X-Switchyard-Attempts, X-Switchyard-Fallback, "
                              "X-Switchyard-Degraded") } };
}

QList<QPair<QByteArray, QByteArray>> RequestGuard::preflightHeaders(
    const QByteArray &origin, const QByteArray &requestedHeaders)
{
    QList<QPair<QByteArray, QByteArray>> headers = corsHeaders(origin);
    headers.append({ QByteArrayLiteral("Allow"), QByteArrayLiteral("GET, POST, OPTIONS") });
    if (origin.isEmpty())
        return headers;
    headers.append({ QByteArrayLiteral("Access-Control-Allow-Methods"),
        QByteArrayLiteral("GET, POST, OPTIONS") });
    const QByteArray allowed = tokenList(requestedHeaders);
    if (!allowed.trimmed().isEmpty())
        headers.append({ QByteArrayLiteral("Access-Control-Allow-Headers"), allowed });
    headers.append({ QByteArrayLiteral("Access-Control-Max-Age"), QByteArrayLiteral("600") });
    return headers;
}

} // namespace Switchyard
