// SSE pass-through (SPEC §11): time to first byte and the delay each chunk picks up on its way
// through the gateway, against the same upstream called directly, in one run. Not a test.
#include "fakeupstream.h"

#include "config/configloader.h"
#include "engine/engine.h"
#include "engine/enginehost.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <chrono>
#include <cstdio>

using namespace Switchyard;

namespace {

qint64 nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

struct StreamArrivals {
    QList<qint64> eventAtNs; // when each whole "data:" event had arrived
    int coalescedEvents = 0; // events that arrived in the same read as the one before
};

// Sends one streaming request and notes when each "data:" event has fully arrived; an event
// split over two reads counts when its last byte is in.
StreamArrivals streamOnce(quint16 port, const QByteArray &model, qint64 *sentAt)
{
    const QByteArray body = "{\"model\":\"" + model
        + "\",\"stream\":true,\"stream_options\":{\"include_usage\":false},"
          "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    QTcpSocket socket;
    socket.setSocketOption(QAbstractSocket::LowDelayOption, 1);
    socket.connectToHost(QHostAddress::LocalHost, port);
    socket.waitForConnected(5000);
    StreamArrivals result;
    QByteArray seen;
    qsizetype scanned = 0;
    QEventLoop loop;
    QObject::connect(&socket, &QTcpSocket::readyRead, &loop, [&] {
        const qint64 at = nowNs();
        seen += socket.readAll();
        int eventsInThisRead = 0;
        for (;;) {
            const qsizetype start = seen.indexOf("data: ", scanned);
            if (start < 0)
                break;
            const qsizetype end = seen.indexOf("\n\n", start);
            if (end < 0)
                break;
            result.eventAtNs.append(at);
            if (++eventsInThisRead > 1)
                ++result.coalescedEvents;
            scanned = end + 2;
        }
        if (seen.contains("[DONE]"))
            loop.quit();
    });
    QTimer::singleShot(20000, &loop, &QEventLoop::quit);
    *sentAt = nowNs();
    socket.write("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                 "application/json\r\n"
                 "Connection: close\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    loop.exec();
    return result;
}

double median(std::vector<double> values)
{
    if (values.empty())
        return -1;
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

double percentile(std::vector<double> values, double fraction)
{
    if (values.empty())
        return -1;
    std::sort(values.begin(), values.end());
    return values[size_t(double(values.size() - 1) * fraction)];
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    qputenv("QT_LOGGING_RULES", "switchyard.*.info=false");
    const int rounds = argc > 1 ? QByteArray(argv[1]).toInt() : 20;
    const int chunks = 20;

    QThread upstreamThread;
    auto *upstream = new Testing::FakeUpstream;
    upstream->moveToThread(&upstreamThread);
    upstreamThread.start();
    QStringList pieces;
    for (int i = 0; i < chunks; ++i)
        pieces.append(QStringLiteral("piece %1").arg(i));
    QMetaObject::invokeMethod(
        upstream,
        [&] {
            upstream->listen();
            Testing::FakeResponse stream = Testing::FakeResponse::stream(pieces);
            stream.chunkIntervalMs = 5;
            upstream->setDefaultResponse(stream);
        },
        Qt::BlockingQueuedConnection);

    QTemporaryDir data;
    const ConfigResult config = ConfigLoader::fromJson("{\"providers\": {\"up\": {\"base_url\": \""
        + upstream->baseUrl().toUtf8()
        + "\"}}, \"routes\": {\"r\": {\"provider\": \"up\", \"model\": \"m\"}}, \"lanes\": "
          "{\"main\": {\"chain\": [\"r\"]}}}");
    EngineHost host;
    host.engine()->setDataDirectory(data.path());
    quint16 gatewayPort = 0;
    QObject::connect(host.engine(), &Engine::started, &app, [&](const QString &address) {
        gatewayPort = quint16(address.section(QLatin1Char(':'), -1).toUInt());
    });
    host.engine()->start(config.config, QStringLiteral("127.0.0.1:0"));
    while (gatewayPort == 0)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);

    struct Measured {
        std::vector<double> firstByteMs;
        std::vector<double> chunkDelayMs;
        int coalescedEvents = 0;
    };
    // The upstream notes a chunk's send time on its own thread, just after the write: read it
    // there, and only once the whole stream has been noted, or a late note from one stream would
    // shift the next stream's times by a chunk.
    auto sentTimes = [&] {
        QList<qint64> times;
        QMetaObject::invokeMethod(
            upstream, [&] { times = upstream->chunkSentNs(); }, Qt::BlockingQueuedConnection);
        return times;
    };
    const int chunksPerStream = chunks + 1; // and [DONE]
    auto measure = [&](quint16 port) {
        Measured measured;
        for (int round = 0; round < rounds; ++round) {
            const qsizetype before = sentTimes().size();
            qint64 sentAt = 0;
            const StreamArrivals arrivals = streamOnce(port, "main", &sentAt);
            QList<qint64> sent;
            QTimer patience;
            patience.start(5000);
            while ((sent = sentTimes().mid(before)).size() < chunksPerStream && patience.isActive())
                QCoreApplication::processEvents(QEventLoop::AllEvents, 1);
            measured.coalescedEvents += arrivals.coalescedEvents;
            if (arrivals.eventAtNs.isEmpty() || sent.size() < chunks)
                continue;
            measured.firstByteMs.push_back(double(arrivals.eventAtNs.first() - sentAt) / 1e6);
            for (int i = 0; i < qMin<qsizetype>(arrivals.eventAtNs.size(), sent.size()); ++i)
                measured.chunkDelayMs.push_back(
                    double(arrivals.eventAtNs.at(i) - sent.at(i)) / 1e6);
        }
        return measured;
    };
    const Measured direct = measure(upstream->port());
    const Measured gateway = measure(gatewayPort);

    std::printf("SSE pass-through: %d streams of %d chunks, 5 ms apart\n", rounds, chunks);
    std::printf("%-36s%10s%12s\n", "", "direct", "switchyard");
    std::printf("%-36s%10.3f%12.3f\n", "time to first byte, median (ms)",
        median(direct.firstByteMs), median(gateway.firstByteMs));
    std::printf("%-36s%10.3f%12.3f\n", "chunk delay after send, median (ms)",
        median(direct.chunkDelayMs), median(gateway.chunkDelayMs));
    std::printf("%-36s%10.3f%12.3f\n", "chunk delay after send, p99 (ms)",
        percentile(direct.chunkDelayMs, 0.99), percentile(gateway.chunkDelayMs, 0.99));
    std::printf("added per-chunk delay: median %.3f ms (target <= 0.5); events seen %zu of %d, "
                "[DONE] included\n",
        median(gateway.chunkDelayMs) - median(direct.chunkDelayMs), gateway.chunkDelayMs.size(),
        rounds * chunksPerStream);
    std::printf("events that arrived in one read with the event before (coalesced): direct %d, "
                "switchyard %d\n",
        direct.coalescedEvents, gateway.coalescedEvents);
    QMetaObject::invokeMethod(upstream, &QObject::deleteLater);
    upstreamThread.quit();
    upstreamThread.wait();
    return 0;
}
