#include "upstream/simulatedupstream.h"

#include "routing/clock.h"

#include <QHostAddress>
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

SimulatedUpstream::SimulatedUpstream(const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_clock(clock)
    , m_startMs(clock.nowMs())
{
    HttpHandlers handlers;
    handlers.handle = [this](const HttpRequest &request, ClientResponse response) {
        answer(request.url.path().toUtf8(), request.body,
            std::make_shared<ClientResponse>(std::move(response)));
    };
    m_listener = new HttpListener(std::move(handlers), this);
}

bool SimulatedUpstream::listen()
{
    if (m_port == 0)
        m_port = m_listener->listen(QHostAddress::LocalHost, 0);
    return m_port != 0;
}

QUrl SimulatedUpstream::baseUrlFor(const QString &provider) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1/sim/%2/v1").arg(m_port).arg(provider));
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

void SimulatedUpstream::hold(const Answer &response)
{
    // A timeout fault answers nothing: the connection stays open until the gateway gives up.
    m_held.removeIf([](const Answer &held) { return !held->isConnected(); });
    m_held.append(response);
}

void SimulatedUpstream::respond(const Answer &response, int status, const QByteArray &contentType,
    const QByteArray &body, const HeaderList &extraHeaders)
{
    if (!response->isConnected())
        return;
    HeaderList headers { { QByteArrayLiteral("Content-Type"), contentType } };
    headers.append(extraHeaders);
    response->send(status, headers, body);
}

void SimulatedUpstream::answer(const QByteArray &path, const QByteArray &body, Answer response)
{
    // Path: /sim/<provider>/v1/<endpoint>
    const QList<QByteArray> parts = path.split('/');
    const QString provider = QString::fromUtf8(parts.value(2));
    const QByteArray endpoint = parts.mid(4).join('/');
    const SimulationSettings settings = m_providers.value(provider);
    QRandomGenerator *random = QRandomGenerator::global();

    if (endpoint == "models") {
        const QString fault = activeFault(provider);
        if (fault == QLatin1String("timeout")) {
            hold(response);
            return;
        }
        if (fault == QLatin1String("refused")) {
            if (QTcpSocket *socket = response->socket())
                socket->abort();
            return;
        }
        if (!fault.isEmpty() && fault != QLatin1String("slow")) {
            respond(response, fault.toInt(), "application/json",
                "{\"error\":{\"message\":\"simulated outage\"}}");
            return;
        }
        respond(response, 200, "application/json", "{\"object\":\"list\",\"data\":[]}");
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
    if (fault == QLatin1String("timeout")) {
        hold(response); // the gateway's timeouts are what the demo shows
        return;
    }
    if (fault == QLatin1String("refused")) {
        if (QTcpSocket *socket = response->socket())
            socket->abort();
        return;
    }
    if (fault == QLatin1String("503") || fault == QLatin1String("500")
        || fault == QLatin1String("429")) {
        const int status = fault.toInt();
        QTimer::singleShot(qMax(5, latency / 4), this, [this, response, status] {
            if (!response->isConnected())
                return;
            const QByteArray type = status == 429 ? "rate_limit_error" : "server_error";
            respond(response, status, "application/json",
                "{\"error\":{\"message\":\"simulated " + QByteArray::number(status)
                    + "\",\"type\":\"" + type + "\"}}",
                status == 429
                    ? HeaderList { { QByteArrayLiteral("Retry-After"), QByteArrayLiteral("1") } }
                    : HeaderList {});
        });
        return;
    }
    if (endpoint == "embeddings") {
        QTimer::singleShot(latency, this, [this, response, tokensIn] {
            if (!response->isConnected())
                return;
            const QJsonObject answer { { QStringLiteral("object"), QStringLiteral("list") },
                { QStringLiteral("data"),
                    QJsonArray {
                        QJsonObject { { QStringLiteral("object"), QStringLiteral("embedding") },
                            { QStringLiteral("index"), 0 },
                            { QStringLiteral("embedding"), QJsonArray { 0.1, 0.2, 0.3 } } } } },
                { QStringLiteral("usage"), usageObject(tokensIn, 0) } };
            respond(response, 200, "application/json",
                QJsonDocument(answer).toJson(QJsonDocument::Compact));
        });
        return;
    }
    if (stream) {
        const int chunks = settings.streamChunks;
        const int firstByte = latency / 2;
        QTimer::singleShot(firstByte, this,
            [this, response, model, chunks, latency, firstByte, usage, tokensIn, tokensOut] {
                if (response->isConnected())
                    streamAnswer(response, model, chunks, qMax(1, (latency - firstByte) / chunks),
                        usage, tokensIn, tokensOut);
            });
        return;
    }
    QTimer::singleShot(latency, this, [this, response, model, tokensIn, tokensOut] {
        if (!response->isConnected())
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
        respond(response, 200, "application/json",
            QJsonDocument(answer).toJson(QJsonDocument::Compact));
    });
}

void SimulatedUpstream::streamAnswer(const Answer &response, const QString &model, int chunks,
    int intervalMs, bool usage, int tokensIn, int tokensOut)
{
    response->beginChunked(
        200, { { QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/event-stream") } });
    auto writeEvent = [response](const QByteArray &data) {
        if (response->isConnected())
            response->writeChunk("data: " + data + "\n\n");
    };
    for (int i = 0; i <= chunks; ++i) {
        QTimer::singleShot(intervalMs * i, this,
            [response, writeEvent, model, i, chunks, usage, tokensIn, tokensOut] {
                if (!response->isConnected())
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
                response->endChunked();
            });
    }
}

} // namespace Switchyard
