#pragma once

#include "upstream/http1connections.h"
#include "upstream/http1responseparser.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QNetworkReply>
#include <QPointer>
#include <QSslConfiguration>
#include <QTimer>

#include <optional>

class QTcpSocket;

namespace Switchyard {

// One HTTP/1.1 exchange with an upstream, over TCP or TLS, as a QNetworkReply so the request path
// treats it like any other. Written by hand because QNetworkAccessManager on Qt 6.4 reads response
// headers one byte per system call, hops through a thread of its own per manager, and holds six
// connections per host per manager (a thousand HTTPS streams needed 167 managers and threads,
// 122 KiB a stream); this reads whatever the socket has, in the thread that asked (an I/O
// thread), over connections pooled per thread.
class Http1Reply final : public QNetworkReply {
    Q_OBJECT
public:
    Http1Reply(Http1Connections *connections, QNetworkAccessManager::Operation operation,
        const QNetworkRequest &request, const QByteArray &body, QObject *parent = nullptr);
    ~Http1Reply() override;

    // Set (true) on a reply that failed because the server closed the kept-alive connection just
    // as the request went out on it. It is not sent again here: the server may have seen it, so a
    // resend is the request's decision, as an attempt of its own.
    static constexpr QNetworkRequest::Attribute ClosedOnReuseAttribute = QNetworkRequest::User;
    // On an HTTPS request: what names the certificate authorities its sslConfiguration trusts
    // (a QByteArray; none: the system's). Kept-alive connections are shared only between requests
    // that name the same.
    static constexpr QNetworkRequest::Attribute TrustAttribute
        = QNetworkRequest::Attribute(QNetworkRequest::User + 1);

    // For the fuzzer: runs the response parser over `bytes` as if an upstream sent them, cut into
    // pieces where `cuts` says, and reads whatever body it yields. No socket, no event loop.
    static void parseForFuzzing(QByteArrayView bytes, QByteArrayView cuts);

    void abort() override;
    void setReadBufferSize(qint64 size) override;
    qint64 bytesAvailable() const override;
    bool isSequential() const override { return true; }

protected:
    qint64 readData(char *data, qint64 maxSize) override;

private:
    enum class Stage { Connecting, Head, Body, Done };

    void start(bool allowReuse);
    void onConnected();
    void sendRequest();
    void onReadyRead();
    void onSocketError();
    void parseInput(); // what the parser was fed: the head once whole, then the body
    void applyHead(); // the head parsed becomes this reply's status, headers and error
    void complete();
    void fail(NetworkError code, const QString &text);
    QTcpSocket *detachSocket();

    QPointer<Http1Connections> m_connections;
    QByteArray m_requestBytes;
    QString m_host;
    quint16 m_port = 80;
    bool m_tls = false;
    QString m_endpoint; // what connections are pooled under
    std::optional<QSslConfiguration> m_tlsConfiguration; // HTTPS only: a plain reply makes none
    QByteArray m_offeredSession; // the TLS session this connection's handshake offered to resume
    QTcpSocket *m_socket = nullptr;
    bool m_reused = false;
    bool m_receivedAny = false;
    QElapsedTimer m_sentAt;
    Stage m_stage = Stage::Connecting;
    Http1ResponseParser m_parser;
    QByteArray m_body; // body bytes parsed, not yet read by the caller
};

} // namespace Switchyard
