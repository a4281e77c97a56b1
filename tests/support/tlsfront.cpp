#include "tlsfront.h"

#include <QDir>
#include <QFile>
#include <QPointer>
#include <QProcess>
#include <QSslSocket>

namespace Switchyard::Testing {

TlsFront::TlsFront(quint16 backendPort, QObject *parent)
    : QObject(parent)
    , m_backendPort(backendPort)
{
    connect(&m_server, &QTcpServer::pendingConnectionAvailable, this, [this] {
        while (QTcpSocket *client = m_server.nextPendingConnection())
            relay(client);
    });
    connect(&m_server, &QSslServer::errorOccurred, this, [this] { ++m_failed; });
}

bool TlsFront::listen(const QSslConfiguration &tls)
{
    m_server.setSslConfiguration(tls);
    return m_server.listen(QHostAddress::LocalHost, 0);
}

QString TlsFront::baseUrl() const
{
    return QStringLiteral("https://127.0.0.1:%1/v1").arg(port());
}

void TlsFront::relay(QTcpSocket *client)
{
    ++m_relayed;
    auto *backend = new QTcpSocket(client);
    QPointer<QTcpSocket> clientGuard(client);
    connect(client, &QTcpSocket::readyRead, backend,
        [client, backend] { backend->write(client->readAll()); });
    connect(backend, &QTcpSocket::readyRead, client,
        [client, backend] { client->write(backend->readAll()); });
    connect(backend, &QTcpSocket::disconnected, client, [this, clientGuard] {
        if (!clientGuard)
            return;
        if (m_closeWithoutNotify) {
            clientGuard->flush(); // what the backend said goes out first
            clientGuard->abort();
            return;
        }
        clientGuard->disconnectFromHost();
    });
    connect(client, &QTcpSocket::disconnected, client, [client, backend] {
        backend->disconnectFromHost();
        client->deleteLater();
    });
    backend->connectToHost(QHostAddress::LocalHost, m_backendPort);
    // Bytes that came with the handshake; writes before the connection is up are kept for it.
    if (client->bytesAvailable() > 0)
        backend->write(client->readAll());
}

QString makeTestCertificates(const QString &directory, const QString &caName)
{
    const QDir dir(directory);
    auto run = [](const QStringList &arguments) -> QString {
        QProcess openssl;
        openssl.start(QStringLiteral("openssl"), arguments);
        if (!openssl.waitForFinished(30000) || openssl.exitCode() != 0)
            return QStringLiteral("openssl %1: %2")
                .arg(arguments.first(), QString::fromUtf8(openssl.readAllStandardError()));
        return QString();
    };
    const QStringList ecKey { QStringLiteral("-newkey"), QStringLiteral("ec"),
        QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:prime256v1"),
        QStringLiteral("-nodes") };
    QString error = run(QStringList { QStringLiteral("req"), QStringLiteral("-x509") } + ecKey
        + QStringList { QStringLiteral("-keyout"), dir.filePath(QStringLiteral("ca.key")),
            QStringLiteral("-out"), dir.filePath(QStringLiteral("ca.pem")), QStringLiteral("-days"),
            QStringLiteral("2"), QStringLiteral("-subj"), QStringLiteral("/CN=") + caName,
            QStringLiteral("-addext"), QStringLiteral("basicConstraints=critical,CA:TRUE"),
            QStringLiteral("-addext"), QStringLiteral("keyUsage=critical,keyCertSign,cRLSign") });
    if (!error.isEmpty())
        return error;
    error = run(QStringList { QStringLiteral("req") } + ecKey
        + QStringList { QStringLiteral("-keyout"), dir.filePath(QStringLiteral("server.key")),
            QStringLiteral("-out"), dir.filePath(QStringLiteral("server.csr")),
            QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1") });
    if (!error.isEmpty())
        return error;
    QFile extensions(dir.filePath(QStringLiteral("server.ext")));
    if (!extensions.open(QIODevice::WriteOnly))
        return QStringLiteral("cannot write server.ext");
    extensions.write("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
    extensions.close();
    return run({ QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
        dir.filePath(QStringLiteral("server.csr")), QStringLiteral("-CA"),
        dir.filePath(QStringLiteral("ca.pem")), QStringLiteral("-CAkey"),
        dir.filePath(QStringLiteral("ca.key")), QStringLiteral("-CAcreateserial"),
        QStringLiteral("-out"), dir.filePath(QStringLiteral("server.pem")), QStringLiteral("-days"),
        QStringLiteral("2"), QStringLiteral("-extfile"), extensions.fileName() });
}

} // namespace Switchyard::Testing
