#pragma once

#include "config/activeconfig.h"
#include "http/clientresponse.h"
#include "routing/lanerouter.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

#include <memory>

class QNetworkReply;

namespace Switchyard {

class KeyPools;
class RouteRegistry;
class UpstreamPool;

// POST /v1/messages/count_tokens: Anthropic counts exactly, so the lane's first Anthropic route
// whose breaker lets calls through is asked (the caller's request, the route's model and key),
// once and within the route's first-byte timeout. When none is up, or its answer is not a count,
// the gateway's own estimate answers (about four characters a token, tools included), so a
// client never fails for want of a count. A count is free and is no completion: it is not
// traced or costed, and says nothing to the route's breaker.
class TokenCounter final : public QObject {
    Q_OBJECT
public:
    struct Request {
        QByteArray body; // the caller's, as sent
        HeaderList anthropicHeaders; // anthropic-version, anthropic-beta, as the caller sent them
        qint64 estimate = 0;
        RoutingTarget target;
        HeaderList answerHeaders; // the X-Switchyard headers every answer carries
        std::shared_ptr<const ActiveConfig> active;
        quint64 keyAffinity = 0; // the conversation's, for a pool's key
    };

    // Answers `response`, and deletes itself when it has.
    static void count(Request request, ClientResponse response, const RouteRegistry &routes,
        const KeyPools &keys, UpstreamPool &upstreams, QObject *parent);

    ~TokenCounter() override;

private:
    TokenCounter(Request request, ClientResponse response, QObject *parent);
    void ask(const RouteConfig &route, const ProviderConfig &provider, const QByteArray &key,
        UpstreamPool &upstreams);
    void answer(qint64 tokens, const QString &route);

    Request m_request;
    ClientResponse m_response;
    QPointer<QNetworkReply> m_reply;
    QTimer m_timeout;
};

} // namespace Switchyard
