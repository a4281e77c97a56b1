#include "upstream/upstreampool.h"

#include "config/config.h"
#include "upstream/plainhttpreply.h"

#include <QNetworkAccessManager>
#include <QNetworkRequest>
#include <QSslConfiguration>

namespace Switchyard {

UpstreamPool::UpstreamPool(QObject *parent)
    : QObject(parent)
    , m_plainHttp(new PlainHttpConnections(this))
{
}

UpstreamPool::~UpstreamPool()
{
    // Replies first, while the connection pool they hand their sockets to still exists: children
    // die in the order they were made, and the pool was made first. (A socket handed to no pool
    // waits for a deferred delete that a finishing thread never runs.)
    qDeleteAll(findChildren<PlainHttpReply *>(Qt::FindDirectChildrenOnly));
}

QNetworkAccessManager *UpstreamPool::pickManager(int **inFlightCounter)
{
    // Fill the first manager with a free connection slot, so that idle keep-alive
    // connections are reused before new ones are opened.
    Slot *best = nullptr;
    for (Slot &slot : m_managers) {
        if (*slot.inFlight < ConnectionsPerManager) {
            best = &slot;
            break;
        }
    }
    if (!best && int(m_managers.size()) < MaxManagers) {
        Slot slot;
        slot.manager = new QNetworkAccessManager(this);
        slot.manager->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
        slot.manager->setCookieJar(nullptr);
        slot.inFlight = std::make_unique<int>(0);
        m_managers.push_back(std::move(slot));
        best = &m_managers.back();
    }
    if (!best) {
        best = &*std::min_element(m_managers.begin(), m_managers.end(),
            [](const Slot &a, const Slot &b) { return *a.inFlight < *b.inFlight; });
    }
    *inFlightCounter = best->inFlight.get();
    return best->manager;
}

void UpstreamPool::prepare(QNetworkRequest &request)
{
    // Callers must never share cookies through the gateway.
    request.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    request.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    request.setAttribute(
        QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
}

QNetworkReply *UpstreamPool::track(QNetworkReply *reply, int *inFlightCounter)
{
    ++*inFlightCounter;
    connect(reply, &QNetworkReply::finished, this, [inFlightCounter] { --*inFlightCounter; });
    return reply;
}

QNetworkReply *UpstreamPool::post(QNetworkRequest request, const QByteArray &body)
{
    if (request.url().scheme() == QLatin1String("http"))
        return new PlainHttpReply(
            m_plainHttp, QNetworkAccessManager::PostOperation, request, body, this);
    prepare(request);
    int *counter = nullptr;
    QNetworkAccessManager *manager = pickManager(&counter);
    return track(manager->post(request, body), counter);
}

QNetworkReply *UpstreamPool::get(QNetworkRequest request)
{
    if (request.url().scheme() == QLatin1String("http"))
        return new PlainHttpReply(
            m_plainHttp, QNetworkAccessManager::GetOperation, request, QByteArray(), this);
    prepare(request);
    int *counter = nullptr;
    QNetworkAccessManager *manager = pickManager(&counter);
    return track(manager->get(request), counter);
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
    }
    return request;
}

bool UpstreamPool::closedOnReuse(const QNetworkReply *reply)
{
    return reply->attribute(PlainHttpReply::ClosedOnReuseAttribute).toBool();
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
