#pragma once

#include "routing/classifier.h"

#include <QNetworkReply>
#include <QObject>

#include <vector>

class QNetworkAccessManager;
class QNetworkRequest;

namespace Switchyard {

class PlainHttpConnections;
struct ProviderConfig;

// Sends upstream requests: plain-HTTP ones over its own keep-alive connections (PlainHttpReply),
// HTTPS ones over a growing set of QNetworkAccessManagers, because one manager allows only six
// HTTP/1.1 connections per host and slow completions would queue behind them. Lives in the
// engine thread.
class UpstreamPool final : public QObject {
    Q_OBJECT
public:
    static constexpr int ConnectionsPerManager = 6;
    static constexpr int MaxManagers = 128;

    explicit UpstreamPool(QObject *parent = nullptr);
    ~UpstreamPool() override;

    QNetworkReply *post(QNetworkRequest request, const QByteArray &body);
    QNetworkReply *get(QNetworkRequest request);

    static TransportError transportError(QNetworkReply::NetworkError error);
    // The reply failed because a reused keep-alive connection was closed as it was sent on.
    static bool closedOnReuse(const QNetworkReply *reply);
    // `path` (such as "/chat/completions" or "/v1/messages") under a provider's base URL.
    static QUrl endpointUrl(const QUrl &baseUrl, const QString &path);
    // A request for `path` of `provider`, trusting only the provider's own certificate
    // authorities where its configuration names some (tls.ca_file).
    static QNetworkRequest requestTo(const ProviderConfig &provider, const QString &path);

private:
    QNetworkAccessManager *pickManager(int **inFlightCounter);
    QNetworkReply *track(QNetworkReply *reply, int *inFlightCounter);
    static void prepare(QNetworkRequest &request);

    struct Slot {
        QNetworkAccessManager *manager = nullptr;
        std::unique_ptr<int> inFlight;
    };
    std::vector<Slot> m_managers;
    PlainHttpConnections *m_plainHttp;
};

} // namespace Switchyard
