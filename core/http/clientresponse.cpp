#include "http/clientresponse.h"

#include "http/deferredflush.h"
#include "http/httpconnection.h"

namespace Switchyard {

ClientResponse::ClientResponse(QTcpSocket *socket, bool closeAfterResponse)
    : m_socket(socket)
    , m_closeAfterResponse(closeAfterResponse)
{
}

ClientResponse::ClientResponse(
    HttpConnection *connection, QTcpSocket *socket, bool closeAfterResponse, bool http10)
    : m_socket(socket)
    , m_connection(connection)
    , m_closeAfterResponse(closeAfterResponse)
    , m_http10(http10)
{
}

ClientResponse::ClientResponse(ClientResponse &&other) noexcept
    : m_socket(std::move(other.m_socket))
    , m_connection(std::exchange(other.m_connection, nullptr))
    , m_extraHeaders(std::move(other.m_extraHeaders))
    , m_closeAfterResponse(other.m_closeAfterResponse)
    , m_http10(other.m_http10)
    , m_headOnly(other.m_headOnly)
    , m_headersSent(other.m_headersSent)
    , m_finished(other.m_finished)
{
}

ClientResponse &ClientResponse::operator=(ClientResponse &&other) noexcept
{
    if (this != &other) {
        if (m_connection && !m_finished)
            m_connection->responseAbandoned();
        m_socket = std::move(other.m_socket);
        m_connection = std::exchange(other.m_connection, nullptr);
        m_extraHeaders = std::move(other.m_extraHeaders);
        m_closeAfterResponse = other.m_closeAfterResponse;
        m_http10 = other.m_http10;
        m_headOnly = other.m_headOnly;
        m_headersSent = other.m_headersSent;
        m_finished = other.m_finished;
    }
    return *this;
}

ClientResponse::~ClientResponse()
{
    // Nobody will answer: the connection cannot go on to the next request in order.
    if (m_connection && !m_finished)
        m_connection->responseAbandoned();
}

bool ClientResponse::isConnected() const
{
    return m_socket && m_socket->state() == QAbstractSocket::ConnectedState;
}

QByteArray ClientResponse::reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return QByteArrayLiteral("OK");
    case 204:
        return QByteArrayLiteral("No Content");
    case 400:
        return QByteArrayLiteral("Bad Request");
    case 401:
        return QByteArrayLiteral("Unauthorized");
    case 403:
        return QByteArrayLiteral("Forbidden");
    case 404:
        return QByteArrayLiteral("Not Found");
    case 405:
        return QByteArrayLiteral("Method Not Allowed");
    case 408:
        return QByteArrayLiteral("Request Timeout");
    case 409:
        return QByteArrayLiteral("Conflict");
    case 417:
        return QByteArrayLiteral("Expectation Failed");
    case 431:
        return QByteArrayLiteral("Request Header Fields Too Large");
    case 501:
        return QByteArrayLiteral("Not Implemented");
    case 505:
        return QByteArrayLiteral("HTTP Version Not Supported");
    case 413:
        return QByteArrayLiteral("Payload Too Large");
    case 415:
        return QByteArrayLiteral("Unsupported Media Type");
    case 421:
        return QByteArrayLiteral("Misdirected Request");
    case 422:
        return QByteArrayLiteral("Unprocessable Entity");
    case 429:
        return QByteArrayLiteral("Too Many Requests");
    case 500:
        return QByteArrayLiteral("Internal Server Error");
    case 502:
        return QByteArrayLiteral("Bad Gateway");
    case 503:
        return QByteArrayLiteral("Service Unavailable");
    case 504:
        return QByteArrayLiteral("Gateway Timeout");
    case 529:
        return QByteArrayLiteral("Overloaded");
    default:
        break;
    }
    if (status >= 200 && status < 300)
        return QByteArrayLiteral("OK");
    return status >= 500 ? QByteArrayLiteral("Error") : QByteArrayLiteral("Client Error");
}

bool ClientResponse::isSafeHeader(const QByteArray &name, const QByteArray &value)
{
    if (name.isEmpty())
        return false;
    for (const char c : name) {
        if (!std::isalnum(uchar(c)) && !QByteArrayView("!#$%&'*+-.^_`|~").contains(c))
            return false;
    }
    for (const char c : value) {
        if (c == '\r' || c == '\n' || c == '\0')
            return false;
    }
    return true;
}

void ClientResponse::writeHead(int status, const HeaderList &headers, qint64 contentLength)
{
    QByteArray head;
    head.reserve(512);
    head += "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    // The last guard against response splitting: a header that would break the head is never
    // written, whoever produced it.
    for (const HeaderList *list :
        std::initializer_list<const HeaderList *> { &headers, &m_extraHeaders }) {
        for (const auto &[name, value] : *list) {
            if (isSafeHeader(name, value))
                head += name + ": " + value + "\r\n";
        }
    }
    if (status == 204 || status == 304)
        ; // no body, and no framing for one
    else if (contentLength >= 0)
        head += "Content-Length: " + QByteArray::number(contentLength) + "\r\n";
    else if (m_http10)
        m_closeAfterResponse = true; // HTTP/1.0 knows no chunks: the close ends the body
    else
        head += "Transfer-Encoding: chunked\r\n";
    if (m_closeAfterResponse)
        head += "Connection: close\r\n";
    head += "\r\n";
    writeOut(head);
    m_headersSent = true;
}

void ClientResponse::writeOut(const QByteArray &bytes)
{
    writeAfterThisEvent(m_socket, bytes);
}

void ClientResponse::complete()
{
    m_finished = true;
    if (m_closeAfterResponse && m_socket) {
        writePendingNow(m_socket); // a graceful close waits only for the socket's own buffer
        m_socket->disconnectFromHost();
    }
    if (HttpConnection *connection = std::exchange(m_connection, nullptr))
        connection->responseFinished(m_closeAfterResponse);
}

void ClientResponse::send(int status, const HeaderList &headers, const QByteArray &body)
{
    if (m_finished || m_headersSent || !isConnected())
        return;
    writeHead(status, headers, body.size());
    if (!m_headOnly)
        writeOut(body);
    complete();
}

void ClientResponse::sendJson(int status, const HeaderList &headers, const QByteArray &json)
{
    HeaderList all = headers;
    all.append({ QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json") });
    send(status, all, json);
}

void ClientResponse::beginChunked(int status, const HeaderList &headers)
{
    if (m_finished || m_headersSent || !isConnected())
        return;
    writeHead(status, headers, -1);
}

void ClientResponse::writeChunk(const QByteArray &data)
{
    if (m_finished || !m_headersSent || data.isEmpty() || !isConnected())
        return;
    if (m_headOnly)
        return;
    if (m_http10) {
        writeOut(data);
        return;
    }
    QByteArray chunk = QByteArray::number(data.size(), 16) + "\r\n";
    chunk.reserve(chunk.size() + data.size() + 2);
    chunk += data;
    chunk += "\r\n";
    writeOut(chunk);
}

void ClientResponse::endChunked()
{
    if (m_finished || !m_headersSent)
        return;
    if (isConnected() && !m_http10 && !m_headOnly)
        writeOut(QByteArrayLiteral("0\r\n\r\n"));
    complete();
}

} // namespace Switchyard
