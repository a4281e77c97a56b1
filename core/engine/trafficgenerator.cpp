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
    QJsonObject body { { QStringLiteral("model"), m_lanes.at(n % m_lanes.size()) },
        { QStringLiteral("messages"),
            QJsonArray { QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                { QStringLiteral("content"), prompts().at(n % prompts().size()) } } } } };
    if (n % 3 == 1)
        body.insert(QStringLiteral("stream"), true);
    QNetworkRequest request(
        QUrl(QStringLiteral("http://127.0.0.1:%1/v1/chat/completions").arg(m_port)));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    QNetworkReply *reply = m_managers.at(size_t(n % ManagerCount))
                               ->post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
    // The answers are not the point; the traces are.
    connect(reply, &QNetworkReply::readyRead, reply, [reply] { reply->readAll(); });
    connect(reply, &QNetworkReply::finished, reply, &QObject::deleteLater);
}

} // namespace Switchyard
