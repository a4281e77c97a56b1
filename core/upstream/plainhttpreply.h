#pragma once

#include "upstream/plainhttpconnections.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QNetworkReply>
#include <QPointer>
#include <QTimer>

class QTcpSocket;

namespace Switchyard {

// One HTTP/1.1 exchange with a plain-HTTP upstream (a local model server, a benchmark), as a
// QNetworkReply so the request path treats it like any other. QNetworkAccessManager on Qt 6.4
// reads response headers one byte per system call and hops through a thread of its own; this
// reads whatever the socket has, in the engine thread. TLS upstreams still go through
// QNetworkAccessManager.
class PlainHttpReply final : public QNetworkReply {
    Q_OBJECT
public:
    PlainHttpReply(PlainHttpConnections *connections, QNetworkAccessManager::Operation operation,
        const QNetworkRequest &request, const QByteArray &body, QObject *parent = nullptr);
    ~PlainHttpReply() override;

    // Set (true) on a reply that failed because the server closed the kept-alive connection just
    // as the request went out on it. It is not sent again here: the server may have seen it, so a
    // resend is the request's decision, as an attempt of its own.
    static constexpr QNetworkRequest::Attribute ClosedOnReuseAttribute = QNetworkRequest::User;

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
    enum class Framing { Length, Chunked, UntilClose };

    void start(bool allowReuse);
    void sendRequest();
    void onReadyRead();
    void onSocketError();
    bool parseHead();
    bool parseBody(); // false once the reply is complete or failed
    void complete();
    void fail(NetworkError code, const QString &text);
    QTcpSocket *detachSocket();

    QPointer<PlainHttpConnections> m_connections;
    QByteArray m_requestBytes;
    QString m_host;
    quint16 m_port = 80;
    QTcpSocket *m_socket = nullptr;
    bool m_reused = false;
    bool m_receivedAny = false;
    QElapsedTimer m_sentAt;
    Stage m_stage = Stage::Connecting;
    Framing m_framing = Framing::UntilClose;
    bool m_keepAlive = true;
    qint64 m_remaining = 0; // body bytes still due (Length) or in this chunk (Chunked)
    enum class ChunkPart { Size, Data, DataEnd, Trailer };
    ChunkPart m_chunkPart = ChunkPart::Size;
    QByteArray m_input; // bytes read, not yet parsed
    QByteArray m_body; // body bytes parsed, not yet read by the caller
};

} // namespace Switchyard
