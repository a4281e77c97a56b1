#include "upstream/prober.h"

#include "engine/engine.h"
#include "routing/classifier.h"
#include "routing/routestate.h"
#include "translate/providertranslator.h"
#include "upstream/upstreampool.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

namespace Switchyard {

namespace {

constexpr int ProviderTestTimeoutMs = 10000;

UpstreamOutcome outcomeOf(QNetworkReply *reply, int timeoutMs)
{
    UpstreamOutcome outcome;
    outcome.httpStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    outcome.body = reply->readAll();
    if (reply->property("probeTimedOut").toBool()) {
        outcome.httpStatus = 0;
        outcome.transport = TransportError::Timeout;
        outcome.transportDetail = QStringLiteral("timeout after %1 ms").arg(timeoutMs);
    } else if (reply->error() != QNetworkReply::NoError) {
        outcome.transport = UpstreamPool::transportError(reply->error());
        outcome.transportDetail = reply->errorString();
    }
    return outcome;
}

void abortAfter(QNetworkReply *reply, int timeoutMs)
{
    auto *timeout = new QTimer(reply);
    timeout->setSingleShot(true);
    QObject::connect(timeout, &QTimer::timeout, reply, [reply] {
        reply->setProperty("probeTimedOut", true);
        reply->abort();
    });
    timeout->start(timeoutMs);
}

} // namespace

Prober::Prober(Engine *engine)
    : QObject(engine)
    , m_engine(engine)
{
}

void Prober::probeDueRoutes()
{
    const std::shared_ptr<const ActiveConfig> active = m_engine->activeConfig();
    const qint64 now = m_engine->clock().nowMs();
    for (const RouteConfig &route : active->config.routes) {
        RouteState &state = m_engine->routeState(route.name);
        if (state.probeInFlight)
            continue;
        const qint64 sinceProbe = now - state.lastProbeMs;
        bool due = false;
        switch (state.breaker.state()) {
        case BreakerState::HalfOpen:
            due = state.breaker.trialsAvailable() > 0;
            break;
        case BreakerState::Closed:
        case BreakerState::Recovering:
            // Only idle routes: real traffic already tells how they are.
            due = sinceProbe >= route.probe.intervalMs
                && now - state.lastTrafficMs >= route.probe.intervalMs;
            break;
        case BreakerState::Drained:
            due = sinceProbe
                >= route.probe.intervalMs; // so the operator sees when it is healthy again
            break;
        case BreakerState::Open: // quiet while it cools down
        case BreakerState::Drilling:
            break;
        }
        if (due)
            probe(route.name);
    }
}

bool Prober::probe(const QString &routeName)
{
    const std::shared_ptr<const ActiveConfig> active = m_engine->activeConfig();
    const auto routeIt = active->config.routes.constFind(routeName);
    if (routeIt == active->config.routes.cend())
        return false;
    const RouteConfig &route = *routeIt;
    const ProviderConfig &provider = active->config.providers.find(route.provider).value();
    RouteState &state = m_engine->routeState(routeName);
    if (state.probeInFlight)
        return true;
    const ResolvedSecret key = active->providerKeys.value(route.provider);
    state.lastProbeMs = m_engine->clock().nowMs();
    if (!key.ok) {
        state.lastProbeOk = false;
        state.lastProbeResult = QStringLiteral("not probed: ") + key.error;
        return false;
    }

    const bool completion = route.probe.kind == QLatin1String("completion");
    QNetworkReply *reply = send(provider, route, key.value, completion);
    state.probeInFlight = true;
    const qint64 startedMs = state.lastProbeMs;
    abortAfter(reply, route.probe.timeoutMs);

    const int timeoutMs = route.probe.timeoutMs;
    connect(reply, &QNetworkReply::finished, this,
        [this, reply, routeName, completion, startedMs, timeoutMs] {
            reply->deleteLater();
            const UpstreamOutcome outcome = outcomeOf(reply, timeoutMs);
            bool ok;
            QString result;
            if (completion) {
                const Classification classification
                    = Classifier::classify(outcome, QDateTime::currentDateTimeUtc());
                ok = classification.failureClass == FailureClass::Ok;
                result = ok ? QStringLiteral("ok") : classification.reason;
            } else {
                ok = outcome.httpStatus >= 200 && outcome.httpStatus < 300;
                result = ok ? QStringLiteral("ok")
                            : Classifier::classify(outcome, QDateTime::currentDateTimeUtc()).reason;
            }
            // Upstreams echo the key they were sent in their 401s; this text reaches /admin,
            // the console and the event log.
            result = m_engine->redactor().redact(result);
            // The config may have been swapped while the probe ran; a route that is gone has no
            // state.
            if (!m_engine->activeConfig()->config.routes.contains(routeName))
                return;
            RouteState &state = m_engine->routeState(routeName);
            const qint64 durationMs = m_engine->clock().nowMs() - startedMs;
            state.probeInFlight = false;
            state.lastProbeOk = ok;
            state.lastProbeResult = result;
            state.breaker.recordProbe(ok, durationMs, result);
            m_engine->markRoutesChanged();
        });
    return true;
}

QNetworkReply *Prober::send(const ProviderConfig &provider, const RouteConfig &route,
    const QByteArray &key, bool completion)
{
    if (const ProviderTranslator *translator = ProviderTranslator::forKind(provider.kind)) {
        const TranslatedRequest probe = translator->probeRequest(route, key, completion);
        QNetworkRequest request(UpstreamPool::endpointUrl(provider.baseUrl, probe.path));
        for (const auto &[name, value] : probe.headers)
            request.setRawHeader(name, value);
        return completion ? m_engine->upstreams().post(request, probe.body)
                          : m_engine->upstreams().get(request);
    }
    QNetworkRequest request(UpstreamPool::endpointUrl(provider.baseUrl,
        completion ? QStringLiteral("/chat/completions") : QStringLiteral("/models")));
    if (!key.isEmpty())
        request.setRawHeader(
            QByteArrayLiteral("Authorization"), QByteArrayLiteral("Bearer ") + key);
    if (!completion)
        return m_engine->upstreams().get(request);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    const QJsonObject body { { QStringLiteral("model"), route.model },
        { QStringLiteral("max_tokens"), 1 },
        { QStringLiteral("messages"),
            QJsonArray { QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                { QStringLiteral("content"), QStringLiteral("ping") } } } } };
    return m_engine->upstreams().post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

void Prober::testProvider(const QString &providerName, Tested done)
{
    const std::shared_ptr<const ActiveConfig> active = m_engine->activeConfig();
    const auto provider = active->config.providers.constFind(providerName);
    if (provider == active->config.providers.cend()) {
        done(
            false, FailureClass::Ok, QStringLiteral("there is no provider '%1'").arg(providerName));
        return;
    }
    const ResolvedSecret key = active->providerKeys.value(providerName);
    if (!key.ok) {
        done(false, FailureClass::Ok, QStringLiteral("not tested: ") + key.error);
        return;
    }
    RouteConfig route; // a models list needs no route; the translators only read its model
    route.provider = providerName;
    QNetworkReply *reply = send(*provider, route, key.value, false);
    abortAfter(reply, ProviderTestTimeoutMs);
    connect(reply, &QNetworkReply::finished, this, [reply, done] {
        reply->deleteLater();
        const UpstreamOutcome outcome = outcomeOf(reply, ProviderTestTimeoutMs);
        const bool listed = outcome.transport == TransportError::None && outcome.httpStatus >= 200
            && outcome.httpStatus < 300;
        if (!listed) {
            // Only failures are classified: a models list is not a completion to judge.
            const Classification classification
                = Classifier::classify(outcome, QDateTime::currentDateTimeUtc());
            done(true, classification.failureClass, classification.reason);
            return;
        }
        // OpenAI and Anthropic both list models under "data".
        const QJsonValue models
            = QJsonDocument::fromJson(outcome.body).object().value(QLatin1String("data"));
        done(true, FailureClass::Ok,
            models.isArray() ? QStringLiteral("ok: %1 %2 listed")
                                   .arg(models.toArray().size())
                                   .arg(models.toArray().size() == 1 ? QStringLiteral("model")
                                                                     : QStringLiteral("models"))
                             : QStringLiteral("ok: HTTP %1").arg(outcome.httpStatus));
    });
}

} // namespace Switchyard
