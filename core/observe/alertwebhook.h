#pragma once

#include "config/config.h"

#include <QHash>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QObject>
#include <QSet>
#include <QUrl>

namespace Switchyard {

// Sends the gateway's alerts to an incoming webhook (issue 19), for the people who are not
// looking at a console: a breaker that opened, a lane that ran degraded or has no route left, a
// lane's spend at 80% and 100% of its daily cap. The body is what Slack's incoming webhooks take
// ({"text": …}), with the same facts as fields for anything else. Only what happens live is sent
// (nothing from history), the same alert at most once in RepeatMs, a few at a time; a webhook
// that fails is logged by host only, since its URL is a secret. Engine thread only.
class AlertWebhook final : public QObject {
    Q_OBJECT
public:
    static constexpr qint64 RepeatMs = 5 * 60 * 1000;
    static constexpr int MaxInFlight = 4;

    explicit AlertWebhook(QObject *parent = nullptr);

    // Why `target` cannot receive alerts, or nothing: not an http(s) URL, or plain http to
    // another machine (the token in its URL would cross the network in clear text).
    static QString refusalOf(const QUrl &target);

    // An empty `target` sends nothing. `gateway`: how the messages name this gateway.
    void configure(
        const QUrl &target, const QList<AlertSettings::Event> &on, const QString &gateway);
    bool isActive() const { return !m_target.isEmpty(); }

    void breakerOpened(const QString &route, const QString &reason, qint64 nowMs);
    void laneDegraded(const QString &lane, const QString &answeredBy, qint64 nowMs);
    // The lanes that have no route they would try now: those that newly have none are sent.
    void lanesWithoutRoute(const QStringList &lanes, qint64 nowMs);
    // A lane's spend of the UTC day starting at `dayStartMs`, against its cap.
    void laneSpend(
        const QString &lane, double spentUsd, double capUsd, qint64 dayStartMs, qint64 nowMs);

Q_SIGNALS:
    // A post ended: taken by the webhook (2xx) or not, or dropped because too many were out.
    void posted(const QString &event, bool ok);

private:
    // False when the alert could not go out now (too many unanswered): the caller may try again.
    bool post(AlertSettings::Event event, const QString &subject, const QString &text,
        QJsonObject fields, qint64 nowMs);

    QNetworkAccessManager m_network;
    QUrl m_target;
    QList<AlertSettings::Event> m_on;
    QString m_gateway;
    QHash<QString, qint64> m_lastSent; // "event subject" → when
    QSet<QString> m_withoutRoute; // lanes known to have no route
    QHash<QString, int> m_capLevel; // "day lane cap" → 80 or 100 (the percent already said)
    int m_inFlight = 0;
};

} // namespace Switchyard
