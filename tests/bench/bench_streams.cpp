// Many concurrent streams (issue 20): N clients each hold a chat completion stream open while the
// upstream sends a chunk every interval. Each chunk carries the upstream's send time (the
// monotonic clock, which every process on the machine shares), so the delay it picks up on the
// way is measured per chunk. The same streams go to the upstream directly, through nginx as a
// reverse proxy (`proxy_buffering off`, one worker, as tests/bench/proxy.sh runs it) and through
// `switchyard --headless`, in one run; the proxies' resident memory is sampled. Not a test.
// Usage: bench_streams [streams=1000] [chunks=20] [interval-ms=100] [plain|https|both=both]
#include "loadclient.h"
#include "tlsfront.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QHostAddress>
#include <QProcess>
#include <QRegularExpression>
#include <QSslKey>
#include <QSslServer>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <vector>

namespace {

qint64 monotonicNs()
{
    timespec now {};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return qint64(now.tv_sec) * 1000000000 + now.tv_nsec;
}

// The upstream: answers every POST with a chunked SSE stream of `chunks` events, the first at
// once and then one every `intervalMs`, each naming the monotonic time it was written. One timer
// sweeps the open streams, so the upstream's own cost stays flat however many there are.
class StreamingUpstream final : public QObject {
public:
    StreamingUpstream(int chunks, int intervalMs)
        : m_chunks(chunks)
        , m_intervalNs(qint64(intervalMs) * 1000000)
    {
    }

    // Plain HTTP, or HTTPS with `tls` (a certificate the benchmark's own CA signed).
    quint16 start(const std::optional<QSslConfiguration> &tls = std::nullopt)
    {
        if (tls) {
            auto *server = new QSslServer(this);
            server->setSslConfiguration(*tls);
            // A thousand handshakes at once on this one thread take longer than QSslServer's
            // default 5 s allows; dropping them would count as the proxy's failures.
            server->setHandshakeTimeout(120000);
            m_server = server;
        } else {
            m_server = new QTcpServer(this);
        }
        m_server->setListenBacklogSize(8192);
        if (!m_server->listen(QHostAddress::LocalHost, 0))
            return 0;
        // After the TLS handshake, for an HTTPS one.
        connect(m_server, &QTcpServer::pendingConnectionAvailable, this, [this] {
            while (QTcpSocket *socket = m_server->nextPendingConnection())
                accept(socket);
        });
        auto *sweep = new QTimer(this);
        sweep->setTimerType(Qt::PreciseTimer);
        connect(sweep, &QTimer::timeout, this, &StreamingUpstream::sendDue);
        sweep->start(2);
        return m_server->serverPort();
    }

private:
    struct Stream {
        QTcpSocket *socket = nullptr;
        QByteArray request;
        bool answering = false;
        int sent = 0;
        qint64 dueNs = 0;
    };

    void accept(QTcpSocket *socket)
    {
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        auto stream = std::make_shared<Stream>();
        stream->socket = socket;
        connect(socket, &QTcpSocket::readyRead, this, [this, stream] {
            stream->request += stream->socket->readAll();
            if (stream->answering)
                return;
            const qsizetype head = stream->request.indexOf("\r\n\r\n");
            if (head < 0)
                return;
            static const QRegularExpression length(QStringLiteral("(?i)content-length:\\s*(\\d+)"));
            const qsizetype body = length.match(QString::fromLatin1(stream->request.left(head)))
                                       .captured(1)
                                       .toLongLong();
            if (stream->request.size() < head + 4 + body)
                return;
            stream->answering = true;
            // It closes the connection after each stream, and says so: a proxy that kept it for
            // the next request would lose that request to the close (nginx keeps none here).
            stream->socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                                  "Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n"
                                  "Connection: close\r\n\r\n");
            stream->dueNs = monotonicNs();
            m_open.push_back(stream);
            sendDue();
        });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    }

