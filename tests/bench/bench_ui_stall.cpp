// The UI thread's longest event-loop stall with the console open while the embedded gateway
// serves about 1,000 requests/s (SPEC §11: under 50 ms). Prints the figures; not a test.
#include "fakeupstream.h"
#include "loadclient.h"

#include "config/configdocument.h"
#include "engine/configcontroller.h"
#include "engine/engine.h"
#include "engine/enginehost.h"
#include "link/embeddedlink.h"
#include "mainwindow.h"
#include "models/tracelistmodel.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cstdio>

using namespace Switchyard;

int main(int argc, char *argv[])
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    qputenv("QT_LOGGING_RULES", "switchyard.proxy.info=false");
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    const double rate = argc > 1 ? QByteArray(argv[1]).toDouble() : 1000.0;
    const int seconds = argc > 2 ? QByteArray(argv[2]).toInt() : 10;

    QThread upstreamThread;
    auto *upstream = new Testing::FakeUpstream;
    upstream->moveToThread(&upstreamThread);
    upstreamThread.start();
    QMetaObject::invokeMethod(
        upstream, [upstream] { upstream->listen(); }, Qt::BlockingQueuedConnection);

    const QByteArray json = "{\"providers\": {\"up\": {\"base_url\": \""
        + upstream->baseUrl().toUtf8()
        + "\"}}, \"routes\": {\"r\": {\"provider\": \"up\", \"model\": \"m\", \"price\": "
          "{\"input_per_mtok\": 1, "
          "\"output_per_mtok\": 2}}}, \"lanes\": {\"main\": {\"chain\": [\"r\"]}}}";
    ConfigDocument document;
    const ConfigResult config = document.load(QString(), json);
    QTemporaryDir data;
    EngineHost host;
    host.engine()->setDataDirectory(data.path());
    ConfigController controller(host.engine(), &document);
    EmbeddedLink link(host.engine(), &controller);
    MainWindow window(&link, false);
    window.resize(1280, 800);
    window.show();
    window.showView(QStringLiteral("tracesView"));
    quint16 port = 0;
    QObject::connect(host.engine(), &Engine::started, &window, [&](const QString &address) {
        port = quint16(address.section(QLatin1Char(':'), -1).toUInt());
    });
    host.engine()->start(config.config, QStringLiteral("127.0.0.1:0"));
    QElapsedTimer wait;
    wait.start();
    while (port == 0 && wait.elapsed() < 10000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    if (port == 0)
        return 1;

    // The load runs in its own thread; this thread only measures how late its 1 ms timer fires.
    const int total = int(rate * seconds);
    int failures = 0;
    qint64 loadMs = 0;
    QThread *load = QThread::create([&] {
        Bench::LoadClient client(port, Bench::chatRequest("main"), 16);
        QElapsedTimer elapsed;
        elapsed.start();
        client.run(total, {}, rate);
        loadMs = elapsed.elapsed();
        failures = client.failures();
    });
    std::vector<qint64> gaps;
    QElapsedTimer sinceLast;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(1);
    QObject::connect(&probe, &QTimer::timeout, &app, [&] { gaps.push_back(sinceLast.restart()); });
    QObject::connect(load, &QThread::finished, &app, &QCoreApplication::quit);
    sinceLast.start();
    probe.start();
    load->start();
    app.exec();
    probe.stop();
    load->wait();
    delete load;

    std::sort(gaps.begin(), gaps.end());
    const qint64 longest = gaps.empty() ? -1 : gaps.back();
    const qint64 p99 = gaps.empty() ? -1 : gaps[size_t(double(gaps.size() - 1) * 0.99)];
    std::printf("UI stall with the console open under load\n");
    std::printf("requests %d in %.1f s = %.0f req/s (target %.0f), failures %d, traces shown %d\n",
        total, double(loadMs) / 1000.0, total * 1000.0 / double(qMax<qint64>(1, loadMs)), rate,
        failures, window.traceModel()->rowCount());
    std::printf("UI event-loop gap: longest %lld ms, p99 %lld ms (target: longest < 50 ms)\n",
        longest, p99);
    QMetaObject::invokeMethod(upstream, &QObject::deleteLater);
    upstreamThread.quit();
    upstreamThread.wait();
    return 0;
}
