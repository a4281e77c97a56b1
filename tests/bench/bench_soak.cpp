// Soak (issue 14): the real `switchyard --headless` under a mix of failing upstreams, streams that
// break or flood, admin polling and refused requests, for a bounded time (default 10 minutes),
// with its resident memory sampled after every slice. Prints the RSS curve; not a test.
// Usage: bench_soak [seconds]
#include "fakeupstream.h"
#include "loadclient.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QThread>

#include <cstdio>
#include <memory>

using namespace Switchyard;
using Testing::FakeResponse;
using Testing::FakeUpstream;

namespace {

FakeResponse flood()
{
    // A stream whose first event never ends: 256 KiB without a newline.
    FakeResponse response;
    response.headers.append(
        { QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/event-stream") });
    response.chunks.append("data: ");
    for (int i = 0; i < 64; ++i)
        response.chunks.append(QByteArray(4096, 'x'));
    return response;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const int seconds = app.arguments().size() > 1 ? app.arguments().at(1).toInt() : 600;

    // Upstreams, each with one behaviour, in a thread of their own.
    QThread upstreamThread;
    upstreamThread.start();
    std::vector<std::unique_ptr<FakeUpstream>> upstreams;
    QStringList names { "ok", "stream", "s503", "s429", "garbage", "cut", "flood", "slow" };
    QByteArray providers;
    for (const QString &name : names) {
        auto upstream = std::make_unique<FakeUpstream>();
        upstream->moveToThread(&upstreamThread);
        FakeResponse response = FakeResponse::completion(QStringLiteral("hello"));
        if (name == QLatin1String("stream"))
            response = FakeResponse::streamWithUsage(
                { "one", "two", "three", "four", "five", "six" }, 10, 6);
        else if (name == QLatin1String("s503"))
            response = FakeResponse::error(503, QStringLiteral("server_error"));
        else if (name == QLatin1String("s429"))
            response = FakeResponse::error(429, QStringLiteral("rate_limit_error"))
                           .withHeader("Retry-After", "99999999999");
        else if (name == QLatin1String("garbage"))
            response.body = "{\"choices\": [ not json";
        else if (name == QLatin1String("cut")) {
            response = FakeResponse::stream({ "a", "b", "c", "d", "e" });
            response.cutAfterChunks = 2;
        } else if (name == QLatin1String("flood"))
            response = flood();
        else if (name == QLatin1String("slow"))
            response.delayMs = 50;
        bool listening = false;
        QMetaObject::invokeMethod(
            upstream.get(),
            [&] {
                upstream->setDefaultResponse(response);
                listening = upstream->listen();
            },
            Qt::BlockingQueuedConnection);
        if (!listening)
            return 1;
        providers += (providers.isEmpty() ? "" : ",")
            + ("\"" + name + "\": {\"base_url\": \"").toUtf8() + upstream->baseUrl().toUtf8()
            + "\"}";
        upstreams.push_back(std::move(upstream));
    }
    QByteArray routes;
    for (const QString &name : names)
        routes += (routes.isEmpty() ? "" : ",")
            + ("\"r" + name + "\": {\"provider\": \"" + name
                + "\", \"model\": \"m\", \"price\": {\"input_per_mtok\": 1, "
                  "\"output_per_mtok\": 2}, \"breaker\": {\"cooldown_ms\": 2000, "
                  "\"max_cooldown_ms\": 8000}, \"probe\": {\"interval_ms\": 5000}}")
                  .toUtf8();
    const QByteArray config = "{\"providers\": {" + providers + "}, \"routes\": {" + routes
        + "}, \"lanes\": {"
          "\"mixed\": {\"chain\": [\"rs503\", \"rs429\", \"rgarbage\", \"rok\"]},"
          "\"stream\": {\"chain\": [\"rcut\", \"rflood\", \"rstream\"]},"
          "\"slow\": {\"chain\": [\"rslow\"]}},"
          "\"default_lane\": \"mixed\", \"limits\": {\"max_event_bytes\": 65536},"
          "\"traces\": {\"max_count\": 20000}}";

    QTemporaryDir dir;
    QFile configFile(dir.filePath(QStringLiteral("soak.json")));
    configFile.open(QIODevice::WriteOnly);
    configFile.write(config);
    configFile.close();
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("XDG_DATA_HOME"), dir.filePath(QStringLiteral("data")));
    environment.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.filePath(QStringLiteral("config")));
    environment.insert(QStringLiteral("QT_LOGGING_RULES"),
        QStringLiteral("switchyard.proxy.info=false;switchyard.engine.warning=false;switchyard."
                       "secrets.warning=false"));
    QProcess gateway;
    const quint16 port = Bench::startGateway(
        gateway, QStringLiteral(SWITCHYARD_BINARY), configFile.fileName(), environment);
    if (port == 0)
        return 1;
    QProcess tokenCommand;
    tokenCommand.setProcessEnvironment(environment);
    tokenCommand.start(QStringLiteral(SWITCHYARD_BINARY),
        { QStringLiteral("admin-token"), QStringLiteral("--config"), configFile.fileName() });
    tokenCommand.waitForFinished(10000);
    const QByteArray token = tokenCommand.readAllStandardOutput().trimmed();
    const qint64 pid = gateway.processId();

    struct Phase {
        const char *name;
        QByteArray request;
        int connections;
        int requests;
        bool expectOk;
    };
    const QList<Phase> phases {
        { "mixed faults", Bench::chatRequest("mixed"), 8, 3000, true },
        { "streams", Bench::chatRequest("stream", true), 8, 600, true },
        { "admin polling",
            "GET /admin/state HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                + "\r\n\r\n",
            2, 500, true },
        { "refused (404)",
            "POST /v1/nothing HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
            "application/json\r\nContent-Length: 2\r\n\r\n{}",
            4, 3000, false },
        { "slow", Bench::chatRequest("slow"), 16, 800, true },
    };

    std::printf(
        "soak: %d s of mixed traffic through switchyard --headless (pid %lld)\n", seconds, pid);
    std::printf("%8s  %-14s %9s %9s %12s\n", "t (s)", "slice", "requests", "failures", "RSS (KiB)");
    QElapsedTimer clock;
    clock.start();
    qint64 total = 0;
    qint64 unexpected = 0;
    qint64 first = -1;
    qint64 last = 0;
    for (int slice = 0; clock.elapsed() < qint64(seconds) * 1000; ++slice) {
        const Phase &phase = phases.at(slice % phases.size());
        Bench::LoadClient client(port, phase.request, phase.connections);
        if (!client.run(phase.requests)) {
            std::fprintf(stderr, "slice %d (%s) did not finish\n", slice, phase.name);
            ++unexpected;
            break;
        }
        total += phase.requests;
        if (phase.expectOk)
            unexpected += client.failures();
        last = Bench::residentKiB(pid);
        if (first < 0)
            first = last;
        std::printf("%8.1f  %-14s %9d %9d %12lld\n", double(clock.elapsed()) / 1000.0, phase.name,
            phase.requests, client.failures(), last);
        std::fflush(stdout);
        if (gateway.state() != QProcess::Running) {
            std::fprintf(
                stderr, "the gateway stopped: %s\n", gateway.readAllStandardError().constData());
            return 1;
        }
    }
    const qint64 peak = Bench::residentKiB(pid, "VmHWM:");
    gateway.terminate();
    gateway.waitForFinished(10000);
    std::printf("%lld requests; unexpected failures %lld; RSS first slice %lld KiB, last %lld KiB "
                "(ratio %.3f), peak %lld KiB\n",
        total, unexpected, first, last, first > 0 ? double(last) / double(first) : 0.0, peak);
    for (std::unique_ptr<FakeUpstream> &upstream : upstreams)
        QMetaObject::invokeMethod(upstream.release(), &QObject::deleteLater);
    upstreamThread.quit();
    upstreamThread.wait();
    return unexpected == 0 ? 0 : 1;
}
