// Memory and trace retention under sustained traffic (issue 4, SPEC §11): the real
// `switchyard --headless` process serves 100,000 requests from a local upstream while its
// resident memory and its trace database are sampled. Prints a table; not a test.
#include "fakeupstream.h"
#include "loadclient.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QThread>

#include <cstdio>

using namespace Switchyard;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int total = args.size() > 1 ? args.at(1).toInt() : 100000;
    const int retention = 5000;

    // The upstream runs in its own thread so it never competes with the load client's loop.
    QThread upstreamThread;
    auto *upstream = new Testing::FakeUpstream;
    upstream->moveToThread(&upstreamThread);
    upstreamThread.start();
    bool listening = false;
    QMetaObject::invokeMethod(
        upstream, [&] { listening = upstream->listen(); }, Qt::BlockingQueuedConnection);
    if (!listening)
        return 1;

    QTemporaryDir dir;
    const QByteArray config = "{\"providers\": {\"up\": {\"base_url\": \""
        + upstream->baseUrl().toUtf8()
        + "\"}}, \"routes\": {\"r\": {\"provider\": \"up\", \"model\": \"m\", \"price\": "
          "{\"input_per_mtok\": 1, "
          "\"output_per_mtok\": 2}}}, \"lanes\": {\"main\": {\"chain\": [\"r\"]}}, \"traces\": "
          "{\"max_count\": "
        + QByteArray::number(retention) + "}}";
    QFile configFile(dir.filePath(QStringLiteral("bench.json")));
    configFile.open(QIODevice::WriteOnly);
    configFile.write(config);
    configFile.close();

    QProcess gateway;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("XDG_DATA_HOME"), dir.filePath(QStringLiteral("data")));
    environment.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.filePath(QStringLiteral("config")));
    environment.insert(
        QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("switchyard.proxy.info=false"));
    const quint16 port = Bench::startGateway(
        gateway, QStringLiteral(SWITCHYARD_BINARY), configFile.fileName(), environment);
    if (port == 0)
        return 1;

    const qint64 pid = gateway.processId();
    Bench::LoadClient client(port, Bench::chatRequest("main"), 8);
    QList<std::pair<int, qint64>> samples;
    const int checkpoints[] = { 1000, 10000, 50000, total };
    client.run(total, [&](int done) {
        for (int checkpoint : checkpoints) {
            if (done == checkpoint)
                samples.append({ done, Bench::residentKiB(pid) });
        }
    });
    QThread::msleep(1500); // let the writer thread flush and enforce retention before counting rows
    qint64 rows = -1;
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("bench"));
        // The configuration's own journal, the one database under traces/.
        const QDir journals(dir.filePath(QStringLiteral("data/switchyard/traces")));
        const QStringList files = journals.entryList({ QStringLiteral("*.sqlite") }, QDir::Files);
        db.setDatabaseName(files.isEmpty() ? QString() : journals.filePath(files.first()));
        if (db.open()) {
            QSqlQuery count(db);
            if (count.exec(QStringLiteral("SELECT COUNT(*) FROM traces")) && count.next())
                rows = count.value(0).toLongLong();
        }
    }
    QSqlDatabase::removeDatabase(QStringLiteral("bench"));
    const qint64 peak = Bench::residentKiB(pid, "VmHWM:");
    gateway.terminate();
    gateway.waitForFinished(10000);

    std::printf("memory under sustained traffic: %d requests, 8 connections, failures %d\n", total,
        client.failures());
    std::printf("%-12s %12s\n", "requests", "RSS (KiB)");
    qint64 at10k = 0;
    for (const auto &[done, kib] : samples) {
        std::printf("%-12d %12lld\n", done, kib);
        if (done == 10000)
            at10k = kib;
    }
    std::printf("peak RSS %lld KiB; last sample / RSS at 10,000 = %.3f\n", peak,
        at10k > 0 ? double(samples.last().second) / double(at10k) : 0.0);
    std::printf("trace rows kept: %lld (retention max_count %d)\n", rows, retention);
    QMetaObject::invokeMethod(upstream, &QObject::deleteLater);
    upstreamThread.quit();
    upstreamThread.wait();
    return client.failures() == 0 ? 0 : 1;
}
