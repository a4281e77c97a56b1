#include "link/remotelink.h"

#include "config/configloader.h"
#include "link/attachment.h"
#include "proxy/adminjson.h"

#include <QUrlQuery>

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QSslConfiguration>

Q_LOGGING_CATEGORY(lcLink, "switchyard.link", QtInfoMsg)

namespace Switchyard {

namespace {

// A history is the newest 500 traces whole; room for them with long notes and many attempts.
constexpr qsizetype MaxEventBytes = 64 * 1024 * 1024;
// The gateway sends a keep-alive every 15 s; a stream silent for longer than this is dead even if
// no error says so (a suspended laptop, a dropped tunnel).
constexpr int SilenceMs = 45000;
// An admin answer larger than this is not one (a config, a history).
constexpr qint64 MaxAnswerBytes = 64 * 1024 * 1024;
// An error's message and details; an error answer longer than this is not one.
constexpr qint64 MaxErrorBytes = 64 * 1024;
constexpr qint64 StreamBufferBytes = 1024 * 1024;

QString errorText(const QJsonObject &body)
{
    const QJsonObject error = body.value(u"error").toObject();
    QStringList parts;
    const QJsonArray details = error.value(u"details").toArray();
    for (const QJsonValue &detail : details)
        parts.append(detail.toString());
    if (parts.isEmpty())
        parts.append(error.value(u"message").toString());
    return parts.join(QLatin1String("; "));
}

QString actionPath(RouteCommand::Action action)
{
    switch (action) {
    case RouteCommand::Action::Drain:
        return QStringLiteral("drain");
    case RouteCommand::Action::Restore:
    case RouteCommand::Action::RestoreStaged:
        return QStringLiteral("restore");
    case RouteCommand::Action::StageRecovery:
        return QStringLiteral("stage");
    case RouteCommand::Action::ProbeNow:
        return QStringLiteral("probe");
    case RouteCommand::Action::Drill:
        return QStringLiteral("drill");
    }
    return QString();
}

} // namespace

RemoteLink::RemoteLink(const QUrl &gateway, const QByteArray &token, QObject *parent)
    : GatewayLink(parent)
    , m_base(gateway.adjusted(QUrl::StripTrailingSlash | QUrl::RemoveQuery | QUrl::RemoveFragment))
    , m_token(token)
    , m_reconnect(this)
    , m_watchdog(this)
{
    m_scanner.setMaxEventBytes(MaxEventBytes);
    m_reconnect.setSingleShot(true);
    connect(&m_reconnect, &QTimer::timeout, this, &RemoteLink::openStream);
    m_watchdog.setSingleShot(true);
    m_watchdog.setInterval(SilenceMs);
    connect(&m_watchdog, &QTimer::timeout, this, [this] {
        if (m_stream)
            m_stream->abort(); // ends in onStreamEnded, which reconnects
    });
}

RemoteLink::~RemoteLink()
{
    if (m_stream) {
        m_stream->disconnect(this);
        m_stream->abort();
    }
}

void RemoteLink::setReconnectPauses(int firstMs, int mostMs)
{
    m_firstPauseMs = firstMs;
    m_mostPauseMs = mostMs;
    m_pauseMs = firstMs;
}

void RemoteLink::setCaCertificates(const QList<QSslCertificate> &certificates)
{
    m_caCertificates = certificates;
}

void RemoteLink::open()
{
    openStream();
}

QString RemoteLink::address() const
{
    return QStringLiteral("%1:%2")
        .arg(m_base.host())
        .arg(m_base.port(m_base.scheme() == QLatin1String("https") ? 443 : 80));
}

QJsonObject RemoteLink::configJson() const
{
    return m_proposals.empty() ? m_json : m_proposals.back().json;
}

QString RemoteLink::configLocation() const
{
    return m_base.toString(QUrl::RemoveUserInfo);
}

bool RemoteLink::readsThisKeychain() const
{
    // A gateway on this machine (the user's service) reads this user's keychain: a key set here
    // and then re-read there reaches it. One elsewhere has its own.
    return Attachment::onThisMachine(m_base);
}

QNetworkRequest RemoteLink::request(const QString &path) const
{
    QUrl url = m_base;
    const int query = path.indexOf(QLatin1Char('?'));
    url.setPath(m_base.path() + (query < 0 ? path : path.left(query)));
    if (query >= 0)
        url.setQuery(path.mid(query + 1));
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + m_token);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
        QNetworkRequest::ManualRedirectPolicy); // the token goes to the gateway named, nowhere else
    request.setTransferTimeout(30000);
    if (!m_caCertificates.isEmpty()) {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.addCaCertificates(m_caCertificates);
        request.setSslConfiguration(tls);
    }
    return request;
}