    static void writeChunk(QTcpSocket *socket, const QByteArray &data)
    {
        socket->write(QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n");
    }

    void sendDue()
    {
        const qint64 now = monotonicNs();
        for (auto it = m_open.begin(); it != m_open.end();) {
            Stream &stream = **it;
            if (stream.socket->state() != QAbstractSocket::ConnectedState) {
                it = m_open.erase(it);
                continue;
            }
            if (stream.dueNs > now) {
                ++it;
                continue;
            }
            writeChunk(stream.socket,
                "data: {\"id\":\"chatcmpl-b\",\"object\":\"chat.completion.chunk\",\"created\":0,"
                "\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"T"
                    + QByteArray::number(monotonicNs()) + "\"},\"finish_reason\":null}]}\n\n");
            if (++stream.sent < m_chunks) {
                stream.dueNs += m_intervalNs;
                ++it;
                continue;
            }
            writeChunk(stream.socket, "data: [DONE]\n\n");
            stream.socket->write("0\r\n\r\n");
            stream.socket->disconnectFromHost();
            it = m_open.erase(it);
        }
    }

    const int m_chunks;
    const qint64 m_intervalNs;
    QTcpServer *m_server = nullptr;
    std::vector<std::shared_ptr<Stream>> m_open;
};

struct RunFigures {
    std::vector<qint64> chunkDelayNs;
    std::vector<qint64> firstByteNs; // request sent → first event whole
    int completed = 0;
    int failed = 0;
    std::map<QByteArray, int> failures; // why streams failed, and how many for each reason
    qint64 peakRssKiB = -1;
    double cpuSeconds = -1; // the proxy's, over the run
    qint64 rssAfterKiB = -1;
};

// N streams at once against `port` (HTTP/1.1, one connection each), until every one ends or the
// time is up. Samples `pid`'s resident memory meanwhile.
RunFigures runStreams(
    quint16 port, const QByteArray &model, int streams, int chunks, qint64 boundMs, qint64 pid)
{
    RunFigures figures;
    figures.chunkDelayNs.reserve(size_t(streams) * size_t(chunks));
    const QByteArray body = "{\"model\":\"" + model
        + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    const QByteArray request = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                               "Content-Type: application/json\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    int finished = 0;
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    std::vector<std::function<void(bool, const QByteArray &)>> ends;
    for (int i = 0; i < streams; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        QTcpSocket *raw = socket.get();
        auto buffer = std::make_shared<QByteArray>();
        auto sentAt = std::make_shared<qint64>(0);
        auto events = std::make_shared<int>(0);
        auto done = std::make_shared<bool>(false);
        auto head
            = std::make_shared<QByteArray>(); // the answer's first bytes, to say why it failed
        const auto end
            = [&figures, &finished, done, events, chunks, head](bool ok, const QByteArray &why) {
                  if (*done)
                      return;
                  *done = true;
                  ++finished;
                  if (ok && *events == chunks) {
                      ++figures.completed;
                      return;
                  }
                  ++figures.failed;
                  const QByteArray statusLine = head->left(head->indexOf('\r'));
                  ++figures.failures[why + " after " + QByteArray::number(*events) + " events"
                      + (statusLine.isEmpty() ? QByteArray() : ", answer " + statusLine.left(60))];
              };
        ends.push_back(end);
        QObject::connect(raw, &QTcpSocket::connected, raw, [raw, request, sentAt] {
            raw->setSocketOption(QAbstractSocket::LowDelayOption, 1);
            *sentAt = monotonicNs();
            raw->write(request);
        });
        QObject::connect(
            raw, &QTcpSocket::readyRead, raw, [&figures, raw, buffer, sentAt, events, end, head] {
                *buffer += raw->readAll();
                if (head->isEmpty())
                    *head = buffer->left(120);
                // An error answer is not a stream: it ends here, with its message as the reason.
                if (!head->startsWith("HTTP/1.1 200")) {
                    // The gateway's own words: its first attempt's reason, else its message.
                    qsizetype at = buffer->indexOf("\"reason\"");
                    if (at < 0)
                        at = buffer->indexOf("\"message\"");
                    end(false, at < 0 ? QByteArray("an error") : buffer->mid(at, 160).simplified());
                    raw->disconnectFromHost();
                    return;
                }
                qsizetype at;
                while ((at = buffer->indexOf("\n\n")) >= 0) {
                    const QByteArray event = buffer->left(at);
                    buffer->remove(0, at + 2);
                    const qsizetype mark = event.indexOf("\"content\":\"T");
                    if (mark >= 0) {
                        const qint64 now = monotonicNs();
                        const qsizetype from = mark + 12;
                        const qint64 sent
                            = event.mid(from, event.indexOf('"', from) - from).toLongLong();
                        if (*events == 0)
                            figures.firstByteNs.push_back(now - *sentAt);
                        figures.chunkDelayNs.push_back(now - sent);
                        ++*events;
                    } else if (event.contains("[DONE]")) {
                        end(true, QByteArray());
                        raw->disconnectFromHost();
                        return;
                    }
                }
            });
        QObject::connect(
            raw, &QTcpSocket::disconnected, raw, [end] { end(false, "closed by the proxy"); });
        QObject::connect(
            raw, &QTcpSocket::errorOccurred, raw, [end, raw](QAbstractSocket::SocketError error) {
                if (error != QAbstractSocket::RemoteHostClosedError)
                    end(false, "socket error: " + raw->errorString().toUtf8());
            });
        raw->connectToHost(QHostAddress::LocalHost, port);
        sockets.push_back(std::move(socket));
    }
    QElapsedTimer clock;
    clock.start();
    while (finished < streams && clock.elapsed() < boundMs) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        if (pid > 0)
            figures.peakRssKiB = std::max(figures.peakRssKiB, Switchyard::Bench::residentKiB(pid));
    }
    // What the time bound cut off, with how far each got.
    for (const auto &endStream : ends)
        endStream(false, "still open when the time was up");
    sockets.clear();
    // Every stream that did not end whole, counted once (closing the rest above ends them too).
    figures.failed = streams - figures.completed;
    return figures;
}

