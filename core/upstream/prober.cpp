#include "upstream/prober.h"

#include "observe/redactor.h"
#include "routing/classifier.h"
#include "routing/clock.h"
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

Prober::Prober(
    UpstreamPool &upstreams, const Redactor &redactor, const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_upstreams(upstreams)
    , m_redactor(redactor)
    , m_clock(clock)
{
}

void Prober::probe(const ProbeTarget &target, Reported reported)
{
    const bool completion = target.completion;
    QNetworkReply *reply = send(target.provider, target.route, target.key, completion);
    const qint64 startedMs = m_clock.nowMs();
    const int timeoutMs = target.route.probe.timeoutMs;
    abortAfter(reply, timeoutMs);
    connect(reply, &QNetworkReply::finished, this,
        [this, reply, completion, startedMs, timeoutMs, reported = std::move(reported)] {
            reply->deleteLater();
            const UpstreamOutcome outcome = outcomeOf(reply, timeoutMs);
            ProbeResult probe;
            probe.completion = completion;
            if (completion) {
                const Classification classification
                    = Classifier::classify(outcome, QDateTime::currentDateTimeUtc());
                probe.ok = classification.failureClass == FailureClass::Ok;
                probe.result = probe.ok ? QStringLiteral("ok") : classification.reason;
            } else {
                probe.ok = outcome.httpStatus >= 200 && outcome.httpStatus < 300;
                probe.result = probe.ok
                    ? QStringLiteral("ok")
                    : Classifier::classify(outcome, QDateTime::currentDateTimeUtc()).reason;
            }
            // Upstreams echo the key they were sent in their 401s; this text reaches /admin,
            // the console and the event log.
            probe.result = m_redactor.redact(probe.result);
            probe.durationMs = m_clock.nowMs() - startedMs;
            reported(probe);
        });
}

QNetworkReply *Prober::send(const ProviderConfig &provider, const RouteConfig &route,
    const QByteArray &key, bool completion)
{
    if (const ProviderTranslator *translator = ProviderTranslator::forKind(provider.kind)) {
        const TranslatedRequest probe = translator->probeRequest(route, key, completion);
        QNetworkRequest request = UpstreamPool::requestTo(provider, probe.path);
        for (const auto &[name, value] : probe.headers)
            request.setRawHeader(name, value);
        return completion ? m_upstreams.post(request, probe.body) : m_upstreams.get(request);
    }
    QNetworkRequest request = UpstreamPool::requestTo(
        provider, completion ? QStringLiteral("/chat/completions") : QStringLiteral("/models"));
    if (!key.isEmpty())
        request.setRawHeader(
            QByteArrayLiteral("Authorization"), QByteArrayLiteral("Bearer ") + key);
    if (!completion)
        return m_upstreams.get(request);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    const QJsonObject body { { QStringLiteral("model"), route.model },
        { QStringLiteral("max_tokens"), 1 },
        { QStringLiteral("messages"),
            QJsonArray { QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                { QStringLiteral("content"), QStringLiteral("ping") } } } } };
    return m_upstreams.post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

void Prober::testProvider(const ProviderConfig &provider, const ResolvedSecret &key, Tested done)
{
    if (!key.ok) {
        done(false, FailureClass::Ok, QStringLiteral("not tested: ") + key.error);
        return;
    }
    RouteConfig route; // a models list needs no route; the translators only read its model
    route.provider = provider.name;
    QNetworkReply *reply = send(provider, route, key.value, false);
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