void RemoteLink::call(const QByteArray &verb, const QString &path, const QJsonObject &body,
    Answer answer, int timeoutMs)
{
    QNetworkRequest request = this->request(path);
    request.setTransferTimeout(timeoutMs);
    QNetworkReply *reply = nullptr;
    if (verb == "GET") {
        reply = m_network.get(request);
    } else {
        request.setHeader(
            QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        reply = m_network.post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
    }
    // Read as it comes, with the network thread's flow control on (it stops reading once a
    // megabyte waits unread), and cut off once it is no answer: larger than any (a history, a
    // config), or an error longer than any error message. Left to the network thread's buffer and
    // its progress reports instead, an endless answer was now and then not read on at all until
    // the transfer timeout ended it 30 s later.
    auto received = std::make_shared<QByteArray>();
    reply->setReadBufferSize(StreamBufferBytes);
    connect(reply, &QNetworkReply::readyRead, reply, [reply, received] {
        *received += reply->readAll();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (received->size() > (status >= 300 ? MaxErrorBytes : MaxAnswerBytes))
            reply->abort();
    });
    connect(reply, &QNetworkReply::finished, this, [reply, received, answer = std::move(answer)] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        *received += reply->readAll();
        const QJsonObject json = QJsonDocument::fromJson(*received).object();
        QString error;
        if (status == 0)
            error = reply->errorString();
        else if (status >= 300)
            error = errorText(json).isEmpty() ? QStringLiteral("HTTP %1").arg(status)
                                              : errorText(json);
        answer(status, json, error);
    });
}

void RemoteLink::openStream()
{
    if (m_stream)
        return;
    m_scanner = SseScanner();
    m_scanner.setMaxEventBytes(MaxEventBytes);
    QNetworkRequest request = this->request(QStringLiteral("/admin/events?view=console"));
    request.setTransferTimeout(0); // a stream lasts; the watchdog notices one gone silent
    request.setRawHeader("Accept", "text/event-stream");
    m_stream = m_network.get(request);
    // Flow control: the network thread stops reading once this much waits unread, so a gateway
    // that never stops talking fills socket buffers, not this process (onStreamData reads it all
    // as it comes, and hangs up on an error body long before the limit).
    m_stream->setReadBufferSize(StreamBufferBytes);
    m_watchdog.start();
    connect(m_stream, &QNetworkReply::readyRead, this, &RemoteLink::onStreamData);
    connect(m_stream, &QNetworkReply::finished, this, &RemoteLink::onStreamEnded);
}

void RemoteLink::onStreamData()
{
    if (!m_stream)
        return;
    m_watchdog.start();
    if (m_stream->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 200) {
        // An error answer, read whole when it ends; one that goes on and on is not one.
        if (m_stream->bytesAvailable() > MaxErrorBytes)
            m_stream->abort();
        return;
    }
    const QList<SseScanner::Event> events = m_scanner.feed(m_stream->readAll());
    for (const SseScanner::Event &event : events)
        onEvent(event.event, event.data);
    if (m_scanner.overflowed() && m_stream)
        m_stream->abort();
}

