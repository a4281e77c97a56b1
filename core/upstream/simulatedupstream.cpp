#include "upstream/simulatedupstream.h"

#include "routing/clock.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTcpSocket>
#include <QTimer>

namespace Switchyard {

namespace {

const QStringList &phrases()
{
    static const QStringList words { QStringLiteral("Switchyard"), QStringLiteral("routes"),
        QStringLiteral("this"), QStringLiteral("simulated"), QStringLiteral("answer"),
        QStringLiteral("through"), QStringLiteral("its"), QStringLiteral("fallback"),
        QStringLiteral("chain"), QStringLiteral("without"), QStringLiteral("any"),
        QStringLiteral("API"), QStringLiteral("key.") };
    return words;
}

QJsonObject usageObject(int tokensIn, int tokensOut)
{
    return QJsonObject { { QStringLiteral("prompt_tokens"), tokensIn },
        { QStringLiteral("completion_tokens"), tokensOut },
        { QStringLiteral("total_tokens"), tokensIn + tokensOut } };
}

} // namespace

struct SimulatedUpstream::Connection {
    QPointer<QTcpSocket> socket;
    QByteArray buffer;
};

SimulatedUpstream::SimulatedUpstream(const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_clock(clock)
    , m_server(this)
    , m_startMs(clock.nowMs())
{
    connect(&m_server, &QTcpServer::newConnection, this, &SimulatedUpstream::onNewConnection);
}

bool SimulatedUpstream::listen()
{
    return m_server.isListening() || m_server.listen(QHostAddress::LocalHost, 0);
}

QUrl SimulatedUpstream::baseUrlFor(const QString &provider) const
{
    return QUrl(
        QStringLiteral("http://127.0.0.1:%1/sim/%2/v1").arg(m_server.serverPort()).arg(provider));
}

void SimulatedUpstream::setProviders(const QHash<QString, SimulationSettings> &providers)
{
    m_providers = providers;
}

QString SimulatedUpstream::activeFault(const QString &provider, double *rate, int *latencyMs) const
{
    const SimulationSettings settings = m_providers.value(provider);
    qint64 second = (m_clock.nowMs() - m_startMs) / 1000;
    if (settings.cycleS > 0)
        second %= settings.cycleS;
    for (const SimulatedIncident &incident : settings.incidents) {
        if (second >= incident.startS && second < incident.endS) {
            if (rate)
                *rate = incident.rate;
            if (latencyMs)
                *latencyMs = incident.latencyMs;
            return incident.fault;
        }
    }
    return QString();
}

void SimulatedUpstream::onNewConnection()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        auto connection = std::make_shared<Connection>();
        connection->socket = socket;
        connect(socket, &QTcpSocket::readyRead, this,
            [this, connection] { onReadyRead(connection.get()); });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        // The connection state lives as long as its socket.
        connect(socket, &QObject::destroyed, this, [connection] {});
    }
}

void SimulatedUpstream::onReadyRead(Connection *connection)
{
    connection->buffer += connection->socket->readAll();
    for (;;) {
        const qsizetype headerEnd = connection->buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            return;
        const QByteArray head = connection->buffer.left(headerEnd);
        const qsizetype lengthAt = head.toLower().indexOf("content-length:");
        const qsizetype length = lengthAt < 0
            ? 0
            : head.mid(lengthAt + 15, head.indexOf('\r', lengthAt) - lengthAt - 15)
                  .trimmed()
                  .toLongLong();
        if (connection->buffer.size() < headerEnd + 4 + length)
            return;
        const QByteArray path = head.left(head.indexOf('\r')).split(' ').value(1);
        const QByteArray body = connection->buffer.mid(headerEnd + 4, length);
        connection->buffer.remove(0, headerEnd + 4 + length);
        answer(connection, path, body);
    }
}

void SimulatedUpstream::writeResponse(Connection *connection, int status,
    const QByteArray &contentType, const QByteArray &body, const QByteArray &extraHeaders)
{
    if (!connection->socket)
        return;
    connection->socket->write("HTTP/1.1 " + QByteArray::number(status)
        + " Simulated\r\nContent-Type: " + contentType + "\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\n" + extraHeaders + "\r\n" + body);
}

