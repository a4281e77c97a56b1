#pragma once

#include <QObject>
#include <QSslConfiguration>
#include <QSslServer>
#include <QString>

namespace Switchyard::Testing {

// HTTPS in front of a plain-HTTP test server on 127.0.0.1: it ends TLS with the certificate a
// test gives it and passes the bytes both ways, so an upstream scripted over plain HTTP (the
// FakeUpstream) can be reached as an https:// provider.
class TlsFront final : public QObject {
    Q_OBJECT
public:
    explicit TlsFront(quint16 backendPort, QObject *parent = nullptr);

    bool listen(const QSslConfiguration &tls);
    quint16 port() const { return m_server.serverPort(); }
    QString baseUrl() const;
    int connectionsRelayed() const { return m_relayed; }
    // When the backend closes, end the TLS connection with a bare TCP close, no close_notify
    // alert first, as a crashed or careless server does.
    void setCloseWithoutNotify(bool bare) { m_closeWithoutNotify = bare; }
    int handshakesFailed() const { return m_failed; }

private:
    void relay(QTcpSocket *client);

    QSslServer m_server;
    quint16 m_backendPort;
    int m_relayed = 0;
    int m_failed = 0;
    bool m_closeWithoutNotify = false;
};

// A certificate authority and a certificate it signed for 127.0.0.1, made with the openssl
// command in `directory`: ca.pem, server.pem and server.key (and ca.key). Empty on success,
// else what went wrong.
QString makeTestCertificates(const QString &directory, const QString &caName);

} // namespace Switchyard::Testing