void RemoteLink::onStreamEnded()
{
    QNetworkReply *stream = m_stream;
    m_stream = nullptr;
    m_watchdog.stop();
    if (!stream)
        return;
    stream->deleteLater();
    const int status = stream->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    QString why;
    if (status == 401)
        why = tr("the gateway refused the admin token");
    else if (status != 0 && status != 200)
        why = tr("the gateway answered %1: %2")
                  .arg(status)
                  .arg(errorText(QJsonDocument::fromJson(stream->readAll()).object()));
    else if (m_scanner.overflowed())
        why = tr("the gateway sent an event too large to read");
    else if (stream->error() != QNetworkReply::NoError)
        why = stream->errorString();
    else
        why = tr("the gateway closed the connection");
    markDown(why);
    scheduleReconnect();
}

void RemoteLink::markDown(const QString &why)
{
    const bool wasUp = m_connected;
    m_connected = false;
    if (wasUp || m_downSince.isNull())
        m_downSince = QDateTime::currentDateTime();
    if (wasUp || why != m_downWhy) {
        m_downWhy = why;
        qCWarning(lcLink).noquote() << m_base.toString() << "disconnected:" << why;
        Q_EMIT connectionChanged(false, m_downSince, why);
    }
}

void RemoteLink::scheduleReconnect()
{
    m_reconnect.start(m_pauseMs);
    m_pauseMs = qMin(m_pauseMs * 2, m_mostPauseMs);
}

void RemoteLink::onEvent(const QByteArray &name, const QByteArray &data)
{
    const QJsonObject json = QJsonDocument::fromJson(data).object();
    if (name == "history") {
        applyHistory(json);
    } else if (name == "routes") {
        Q_EMIT routesUpdated(AdminJson::toRoutes(json.value(u"routes").toArray()));
    } else if (name == "traces") {
        const QList<TraceRecord> traces = AdminJson::listOf<TraceRecord>(
            json.value(u"traces"), [](const QJsonObject &t) { return TraceRecord::fromJson(t); });
        const QList<CostPoint> cost
            = AdminJson::listOf<CostPoint>(json.value(u"cost"), AdminJson::toCost);
        if (!traces.isEmpty())
            Q_EMIT tracesAdded(traces);
        if (!cost.isEmpty())
            Q_EMIT costAdded(cost);
    } else if (name == "providers") {
        Q_EMIT providersUpdated(AdminJson::listOf<ProviderSnapshot>(
            json.value(u"providers"), AdminJson::toProvider, AdminJson::MaxProvidersListed));
    } else if (name == "fleet_status") {
        Q_EMIT fleetUpdated(AdminJson::toFleet(json));
    } else if (name == "state" || name == "fleet") {
        Q_EMIT eventRecorded(AdminJson::toEvent(json));
    } else if (name == "config") {
        Q_EMIT eventRecorded(AdminJson::toEvent(json));
        fetchConfig(); // changed there: by its file, its own console, another operator
    } else if (name == "storage") {
        Q_EMIT storageProblemChanged(
            json.value(u"ok").toBool(true) ? QString() : json.value(u"problem").toString());
    }
}

void RemoteLink::applyHistory(const QJsonObject &history)
{
    // A reconnection brings the whole recent past again: it replaces what was shown.
    if (std::exchange(m_hadHistory, true))
        Q_EMIT historyCleared();
    m_connected = true;
    m_downSince = QDateTime();
    m_downWhy.clear();
    m_pauseMs = m_firstPauseMs;
    qCInfo(lcLink).noquote() << "attached to" << m_base.toString();
    Q_EMIT connectionChanged(true, QDateTime(), QString());
    Q_EMIT addressChanged(address());
    fetchConfig();
    Q_EMIT historyPublished(AdminJson::listOf<TraceRecord>(history.value(u"traces"),
                                [](const QJsonObject &t) { return TraceRecord::fromJson(t); }),
        AdminJson::listOf<StateEvent>(history.value(u"events"), AdminJson::toEvent),
        AdminJson::listOf<CostPoint>(history.value(u"cost"), AdminJson::toCost));
    Q_EMIT routesUpdated(AdminJson::toRoutes(history.value(u"routes").toArray()));
    Q_EMIT providersUpdated(AdminJson::listOf<ProviderSnapshot>(
        history.value(u"providers"), AdminJson::toProvider, AdminJson::MaxProvidersListed));
    Q_EMIT fleetUpdated(AdminJson::toFleet(history.value(u"fleet").toObject()));
}