void SimulatedUpstream::answer(
    Connection *connection, const QByteArray &path, const QByteArray &body)
{
    // Path: /sim/<provider>/v1/<endpoint>
    const QList<QByteArray> parts = path.split('/');
    const QString provider = QString::fromUtf8(parts.value(2));
    const QByteArray endpoint = parts.mid(4).join('/');
    const SimulationSettings settings = m_providers.value(provider);
    QRandomGenerator *random = QRandomGenerator::global();

    if (endpoint == "models") {
        const QString fault = activeFault(provider);
        if (fault == QLatin1String("timeout") || fault == QLatin1String("refused")) {
            if (fault == QLatin1String("refused"))
                connection->socket->abort();
            return;
        }
        if (!fault.isEmpty() && fault != QLatin1String("slow")) {
            writeResponse(connection, fault.toInt(), "application/json",
                "{\"error\":{\"message\":\"simulated outage\"}}");
            return;
        }
        writeResponse(connection, 200, "application/json", "{\"object\":\"list\",\"data\":[]}");
        return;
    }

    double rate = 1.0;
    int slowLatency = 0;
    QString fault = activeFault(provider, &rate, &slowLatency);
    if (!fault.isEmpty() && random->generateDouble() >= rate)
        fault.clear();
    if (fault.isEmpty() && random->generateDouble() < settings.errorRate)
        fault = QStringLiteral("503");
    int latency = settings.latencyMs
        + (settings.jitterMs > 0 ? int(random->bounded(settings.jitterMs + 1)) : 0);
    if (fault == QLatin1String("slow"))
        latency = slowLatency > 0 ? slowLatency : latency * 10;

    const QJsonObject request = QJsonDocument::fromJson(body).object();
    const QString model = request.value(QLatin1String("model")).toString();
    const bool stream = request.value(QLatin1String("stream")).toBool();
    const bool usage = request.value(QLatin1String("stream_options"))
                           .toObject()
                           .value(QLatin1String("include_usage"))
                           .toBool();
    const int tokensIn = qMax(1, int(body.size() / 4));
    const int tokensOut = settings.tokensOut;
    QPointer<QTcpSocket> socket = connection->socket;

    if (fault == QLatin1String("timeout"))
        return; // hold the connection; the gateway's timeouts are what the demo shows
    if (fault == QLatin1String("refused")) {
        socket->abort();
        return;
    }
    if (fault == QLatin1String("503") || fault == QLatin1String("500")
        || fault == QLatin1String("429")) {
        const int status = fault.toInt();
        QTimer::singleShot(qMax(5, latency / 4), this, [this, connection, socket, status] {
            if (!socket)
                return;
            const QByteArray type = status == 429 ? "rate_limit_error" : "server_error";
            writeResponse(connection, status, "application/json",
                "{\"error\":{\"message\":\"simulated " + QByteArray::number(status)
                    + "\",\"type\":\"" + type + "\"}}",
                status == 429 ? QByteArray("Retry-After: 1\r\n") : QByteArray());
        });
        return;
    }
    if (endpoint == "embeddings") {
        QTimer::singleShot(latency, this, [this, connection, socket, tokensIn] {
            if (!socket)
                return;
            const QJsonObject answer { { QStringLiteral("object"), QStringLiteral("list") },
                { QStringLiteral("data"),
                    QJsonArray {
                        QJsonObject { { QStringLiteral("object"), QStringLiteral("embedding") },
                            { QStringLiteral("index"), 0 },
                            { QStringLiteral("embedding"), QJsonArray { 0.1, 0.2, 0.3 } } } } },
                { QStringLiteral("usage"), usageObject(tokensIn, 0) } };
            writeResponse(connection, 200, "application/json",
                QJsonDocument(answer).toJson(QJsonDocument::Compact));
        });
        return;
    }
    if (stream) {
        const int chunks = settings.streamChunks;
        const int firstByte = latency / 2;
        QTimer::singleShot(firstByte, this,
            [this, connection, socket, model, chunks, latency, firstByte, usage, tokensIn,
                tokensOut] {
                if (socket)
                    streamAnswer(connection, model, chunks, qMax(1, (latency - firstByte) / chunks),
                        usage, tokensIn, tokensOut);
            });
        return;
    }
    QTimer::singleShot(latency, this, [this, connection, socket, model, tokensIn, tokensOut] {
        if (!socket)
            return;
        QStringList text;
        for (int i = 0; i < qMin(tokensOut, 24); ++i)
            text.append(phrases().at(i % phrases().size()));
        const QJsonObject answer { { QStringLiteral("id"), QStringLiteral("chatcmpl-sim") },
            { QStringLiteral("object"), QStringLiteral("chat.completion") },
            { QStringLiteral("created"), QDateTime::currentSecsSinceEpoch() },
            { QStringLiteral("model"), model },
            { QStringLiteral("choices"),
                QJsonArray { QJsonObject { { QStringLiteral("index"), 0 },
                    { QStringLiteral("message"),
                        QJsonObject { { QStringLiteral("role"), QStringLiteral("assistant") },
                            { QStringLiteral("content"), text.join(QLatin1Char(' ')) } } },
                    { QStringLiteral("finish_reason"), QStringLiteral("stop") } } } },
            { QStringLiteral("usage"), usageObject(tokensIn, tokensOut) } };
        writeResponse(connection, 200, "application/json",
            QJsonDocument(answer).toJson(QJsonDocument::Compact));
    });
}

