#include "http/httpconnection.h"

#include "http/deferredflush.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>

namespace Switchyard {

namespace {

// What the socket holds for us while a request is being answered: a client that pipelines more
// than this waits on its own side, in the kernel's window.
constexpr qint64 SocketReadBuffer = 64 * 1024;
// How long a refused client may go on sending (to be discarded) before the connection closes.
constexpr int LingerMs = 5000;

HttpConnection *connectionOf(http_parser *parser)
{
    return static_cast<HttpConnection *>(parser->data);
}

} // namespace

const http_parser_settings &HttpConnection::settings()
{
    static const http_parser_settings instance = [] {
        // The parser's own ceiling (process-wide) sits above the largest max_head_bytes a
        // config may set; the configured limit is counted by each connection.
        http_parser_set_max_header_size(2 * 1024 * 1024);
        http_parser_settings s {};
        s.on_message_begin = &HttpConnection::onMessageBegin;
        s.on_url = &HttpConnection::onUrl;
        s.on_header_field = &HttpConnection::onHeaderField;
        s.on_header_value = &HttpConnection::onHeaderValue;
        s.on_headers_complete = &HttpConnection::onHeadersComplete;
        s.on_body = &HttpConnection::onBody;
        s.on_message_complete = &HttpConnection::onMessageComplete;
        return s;
    }();
    return instance;
}

HttpConnection::HttpConnection(QTcpSocket *socket, const ListenerLimits &limits,
    std::shared_ptr<const HttpHandlers> handlers, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_limits(limits)
    , m_handlers(std::move(handlers))
{
    m_socket->setParent(this);
    m_localAddress = m_socket->localAddress().toString(); // once, not per request
    m_socket->setReadBufferSize(SocketReadBuffer);
    // Answers go out whole or as stream events the moment they exist; Nagle would hold a
    // second segment for the client's delayed ACK (40 ms on Linux).
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    http_parser_init(&m_parser, HTTP_REQUEST);
    m_parser.data = this;
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &HttpConnection::onBytesWritten);
    connect(m_socket, &QTcpSocket::disconnected, this, [this] {
        m_stage = Stage::Closing;
        m_timer.stop();
        Q_EMIT closed();
        deleteLater();
    });
    m_timer.start(m_limits.idleTimeoutMs);
    if (m_socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &HttpConnection::onReadyRead, Qt::QueuedConnection);
}

HttpConnection::~HttpConnection() = default;

void HttpConnection::onReadyRead()
{
    if (m_stage == Stage::Lingering) {
        // Until the client closes (it has read the answer) or the linger ends: closing as soon
        // as the body is discarded can reach a client still busy uploading as a reset.
        m_socket->skip(m_socket->bytesAvailable());
        return;
    }
    // While a request is answered (or its answer still waits to go out) the rest waits in the
    // socket: answers go out in order, and a client cannot queue more than the socket's buffer
    // with us, nor make us queue answers it never reads.
    if (m_stage == Stage::Answering || m_stage == Stage::Draining || m_stage == Stage::Closing)
        return;
    // Exactly what arrived: readAll() would allocate 16 KiB for a request head of a few hundred
    // bytes, and a stream's connection would hold that for as long as the stream lasts.
    const qint64 arrived = m_socket->bytesAvailable();
    if (arrived > 0)
        m_unparsed += m_socket->read(arrived);
    parse();
    if (m_unparsed.isEmpty())
        m_unparsed = QByteArray(); // nor keep the capacity of what was parsed
}

void HttpConnection::parse()
{
    while (!m_unparsed.isEmpty() && (m_stage == Stage::Idle || m_stage == Stage::Reading)) {
        const size_t parsed = http_parser_execute(
            &m_parser, &settings(), m_unparsed.constData(), size_t(m_unparsed.size()));
        m_unparsed.remove(0, qsizetype(parsed));
        const http_errno error = HTTP_PARSER_ERRNO(&m_parser);
        if (m_refuseStatus != 0) {
            refuse(m_refuseStatus, m_refuseMessage, m_refuseCode);
            return;
        }
        if (error == HPE_PAUSED) {
            http_parser_pause(&m_parser, 0); // the next execute goes on from here
        } else if (error == HPE_HEADER_OVERFLOW) {
            refuse(431, QStringLiteral("The request line and headers are too large."),
                QStringLiteral("request_header_fields_too_large"));
            return;
        } else if (error != HPE_OK) {
            refuse(400,
                QStringLiteral("Malformed HTTP request: %1.")
                    .arg(QString::fromLatin1(http_errno_description(error))),
                QStringLiteral("malformed_request"));
            return;
        }
        if (m_complete)
            dispatch();
        else if (parsed == 0)
            return;
    }
}

int HttpConnection::onMessageBegin(http_parser *parser)
{
    HttpConnection *self = connectionOf(parser);
    self->m_stage = Stage::Reading;
    self->m_request = HttpRequest {};
    self->m_url.clear();
    self->m_inValue = false;
    self->m_headersDone = false;
    self->m_bodyExpected = false;
    self->m_headBytes = 0;
    self->m_timer.start(self->m_limits.readTimeoutMs);
    return 0;
}

bool HttpConnection::countHead(size_t length)
{
    m_headBytes += qint64(length);
    if (m_headBytes <= m_limits.maxHeadBytes)
        return true;
    m_refuseStatus = 431;
    m_refuseMessage = QStringLiteral("The request line and headers exceed %1 bytes.")
                          .arg(m_limits.maxHeadBytes);
    m_refuseCode = QStringLiteral("request_header_fields_too_large");
    return false;
}

int HttpConnection::onUrl(http_parser *parser, const char *at, size_t length)
{
    HttpConnection *self = connectionOf(parser);
    if (!self->countHead(length))
        return 1;
    self->m_url.append(at, qsizetype(length));
    return 0;
}

int HttpConnection::onHeaderField(http_parser *parser, const char *at, size_t length)
{
    HttpConnection *self = connectionOf(parser);
    if (self->m_headersDone)
        return 0; // a trailer: nothing after the body may change what the head said
    if (!self->countHead(length))
        return 1;
    HeaderList &headers = self->m_request.headers;
    if (self->m_inValue || headers.isEmpty()) {
        if (headers.size() >= MaxHeaders || !self->countHead(HeaderOverheadBytes)) {
            self->m_refuseStatus = 431;
            self->m_refuseMessage = QStringLiteral("A request may have at most %1 headers in %2 "
                                                   "bytes.")
                                        .arg(MaxHeaders)
                                        .arg(self->m_limits.maxHeadBytes);
            self->m_refuseCode = QStringLiteral("request_header_fields_too_large");
            return 1;
        }
        headers.append({ QByteArray(at, qsizetype(length)), QByteArray() });
    } else
        headers.last().first.append(at, qsizetype(length));
    self->m_inValue = false;
    return 0;
}

int HttpConnection::onHeaderValue(http_parser *parser, const char *at, size_t length)
{
    HttpConnection *self = connectionOf(parser);
    if (self->m_headersDone)
        return 0;
    if (!self->countHead(length))
        return 1;
    if (self->m_request.headers.isEmpty())
        return 1;
    self->m_request.headers.last().second.append(at, qsizetype(length));
    self->m_inValue = true;
    return 0;
}

int HttpConnection::onHeadersComplete(http_parser *parser)
{
    HttpConnection *self = connectionOf(parser);
    self->m_headersDone = true;
    HttpRequest &request = self->m_request;
    int hosts = 0;
    for (auto &[name, value] : request.headers) {
        value = value.trimmed();
        if (name.compare("host", Qt::CaseInsensitive) == 0)
            ++hosts;
    }
    request.localAddress = self->m_localAddress;
    request.method = http_method_str(http_method(parser->method));
    request.versionMinor = parser->http_minor;
    request.url = QUrl::fromEncoded(self->m_url);
    self->m_keepAlive = http_should_keep_alive(parser) != 0;
    const bool hasBody = (parser->flags & F_CHUNKED)
        || ((parser->flags & F_CONTENTLENGTH) && parser->content_length > 0);
    self->m_bodyExpected = hasBody; // before any refusal below: it decides the linger
    auto stop = [self](int status, const QString &message, const QString &code) {
        self->m_refuseStatus = status;
        self->m_refuseMessage = message;
        self->m_refuseCode = code;
        return -1;
    };
    if (parser->http_major != 1)
        return stop(505, QStringLiteral("Only HTTP/1.0 and HTTP/1.1 are spoken here."),
            QStringLiteral("http_version_not_supported"));
    if (!request.url.isValid() || !self->m_url.startsWith('/'))
        return stop(400, QStringLiteral("The request target must be a path."),
            QStringLiteral("malformed_request"));
    // RFC 9112 §3.2: exactly one Host on HTTP/1.1 (none is allowed on 1.0); which of two a
    // server would honour is what request smuggling plays on.
    if (hosts > 1 || (hosts == 0 && parser->http_minor >= 1))
        return stop(400, QStringLiteral("An HTTP/1.1 request needs exactly one Host header."),
            QStringLiteral("malformed_request"));
    if (parser->upgrade)
        return stop(501, QStringLiteral("Protocol upgrades are not supported."),
            QStringLiteral("upgrade_not_supported"));
    // Refused before a byte of the body is read: a promised 300 MB never reaches memory.
    if ((parser->flags & F_CONTENTLENGTH)
        && parser->content_length > quint64(self->m_limits.maxBodyBytes))
        return stop(413,
            QStringLiteral("The request body is %1 bytes; this gateway accepts at most %2.")
                .arg(parser->content_length)
                .arg(self->m_limits.maxBodyBytes),
            QStringLiteral("payload_too_large"));
    if (self->m_handlers->checkHead) {
        if (const std::optional<HeadRefusal> refusal
            = self->m_handlers->checkHead(request, hasBody))
            return stop(refusal->status, refusal->message, refusal->code);
    }
    const QByteArray expect = request.value("expect");
    if (!expect.isEmpty()) {
        if (expect.compare("100-continue", Qt::CaseInsensitive) != 0)
            return stop(417, QStringLiteral("Only 'Expect: 100-continue' is understood."),
                QStringLiteral("expectation_failed"));
        if (request.versionMinor >= 1)
            writeAfterThisEvent(self->m_socket, QByteArrayLiteral("HTTP/1.1 100 Continue\r\n\r\n"));
    }
    return 0;
}

int HttpConnection::onBody(http_parser *parser, const char *at, size_t length)
{
    HttpConnection *self = connectionOf(parser);
    if (self->m_request.body.size() + qint64(length) > self->m_limits.maxBodyBytes) {
        // Chunked, so no length was promised: counted as it arrives.
        self->m_refuseStatus = 413;
        self->m_refuseMessage
            = QStringLiteral("The request body exceeds %1 bytes.").arg(self->m_limits.maxBodyBytes);
        self->m_refuseCode = QStringLiteral("payload_too_large");
        self->m_request.body = QByteArray();
        return 1;
    }
    self->m_request.body.append(at, qsizetype(length));
    return 0;
}

int HttpConnection::onMessageComplete(http_parser *parser)
{
    HttpConnection *self = connectionOf(parser);
    self->m_complete = true;
    // Stop here: a pipelined request behind this one waits until this one is answered.
    http_parser_pause(parser, 1);
    return 0;
}

void HttpConnection::dispatch()
{
    m_complete = false;
    m_stage = Stage::Answering;
    m_timer.stop();
    HttpRequest request = std::move(m_request);
    m_request = HttpRequest {};
    ClientResponse response(this, m_socket, !m_keepAlive, request.versionMinor == 0);
    response.setHeadOnly(request.method == "HEAD");
    m_handlers->handle(request, std::move(response));
}

void HttpConnection::responseFinished(bool closing)
{
    if (m_stage == Stage::Closing)
        return;
    if (closing) {
        close();
        return;
    }
    // A client that does not read its answers gets no more of them: the next request waits
    // until what is queued has gone out, for as long as a request may take to arrive.
    if (m_socket->bytesToWrite() > MaxQueuedAnswerBytes) {
        m_stage = Stage::Draining;
        m_timer.start(m_limits.readTimeoutMs);
        return;
    }
    readNext();
}

void HttpConnection::readNext()
{
    m_stage = Stage::Idle;
    m_timer.start(m_limits.idleTimeoutMs);
    // Not from inside the response's own call chain: the next request starts afresh.
    QMetaObject::invokeMethod(this, &HttpConnection::onReadyRead, Qt::QueuedConnection);
}

void HttpConnection::onBytesWritten()
{
    if (m_stage == Stage::Draining && m_socket->bytesToWrite() <= MaxQueuedAnswerBytes / 2)
        readNext();
}

void HttpConnection::responseAbandoned()
{
    if (m_stage != Stage::Closing)
        close();
}

void HttpConnection::close()
{
    // A client that never reads would hold a graceful close open for ever (its unread answer
    // never drains), and with it a connection slot: after a while it is cut.
    m_stage = Stage::Closing;
    m_timer.start(LingerMs);
    if (m_socket->state() == QAbstractSocket::ConnectedState) {
        writePendingNow(m_socket); // a graceful close waits only for the socket's own buffer
        m_socket->disconnectFromHost();
    }
}

QByteArray HttpConnection::errorBody(
    int status, const QString &message, const QString &code, const QString &path) const
{
    if (m_handlers->errorBody)
        return m_handlers->errorBody(status, message, code, path);
    return QJsonDocument(QJsonObject { { QStringLiteral("error"),
                             QJsonObject { { QStringLiteral("message"), message },
                                 { QStringLiteral("code"), code } } } })
        .toJson(QJsonDocument::Compact);
}

void HttpConnection::refuse(int status, const QString &message, const QString &code)
{
    // Only a client that may still be sending (the rest of a head, a body) needs the linger.
    const bool stillSending
        = m_stage == Stage::Reading && status != 408 && (!m_headersDone || m_bodyExpected);
    // A body that has already arrived whole needs no linger (http_parser counts content_length
    // down as the body is read).
    const bool lengthKnown
        = m_headersDone && (m_parser.flags & F_CONTENTLENGTH) && !(m_parser.flags & F_CHUNKED);
    m_lingerRemaining = lengthKnown
        ? qint64(qMin<quint64>(m_parser.content_length, quint64(1) << 62)) - m_unparsed.size()
        : -1;
    m_timer.stop();
    m_unparsed = QByteArray();
    const bool head = m_request.method == "HEAD";
    const QString path = m_headersDone ? m_request.url.path() : QString();
    m_request = HttpRequest {};
    // The answer says the connection ends, but we read on, discarding, for a while: a client
    // still sending its (refused) body would otherwise meet a reset and never see the answer.
    ClientResponse response(m_socket, false);
    response.setHeadOnly(head);
    response.sendJson(status, { { QByteArrayLiteral("Connection"), QByteArrayLiteral("close") } },
        errorBody(status, message, code, path));
    if (!stillSending || (lengthKnown && m_lingerRemaining <= 0)) {
        close();
        return;
    }
    m_stage = Stage::Lingering;
    m_socket->setReadBufferSize(0); // nothing is kept; only the kernel's window would slow it
    m_timer.start(LingerMs);
    onReadyRead();
}

void HttpConnection::timerEvent(QTimerEvent *event)
{
    if (m_timer.fired(event))
        onTimeout();
    else
        QObject::timerEvent(event);
}

void HttpConnection::onTimeout()
{
    switch (m_stage) {
    case Stage::Reading:
        refuse(408,
            QStringLiteral("The request did not arrive whole within %1 ms.")
                .arg(m_limits.readTimeoutMs),
            QStringLiteral("request_timeout"));
        return;
    case Stage::Idle:
    case Stage::Lingering:
        close();
        return;
    case Stage::Draining:
    case Stage::Closing:
        m_socket->abort(); // it does not read what it was sent
        return;
    case Stage::Answering:
        return;
    }
}

} // namespace Switchyard
