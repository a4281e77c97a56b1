#pragma once

#include "routing/classifier.h"

#include <QNetworkReply>
#include <QObject>

class QNetworkRequest;

namespace Switchyard {

class Http1Connections;
struct ProviderConfig;

// Sends upstream requests, HTTP and HTTPS alike, as Http1Replies over this thread's own pool of
// kept-alive connections. One per I/O thread and one in the engine thread (probes); a connection
// never crosses threads.
class UpstreamPool final : public QObject {
    Q_OBJECT
public:
    explicit UpstreamPool(QObject *parent = nullptr);
    ~UpstreamPool() override;

    QNetworkReply *post(const QNetworkRequest &request, const QByteArray &body);
    QNetworkReply *get(const QNetworkRequest &request);

    static TransportError transportError(QNetworkReply::NetworkError error);
    // The reply failed because a reused keep-alive connection was closed as it was sent on.
    static bool closedOnReuse(const QNetworkReply *reply);
    // `path` (such as "/chat/completions" or "/v1/messages") under a provider's base URL.
    static QUrl endpointUrl(const QUrl &baseUrl, const QString &path);
    // A request for `path` of `provider`, trusting only the provider's own certificate
    // authorities where its configuration names some (tls.ca_file).
    static QNetworkRequest requestTo(const ProviderConfig &provider, const QString &path);

private:
    Http1Connections *m_connections;
};

} // namespace Switchyard