void SimulatedUpstream::streamAnswer(Connection *connection, const QString &model, int chunks,
    int intervalMs, bool usage, int tokensIn, int tokensOut)
{
    QPointer<QTcpSocket> socket = connection->socket;
    socket->write("HTTP/1.1 200 Simulated\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: "
                  "chunked\r\n\r\n");
    auto writeEvent = [socket](const QByteArray &data) {
        if (!socket)
            return;
        const QByteArray event = "data: " + data + "\n\n";
        socket->write(QByteArray::number(event.size(), 16) + "\r\n" + event + "\r\n");
    };
    for (int i = 0; i <= chunks; ++i) {
        QTimer::singleShot(intervalMs * i, this,
            [socket, writeEvent, model, i, chunks, usage, tokensIn, tokensOut] {
                if (!socket)
                    return;
                if (i < chunks) {
                    const QJsonObject chunk { { QStringLiteral("id"),
                                                  QStringLiteral("chatcmpl-sim") },
                        { QStringLiteral("object"), QStringLiteral("chat.completion.chunk") },
                        { QStringLiteral("model"), model },
                        { QStringLiteral("choices"),
                            QJsonArray { QJsonObject { { QStringLiteral("index"), 0 },
                                { QStringLiteral("delta"),
                                    QJsonObject { { QStringLiteral("content"),
                                        QString(phrases().at(i % phrases().size())
                                            + QLatin1Char(' ')) } } },
                                { QStringLiteral("finish_reason"),
                                    i + 1 == chunks ? QJsonValue(QStringLiteral("stop"))
                                                    : QJsonValue() } } } } };
                    writeEvent(QJsonDocument(chunk).toJson(QJsonDocument::Compact));
                    return;
                }
                if (usage) {
                    const QJsonObject last { { QStringLiteral("id"),
                                                 QStringLiteral("chatcmpl-sim") },
                        { QStringLiteral("object"), QStringLiteral("chat.completion.chunk") },
                        { QStringLiteral("choices"), QJsonArray() },
                        { QStringLiteral("usage"), usageObject(tokensIn, tokensOut) } };
                    writeEvent(QJsonDocument(last).toJson(QJsonDocument::Compact));
                }
                writeEvent("[DONE]");
                socket->write("0\r\n\r\n");
            });
    }
}

} // namespace Switchyard
