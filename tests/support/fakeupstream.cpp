#include "fakeupstream.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTcpSocket>
#include <QTimer>

#include <chrono>

namespace Switchyard::Testing {

struct FakeUpstream::Connection {
    QPointer<QTcpSocket> socket;
    QByteArray buffer;
    bool pending = false; // a request waits for its answer
};

FakeResponse FakeResponse::completion(const QString &text, int promptTokens, int completionTokens)
{
    const QJsonObject message { { QStringLiteral("role"), QStringLiteral("assistant") },
        { QStringLiteral("content"), text } };
    const QJsonObject root { { QStringLiteral("id"), QStringLiteral("chatcmpl-fake") },
        { QStringLiteral("object"), QStringLiteral("chat.completion") },
        { QStringLiteral("created"), 1700000000 },
        { QStringLiteral("model"), QStringLiteral("fake-model") },
        { QStringLiteral("choices"),
            QJsonArray { QJsonObject { { QStringLiteral("index"), 0 },
                { QStringLiteral("message"), message },
                { QStringLiteral("finish_reason"), QStringLiteral("stop") } } } },
        { QStringLiteral("usage"),
            QJsonObject { { QStringLiteral("prompt_tokens"), promptTokens },
                { QStringLiteral("completion_tokens"), completionTokens },
                { QStringLiteral("total_tokens"), promptTokens + completionTokens } } } };
    FakeResponse response;
    response.body = QJsonDocument(root).toJson(QJsonDocument::Compact);
    response.headers.append(
        { QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json") });
    return response;
}

FakeResponse FakeResponse::error(
    int status, const QString &type, const QString &code, const QString &message)
{
    const QJsonObject error {
        { QStringLiteral("message"), message }, { QStringLiteral("type"), type },
        { QStringLiteral("code"), code.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(code) }
    };
    FakeResponse response;
    response.status = status;
    response.body = QJsonDocument(
        QJsonObject { { QStringLiteral("error"),
            error } }).toJson(QJsonDocument::Compact);
    response.headers.append(
        { QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json") });
    return response;
}

FakeResponse FakeResponse::stream(const QStringList &pieces, bool withDone)
{
    FakeResponse response;
    response.headers.append(
        { QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/event-stream") });
    for (qsizetype i = 0; i < pieces.size(); ++i) {
        const QJsonObject delta { { QStringLiteral("content"), pieces.at(i) } };
        const QJsonObject chunk { { QStringLiteral("id"), QStringLiteral("chatcmpl-fake") },
            { QStringLiteral("object"), QStringLiteral("chat.completion.chunk") },
            { QStringLiteral("created"), 1700000000 },
            { QStringLiteral("model"), QStringLiteral("fake-model") },
            { QStringLiteral("choices"),
                QJsonArray { QJsonObject { { QStringLiteral("index"), 0 },
                    { QStringLiteral("delta"), delta },
                    { QStringLiteral("finish_reason"),
                        i + 1 == pieces.size() ? QJsonValue(QStringLiteral("stop"))
                                               : QJsonValue(QJsonValue::Null) } } } } };
        response.chunks.append(
            "data: " + QJsonDocument(chunk).toJson(QJsonDocument::Compact) + "\n\n");
    }
    if (withDone)
        response.chunks.append(QByteArrayLiteral("data: [DONE]\n\n"));
    return response;
}

FakeResponse FakeResponse::streamWithUsage(
    const QStringList &pieces, int promptTokens, int completionTokens, int cachedTokens)
{
    FakeResponse response = stream(pieces, false);
    QJsonObject usage { { QStringLiteral("prompt_tokens"), promptTokens },
        { QStringLiteral("completion_tokens"), completionTokens },
        { QStringLiteral("total_tokens"), promptTokens + completionTokens } };
    if (cachedTokens > 0)
        usage.insert(QStringLiteral("prompt_tokens_details"),
            QJsonObject { { QStringLiteral("cached_tokens"), cachedTokens } });
    const QJsonObject chunk { { QStringLiteral("id"), QStringLiteral("chatcmpl-fake") },
        { QStringLiteral("object"), QStringLiteral("chat.completion.chunk") },
        { QStringLiteral("choices"), QJsonArray() }, { QStringLiteral("usage"), usage } };
    response.chunks.append("data: " + QJsonDocument(chunk).toJson(QJsonDocument::Compact) + "\n\n");
    response.chunks.append(QByteArrayLiteral("data: [DONE]\n\n"));
    return response;
}

FakeResponse FakeResponse::embeddings()
{
    const QJsonObject root { { QStringLiteral("object"), QStringLiteral("list") },
        { QStringLiteral("data"),
            QJsonArray { QJsonObject { { QStringLiteral("object"), QStringLiteral("embedding") },
                { QStringLiteral("index"), 0 },
                { QStringLiteral("embedding"), QJsonArray { 0.1, 0.2, 0.3 } } } } },
        { QStringLiteral("usage"), QJsonObject { { QStringLiteral("prompt_tokens"), 3 } } } };
    FakeResponse response;
    response.body = QJsonDocument(root).toJson(QJsonDocument::Compact);
    response.headers.append(
        { QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json") });
    return response;
}

FakeResponse &FakeResponse::withHeader(const QByteArray &name, const QByteArray &value)
{
    headers.append({ name, value });
    return *this;
}

QJsonObject ReceivedRequest::json() const
{
    return QJsonDocument::fromJson(body).object();
}

FakeUpstream::FakeUpstream(QObject *parent)
    : QObject(parent)
    , m_server(this) // a child, so that the fake can be moved to a thread of its own
    , m_default(FakeResponse::completion(QStringLiteral("default answer")))
{
    connect(&m_server, &QTcpServer::newConnection, this, &FakeUpstream::onNewConnection);
}

FakeUpstream::~FakeUpstream()
{
    for (Connection *connection : std::as_const(m_connections)) {
        if (connection->socket)
            connection->socket->abort();
        delete connection;
    }
}

bool FakeUpstream::listen()
{
    return m_server.listen(QHostAddress::LocalHost, 0);
}

QString FakeUpstream::baseUrl() const
{
    return QStringLiteral("http://127.0.0.1:%1/v1").arg(port());
}

quint16 FakeUpstream::closedPort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    const quint16 port = probe.serverPort();
    probe.close();
    return port;
}

int FakeUpstream::requestCount(const QByteArray &method, const QByteArray &path) const
{
    return int(std::count_if(m_requests.cbegin(), m_requests.cend(),
        [&](const ReceivedRequest &r) { return r.method == method && r.path == path; }));
}

void FakeUpstream::enqueue(const FakeResponse &response)
{
    m_queue.enqueue(response);
}

void FakeUpstream::release()
{
    Q_EMIT released();
}

void FakeUpstream::onNewConnection()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        auto *connection = new Connection { socket, {}, false };
        m_connections.append(connection);
        connect(
            socket, &QTcpSocket::readyRead, this, [this, connection] { onReadyRead(connection); });
        connect(socket, &QTcpSocket::disconnected, this, [this, connection] {
            if (connection->pending) {
                ++m_clientsGoneWhilePending;
                finishPending(connection);
            }
            if (connection->socket)
                connection->socket->deleteLater();
        });
    }
}

void FakeUpstream::finishPending(Connection *connection)
{
    if (!connection->pending)
        return;
    connection->pending = false;
    --m_pending;
}

void FakeUpstream::onReadyRead(Connection *connection)
{
    connection->buffer.append(connection->socket->readAll());
    for (;;) {
        const qsizetype headerEnd = connection->buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            return;
        ReceivedRequest request;
        const QList<QByteArray> lines = connection->buffer.left(headerEnd).split('\n');
        const QList<QByteArray> requestLine = lines.first().trimmed().split(' ');
        request.method = requestLine.value(0);
        request.path = requestLine.value(1);
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines.at(i).indexOf(':');
            if (colon > 0)
                request.headers.insert(lines.at(i).left(colon).trimmed().toLower(),
                    lines.at(i).mid(colon + 1).trimmed());
        }
        const qsizetype length = request.headers.value("content-length").toLongLong();
        if (connection->buffer.size() < headerEnd + 4 + length)
            return;
        request.body = connection->buffer.mid(headerEnd + 4, length);
        connection->buffer.remove(0, headerEnd + 4 + length);
        m_requests.append(request);
        connection->pending = true;
        ++m_pending;
        m_maxPending = qMax(m_maxPending, m_pending);
        std::optional<FakeResponse> answer = m_responder ? m_responder(request) : std::nullopt;
        const FakeResponse response = answer ? *answer
            : m_queue.isEmpty()              ? m_default
                                             : m_queue.dequeue();
        Q_EMIT requestReceived();
        respond(connection, response);
    }
}

void FakeUpstream::respond(Connection *connection, const FakeResponse &response)
{
    if (response.hang)
        return;
    if (response.holdUntilReleased) {
        FakeResponse next = response;
        next.holdUntilReleased = false;
        auto once = std::make_shared<QMetaObject::Connection>();
        *once = connect(this, &FakeUpstream::released, this, [this, connection, next, once] {
            disconnect(*once);
            if (connection->socket && connection->pending)
                respond(connection, next);
        });
        return;
    }
    if (response.delayMs > 0) {
        FakeResponse next = response;
        next.delayMs = 0;
        QTimer::singleShot(response.delayMs, this, [this, connection, next] {
            if (connection->socket && connection->pending)
                respond(connection, next);
        });
        return;
    }
    if (!response.raw.isEmpty()) {
        connection->socket->write(response.raw);
        connection->socket->flush();
        finishPending(connection);
        connection->socket->disconnectFromHost();
        return;
    }
    if (response.closeImmediately) {
        finishPending(connection);
        connection->socket->abort();
        return;
    }
    if (response.chunks.isEmpty()) {
        writeHead(connection, response, false);
        connection->socket->write(response.body);
        finishPending(connection);
        return;
    }
    writeHead(connection, response, true);
    sendChunks(connection, response, 0);
}

void FakeUpstream::writeHead(Connection *connection, const FakeResponse &response, bool chunked)
{
    QByteArray head = "HTTP/1.1 " + QByteArray::number(response.status) + " Scripted\r\n";
    for (const auto &[name, value] : response.headers)
        head += name + ": " + value + "\r\n";
    head += chunked ? QByteArray("Transfer-Encoding: chunked\r\n")
                    : "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n";
    head += "\r\n";
    connection->socket->write(head);
}

void FakeUpstream::sendChunks(Connection *connection, FakeResponse response, int next)
{
    if (!connection->socket || !connection->pending)
        return;
    if (next == response.cutAfterChunks) {
        finishPending(connection);
        connection->socket->flush();
        connection->socket->abort();
        return;
    }
    if (next == response.holdAfterChunks) {
        response.holdAfterChunks = -1;
        auto once = std::make_shared<QMetaObject::Connection>();
        *once = connect(
            this, &FakeUpstream::released, this, [this, connection, response, next, once] {
                disconnect(*once);
                sendChunks(connection, response, next);
            });
        return;
    }
    if (next >= response.chunks.size()) {
        connection->socket->write("0\r\n\r\n");
        finishPending(connection);
        return;
    }
    const QByteArray &chunk = response.chunks.at(next);
    connection->socket->write(QByteArray::number(chunk.size(), 16) + "\r\n" + chunk + "\r\n");
    connection->socket->flush();
    ++m_chunksSent;
    m_chunkSentNs.append(std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::steady_clock::now().time_since_epoch())
                             .count());
    if (response.chunkIntervalMs > 0)
        QTimer::singleShot(response.chunkIntervalMs, this,
            [this, connection, response, next] { sendChunks(connection, response, next + 1); });
    else
        sendChunks(connection, response, next + 1);
}

} // namespace Switchyard::Testing
