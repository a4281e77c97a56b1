#pragma once

#include <QList>
#include <QNetworkAccessManager>
#include <QObject>
#include <QStringList>
#include <QTimer>

#include <memory>
#include <vector>

namespace Switchyard {

// Sends a steady mix of requests to the gateway's own listener over loopback, the way an
// application or a coding agent would (chat completions, Messages, Responses), so the demo has
// traffic to route. Lives in the engine thread.
class TrafficGenerator final : public QObject {
    Q_OBJECT
public:
    TrafficGenerator(quint16 port, QStringList lanes, QObject *parent = nullptr);

    void start(double requestsPerSecond);
    void stop();

private:
    void sendOne();

    quint16 m_port;
    QStringList m_lanes;
    QTimer m_timer;
    std::vector<std::unique_ptr<QNetworkAccessManager>>
        m_managers; // one manager caps at six connections
    qint64 m_sent = 0;
};

} // namespace Switchyard
