#include "upstream/upstreampool.h"

#include "config/config.h"
#include "upstream/http1reply.h"

#include <QNetworkAccessManager>
#include <QNetworkRequest>
#include <QSslConfiguration>

namespace Switchyard {

UpstreamPool::UpstreamPool(QObject *parent)
    : QObject(parent)
    , m_connections(new Http1Connections(this))
{
}

UpstreamPool::~UpstreamPool()
{
    // Replies first, while the connection pool they hand their sockets to still exists: children
    // die in the order they were made, and the pool was made first. (A socket handed to no pool
    // waits for a deferred delete that a finishing thread never runs.)
    qDeleteAll(findChildren<Http1Reply *>(Qt::FindDirectChildrenOnly));
}

QNetworkReply *UpstreamPool::post(const QNetworkRequest &request, const QByteArray &body)
{
    return new Http1Reply(m_connections, QNetworkAccessManager::PostOperation, request, body, this);
}

QNetworkReply *UpstreamPool::get(const QNetworkRequest &request)
{
    return new Http1Reply(
        m_connections, QNetworkAccessManager::GetOperation, request, QByteArray(), this);
}

QUrl UpstreamPool::endpointUrl(const QUrl &baseUrl, const QString &path)
{
    QUrl url = baseUrl;
    QString basePath = url.path();
    while (basePath.endsWith(QLatin1Char('/')))
        basePath.chop(1);
    // A base URL that already ends in /v1 and a path that starts with it name the same API root.
    if (basePath.endsWith(QLatin1String("/v1")) && path.startsWith(QLatin1String("/v1/")))
        basePath.chop(3);
    url.setPath(basePath + path);
    return url;
}

QNetworkRequest UpstreamPool::requestTo(const ProviderConfig &provider, const QString &path)
{
    QNetworkRequest request(endpointUrl(provider.baseUrl, path));
    if (!provider.tls.caCertificates.isEmpty()) {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setCaCertificates(provider.tls.caCertificates);
        request.setSslConfiguration(tls);
        // Read with the file; made here only for a configuration built by other means (tests).
        QByteArray trust = provider.tls.caDigest;
        if (trust.isEmpty())
            trust = ProviderTls::digestOf(provider.tls.caCertificates);
        request.setAttribute(Http1Reply::TrustAttribute, trust);
    }
    return request;
}

bool UpstreamPool::closedOnReuse(const QNetworkReply *reply)
{
    return reply->attribute(Http1Reply::ClosedOnReuseAttribute).toBool();
}

TransportError UpstreamPool::transportError(QNetworkReply::NetworkError error)
{
    switch (error) {
    case QNetworkReply::NoError:
        return TransportError::None;
    case QNetworkReply::ConnectionRefusedError:
        return TransportError::ConnectionRefused;
    case QNetworkReply::RemoteHostClosedError:
        return TransportError::ConnectionReset;
    case QNetworkReply::HostNotFoundError:
        return TransportError::HostNotFound;
    case QNetworkReply::TimeoutError:
        return TransportError::Timeout;
    case QNetworkReply::SslHandshakeFailedError:
        return TransportError::Tls;
    case QNetworkReply::OperationCanceledError:
        return TransportError::Cancelled;
    default:
        return TransportError::OtherNetwork;
    }
}

} // namespace Switchyard