double percentileMs(std::vector<qint64> values, double p)
{
    if (values.empty())
        return -1;
    std::sort(values.begin(), values.end());
    return double(values[std::min(values.size() - 1, size_t(p * double(values.size())))]) / 1e6;
}

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

bool waitForPort(quint16 port, int ms)
{
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < ms) {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, port);
        if (socket.waitForConnected(200))
            return true;
        QThread::msleep(50);
    }
    return false;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const int streams = argc > 1 ? std::max(1, atoi(argv[1])) : 1000;
    const int chunks = argc > 2 ? std::max(1, atoi(argv[2])) : 20;
    const int intervalMs = argc > 3 ? std::max(1, atoi(argv[3])) : 100;
    const QByteArray rows = argc > 4 ? QByteArray(argv[4]) : QByteArray("both");
    const bool plainRows = rows != "https";
    const bool httpsRows = rows != "plain";
    // Two sockets a stream here (client and upstream side), two in each proxy.
    rlimit files {};
    getrlimit(RLIMIT_NOFILE, &files);
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);

    QThread upstreamThread;
    auto *upstream = new StreamingUpstream(chunks, intervalMs);
    upstream->moveToThread(&upstreamThread);
    QObject::connect(&upstreamThread, &QThread::finished, upstream, &QObject::deleteLater);
    upstreamThread.start();
    quint16 upstreamPort = 0;
    QMetaObject::invokeMethod(
        upstream, [&] { upstreamPort = upstream->start(); }, Qt::BlockingQueuedConnection);
    if (upstreamPort == 0)
        return 1;

    QTemporaryDir work;

    // The HTTPS rows: the same streams from an upstream over TLS, with a certificate for 127.0.0.1
    // that a CA made here signed; nginx trusts the CA through proxy_ssl_trusted_certificate, the
    // gateway through the provider's tls.ca_file. The upstream is this program's own over TLS,
    // where every handshake is a full one: no Qt 6.4 server resumes a session (each of its sockets
    // has session ticket keys of its own). SWITCHYARD_BENCH_TLS_UPSTREAM=node runs Node's instead
    // (h2upstream.js, which answers HTTP/1.1 too), which resumes sessions as production servers do,
    // and says how many handshakes each proxy resumed.
    quint16 tlsUpstreamPort = 0;
    const QString certificateError = httpsRows
        ? Switchyard::Testing::makeTestCertificates(work.path(), QStringLiteral("bench CA"))
        : QStringLiteral("not asked for");
    const QString caFile = work.filePath(QStringLiteral("ca.pem"));
    QProcess nodeUpstream;
    if (certificateError.isEmpty()
        && qEnvironmentVariable("SWITCHYARD_BENCH_TLS_UPSTREAM") == QLatin1String("node")) {
        tlsUpstreamPort = Switchyard::Bench::startNodeUpstream(nodeUpstream,
            work.filePath(QStringLiteral("server.pem")),
            work.filePath(QStringLiteral("server.key")), chunks, intervalMs);
        if (tlsUpstreamPort == 0)
            std::fprintf(stderr, "the Node upstream did not start; HTTPS rows from Qt's\n");
    }
    const auto handshakes
        = [&nodeUpstream] { return Switchyard::Bench::nodeUpstreamHandshakes(nodeUpstream); };
    if (certificateError.isEmpty() && tlsUpstreamPort == 0) {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setLocalCertificateChain(
            QSslCertificate::fromPath(work.filePath(QStringLiteral("server.pem"))));
        QFile key(work.filePath(QStringLiteral("server.key")));
        key.open(QIODevice::ReadOnly);
        tls.setPrivateKey(QSslKey(key.readAll(), QSsl::Ec));
        auto *tlsUpstream = new StreamingUpstream(chunks, intervalMs);
        tlsUpstream->moveToThread(&upstreamThread);
        QObject::connect(&upstreamThread, &QThread::finished, tlsUpstream, &QObject::deleteLater);
        QMetaObject::invokeMethod(
            tlsUpstream, [&] { tlsUpstreamPort = tlsUpstream->start(tls); },
            Qt::BlockingQueuedConnection);
    } else if (!certificateError.isEmpty()) {
        std::fprintf(stderr, "no HTTPS rows: %s\n", qPrintable(certificateError));
    }
    const qint64 boundMs = qint64(chunks) * intervalMs + 60000;

    // nginx as the reverse proxy, where it is installed.
    quint16 nginxPort = 0;
    quint16 nginxTlsPort = 0; // proxying to the HTTPS upstream
    qint64 nginxPid = -1;
    QProcess nginx;
    const QString nginxBinary = QStandardPaths::findExecutable(
        QStringLiteral("nginx"), { QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin") });
    if (!nginxBinary.isEmpty()) {
        nginxPort = freePort();
        nginxTlsPort = tlsUpstreamPort ? freePort() : 0;
        const QString tlsServer = tlsUpstreamPort == 0
            ? QString()
            : QStringLiteral(
                "  server { listen 127.0.0.1:%1 backlog=8192;\n"
                "    location / { proxy_pass https://127.0.0.1:%2; proxy_http_version 1.1;\n"
                "      proxy_buffering off; proxy_set_header Connection \"\";\n"
                "      proxy_ssl_trusted_certificate %3; proxy_ssl_verify on;\n"
                "      proxy_ssl_name 127.0.0.1; } }\n")
                  .arg(nginxTlsPort)
                  .arg(tlsUpstreamPort)
                  .arg(caFile);
        QFile conf(work.filePath(QStringLiteral("nginx.conf")));
        conf.open(QIODevice::WriteOnly);
        conf.write(QStringLiteral(
            "worker_processes 1; daemon off; worker_rlimit_nofile 65536;\n"
            "pid %1/nginx.pid; error_log %1/error.log warn;\n"
            "events { worker_connections 16384; }\n"
            "http { access_log off; client_body_temp_path %1; proxy_temp_path %1;\n"
            "  server { listen 127.0.0.1:%2 backlog=8192;\n"
            "    location / { proxy_pass http://127.0.0.1:%3; proxy_http_version 1.1;\n"
            "      proxy_buffering off; proxy_set_header Connection \"\"; } }\n%4}\n")
                       .arg(work.path())
                       .arg(nginxPort)
                       .arg(upstreamPort)
                       .arg(tlsServer)
                       .toUtf8());
        conf.close();
        nginx.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
        nginx.start(nginxBinary,
            { QStringLiteral("-c"), conf.fileName(), QStringLiteral("-p"), work.path() });
        if (!waitForPort(nginxPort, 5000)) {
            nginxPort = 0;
            nginxTlsPort = 0;
        } else {
            QFile pidFile(work.filePath(QStringLiteral("nginx.pid")));
            if (pidFile.open(QIODevice::ReadOnly))
                nginxPid = pidFile.readAll().trimmed().toLongLong(); // the master; one worker
            QThread::msleep(200);
            const QStringList children = QString::fromLatin1([&] {
                QFile list(QStringLiteral("/proc/%1/task/%1/children").arg(nginxPid));
                return list.open(QIODevice::ReadOnly) ? list.readAll() : QByteArray();
            }())
                                             .split(QLatin1Char(' '), Qt::SkipEmptyParts);
            if (!children.isEmpty())
                nginxPid = children.first().toLongLong(); // the worker holds the streams
        }
    }

    // The gateway as users run it, but for the timeouts: nginx waits up to 60 s for a connection
    // (with its TLS handshake), a first byte and each next one, and so does the gateway here, so
    // that a saturated upstream (5,000 handshakes at once on two cores) is waited for alike.
    QFile config(work.filePath(QStringLiteral("switchyard.json")));
    config.open(QIODevice::WriteOnly);
    // The HTTPS upstream's port is 1 when there is none: a route never asked for.
    config.write(
        QStringLiteral(
            "{\"log_level\": \"warning\", \"default_lane\": \"bench\",%4\n"
            " \"providers\": {\"up\": {\"base_url\": \"http://127.0.0.1:%1/v1\"},\n"
            "   \"up-tls\": {\"base_url\": \"https://127.0.0.1:%2/v1\"%3}},\n"
            " \"routes\": {\"m\": {\"provider\": \"up\", \"model\": \"m\",\n"
            "   \"timeouts_ms\": {\"connect\": 60000, \"first_byte\": 60000, \"idle\": 60000, "
            "\"total\": 600000}},\n"
            "   \"m-tls\": {\"provider\": \"up-tls\", \"model\": \"m\",\n"
            "   \"timeouts_ms\": {\"connect\": 60000, \"first_byte\": 60000, \"idle\": 60000, "
            "\"total\": 600000}}},\n"
            " \"lanes\": {\"bench\": {\"chain\": [\"m\"], \"retry\": {\"max_retries\": 0},\n"
            "   \"deadline_ms\": 600000},\n"
            "   \"bench-tls\": {\"chain\": [\"m-tls\"], \"retry\": {\"max_retries\": 0},\n"
            "   \"deadline_ms\": 600000}}}\n")
            .arg(upstreamPort)
            .arg(tlsUpstreamPort ? tlsUpstreamPort : 1)
            .arg(tlsUpstreamPort ? QStringLiteral(", \"tls\": {\"ca_file\": \"%1\"}").arg(caFile)
                                 : QString())
            // SWITCHYARD_BENCH_WORKERS: the gateway's I/O threads, for an A/B (default: its own).
            .arg(qEnvironmentVariableIsEmpty("SWITCHYARD_BENCH_WORKERS")
                    ? QString()
                    : QStringLiteral(" \"workers\": %1,")
                          .arg(qEnvironmentVariableIntValue("SWITCHYARD_BENCH_WORKERS")))
            .toUtf8());
    config.close();
    QProcess gateway;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("HOME"), work.path());
    environment.insert(QStringLiteral("XDG_CONFIG_HOME"), work.filePath(QStringLiteral("config")));
    environment.insert(QStringLiteral("XDG_DATA_HOME"), work.filePath(QStringLiteral("data")));
    // SWITCHYARD_BINARY in the environment names another build, for an A/B of two binaries.
    const QString binary = qEnvironmentVariableIsEmpty("SWITCHYARD_BINARY")
        ? QStringLiteral(SWITCHYARD_BINARY)
        : qEnvironmentVariable("SWITCHYARD_BINARY");
    const quint16 gatewayPort
        = Switchyard::Bench::startGateway(gateway, binary, config.fileName(), environment);
    if (gatewayPort == 0)
        return 1;
    // What it says afterwards is passed on, never left to fill the pipe and stall it.
    QObject::connect(&gateway, &QProcess::readyReadStandardError, &gateway, [&gateway] {
        const QByteArray said = gateway.readAllStandardError();
        std::fwrite(said.constData(), 1, size_t(said.size()), stderr);
    });
    const qint64 gatewayIdleKiB = Switchyard::Bench::residentKiB(gateway.processId());

    struct Target {
        const char *name;
        quint16 port;
        qint64 pid;
        QByteArray model = "bench";
    };
    std::vector<Target> targets;
    if (plainRows) {
        targets.push_back({ "direct", upstreamPort, -1 });
        if (nginxPort)
            targets.push_back({ "nginx", nginxPort, nginxPid });
        targets.push_back({ "switchyard", gatewayPort, gateway.processId() });
    }
    if (nginxTlsPort)
        targets.push_back({ "nginx, https", nginxTlsPort, nginxPid });
    if (tlsUpstreamPort)
        targets.push_back({ "switchyard, https", gatewayPort, gateway.processId(), "bench-tls" });

    std::printf("%d concurrent streams, %d chunks each, one every %d ms; loopback, %d cores\n",
        streams, chunks, intervalMs, QThread::idealThreadCount());
    std::printf("%-17s %9s %9s %9s %9s %9s %7s %12s %6s\n", "target", "chunk p50", "chunk p99",
        "TTFB p50", "TTFB p99", "completed", "failed", "peak RSS KiB", "CPU s");
    if (tlsUpstreamPort)
        std::printf("(the HTTPS upstream: %s)\n",
            nodeUpstream.state() == QProcess::Running
                ? "Node, resuming TLS sessions as production servers do"
                : "Qt, every handshake a full one");
    std::vector<RunFigures> results;
    for (const Target &target : targets) {
        const double cpuBefore = Switchyard::Bench::cpuSeconds(target.pid);
        const auto handshakesBefore = handshakes();
        RunFigures figures
            = runStreams(target.port, target.model, streams, chunks, boundMs, target.pid);
        const auto handshakesAfter = handshakes();
        // The proxy's own CPU time for the run: per-chunk cost without the noise of a 2-core
        // machine shared with the clients and the upstream, which the delays carry.
        figures.cpuSeconds
            = cpuBefore < 0 ? -1 : Switchyard::Bench::cpuSeconds(target.pid) - cpuBefore;
        if (target.pid == gateway.processId()) {
            QThread::msleep(1000);
            figures.rssAfterKiB = Switchyard::Bench::residentKiB(target.pid);
        }
        std::printf("%-17s %7.2fms %7.2fms %7.1fms %7.1fms %9d %7d %12lld %6.2f\n", target.name,
            percentileMs(figures.chunkDelayNs, 0.5), percentileMs(figures.chunkDelayNs, 0.99),
            percentileMs(figures.firstByteNs, 0.5), percentileMs(figures.firstByteNs, 0.99),
            figures.completed, figures.failed, figures.peakRssKiB, figures.cpuSeconds);
        for (const auto &[why, count] : figures.failures)
            std::printf("    %d failed: %s\n", count, why.constData());
        if (handshakesBefore && handshakesAfter && handshakesAfter->first > handshakesBefore->first)
            std::printf("    %d TLS handshakes with the upstream, %d of them resumed\n",
                handshakesAfter->first - handshakesBefore->first,
                handshakesAfter->second - handshakesBefore->second);
        results.push_back(std::move(figures));
    }
    auto resultOf = [&](const char *name) -> const RunFigures * {
        for (size_t i = 0; i < targets.size(); ++i) {
            if (qstrcmp(targets[i].name, name) == 0)
                return &results[i];
        }
        return nullptr;
    };
    for (const char *name : { "switchyard", "switchyard, https" }) {
        if (const RunFigures *ours = resultOf(name))
            std::printf("%s RSS: idle %lld KiB, peak %lld KiB (%.1f KiB per open stream), "
                        "%lld KiB after\n",
                name, gatewayIdleKiB, ours->peakRssKiB,
                double(ours->peakRssKiB - gatewayIdleKiB) / double(streams), ours->rssAfterKiB);
    }
    auto printRatios = [](const char *label, const RunFigures &ours, const RunFigures &theirs) {
        std::printf("%s: chunk p50 %.2fx, chunk p99 %.2fx, TTFB p99 %.2fx "
                    "(targets: <= 2, <= 2, <= 1.2)",
            label, percentileMs(ours.chunkDelayNs, 0.5) / percentileMs(theirs.chunkDelayNs, 0.5),
            percentileMs(ours.chunkDelayNs, 0.99) / percentileMs(theirs.chunkDelayNs, 0.99),
            percentileMs(ours.firstByteNs, 0.99) / percentileMs(theirs.firstByteNs, 0.99));
        if (ours.cpuSeconds > 0 && theirs.cpuSeconds > 0)
            std::printf(", CPU time %.2fx", ours.cpuSeconds / theirs.cpuSeconds);
        std::printf("\n");
    };
    if (nginxPort) {
        if (resultOf("nginx") && resultOf("switchyard"))
            printRatios("switchyard / nginx", *resultOf("switchyard"), *resultOf("nginx"));
        if (resultOf("nginx, https") && resultOf("switchyard, https"))
            printRatios("over HTTPS, switchyard / nginx", *resultOf("switchyard, https"),
                *resultOf("nginx, https"));
    } else {
        std::printf("(nginx not found: apt-get install -y nginx-light for the comparison)\n");
    }
    gateway.terminate();
    gateway.waitForFinished(10000);
    if (nginx.state() == QProcess::Running) {
        nginx.terminate();
        nginx.waitForFinished(5000);
    }
    if (nodeUpstream.state() == QProcess::Running) {
        nodeUpstream.closeWriteChannel();
        if (!nodeUpstream.waitForFinished(5000))
            nodeUpstream.kill();
    }
    upstreamThread.quit();
    upstreamThread.wait();
    int failed = 0;
    for (const RunFigures &figures : results)
        failed += figures.failed;
    return failed == 0 ? 0 : 1;
}
