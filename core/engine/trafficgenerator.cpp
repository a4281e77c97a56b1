#include "engine/trafficgenerator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace Switchyard {

namespace {

constexpr int ManagerCount = 8;

const QStringList &prompts()
{
    static const QStringList list { QStringLiteral(
                                        "Summarise the incident report in two sentences."),
        QStringLiteral("Translate 'failover' into German."),
        QStringLiteral("Write a haiku about circuit breakers."),
        QStringLiteral("What is a retry budget?"),
        QStringLiteral("List three ways to drain a provider.") };
    return list;
}

} // namespace

TrafficGenerator::TrafficGenerator(quint16 port, QStringList lanes, QObject *parent)
    : QObject(parent)
    , m_port(port)
    , m_lanes(std::move(lanes))
    , m_timer(this)
{
    connect(&m_timer, &QTimer::timeout, this, &TrafficGenerator::sendOne);
    for (int i = 0; i < ManagerCount; ++i)
        m_managers.push_back(std::make_unique<QNetworkAccessManager>());
}

void TrafficGenerator::start(double requestsPerSecond)
{
    if (requestsPerSecond <= 0 || m_lanes.isEmpty()) {
        stop();
        return;
    }
    m_timer.start(int(1000.0 / requestsPerSecond));
}

void TrafficGenerator::stop()
{
    m_timer.stop();
}

void TrafficGenerator::sendOne()
{
    const qint64 n = m_sent++;
    const QString lane = m_lanes.at(n % m_lanes.size());
    const QString prompt = prompts().at(n % prompts().size());
    const QJsonArray messages { QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
        { QStringLiteral("content"), prompt } } };
    // Mostly chat completions, as applications send them; some Messages and Responses requests,
    // as coding agents send them.
    QString path = QStringLiteral("/v1/chat/completions");
    QJsonObject body { { QStringLiteral("model"), lane },
        { QStringLiteral("messages"), messages } };
    if (n % 5 == 2) {
        path = QStringLiteral("/v1/messages");
        body.insert(QStringLiteral("max_tokens"), 256);
    } else if (n % 7 == 4) {
        path = QStringLiteral("/v1/responses");
        body = { { QStringLiteral("model"), lane }, { QStringLiteral("input"), prompt } };
    }
    if (n % 3 == 1)
        body.insert(QStringLiteral("stream"), true);
    QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(path)));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    QNetworkReply *reply = m_managers.at(size_t(n % ManagerCount))
                               ->post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
    // The answers are not the point; the traces are.
    connect(reply, &QNetworkReply::readyRead, reply, [reply] { reply->readAll(); });
    connect(reply, &QNetworkReply::finished, reply, &QObject::deleteLater);
}

} // namespace Switchyard