void RemoteLink::fetchConfig()
{
    call("GET", QStringLiteral("/admin/config"), {},
        [this](int, const QJsonObject &json, const QString &error) {
            if (!error.isEmpty()) {
                qCWarning(lcLink).noquote() << "cannot read the gateway's configuration:" << error;
                return;
            }
            // An edit of ours on its way will be adopted when answered.
            if (m_proposals.empty() && json != m_json) {
                const bool first = m_json.isEmpty();
                adoptConfig(json);
                if (!first)
                    Q_EMIT configChangedElsewhere();
            }
        });
}

void RemoteLink::adoptConfig(const QJsonObject &json)
{
    const ConfigResult result = ConfigLoader::fromObject(json, ConfigLoader::Files::Elsewhere);
    if (!result.isValid()) {
        qCWarning(lcLink).noquote() << "the gateway's configuration does not validate here:"
                                    << result.errors.join(QLatin1String("; "));
        return;
    }
    m_json = json;
    m_config = result.config;
    Q_EMIT configApplied(m_config);
}

void RemoteLink::proposeConfig(const QJsonObject &json, QObject *context, Done done)
{
    const ConfigResult result = ConfigLoader::fromObject(json, ConfigLoader::Files::Elsewhere);
    if (!result.isValid()) {
        done(result.errors);
        return;
    }
    m_proposals.push_back({ json, context, std::move(done) });
    if (!m_proposing)
        proposeNext();
}

void RemoteLink::proposeNext()
{
    if (m_proposals.empty()) {
        m_proposing = false;
        return;
    }
    m_proposing = true;
    QJsonObject body = m_proposals.front().json;
    // The console's views ask before they send a key somewhere new (and say where); the
    // gateway's own check would only ask the same question again.
    body.insert(QStringLiteral("confirm_secret_destinations"), true);
    call("POST", QStringLiteral("/admin/config"), body,
        [this](int status, const QJsonObject &answer, const QString &error) {
            Proposal proposal = std::move(m_proposals.front());
            m_proposals.pop_front();
            QStringList errors;
            if (status == 200) {
                adoptConfig(proposal.json);
                const QString notSaved = answer.value(u"not_saved").toString();
                if (!notSaved.isEmpty())
                    errors.append(
                        QStringLiteral("applied to the running gateway, but %1").arg(notSaved));
            } else {
                errors.append(error);
            }
            if (proposal.context)
                proposal.done(errors);
            proposeNext();
        });
}

void RemoteLink::submit(const RouteCommand &command)
{
    QJsonObject body;
    if (command.action == RouteCommand::Action::Restore
        || command.action == RouteCommand::Action::RestoreStaged)
        body.insert(
            QStringLiteral("staged"), command.action == RouteCommand::Action::RestoreStaged);
    if (command.action == RouteCommand::Action::Drill) {
        body.insert(QStringLiteral("fault"), drillFaultName(command.fault));
        body.insert(QStringLiteral("seconds"), command.seconds);
    }
    const QString path = QStringLiteral("/admin/routes/%1/%2")
                             .arg(QString::fromLatin1(QUrl::toPercentEncoding(command.route)),
                                 actionPath(command.action));
    call("POST", path, body, [this](int, const QJsonObject &, const QString &error) {
        if (!error.isEmpty())
            Q_EMIT commandFailed(error);
    });
}

