#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QTcpSocket>

#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace Switchyard::Bench {

// A minimal HTTP/1.1 keep-alive load generator: `connections` sockets, each sending the next
// request as soon as the previous answer is complete, until `total` answers arrived.
class LoadClient final : public QObject {
    Q_OBJECT
public:
    LoadClient(quint16 port, QByteArray request, int connections, QObject *parent = nullptr);

    // Runs until `total` responses are in; `progress` is called after each one.
    // With `requestsPerSecond` > 0 the sends are paced to that rate (open loop) instead of back to
    // back.
    bool run(int total, const std::function<void(int done)> &progress = {},
        double requestsPerSecond = 0);
    int failures() const { return m_failures; }
    std::vector<qint64> latenciesNs() const { return m_latencies; }

private:
    struct Connection {
        std::unique_ptr<QTcpSocket> socket;
        QByteArray buffer;
        QElapsedTimer sent;
    };
    void send(Connection &connection);
    void onReadyRead(Connection &connection);

    quint16 m_port;
    QByteArray m_request;
    std::vector<std::unique_ptr<Connection>> m_connections;
    int m_total = 0;
    int m_started = 0;
    int m_done = 0;
    int m_failures = 0;
    double m_rate = 0;
    QElapsedTimer m_clock;
    std::vector<qint64> m_latencies;
    std::function<void(int)> m_progress;
};

QByteArray chatRequest(const QByteArray &model, bool stream = false);
// Starts `binary --headless --config configPath` on an ephemeral loopback port in `environment`;
// returns the port, or 0 (having printed what it said) when it did not start.
quint16 startGateway(QProcess &gateway, const QString &binary, const QString &configPath,
    const QProcessEnvironment &environment);
// Starts h2upstream.js (Node's streaming upstream over TLS, HTTP/2 and HTTP/1.1, resuming TLS
// sessions) with the certificate and key given, sending `chunks` events `intervalMs` apart; returns
// its port, or 0 when it did not start. It ends with the benchmark, or when its stdin is closed.
quint16 startNodeUpstream(QProcess &upstream, const QString &certFile, const QString &keyFile,
    int chunks, int intervalMs);
// The TLS connections a Node upstream accepted so far, and how many of them resumed a session;
// nothing when it does not answer.
std::optional<std::pair<int, int>> nodeUpstreamHandshakes(QProcess &upstream);
// CPU time (user and system) the process has used so far, in seconds; -1 when unknown.
double cpuSeconds(qint64 pid);
qint64 residentKiB(qint64 pid, const char *field = "VmRSS:");

} // namespace Switchyard::Bench
