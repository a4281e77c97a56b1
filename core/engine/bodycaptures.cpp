#include "engine/bodycaptures.h"

#include <QDateTime>
#include <QFile>
#include <QHostAddress>
#include <QLoggingCategory>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslError>

Q_DECLARE_LOGGING_CATEGORY(lcBodies)

namespace Switchyard {

namespace {

// A replay waits for its answer as long as any lane may (the gateway's own deadline ends it
// first), and never forever.
constexpr int ReplayTimeoutMs = 15 * 60 * 1000;

} // namespace

BodyCaptures::BodyCaptures(QObject *parent)
    : QObject(parent)
{
}

BodyCaptures::~BodyCaptures() = default;

void BodyCaptures::configure(const CaptureSettings &settings, const QString &journalPath)
{
    m_settings = settings;
    const QString path = journalPath.isEmpty() ? QString() : BodyStore::pathBeside(journalPath);
    if (path != m_storePath) {
        m_store.reset();
        m_storePath = path;
    }
    // Bodies once kept stay readable (and are deleted in time) after capture is turned off.
    if (!m_store && !m_storePath.isEmpty() && (settings.enabled() || QFile::exists(m_storePath))) {
        auto store = std::make_unique<BodyStore>();
        QString error;
        if (store->open(m_storePath, &error))
            m_store = std::move(store);
        else
            qCWarning(lcBodies).noquote() << "request bodies cannot be kept:" << error;
    }
    if (m_store) {
        m_store->setRetentionHours(settings.retentionHours);
        m_store->prune(QDateTime::currentMSecsSinceEpoch());
    }
}

void BodyCaptures::setListener(
    const QString &host, quint16 port, const QList<QSslCertificate> &certificate)
{
    m_listenHost = host;
    m_listenPort = port;
    m_certificate = certificate;
}

void BodyCaptures::record(UnredactedCapture &&capture)
{
    if (m_store)
        m_store->store(std::move(capture));
}

void BodyCaptures::read(const QString &traceId, BodyStore::BodiesRead done)
{
    if (!m_store) {
        QMetaObject::invokeMethod(
            this, [done] { done(std::nullopt); }, Qt::QueuedConnection);
        return;
    }
    m_store->read(traceId, this, std::move(done));
}

void BodyCaptures::flush()
{
    if (m_store)
        m_store->flush();
}

void BodyCaptures::replay(const QString &traceId, const QString &route, Replayed done)
{
    read(traceId,
        [this, traceId, route, done = std::move(done)](
            const std::optional<CapturedBodies> &bodies) {
            ReplayResult refused;
            refused.route = route;
            if (!bodies) {
                refused.noBodies = true;
                refused.error = QStringLiteral("No bodies were kept of trace '%1' "
                                               "(capture.bodies keeps them).")
                                    .arg(traceId.left(128));
            } else if (m_listenPort == 0) {
                refused.error = QStringLiteral("The gateway is not listening.");
            } else {
                refused.error = bodies->replayRefusal();
            }
            if (!refused.error.isEmpty()) {
                done(refused);
                return;
            }
            send(*bodies, route, done);
        });
}

void BodyCaptures::send(const CapturedBodies &bodies, const QString &route, Replayed done)
{
    if (!m_network)
        m_network = new QNetworkAccessManager(this);
    // A wildcard listener is reached on loopback; any other on its own address.
    QString host = m_listenHost;
    const QHostAddress address(host);
    if (host.isEmpty() || address == QHostAddress::AnyIPv4 || address == QHostAddress::Any)
        host = QStringLiteral("127.0.0.1");
    else if (address == QHostAddress::AnyIPv6)
        host = QStringLiteral("::1");
    QUrl url;
    url.setScheme(m_certificate.isEmpty() ? QStringLiteral("http") : QStringLiteral("https"));
    url.setHost(host);
    url.setPort(m_listenPort);
    url.setPath(bodies.path());
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    for (const auto &[name, value] : bodies.callerHeaders)
        request.setRawHeader(name.toLatin1(), value.toUtf8());
    request.setTransferTimeout(ReplayTimeoutMs);
    QNetworkReply *reply = m_network->post(request, bodies.requestFor(route));
    if (!m_certificate.isEmpty()) {
        // The gateway's own certificate, for this call only: nothing else is trusted more.
        connect(reply, &QNetworkReply::sslErrors, reply,
            [reply, certificate = m_certificate.constFirst()](const QList<QSslError> &errors) {
                QList<QSslError> ours;
                for (const QSslError &error : errors) {
                    if (error.certificate() == certificate)
                        ours.append(error);
                }
                if (ours.size() == errors.size())
                    reply->ignoreSslErrors(ours);
            });
    }
    auto result = std::make_shared<ReplayResult>();
    result->route = route;
    connect(reply, &QNetworkReply::readyRead, reply, [reply, result] {
        const QByteArray data = reply->readAll();
        const qint64 room = ReplayKeptBytes - result->body.size();
        result->body.append(data.left(qMax<qint64>(0, room)));
        result->cut = result->cut || data.size() > room;
    });
    connect(reply, &QNetworkReply::finished, this, [reply, result, done] {
        reply->deleteLater();
        result->status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        result->traceId = QString::fromUtf8(reply->rawHeader("X-Switchyard-Request-Id"));
        result->sent = result->status > 0;
        // Below 100, the transport failed; an HTTP error status is an answer like any other.
        const int error = int(reply->error());
        if (error > 0 && error < 100)
            result->error = result->sent
                ? QStringLiteral("The answer broke off: %1").arg(reply->errorString())
                : QStringLiteral("The replay got no answer: %1").arg(reply->errorString());
        done(*result);
    });
}

} // namespace Switchyard
