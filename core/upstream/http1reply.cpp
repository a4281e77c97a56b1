#include "upstream/http1reply.h"

#include "http/deferredflush.h"
#include "http/socketpriority.h"

#include <QSslSocket>
#include <QTcpSocket>

#include <cstring>

namespace Switchyard {

namespace {

// A kept-alive connection that fails this soon after reuse was closed by the server while idle.
constexpr qint64 ClosedOnReuseWithinMs = 200;
// The error QNetworkAccessManager reports for an HTTP error status, so callers see the same.
QNetworkReply::NetworkError errorForStatus(int status)
{
    switch (status) {
    case 400:
        return QNetworkReply::ProtocolInvalidOperationError;
    case 401:
        return QNetworkReply::AuthenticationRequiredError;
    case 403:
        return QNetworkReply::ContentAccessDenied;
    case 404:
        return QNetworkReply::ContentNotFoundError;
    case 405:
        return QNetworkReply::ContentOperationNotPermittedError;
    case 409:
        return QNetworkReply::ContentConflictError;
    case 410:
        return QNetworkReply::ContentGoneError;
    case 500:
        return QNetworkReply::InternalServerError;
    case 501:
        return QNetworkReply::OperationNotImplementedError;
    case 503:
        return QNetworkReply::ServiceUnavailableError;
    default:
        return status >= 500 ? QNetworkReply::UnknownServerError
                             : QNetworkReply::UnknownContentError;
    }
}

} // namespace

Http1Reply::Http1Reply(Http1Connections *connections, QNetworkAccessManager::Operation operation,
    const QNetworkRequest &request, const QByteArray &body, QObject *parent)
    : QNetworkReply(parent)
    , m_connections(connections)
{
    setRequest(request);
    setUrl(request.url());
    setOperation(operation);
    open(QIODevice::ReadOnly | QIODevice::Unbuffered);
    const QUrl url = request.url();
    m_host = url.host();
    m_tls = url.scheme() == QLatin1String("https");
    m_port = quint16(url.port(m_tls ? 443 : 80));
    if (m_tls) {
        m_tlsConfiguration = request.sslConfiguration();
        // HTTP/1.1 is what this speaks: a server that would rather speak HTTP/2 must not choose it.
        m_tlsConfiguration->setAllowedNextProtocols({ QSslConfiguration::NextProtocolHttp1_1 });
        // Qt keeps each connection's session, serialised, for the next socket of the same OpenSSL
        // context to resume; every socket here has a context of its own, so nothing ever resumes
        // it. Not kept: 7 KiB less a connection, and 3% less CPU a handshake (bench_h2).
        m_tlsConfiguration->setSslOption(QSsl::SslOptionDisableSessionSharing, true);
        // What the pool resumes instead: a TLS 1.3 server's session tickets, handed to this reply
        // serialised (Qt does so only for TLS 1.3; a TLS 1.2 server's connections are not resumed).
        m_tlsConfiguration->setSslOption(QSsl::SslOptionDisableSessionPersistence, false);
    }
    m_endpoint = Http1Connections::endpoint(m_tls, m_host, m_port,
        m_tls ? request.attribute(TrustAttribute).toByteArray() : QByteArray());

    const QByteArray method = operation == QNetworkAccessManager::PostOperation
        ? QByteArrayLiteral("POST")
        : QByteArrayLiteral("GET");
    QByteArray target = url.path(QUrl::FullyEncoded).toLatin1();
    if (target.isEmpty())
        target = "/";
    if (url.hasQuery())
        target += '?' + url.query(QUrl::FullyEncoded).toLatin1();
    m_requestBytes.reserve(256 + body.size());
    m_requestBytes += method + ' ' + target + " HTTP/1.1\r\nHost: "
        + url.authority(QUrl::RemoveUserInfo | QUrl::FullyEncoded).toLatin1() + "\r\n";
    for (const QByteArray &name : request.rawHeaderList()) {
        if (name.compare("Content-Length", Qt::CaseInsensitive) == 0
            || name.compare("Host", Qt::CaseInsensitive) == 0
            || name.compare("Connection", Qt::CaseInsensitive) == 0)
            continue;
        m_requestBytes += name + ": " + request.rawHeader(name) + "\r\n";
    }
    if (operation == QNetworkAccessManager::PostOperation)
        m_requestBytes += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    m_requestBytes += "\r\n";
    m_requestBytes += body;

    // Started from the event loop, as QNetworkAccessManager does, so callers can connect first.
    QMetaObject::invokeMethod(
        this, [this] { start(true); }, Qt::QueuedConnection);
}

Http1Reply::~Http1Reply()
{
    // Deleted mid-handshake (or while it waited to begin one): it holds no other back.
    if (m_tls && m_stage == Stage::Connecting && m_connections)
        m_connections->tlsSessions().handshakeEnded(
            m_endpoint, this, m_offeredSession, TlsSessions::Outcome::Failed);
    // Later: the reply may be deleted from a slot of its own socket's signal. Handed to the pool
    // meanwhile, so that a thread that ends before the deferred delete runs still frees it.
    if (QTcpSocket *socket = detachSocket()) {
        socket->setParent(m_connections.data());
        socket->deleteLater();
    }
}

QTcpSocket *Http1Reply::detachSocket()
{
    QTcpSocket *socket = m_socket;
    m_socket = nullptr;
    if (socket)
        socket->disconnect(this);
    return socket;
}

void Http1Reply::start(bool allowReuse)
{
    if (m_stage == Stage::Done)
        return;
    m_socket = allowReuse && m_connections ? m_connections->take(m_endpoint) : nullptr;
    m_reused = m_socket != nullptr;
    if (!m_socket)
        m_socket = m_tls ? new QSslSocket : new QTcpSocket;
    m_socket->setParent(this);
    m_socket->setReadBufferSize(readBufferSize());
    connect(m_socket, &QTcpSocket::readyRead, this, &Http1Reply::onReadyRead);
    connect(m_socket, &QTcpSocket::errorOccurred, this, &Http1Reply::onSocketError);
    if (m_reused) {
        sendRequest();
        return;
    }
    connect(m_socket, &QTcpSocket::connected, this, &Http1Reply::onConnected);
    if (m_tls) {
        // Verified against the request's authorities and its host name, as QNetworkAccessManager
        // does; a certificate that fails is an SslHandshakeFailedError before any request byte
        // (or key) is sent.
        auto *tls = static_cast<QSslSocket *>(m_socket);
        connect(tls, &QSslSocket::encrypted, this, [this, tls] {
            SocketPriority::setBackgroundHere(m_socket->socketDescriptor(), false);
            if (m_connections)
                m_connections->tlsSessions().handshakeEnded(m_endpoint, this, m_offeredSession,
                    TlsSessions::outcomeOf(*tls, m_offeredSession));
            sendRequest();
        });
        connect(tls, &QSslSocket::newSessionTicketReceived, this, [this, tls] {
            if (m_connections)
                m_connections->tlsSessions().keep(m_endpoint,
                    tls->sslConfiguration().sessionTicket(),
                    tls->sslConfiguration().sessionTicketLifeTimeHint());
        });
        const auto handshake = [this](const QByteArray &session) {
            if (m_stage != Stage::Connecting || !m_socket)
                return; // given up while it waited
            m_offeredSession = session;
            m_tlsConfiguration->setSessionTicket(session);
            auto *tls = static_cast<QSslSocket *>(m_socket);
            tls->setSslConfiguration(*m_tlsConfiguration);
            tls->connectToHostEncrypted(m_host, m_port);
        };
        if (m_connections)
            m_connections->tlsSessions().schedule(m_endpoint, this, handshake);
        else
            handshake(QByteArray());
        return;
    }
    m_socket->connectToHost(m_host, m_port);
}

void Http1Reply::onConnected()
{
    // Only a connected socket takes the option (a prompt over one segment, or a handshake, must not
    // wait on Nagle), and a kept-alive one has it already: a system call per request saved.
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    if (!m_tls) {
        sendRequest();
        return;
    }
    // The handshake's steps are a millisecond of CPU each (certificates decoded and verified, a
    // key agreed, an OpenSSL context made per connection); this thread's streams go first.
    SocketPriority::setBackgroundHere(m_socket->socketDescriptor(), true);
}

void Http1Reply::sendRequest()
{
    m_stage = Stage::Head;
    writeAfterThisEvent(m_socket, m_requestBytes);
    m_sentAt.start();
    Q_EMIT requestSent();
}

void Http1Reply::parseForFuzzing(QByteArrayView bytes, QByteArrayView cuts)
{
    Http1Reply reply(nullptr, QNetworkAccessManager::PostOperation,
        QNetworkRequest(QUrl(QStringLiteral("http://127.0.0.1:9/v1/chat/completions"))),
        QByteArrayLiteral("{}"));
    reply.m_stage = Stage::Head;
    qsizetype at = 0;
    qsizetype cut = 0;
    while (at < bytes.size() && reply.m_stage != Stage::Done) {
        const qsizetype piece = cut < cuts.size() ? 1 + uchar(cuts.at(cut++)) : bytes.size() - at;
        reply.m_parser.feed(bytes.sliced(at, qMin(piece, bytes.size() - at)).toByteArray());
        at += piece;
        reply.parseInput();
        reply.readAll(); // as a caller would, so the body never piles up here
    }
}

void Http1Reply::setReadBufferSize(qint64 size)
{
    QNetworkReply::setReadBufferSize(size);
    if (m_socket)
        m_socket->setReadBufferSize(size);
}

void Http1Reply::onReadyRead()
{
    if (!m_socket || m_stage == Stage::Done)
        return;
    // A caller that bounds its buffer is not reading: leave the rest in the socket, whose own
    // bounded buffer leaves it in the kernel, whose full window slows the upstream down.
    if (readBufferSize() > 0 && m_stage == Stage::Body && m_body.size() >= readBufferSize())
        return;
    // What arrived, exactly: readAll() allocates 16 KiB a call however little came, and each
    // event of a stream is a call.
    m_parser.feed(m_socket->read(m_socket->bytesAvailable()));
    m_receivedAny = true;
    parseInput();
}

void Http1Reply::parseInput()
{
    using Step = Http1ResponseParser::Step;
    if (m_stage == Stage::Head) {
        const Step step = m_parser.parseHead();
        if (step == Step::More)
            return;
        if (step == Step::Failed) {
            fail(ProtocolFailure, m_parser.error());
            return;
        }
        applyHead();
        if (m_stage != Stage::Body)
            return; // a slot may have aborted us
    }
    const qsizetype before = m_body.size();
    const Step step = m_parser.parseBody(&m_body);
    if (step == Step::Failed) {
        fail(ProtocolFailure, m_parser.error());
        return;
    }
    if (m_body.size() > before)
        Q_EMIT readyRead();
    // A slot may abort (and so finish) the reply; nothing is emitted after finished.
    if (step == Step::Complete && m_stage != Stage::Done)
        complete();
}

void Http1Reply::applyHead()
{
    const Http1ResponseParser::Head &head = m_parser.head();
    setAttribute(QNetworkRequest::HttpStatusCodeAttribute, head.status);
    setAttribute(QNetworkRequest::HttpReasonPhraseAttribute, head.reason);
    for (const auto &[name, value] : head.headers)
        setRawHeader(name, hasRawHeader(name) ? rawHeader(name) + ", " + value : value);
    if (head.status >= 400)
        setError(errorForStatus(head.status),
            QStringLiteral("server replied: %1 %2")
                .arg(head.status)
                .arg(QString::fromLatin1(head.reason)));
    m_stage = Stage::Body;
    Q_EMIT metaDataChanged();
}

void Http1Reply::complete()
{
    m_stage = Stage::Done;
    QTcpSocket *socket = detachSocket();
    if (socket && m_parser.head().keepAlive && !m_parser.hasUnparsedInput() && m_connections
        && socket->state() == QAbstractSocket::ConnectedState && socket->bytesToWrite() == 0) {
        socket->setReadBufferSize(0); // the next exchange on it sets its own
        m_connections->release(m_endpoint, socket);
    } else if (socket)
        socket->deleteLater();
    setFinished(true);
    Q_EMIT finished();
}

void Http1Reply::onSocketError()
{
    if (!m_socket || m_stage == Stage::Done)
        return;
    const QAbstractSocket::SocketError socketError = m_socket->error();
    if (socketError == QAbstractSocket::RemoteHostClosedError) {
        // The server closed a kept-alive connection just as we reused it. Sending it again on a
        // fresh one is likely safe, but not certain (the server may have acted on it), so the
        // request decides, and the resend is an attempt the trace, the budget and the breaker see.
        if (m_reused && !m_receivedAny && m_sentAt.elapsed() < ClosedOnReuseWithinMs) {
            setAttribute(ClosedOnReuseAttribute, true);
            fail(RemoteHostClosedError,
                QStringLiteral("the server closed the kept-alive connection as the request went "
                               "out on it"));
            return;
        }
        // A body framed by the connection's end is complete when the connection ends.
        if (m_stage == Stage::Body && m_parser.readsUntilClose()) {
            m_parser.feed(m_socket->read(m_socket->bytesAvailable()));
            m_parser.endOfInput(&m_body);
            if (!m_body.isEmpty())
                Q_EMIT readyRead();
            if (m_stage != Stage::Done)
                complete();
            return;
        }
    }
    switch (socketError) {
    case QAbstractSocket::ConnectionRefusedError:
        fail(ConnectionRefusedError, m_socket->errorString());
        break;
    case QAbstractSocket::RemoteHostClosedError:
        fail(RemoteHostClosedError, m_socket->errorString());
        break;
    case QAbstractSocket::HostNotFoundError:
        fail(HostNotFoundError, m_socket->errorString());
        break;
    case QAbstractSocket::SocketTimeoutError:
        fail(TimeoutError, m_socket->errorString());
        break;
    case QAbstractSocket::SslHandshakeFailedError:
    case QAbstractSocket::SslInternalError:
    case QAbstractSocket::SslInvalidUserDataError:
        fail(SslHandshakeFailedError,
            QStringLiteral("TLS handshake with the upstream failed: %1")
                .arg(m_socket->errorString()));
        break;
    default:
        fail(UnknownNetworkError, m_socket->errorString());
        break;
    }
}

void Http1Reply::fail(NetworkError code, const QString &text)
{
    if (m_stage == Stage::Done)
        return;
    // A session the server does not resume falls back to a full handshake by itself; one whose
    // handshake failed or hung till the connect timeout anyway (a server or middlebox that chokes
    // on it) is not offered again. (A handshake merely cancelled loses it too: the next is full.)
    if (m_tls && m_stage == Stage::Connecting && m_connections) {
        m_connections->tlsSessions().forget(m_endpoint, m_offeredSession);
        m_connections->tlsSessions().handshakeEnded(
            m_endpoint, this, m_offeredSession, TlsSessions::Outcome::Failed);
    }
    m_stage = Stage::Done;
    if (QTcpSocket *socket = detachSocket())
        socket->deleteLater();
    setError(code, text);
    Q_EMIT errorOccurred(code);
    setFinished(true);
    Q_EMIT finished();
}

void Http1Reply::abort()
{
    fail(OperationCanceledError, QStringLiteral("Operation canceled"));
}

qint64 Http1Reply::bytesAvailable() const
{
    return m_body.size() + QNetworkReply::bytesAvailable();
}

qint64 Http1Reply::readData(char *data, qint64 maxSize)
{
    const qsizetype count = qsizetype(qMin<qint64>(maxSize, m_body.size()));
    if (count == 0)
        return m_stage == Stage::Done ? -1 : 0;
    std::memcpy(data, m_body.constData(), size_t(count));
    m_body.remove(0, count);
    if (m_body.isEmpty())
        m_body = QByteArray(); // a stream's reply lives long; its buffer needs no capacity between
                               // events
    if (readBufferSize() > 0 && m_body.size() < readBufferSize() && m_socket
        && m_socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &Http1Reply::onReadyRead, Qt::QueuedConnection);
    return count;
}

} // namespace Switchyard
