#pragma once

#include "http/httpmessage.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QPointer>
#include <QTcpSocket>

namespace Switchyard {

class HttpConnection;

// Writes one HTTP/1.1 response to a client socket that may vanish at any time.
// Qt 6.4's QHttpServerResponder keeps a raw socket pointer and crashes when written to after the
// client has gone; every write here goes through a QPointer instead. It also writes any status
// code an upstream sent (529 included), which the responder's fixed table cannot.
class ClientResponse final {
public:
    ClientResponse(QTcpSocket *socket, bool closeAfterResponse);
    // The answer to a request that `connection` read: it hears when the answer is complete (and
    // reads the next pipelined request) or abandoned (and closes).
    ClientResponse(
        HttpConnection *connection, QTcpSocket *socket, bool closeAfterResponse, bool http10);
    ClientResponse(ClientResponse &&other) noexcept;
    ClientResponse &operator=(ClientResponse &&other) noexcept;
    ClientResponse(const ClientResponse &) = delete;
    ClientResponse &operator=(const ClientResponse &) = delete;
    ~ClientResponse();

    bool isConnected() const;
    // Null once the socket is gone, and while it is being destroyed.
    QTcpSocket *socket() const { return qobject_cast<QTcpSocket *>(m_socket.data()); }
    bool headersSent() const { return m_headersSent; }
    bool finished() const { return m_finished; }

    // Headers every answer on this response carries, such as CORS for an allowed web origin.
    void setExtraHeaders(const HeaderList &headers) { m_extraHeaders = headers; }
    // The answer to a HEAD request: its head as it would be, and no body.
    void setHeadOnly(bool headOnly) { m_headOnly = headOnly; }

    void send(int status, const HeaderList &headers, const QByteArray &body);
    void sendJson(int status, const HeaderList &headers, const QByteArray &json);

    void beginChunked(int status, const HeaderList &headers);
    void writeChunk(const QByteArray &data);
    void endChunked();

    static QByteArray reasonPhrase(int status);
    // Whether a header can be written as one line: no CR, LF or NUL anywhere, a token for a name.
    static bool isSafeHeader(const QByteArray &name, const QByteArray &value);

private:
    void writeHead(int status, const HeaderList &headers, qint64 contentLength);
    // Every byte of the answer goes out through here: written, and sent once the event that
    // produced it is handled (flushAfterThisEvent).
    void writeOut(const QByteArray &bytes);
    void complete();

    // As a QAbstractSocket: a request told of the disconnect that ~QAbstractSocket sends must not
    // reach the socket as the QTcpSocket it no longer is.
    QPointer<QAbstractSocket> m_socket;
    QPointer<HttpConnection> m_connection; // null once moved from
    HeaderList m_extraHeaders;
    bool m_closeAfterResponse = false;
    bool m_http10 = false; // an HTTP/1.0 caller: no chunked framing, the end of a stream closes
    bool m_headOnly = false;
    bool m_headersSent = false;
    bool m_finished = false;
};

} // namespace Switchyard
