#include "loadclient.h"

#include <csignal>

#include <sys/prctl.h>
#include <unistd.h>

#include <QEventLoop>
#include <QFile>
#include <QRegularExpression>
#include <QTimer>

#include <cstdio>

namespace Switchyard::Bench {

QByteArray chatRequest(const QByteArray &model, bool stream)
{
    const QByteArray body = "{\"model\":\"" + model + "\",\"stream\":" + (stream ? "true" : "false")
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}";
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
           "application/json\r\n"
           "Content-Length: "
        + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

quint16 startNodeUpstream(
    QProcess &upstream, const QString &certFile, const QString &keyFile, int chunks, int intervalMs)
{
    upstream.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    upstream.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
    upstream.start(QStringLiteral("node"),
        { QStringLiteral(SWITCHYARD_BENCH_DIR "/h2upstream.js"), certFile, keyFile,
            QString::number(chunks), QString::number(intervalMs) });
    if (!upstream.waitForStarted(10000) || !upstream.waitForReadyRead(10000))
        return 0;
    return quint16(upstream.readLine().trimmed().toUInt());
}

std::optional<std::pair<int, int>> nodeUpstreamHandshakes(QProcess &upstream)
{
    if (upstream.state() != QProcess::Running)
        return std::nullopt;
    upstream.write("stats\n");
    if (!upstream.waitForReadyRead(10000))
        return std::nullopt;
    const QList<QByteArray> words
        = upstream.readLine().trimmed().split(' '); // connections N resumed M
    return std::pair(words.value(1).toInt(), words.value(3).toInt());
}

quint16 startGateway(QProcess &gateway, const QString &binary, const QString &configPath,
    const QProcessEnvironment &environment)
{
    gateway.setProcessEnvironment(environment);
    // Ends with the benchmark however that ends (a timeout's kill included): a gateway left
    // running would skew every later run on the machine.
    gateway.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
    gateway.setReadChannel(QProcess::StandardError);
    gateway.start(binary,
        { QStringLiteral("--headless"), QStringLiteral("--config"), configPath,
            QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0") });
    QByteArray said;
    static const QRegularExpression listeningOn(
        QStringLiteral("listening on http://127.0.0.1:(\\d+)/v1"));
    while (gateway.waitForReadyRead(10000)) {
        said += gateway.readAllStandardError();
        const QRegularExpressionMatch match = listeningOn.match(QString::fromUtf8(said));
        if (match.hasMatch())
            return quint16(match.captured(1).toUInt());
    }
    std::fprintf(stderr, "the gateway did not start: %s\n", said.constData());
    return 0;
}

double cpuSeconds(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (pid <= 0 || !stat.open(QIODevice::ReadOnly))
        return -1;
    // The command name (field 2) may hold spaces, so fields count from its closing parenthesis;
    // utime and stime are fields 14 and 15, in clock ticks.
    const QByteArray line = stat.readAll();
    const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 13)
        return -1;
    return double(fields.at(11).toLongLong() + fields.at(12).toLongLong())
        / double(sysconf(_SC_CLK_TCK));
}

qint64 residentKiB(qint64 pid, const char *field)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(field))
            return line.mid(qstrlen(field)).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

LoadClient::LoadClient(quint16 port, QByteArray request, int connections, QObject *parent)
    : QObject(parent)
    , m_port(port)
    , m_request(std::move(request))
{
    for (int i = 0; i < connections; ++i)
        m_connections.push_back(std::make_unique<Connection>());
}

void LoadClient::send(Connection &connection)
{
    if (m_started >= m_total)
        return;
    if (m_rate > 0) {
        const qint64 dueNs = qint64(double(m_started) * 1e9 / m_rate);
        const qint64 waitMs = (dueNs - m_clock.nsecsElapsed()) / 1000000;
        if (waitMs > 0) {
            QTimer::singleShot(int(waitMs), this, [this, &connection] { send(connection); });
            return;
        }
    }
    ++m_started;
    connection.sent.start();
    connection.socket->write(m_request);
}

void LoadClient::onReadyRead(Connection &connection)
{
    connection.buffer += connection.socket->readAll();
    for (;;) {
        const qsizetype headerEnd = connection.buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            return;
        const QByteArray head = connection.buffer.left(headerEnd).toLower();
        qsizetype bodyLength = 0;
        const qsizetype lengthAt = head.indexOf("content-length:");
        if (lengthAt >= 0)
            bodyLength = head.mid(lengthAt + 15, head.indexOf('\r', lengthAt) - lengthAt - 15)
                             .trimmed()
                             .toLongLong();
        else if (head.contains("transfer-encoding: chunked")) {
            const qsizetype end = connection.buffer.indexOf("\r\n0\r\n\r\n", headerEnd);
            if (end < 0)
                return;
            bodyLength = end + 7 - (headerEnd + 4);
        }
        if (connection.buffer.size() < headerEnd + 4 + bodyLength)
            return;
        if (!head.startsWith("http/1.1 200"))
            ++m_failures;
        connection.buffer.remove(0, headerEnd + 4 + bodyLength);
        m_latencies.push_back(connection.sent.nsecsElapsed());
        ++m_done;
        if (m_progress)
            m_progress(m_done);
        send(connection);
    }
}

bool LoadClient::run(int total, const std::function<void(int)> &progress, double requestsPerSecond)
{
    m_rate = requestsPerSecond;
    m_clock.start();
    m_total = total;
    m_started = 0;
    m_done = 0;
    m_progress = progress;
    m_latencies.clear();
    m_latencies.reserve(size_t(total));
    QEventLoop loop;
    for (const std::unique_ptr<Connection> &connection : m_connections) {
        if (!connection->socket) {
            connection->socket = std::make_unique<QTcpSocket>();
            connection->socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
            Connection *raw = connection.get();
            connect(connection->socket.get(), &QTcpSocket::readyRead, this,
                [this, raw] { onReadyRead(*raw); });
            connection->socket->connectToHost(QHostAddress::LocalHost, m_port);
            if (!connection->socket->waitForConnected(5000))
                return false;
        }
        send(*connection);
    }
    QTimer check;
    connect(&check, &QTimer::timeout, &loop, [&] {
        if (m_done >= m_total)
            loop.quit();
    });
    check.start(5);
    QTimer::singleShot(600000, &loop, &QEventLoop::quit); // a run never hangs the machine
    loop.exec();
    return m_done >= m_total;
}

} // namespace Switchyard::Bench