void RemoteLink::findTrace(const QString &id, QObject *context, TraceFound done)
{
    QPointer<QObject> guard(context);
    call("GET",
        QStringLiteral("/admin/traces/%1").arg(QString::fromLatin1(QUrl::toPercentEncoding(id))),
        {}, [guard, done = std::move(done)](int status, const QJsonObject &json, const QString &) {
            if (!guard)
                return;
            done(status == 200 && json.contains(QLatin1String("id"))
                    ? std::optional<TraceRecord>(TraceRecord::fromJson(json))
                    : std::nullopt);
        });
}

void RemoteLink::readBodies(const QString &traceId, QObject *context, BodiesRead done)
{
    QPointer<QObject> guard(context);
    call("GET",
        QStringLiteral("/admin/traces/%1/bodies")
            .arg(QString::fromLatin1(QUrl::toPercentEncoding(traceId))),
        {},
        [guard, done = std::move(done)](int status, const QJsonObject &json, const QString &error) {
            if (!guard)
                return;
            if (status == 404)
                done(std::nullopt, QString());
            else if (status != 200 || !error.isEmpty())
                done(std::nullopt, error);
            else if (std::optional<CapturedBodies> bodies = CapturedBodies::fromJson(json))
                done(bodies, QString());
            else
                done(std::nullopt, QStringLiteral("the gateway's answer is not a capture"));
        });
}

void RemoteLink::replay(
    const QString &traceId, const QString &route, QObject *context, Replayed done)
{
    QPointer<QObject> guard(context);
    call(
        "POST",
        QStringLiteral("/admin/traces/%1/replay")
            .arg(QString::fromLatin1(QUrl::toPercentEncoding(traceId))),
        { { QStringLiteral("route"), route } },
        [guard, route, done = std::move(done)](
            int status, const QJsonObject &json, const QString &error) {
            if (!guard)
                return;
            ReplayResult result = ReplayResult::fromJson(json);
            result.route = route;
            if (status != 200 || !error.isEmpty()) {
                result.sent = false;
                result.error = error;
            }
            done(result);
        },
        15 * 60 * 1000);
}

void RemoteLink::readIncident(qint64 fromMs, qint64 toMs, QObject *context, IncidentRead done)
{
    QUrlQuery query;
    if (fromMs >= 0)
        query.addQueryItem(QStringLiteral("from"), QString::number(fromMs));
    if (toMs >= 0)
        query.addQueryItem(QStringLiteral("to"), QString::number(toMs));
    const QString path = query.isEmpty()
        ? QStringLiteral("/admin/incident")
        : QStringLiteral("/admin/incident?") + query.toString(QUrl::FullyEncoded);
    QPointer<QObject> guard(context);
    call("GET", path, {},
        [guard, done = std::move(done)](int status, const QJsonObject &json, const QString &error) {
            if (!guard)
                return;
            if (status != 200 || !error.isEmpty())
                done(IncidentReport(),
                    error.isEmpty() ? QStringLiteral("the gateway answered %1").arg(status)
                                    : error);
            else
                done(AdminJson::toIncident(json), QString());
        });
}

void RemoteLink::testProvider(const QString &provider)
{
    call("POST",
        QStringLiteral("/admin/providers/%1/test")
            .arg(QString::fromLatin1(QUrl::toPercentEncoding(provider))),
        {}, [this](int, const QJsonObject &, const QString &error) {
            if (!error.isEmpty())
                Q_EMIT commandFailed(error);
        });
}

void RemoteLink::reloadSecrets()
{
    call("POST", QStringLiteral("/admin/keys/reload"), {},
        [this](int, const QJsonObject &, const QString &error) {
            if (!error.isEmpty())
                Q_EMIT commandFailed(error);
        });
}

} // namespace Switchyard
