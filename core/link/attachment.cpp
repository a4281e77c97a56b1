#include "link/attachment.h"

#include "secrets/admintokenfile.h"
#include "secrets/secretstore.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>
#include <QSslConfiguration>

#include <unistd.h>

namespace Switchyard::Attachment {

namespace {

constexpr int ProbeTimeoutMs = 3000;

// The port a gateway's URL reaches, its scheme's default when it names none.
int portOf(const QUrl &gateway)
{
    return gateway.port(gateway.scheme() == QLatin1String("https") ? 443 : 80);
}

// Whether a socket of this user listens on `port` (Linux: /proc/net/tcp and tcp6). This
// machine's admin token goes only to a gateway its owner runs: another user could otherwise
// take the port while the gateway is down and collect the token.
bool listenerIsOurs(quint16 port)
{
    const QByteArray portHex = QByteArray::number(port, 16).toUpper().rightJustified(4, '0');
    const QByteArray uid = QByteArray::number(uint(::getuid()));
    for (const char *table : { "/proc/net/tcp", "/proc/net/tcp6" }) {
        QFile file(QString::fromLatin1(table));
        if (!file.open(QIODevice::ReadOnly))
            continue;
        file.readLine(); // the header
        while (!file.atEnd()) {
            const QList<QByteArray> fields = file.readLine().simplified().split(' ');
            // sl local_address rem_address st tx:rx tr:when retrnsmt uid ...
            if (fields.size() > 7 && fields.at(1).endsWith(QByteArray(":" + portHex))
                && fields.at(3) == "0A" && fields.at(7) == uid)
                return true;
        }
    }
    return false;
}

void fromKeychain(const QUrl &gateway, const std::shared_ptr<SecretStore> &store, QObject *context,
    std::function<void(const TokenFound &)> done, const QString &lookedAt)
{
    const QString entry = keychainEntry(gateway);
    if (!store) {
        done({ {}, lookedAt });
        return;
    }
    store->read(
        entry, context, [entry, lookedAt, done = std::move(done)](const SecretResult &result) {
            if (result.ok() && !result.value.isEmpty())
                done({ result.value, QStringLiteral("keychain entry '%1'").arg(entry) });
            else
                done({ {}, lookedAt + QStringLiteral(", keychain entry '%1'").arg(entry) });
        });
}

} // namespace

bool onThisMachine(const QUrl &gateway)
{
    return isLoopbackHost(gateway.host());
}

Address parseAddress(const QString &text)
{
    Address address;
    const QString trimmed = text.trimmed();
    // QUrl::fromUserInput reads "127.0.0.1:8787" as a scheme; a gateway without one is http.
    address.url = QUrl::fromUserInput(
        trimmed.contains(QLatin1String("://")) ? trimmed : QStringLiteral("http://") + trimmed)
                      .adjusted(QUrl::RemoveUserInfo | QUrl::StripTrailingSlash);
    const QString scheme = address.url.scheme();
    // Nothing beyond the address: a path or query would be remembered and logged (and may hold
    // a token someone pasted).
    if (trimmed.isEmpty() || !address.url.isValid() || address.url.host().isEmpty()
        || (scheme != QLatin1String("http") && scheme != QLatin1String("https"))
        || !address.url.path().isEmpty() || address.url.hasQuery() || address.url.hasFragment()) {
        address.refusal = QObject::tr("must be http://HOST:PORT or https://HOST:PORT");
    } else if (scheme == QLatin1String("http") && !onThisMachine(address.url)) {
        address.refusal = QObject::tr("plain http is for this machine only; reach a gateway "
                                      "elsewhere through an SSH tunnel (see the README) or over "
                                      "https");
    }
    return address;
}

QString keychainEntry(const QUrl &gateway)
{
    return QStringLiteral("admin-token@%1:%2").arg(gateway.host()).arg(portOf(gateway));
}

QUrl urlOf(const QString &listenAddress, bool tls)
{
    QString address = listenAddress;
    // Every interface: loopback too.
    if (address.startsWith(QLatin1String("0.0.0.0:")))
        address.replace(0, 7, QStringLiteral("127.0.0.1"));
    else if (address.startsWith(QLatin1String("[::]:")))
        address.replace(0, 4, QStringLiteral("[::1]"));
    return QUrl(QStringLiteral("%1://%2").arg(tls ? u"https" : u"http", address));
}

void probe(QNetworkAccessManager *network, const QUrl &gateway, QObject *context,
    std::function<void(bool isSwitchyard)> done, const QList<QSslCertificate> &trusted)
{
    QUrl url = gateway;
    url.setPath(QStringLiteral("/healthz"));
    QNetworkRequest request(url);
    request.setTransferTimeout(ProbeTimeoutMs);
    if (!trusted.isEmpty()) {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.addCaCertificates(trusted);
        request.setSslConfiguration(tls);
    }
    QNetworkReply *reply = network->get(request);
    QObject::connect(reply, &QNetworkReply::finished, context, [reply, done = std::move(done)] {
        reply->deleteLater();
        const QJsonObject health = QJsonDocument::fromJson(reply->read(64 * 1024)).object();
        done(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200
            && health.value(u"service").toString() == QLatin1String("switchyard"));
    });
}

void findToken(const QUrl &gateway, const Config &localConfig, const QString &dataDirectory,
    std::shared_ptr<SecretStore> store, QObject *context,
    std::function<void(const TokenFound &)> done, bool useEnvironment)
{
    const QByteArray fromEnvironment
        = useEnvironment ? qgetenv("SWITCHYARD_ADMIN_TOKEN") : QByteArray();
    if (!fromEnvironment.isEmpty()) {
        done({ fromEnvironment, QStringLiteral("SWITCHYARD_ADMIN_TOKEN") });
        return;
    }
    QString lookedAt = useEnvironment ? QStringLiteral("SWITCHYARD_ADMIN_TOKEN")
                                      : QStringLiteral("(not SWITCHYARD_ADMIN_TOKEN: that is for "
                                                       "the one gateway of --attach)");
    if (onThisMachine(gateway) && !listenerIsOurs(quint16(portOf(gateway)))) {
        // Not this user's gateway: only a token named for it (the keychain entry) may go there.
        lookedAt += QStringLiteral(" (the gateway on port %1 is not run by this user, so this "
                                   "user's own token is not offered to it)")
                        .arg(portOf(gateway));
        fromKeychain(gateway, store, context, std::move(done), lookedAt);
        return;
    }
    if (!onThisMachine(gateway)) {
        fromKeychain(gateway, store, context, std::move(done), lookedAt);
        return;
    }
    const SecretRef &configured = localConfig.adminToken;
    switch (configured.source) {
    case SecretRef::Source::Environment: {
        const QByteArray token = qgetenv(configured.name.toLocal8Bit().constData());
        if (!token.isEmpty()) {
            done({ token, configured.describe() });
            return;
        }
        lookedAt += QStringLiteral(", ") + configured.describe();
        break;
    }
    case SecretRef::Source::Keychain:
        if (store) {
            store->read(configured.name, context,
                [=, done = std::move(done)](const SecretResult &result) mutable {
                    if (result.ok() && !result.value.isEmpty())
                        done({ result.value, configured.describe() });
                    else
                        fromKeychain(gateway, store, context, std::move(done),
                            lookedAt + QStringLiteral(", ") + configured.describe());
                });
            return;
        }
        break;
    case SecretRef::Source::None: {
        // The token a local gateway generated; read only if it is there (never made here).
        const QString path = AdminTokenFile::pathIn(dataDirectory);
        if (QFileInfo::exists(path)) {
            QString error;
            const QByteArray token = AdminTokenFile::loadOrCreate(dataDirectory, &error);
            if (!token.isEmpty()) {
                done({ token, path });
                return;
            }
        }
        lookedAt += QStringLiteral(", ") + path;
        break;
    }
    }
    fromKeychain(gateway, store, context, std::move(done), lookedAt);
}

} // namespace Switchyard::Attachment
