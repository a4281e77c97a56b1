// HTTP/2 or HTTP/1.1 to an HTTPS upstream (issue 20: "HTTP/2 where it is faster, measured"). The
// only HTTP/2 client at hand is QNetworkAccessManager's; the gateway's upstream client is its own
// HTTP/1.1 one (Http1Reply). (QNAM's own HTTP/1.1 is left out: six connections per host would
// queue all but six streams.) Each holds N streams open at once against one TLS upstream
// (h2upstream.js, Node, which speaks both) that sends a chunk every interval carrying its send
// time on the shared monotonic clock: per-chunk delay, time to the first event, the client's CPU
// and its memory per open stream, and how many TLS connections (handshakes) the upstream saw.
// Each client runs in a process of its own, so its memory and CPU are its alone. Then, for each
// client, one stream whose reader stops, as a slow caller makes the gateway stop: what the client
// goes on taking from the upstream meanwhile. Not a test.
// Usage: bench_h2 [streams=1000] [chunks=20] [interval-ms=100] [ramp-ms=0]
#include "loadclient.h"
#include "tlsfront.h"
#include "upstream/http1connections.h"
#include "upstream/http1reply.h"

#include <QCoreApplication>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSslCertificate>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <functional>
#include <memory>
#include <vector>

using namespace Switchyard;

namespace {

qint64 monotonicNs()
{
    timespec now {};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return qint64(now.tv_sec) * 1000000000 + now.tv_nsec;
}

double percentileMs(std::vector<qint64> values, double fraction)
{
    if (values.empty())
        return -1;
    std::sort(values.begin(), values.end());
    return double(values[std::min(values.size() - 1, size_t(fraction * double(values.size())))])
        / 1e6;
}

enum class Client { Own, QnamHttp2 };

const char *clientName(Client client)
{
    switch (client) {
    case Client::Own:
        return "switchyard http/1.1";
    case Client::QnamHttp2:
        return "QNAM http/2";
    }
    return "?";
}

QNetworkRequest requestTo(Client client, quint16 port, const QString &caFile, const QString &path)
{
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setCaCertificates(QSslCertificate::fromPath(caFile));
    QNetworkRequest request(QUrl(QStringLiteral("https://127.0.0.1:%1%2").arg(port).arg(path)));
    request.setSslConfiguration(tls);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, client == Client::QnamHttp2);
    request.setAttribute(Http1Reply::TrustAttribute, QByteArrayLiteral("bench CA"));
    return request;
}

const QByteArray RequestBody
    = R"({"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]})";

// A caller that stops reading: the gateway sets a stream's reply to hold at most 64 KiB unread
// (UpstreamAttempt) and reads no more until its caller catches up. One stream whose upstream
// sends as fast as the client's flow control allows, never read: what the client holds after
// two seconds, in its memory and in the reply. One line on stdout.
int runUnreadStream(Client client, quint16 port, const QString &caFile)
{
    QNetworkAccessManager manager;
    Http1Connections connections;
    const QNetworkRequest request
        = requestTo(client, port, caFile, QStringLiteral("/v1/chat/completions/flood"));
    const qint64 pid = QCoreApplication::applicationPid();
    const qint64 idleKiB = Bench::residentKiB(pid);
    QNetworkReply *reply = client == Client::Own
        ? new Http1Reply(&connections, QNetworkAccessManager::PostOperation, request, RequestBody)
        : manager.post(request, RequestBody);
    QObject::connect(reply, &QNetworkReply::metaDataChanged, reply,
        [reply] { reply->setReadBufferSize(64 * 1024); });
    QTimer::singleShot(2000, [] { QCoreApplication::quit(); });
    QCoreApplication::exec();
    std::printf("RESULT %lld %lld\n", (long long)(Bench::residentKiB(pid) - idleKiB),
        (long long)(reply->bytesAvailable() / 1024));
    return 0;
}

