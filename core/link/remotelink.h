#pragma once

#include "http/ssescanner.h"
#include "link/gatewaylink.h"

#include <QNetworkAccessManager>
#include <QPointer>
#include <QSslCertificate>
#include <QTimer>
#include <QUrl>

#include <deque>

class QNetworkReply;

namespace Switchyard {

// The console's link to a gateway running elsewhere — the service on this machine, or a remote
// one through a tunnel — over its admin API: one long-lived `/admin/events?view=console` stream
// brings the history and then every change; commands and config edits are admin calls. When the
// stream drops, the views keep what they showed and the link says since when it is down, then
// reconnects with a growing pause and replaces the history.
class RemoteLink final : public GatewayLink {
    Q_OBJECT
public:
    // `gateway`: http(s)://HOST:PORT; `token`: its admin token.
    RemoteLink(const QUrl &gateway, const QByteArray &token, QObject *parent = nullptr);
    ~RemoteLink() override;

    // Opens the event stream; connectionChanged and the history follow.
    void open();
    QUrl url() const { return m_base; }
    bool isConnected() const { return m_connected; }

    QString address() const override;
    QJsonObject configJson() const override;
    const Config &config() const override { return m_config; }
    QString configLocation() const override;
    void proposeConfig(const QJsonObject &json, QObject *context, Done done) override;
    void submit(const Switchyard::RouteCommand &command) override;
    void testProvider(const QString &provider) override;
    void reloadSecrets() override;
    void findTrace(const QString &id, QObject *context, TraceFound done) override;
    void readIncident(qint64 fromMs, qint64 toMs, QObject *context, IncidentRead done) override;
    void readBodies(const QString &traceId, QObject *context, BodiesRead done) override;
    void replay(
        const QString &traceId, const QString &route, QObject *context, Replayed done) override;
    bool readsThisKeychain() const override;

    // Certificates to trust beyond the system's, for a gateway whose HTTPS certificate is its own
    // (self-signed, or from a private authority). The gateway's certificate is always checked.
    void setCaCertificates(const QList<QSslCertificate> &certificates);
    // Pauses before reconnecting: the first, and the most it grows to. For tests.
    void setReconnectPauses(int firstMs, int mostMs);

private:
    struct Proposal {
        QJsonObject json;
        QPointer<QObject> context;
        Done done;
    };
    using Answer = std::function<void(int status, const QJsonObject &body, const QString &error)>;

    QNetworkRequest request(const QString &path) const;
    // `timeoutMs`: how long the call may go without a byte (a replay waits for a whole answer).
    void call(const QByteArray &verb, const QString &path, const QJsonObject &body, Answer answer,
        int timeoutMs = 30000);
    void openStream();
    void onStreamData();
    void onStreamEnded();
    void onEvent(const QByteArray &name, const QByteArray &data);
    void applyHistory(const QJsonObject &history);
    void fetchConfig();
    void adoptConfig(const QJsonObject &json);
    void proposeNext();
    void markDown(const QString &why);
    void scheduleReconnect();

    QUrl m_base;
    QByteArray m_token;
    QList<QSslCertificate> m_caCertificates;
    QNetworkAccessManager m_network;
    QPointer<QNetworkReply> m_stream;
    SseScanner m_scanner;
    QTimer m_reconnect;
    QTimer m_watchdog;
    int m_firstPauseMs = 500;
    int m_mostPauseMs = 10000;
    int m_pauseMs = 500;
    bool m_connected = false;
    bool m_hadHistory = false;
    QDateTime m_downSince;
    QString m_downWhy;

    QJsonObject m_json;
    Config m_config;
    std::deque<Proposal> m_proposals;
    bool m_proposing = false;
};

} // namespace Switchyard
