#include "observe/alertwebhook.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QMetaEnum>
#include <QNetworkReply>
#include <QNetworkRequest>

Q_LOGGING_CATEGORY(lcAlerts, "switchyard.alerts")

namespace Switchyard {

namespace {

constexpr int PostTimeoutMs = 10000;

} // namespace

AlertWebhook::AlertWebhook(QObject *parent)
    : QObject(parent)
{
    // The webhook named, nowhere else: a redirect would take its alerts (and its token in the
    // path, on a same-site redirect) where the user never said.
    m_network.setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
}

QString AlertWebhook::refusalOf(const QUrl &target)
{
    const QString scheme = target.scheme();
    if (!target.isValid() || target.host().isEmpty()
        || (scheme != QLatin1String("https") && scheme != QLatin1String("http")))
        return QStringLiteral("is not an http(s) URL");
    if (scheme == QLatin1String("http") && !isLoopbackHost(target.host()))
        return QStringLiteral("is plain http to another machine; use https");
    return QString();
}

void AlertWebhook::configure(
    const QUrl &target, const QList<AlertSettings::Event> &on, const QString &gateway)
{
    m_target = target;
    m_on = on;
    m_gateway = gateway;
}

void AlertWebhook::breakerOpened(const QString &route, const QString &reason, qint64 nowMs)
{
    post(AlertSettings::Event::BreakerOpened, route,
        QStringLiteral("Breaker of route %1 opened on %2: %3").arg(route, m_gateway, reason),
        { { QStringLiteral("route"), route }, { QStringLiteral("reason"), reason } }, nowMs);
}

void AlertWebhook::laneDegraded(const QString &lane, const QString &answeredBy, qint64 nowMs)
{
    post(AlertSettings::Event::LaneDegraded, lane,
        QStringLiteral("Lane %1 runs degraded on %2: every route of its chain failed, %3 answered")
            .arg(lane, m_gateway, answeredBy),
        { { QStringLiteral("lane"), lane }, { QStringLiteral("route"), answeredBy } }, nowMs);
}

void AlertWebhook::lanesWithoutRoute(const QStringList &lanes, qint64 nowMs)
{
    QSet<QString> said;
    for (const QString &lane : lanes) {
        if (m_withoutRoute.contains(lane)
            || post(AlertSettings::Event::LaneWithoutRoute, lane,
                QStringLiteral("Lane %1 has no route it can use on %2: its requests fail")
                    .arg(lane, m_gateway),
                { { QStringLiteral("lane"), lane } }, nowMs))
            said.insert(lane);
    }
    // A lane that has a route again is said again when it loses it; one whose alert could not go
    // out is tried again at the next change.
    m_withoutRoute = said;
}

void AlertWebhook::laneSpend(
    const QString &lane, double spentUsd, double capUsd, qint64 dayStartMs, qint64 nowMs)
{
    if (capUsd <= 0)
        return;
    const int level = spentUsd >= capUsd ? 100 : spentUsd >= 0.8 * capUsd ? 80 : 0;
    // A cap raised during the day is a new cap: its own 80% and 100% are said.
    const QString key
        = QStringLiteral("%1 %2 %3").arg(dayStartMs).arg(lane).arg(capUsd, 0, 'g', 17);
    if (level <= m_capLevel.value(key))
        return;
    // Yesterday's levels are done with.
    for (auto it = m_capLevel.begin(); it != m_capLevel.end();) {
        if (!it.key().startsWith(QString::number(dayStartMs) + QLatin1Char(' ')))
            it = m_capLevel.erase(it);
        else
            ++it;
    }
    const bool sent = post(AlertSettings::Event::SpendCap,
        QStringLiteral("%1 %2 %3").arg(lane).arg(level).arg(capUsd, 0, 'g', 17),
        level == 100 ? QStringLiteral("Lane %1 reached its spend cap on %2 ($%3 of $%4 today): "
                                      "its requests are refused until tomorrow (UTC)")
                           .arg(lane, m_gateway)
                           .arg(spentUsd, 0, 'f', 2)
                           .arg(capUsd, 0, 'f', 2)
                     : QStringLiteral("Lane %1 has spent 80% of its cap on %2 ($%3 of $%4 today)")
                           .arg(lane, m_gateway)
                           .arg(spentUsd, 0, 'f', 2)
                           .arg(capUsd, 0, 'f', 2),
        { { QStringLiteral("lane"), lane }, { QStringLiteral("percent"), level },
            { QStringLiteral("spent_usd"), spentUsd }, { QStringLiteral("cap_usd"), capUsd } },
        nowMs);
    if (sent) // else the next request's spend tries again
        m_capLevel.insert(key, level);
}

bool AlertWebhook::post(AlertSettings::Event event, const QString &subject, const QString &text,
    QJsonObject fields, qint64 nowMs)
{
    if (m_target.isEmpty() || !m_on.contains(event))
        return true; // not wanted: nothing to try again
    const QString name = AlertSettings::eventName(event);
    const QString key = name + QLatin1Char(' ') + subject;
    const auto last = m_lastSent.constFind(key);
    if (last != m_lastSent.cend() && nowMs - *last < RepeatMs)
        return true;
    if (m_inFlight >= MaxInFlight) {
        // A webhook that does not answer must not gather requests without end.
        qCWarning(lcAlerts).noquote() << "alert not sent, the webhook at" << m_target.host()
                                      << "has" << m_inFlight << "unanswered:" << text;
        Q_EMIT posted(name, false);
        return false;
    }
    m_lastSent.insert(key, nowMs);
    if (m_lastSent.size() > 10000)
        m_lastSent.clear(); // bounded, whatever names a broken config produces
    fields.insert(QStringLiteral("text"), text);
    fields.insert(QStringLiteral("event"), name);
    fields.insert(QStringLiteral("gateway"), m_gateway);
    fields.insert(QStringLiteral("at"),
        QDateTime::fromMSecsSinceEpoch(nowMs, Qt::UTC).toString(Qt::ISODateWithMs));
    QNetworkRequest request(m_target);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setTransferTimeout(PostTimeoutMs);
    ++m_inFlight;
    QNetworkReply *reply
        = m_network.post(request, QJsonDocument(fields).toJson(QJsonDocument::Compact));
    connect(reply, &QNetworkReply::finished, this, [this, reply, name] {
        reply->deleteLater();
        --m_inFlight;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const bool ok = status >= 200 && status < 300;
        if (!ok)
            qCWarning(lcAlerts).noquote()
                << "the webhook at" << m_target.host() << "did not take the alert:"
                << (status ? QStringLiteral("HTTP %1").arg(status)
                           // errorString() would name the URL, and so its token.
                           : QString::fromLatin1(
                               QMetaEnum::fromType<QNetworkReply::NetworkError>().valueToKey(
                                   reply->error())));
        Q_EMIT posted(name, ok);
    });
    return true;
}

} // namespace Switchyard
