#include "proxy/tokencounter.h"

#include "routing/classifier.h"
#include "routing/keypools.h"
#include "routing/routeregistry.h"
#include "routing/routestate.h"
#include "translate/callerprotocol.h"
#include "upstream/upstreampool.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>

namespace Switchyard {

namespace {

// A count is a few bytes; anything larger is not one.
constexpr qint64 MaxCountBody = 64 * 1024;

bool letsCallsThrough(const RouteRegistry &routes, const QString &route)
{
    const RouteState *state = routes.find(route);
    if (!state)
        return true;
    switch (state->breaker.state()) {
    case BreakerState::Open:
    case BreakerState::Drained:
    case BreakerState::Drilling:
        return false;
    default:
        return true;
    }
}

} // namespace

TokenCounter::TokenCounter(Request request, ClientResponse response, QObject *parent)
    : QObject(parent)
    , m_request(std::move(request))
    , m_response(std::move(response))
{
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, [this] {
        if (QNetworkReply *reply = std::exchange(m_reply, nullptr)) {
            reply->disconnect(this);
            reply->abort();
            reply->deleteLater();
        }
        answer(m_request.estimate, QString());
    });
}

TokenCounter::~TokenCounter()
{
    if (QNetworkReply *reply = std::exchange(m_reply, nullptr)) {
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
}

void TokenCounter::count(Request request, ClientResponse response, const RouteRegistry &routes,
    const KeyPools &keys, UpstreamPool &upstreams, QObject *parent)
{
    auto *counter = new TokenCounter(std::move(request), std::move(response), parent);
    const ActiveConfig &active = *counter->m_request.active;
    for (const QString &name : std::as_const(counter->m_request.target.chain)) {
        const RouteConfig &route = active.config.routes.find(name).value();
        const ProviderConfig &provider = active.config.providers.find(route.provider).value();
        const KeyPools::Pick key = keys.pick(route.provider,
            active.providerKeys.value(route.provider), counter->m_request.keyAffinity);
        if (provider.kind == QLatin1String("anthropic") && key.lack == KeyPools::Pick::Lack::None
            && letsCallsThrough(routes, name)) {
            counter->ask(route, provider, key.value, upstreams);
            return;
        }
    }
    counter->answer(counter->m_request.estimate, QString());
}

void TokenCounter::ask(const RouteConfig &route, const ProviderConfig &provider,
    const QByteArray &key, UpstreamPool &upstreams)
{
    // As a Messages request to this route goes (its model, its key, the caller's betas), to the
    // count's own path.
    const TranslatedRequest native
        = CallerProtocol::forPath(QStringLiteral("/v1/messages"))
              ->nativeRequest(m_request.body, m_request.anthropicHeaders, route, key);
    QNetworkRequest request
        = UpstreamPool::requestTo(provider, native.path + QStringLiteral("/count_tokens"));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    for (const auto &[name, value] : native.headers)
        request.setRawHeader(name, value);
    m_reply = upstreams.post(request, native.body);
    // A count is a few bytes: an upstream that sends more is not read on, and the timeout ends it.
    m_reply->setReadBufferSize(MaxCountBody);
    const QString name = route.name;
    connect(m_reply, &QNetworkReply::finished, this, [this, name] {
        QNetworkReply *reply = std::exchange(m_reply, nullptr);
        if (!reply)
            return;
        reply->deleteLater();
        m_timeout.stop();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray body = reply->read(MaxCountBody);
        const qint64 tokens = status == 200
            ? readTokenCount(
                QJsonDocument::fromJson(body).object().value(QLatin1String("input_tokens")))
            : -1;
        if (tokens >= 0)
            answer(tokens, name);
        else
            answer(m_request.estimate, QString());
    });
    m_timeout.start(route.timeouts.connectMs + route.timeouts.firstByteMs);
}

void TokenCounter::answer(qint64 tokens, const QString &route)
{
    HeaderList headers = m_request.answerHeaders;
    headers.removeIf([](const auto &header) { return header.first == "X-Switchyard-Route"; });
    if (!route.isEmpty()) // none for the gateway's own estimate
        headers.append({ QByteArrayLiteral("X-Switchyard-Route"), route.toUtf8() });
    m_response.sendJson(200, headers,
        QJsonDocument(QJsonObject { { QStringLiteral("input_tokens"), qMax<qint64>(1, tokens) } })
            .toJson(QJsonDocument::Compact));
    deleteLater();
}

} // namespace Switchyard
