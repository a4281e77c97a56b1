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

// Sends one streaming request and notes when each "data:" event arrives.
QList<qint64> streamOnce(quint16 port, const QByteArray &model, qint64 *sentAt)
{
    const QByteArray body = "{\"model\":\"" + model
        + "\",\"stream\":true,\"stream_options\":{\"include_usage\":false},"
          "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    QTcpSocket socket;
    socket.setSocketOption(QAbstractSocket::LowDelayOption, 1);
    socket.connectToHost(QHostAddress::LocalHost, port);
    socket.waitForConnected(5000);
    QList<qint64> arrivals;
    QByteArray seen;
    QEventLoop loop;
    QObject::connect(&socket, &QTcpSocket::readyRead, &loop, [&] {
        const qint64 at = nowNs();
        const QByteArray data = socket.readAll();
        seen += data;
        for (qsizetype i = 0; (i = data.indexOf("data: ", i)) >= 0; i += 6)
            arrivals.append(at);
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
    return arrivals;
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

    auto measure
        = [&](quint16 port, std::vector<double> *firstByteMs, std::vector<double> *chunkDelayMs) {
              for (int round = 0; round < rounds; ++round) {
                  const int before = int(upstream->chunkSentNs().size());
                  qint64 sentAt = 0;
                  const QList<qint64> arrivals = streamOnce(port, "main", &sentAt);
                  const QList<qint64> sent = upstream->chunkSentNs().mid(before);
                  if (arrivals.isEmpty() || sent.size() < chunks)
                      continue;
                  firstByteMs->push_back(double(arrivals.first() - sentAt) / 1e6);
                  for (int i = 0; i < qMin<qsizetype>(arrivals.size(), sent.size()); ++i)
                      chunkDelayMs->push_back(double(arrivals.at(i) - sent.at(i)) / 1e6);
              }
          };
    std::vector<double> directFirst, directDelay, gatewayFirst, gatewayDelay;
    measure(upstream->port(), &directFirst, &directDelay);
    measure(gatewayPort, &gatewayFirst, &gatewayDelay);

    std::printf("SSE pass-through: %d streams of %d chunks, 5 ms apart\n", rounds, chunks);
    std::printf("%-36s%10s%12s\n", "", "direct", "switchyard");
    std::printf("%-36s%10.3f%12.3f\n", "time to first byte, median (ms)", median(directFirst),
        median(gatewayFirst));
    std::printf("%-36s%10.3f%12.3f\n", "chunk delay after send, median (ms)", median(directDelay),
        median(gatewayDelay));
    std::printf("%-36s%10.3f%12.3f\n", "chunk delay after send, p99 (ms)",
        percentile(directDelay, 0.99), percentile(gatewayDelay, 0.99));
    std::printf("added per-chunk delay: median %.3f ms (target <= 0.5); events seen %zu of %d, "
                "[DONE] included\n",
        median(gatewayDelay) - median(directDelay), gatewayDelay.size(), rounds * (chunks + 1));
    QMetaObject::invokeMethod(upstream, &QObject::deleteLater);
    upstreamThread.quit();
    upstreamThread.wait();
    return 0;
}