// One client's run, in its own process: N streams at once (or started evenly over `rampMs`), then
// one line of figures on stdout.
int runClient(Client client, quint16 port, const QString &caFile, int streams, int chunks,
    int intervalMs, int rampMs)
{
    const QNetworkRequest request
        = requestTo(client, port, caFile, QStringLiteral("/v1/chat/completions"));
    const QByteArray &body = RequestBody;
    QNetworkAccessManager manager;
    Http1Connections connections;
    const qint64 pid = QCoreApplication::applicationPid();
    const qint64 idleKiB = Bench::residentKiB(pid);
    const double cpuBefore = Bench::cpuSeconds(pid);
    qint64 peakKiB = idleKiB;
    QTimer sampler;
    QObject::connect(
        &sampler, &QTimer::timeout, [&] { peakKiB = std::max(peakKiB, Bench::residentKiB(pid)); });
    sampler.start(50);

    std::vector<qint64> chunkDelays;
    chunkDelays.reserve(size_t(streams) * size_t(chunks));
    std::vector<qint64> firstEvents;
    int completed = 0;
    int failed = 0;
    int ended = 0;
    QByteArray firstFailure;
    const auto startStream = [&] {
        QNetworkReply *reply = client == Client::Own
            ? new Http1Reply(&connections, QNetworkAccessManager::PostOperation, request, body)
            : manager.post(request, body);
        const qint64 sentAt = monotonicNs();
        auto buffer = std::make_shared<QByteArray>();
        auto events = std::make_shared<int>(0);
        auto done = std::make_shared<bool>(false);
        QObject::connect(reply, &QNetworkReply::readyRead, reply, [=, &chunkDelays, &firstEvents] {
            *buffer += reply->readAll();
            qsizetype end;
            while ((end = buffer->indexOf("\n\n")) >= 0) {
                const QByteArray event = buffer->left(end);
                buffer->remove(0, end + 2);
                const qint64 now = monotonicNs();
                if (event.contains("[DONE]")) {
                    *done = true;
                    continue;
                }
                const qsizetype mark = event.indexOf("\"T");
                if (mark < 0)
                    continue;
                const qint64 writtenAt
                    = event.mid(mark + 2, event.indexOf('"', mark + 2) - mark - 2).toLongLong();
                if ((*events)++ == 0)
                    firstEvents.push_back(now - sentAt);
                chunkDelays.push_back(now - writtenAt);
            }
        });
        QObject::connect(reply, &QNetworkReply::finished, reply,
            [=, &completed, &failed, &ended, &firstFailure] {
                if (reply->error() == QNetworkReply::NoError && *done && *events == chunks) {
                    ++completed;
                } else {
                    ++failed;
                    if (firstFailure.isEmpty())
                        firstFailure = reply->errorString().toUtf8();
                }
                reply->deleteLater();
                if (++ended == streams)
                    QCoreApplication::quit();
            });
    };
    for (int i = 0; i < streams; ++i) {
        if (rampMs > 0)
            QTimer::singleShot(qint64(i) * rampMs / streams, startStream);
        else
            startStream();
    }
    QTimer::singleShot(
        qint64(chunks) * intervalMs + rampMs + 120000, [] { QCoreApplication::quit(); });
    QCoreApplication::exec();
    const double cpu = Bench::cpuSeconds(pid) - cpuBefore;
    std::printf("RESULT %.2f %.2f %.2f %.2f %d %d %.2f %.1f %s\n", percentileMs(chunkDelays, 0.5),
        percentileMs(chunkDelays, 0.99), percentileMs(firstEvents, 0.5),
        percentileMs(firstEvents, 0.99), completed, failed, cpu,
        double(peakKiB - idleKiB) / std::max(1, streams),
        firstFailure.isEmpty() ? "-" : firstFailure.left(80).replace(' ', '_').constData());
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList arguments = app.arguments();
    if (arguments.size() == 5 && arguments.at(1) == QLatin1String("--unread"))
        return runUnreadStream(
            Client(arguments.at(2).toInt()), quint16(arguments.at(3).toUInt()), arguments.at(4));
    if (arguments.size() == 9 && arguments.at(1) == QLatin1String("--client"))
        return runClient(Client(arguments.at(2).toInt()), quint16(arguments.at(3).toUInt()),
            arguments.at(4), arguments.at(5).toInt(), arguments.at(6).toInt(),
            arguments.at(7).toInt(), arguments.at(8).toInt());
    const int streams = arguments.value(1, QStringLiteral("1000")).toInt();
    const int chunks = arguments.value(2, QStringLiteral("20")).toInt();
    const int intervalMs = arguments.value(3, QStringLiteral("100")).toInt();
    const int rampMs = arguments.value(4, QStringLiteral("0")).toInt();

    QTemporaryDir work;
    const QString certificateError
        = Testing::makeTestCertificates(work.path(), QStringLiteral("bench CA"));
    if (!certificateError.isEmpty()) {
        std::fprintf(stderr, "bench_h2: %s\n", qPrintable(certificateError));
        return 1;
    }
    QProcess upstream;
    const quint16 port
        = Bench::startNodeUpstream(upstream, work.filePath(QStringLiteral("server.pem")),
            work.filePath(QStringLiteral("server.key")), chunks, intervalMs);
    if (port == 0) {
        std::fprintf(stderr, "bench_h2: the Node upstream did not start (is node installed?)\n");
        return 1;
    }
    const auto upstreamConnections
        = [&upstream] { return Bench::nodeUpstreamHandshakes(upstream).value_or(std::pair(0, 0)); };

    std::printf("%d concurrent streams over HTTPS (TLS 1.3, loopback), %d chunks each, one every "
                "%d ms, started %s; each client in a process of its own\n",
        streams, chunks, intervalMs,
        rampMs > 0 ? qPrintable(QStringLiteral("evenly over %1 ms").arg(rampMs)) : "at once");
    std::printf("%-21s %9s %9s %9s %9s %9s %6s %7s %9s %13s %10s\n", "client", "chunk p50",
        "chunk p99", "TTFB p50", "TTFB p99", "completed", "failed", "CPU s", "KiB/strm",
        "TLS (resumed)", "upstr CPU");
    for (Client client : { Client::Own, Client::QnamHttp2 }) {
        const auto [connectionsBefore, resumedBefore] = upstreamConnections();
        const double upstreamCpuBefore = Bench::cpuSeconds(upstream.processId());
        QProcess run;
        run.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        run.start(QCoreApplication::applicationFilePath(),
            { QStringLiteral("--client"), QString::number(int(client)), QString::number(port),
                work.filePath(QStringLiteral("ca.pem")), QString::number(streams),
                QString::number(chunks), QString::number(intervalMs), QString::number(rampMs) });
        run.waitForFinished(qint64(chunks) * intervalMs + rampMs + 180000);
        const QList<QByteArray> figures = run.readAllStandardOutput().trimmed().split(' ');
        const double upstreamCpu = Bench::cpuSeconds(upstream.processId()) - upstreamCpuBefore;
        const auto [connectionsAfter, resumedAfter] = upstreamConnections();
        const QByteArray connections = QByteArray::number(connectionsAfter - connectionsBefore)
            + " (" + QByteArray::number(resumedAfter - resumedBefore) + ')';
        if (figures.size() != 10 || figures.at(0) != "RESULT") {
            std::printf("%-21s did not finish\n", clientName(client));
            continue;
        }
        std::printf("%-21s %7sms %7sms %7sms %7sms %9s %6s %7s %9s %13s %10.2f\n",
            clientName(client), figures.at(1).constData(), figures.at(2).constData(),
            figures.at(3).constData(), figures.at(4).constData(), figures.at(5).constData(),
            figures.at(6).constData(), figures.at(7).constData(), figures.at(8).constData(),
            connections.constData(), upstreamCpu);
        if (figures.at(9) != "-")
            std::printf("  first failure: %s\n", figures.at(9).constData());
        std::fflush(stdout);
    }
    std::printf("\nA caller that stops reading: one stream sent as fast as the client takes it, "
                "64 KiB unread allowed (as the gateway allows a stream's reply), after 2 s:\n");
    for (Client client : { Client::Own, Client::QnamHttp2 }) {
        QProcess run;
        run.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        run.start(QCoreApplication::applicationFilePath(),
            { QStringLiteral("--unread"), QString::number(int(client)), QString::number(port),
                work.filePath(QStringLiteral("ca.pem")) });
        run.waitForFinished(60000);
        const QList<QByteArray> figures = run.readAllStandardOutput().trimmed().split(' ');
        if (figures.size() != 3 || figures.at(0) != "RESULT") {
            std::printf("%-21s did not finish\n", clientName(client));
            continue;
        }
        std::printf("%-21s resident memory +%s KiB, %s KiB unread in the reply\n",
            clientName(client), figures.at(1).constData(), figures.at(2).constData());
    }
    upstream.closeWriteChannel();
    upstream.waitForFinished(5000);
    return 0;
}
