#include "http/servertls.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslKey>

namespace Switchyard {

std::optional<QSslConfiguration> serverTls(
    const QString &certFile, const QString &keyFile, QString *error)
{
    const QList<QSslCertificate> chain = QSslCertificate::fromPath(certFile, QSsl::Pem);
    if (chain.isEmpty()) {
        *error = QStringLiteral("tls.cert: %1 holds no PEM certificate").arg(certFile);
        return std::nullopt;
    }
    QFile file(keyFile);
    if (!file.open(QIODevice::ReadOnly) || file.size() > 1024 * 1024) {
        *error = QStringLiteral("tls.key: %1 cannot be read").arg(keyFile);
        return std::nullopt;
    }
    const QByteArray pem = file.readAll();
    QSslKey key(pem, QSsl::Rsa, QSsl::Pem);
    if (key.isNull())
        key = QSslKey(pem, QSsl::Ec, QSsl::Pem);
    if (key.isNull()) {
        *error
            = QStringLiteral("tls.key: %1 holds no unencrypted PEM key (RSA or EC)").arg(keyFile);
        return std::nullopt;
    }
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificateChain(chain);
    tls.setPrivateKey(key);
    tls.setPeerVerifyMode(QSslSocket::VerifyNone); // clients are not asked for certificates
    tls.setProtocol(QSsl::TlsV1_2OrLater);
    return tls;
}

} // namespace Switchyard
