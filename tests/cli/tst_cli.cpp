#include "fakeupstream.h"
#include "gatewayharness.h"
#include "jsontext.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace Switchyard::Testing;

// The switchyard binary as a user runs it: exit codes, messages, a headless gateway.
class CliTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void versionNamesQt();
    void attachRefusesWhatItCannotDoSafely_data();
    void attachRefusesWhatItCannotDoSafely();
    void checkConfigAcceptsTheBundledConfig();
    void checkConfigListsEveryErrorWithItsPath();
    void headlessServesAndFallsBack();
    void headlessRefusesAnInvalidConfig();
    void headlessReloadsItsFileOnSighup();
    void headlessRefusesAPublicListenerWithoutAdminToken();
    void firstStartCreatesTheDefaultConfig();
    void adminTokenPrintsWhatTheGatewayAccepts();
    void killNineLosesAtMostTheLastSecondOfTraces();
    void crashReportNamesTheSignalAndNoKey_data();
    void crashReportNamesTheSignalAndNoKey();

private:
    QString writeFile(const QString &name, const QByteArray &content);
    QProcessEnvironment isolatedEnvironment() const;
    // A config with one route to `upstream`, written to the throwaway folder; returns its path.
    QString oneRouteConfig(const FakeUpstream &upstream);
    // Starts `switchyard --headless` and returns the base URL it reports, or an empty string.
    QString startHeadless(QProcess &process, const QStringList &arguments,
        const QProcessEnvironment &extraVariables = {});

    std::unique_ptr<QTemporaryDir> m_dir;
};

void CliTest::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

QString CliTest::writeFile(const QString &name, const QByteArray &content)
{
    QFile file(m_dir->filePath(name));
    if (!file.open(QIODevice::WriteOnly))
        return QString();
    file.write(content);
    return file.fileName();
}

QProcessEnvironment CliTest::isolatedEnvironment() const
{
    // Never touch the real user's config or data.
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(
        QStringLiteral("XDG_CONFIG_HOME"), m_dir->filePath(QStringLiteral("config")));
    environment.insert(QStringLiteral("XDG_DATA_HOME"), m_dir->filePath(QStringLiteral("data")));
    environment.insert(QStringLiteral("HOME"), m_dir->path());
    return environment;
}

QString CliTest::startHeadless(
    QProcess &process, const QStringList &arguments, const QProcessEnvironment &extraVariables)
{
    QProcessEnvironment environment = isolatedEnvironment();
    environment.insert(extraVariables);
    process.setProcessEnvironment(environment);
    // Where the user enabled core dumps, a crash test's core lands in the throwaway folder.
    process.setWorkingDirectory(m_dir->path());
    process.start(QStringLiteral(SWITCHYARD_BINARY),
        QStringList { QStringLiteral("--headless") } + arguments);
    if (!process.waitForStarted(10000))
        return QString();
    static const QRegularExpression listening(QStringLiteral("listening on (http://[0-9.:]+)/v1"));
    QByteArray seen;
    QString url;
    [[maybe_unused]] const bool found = QTest::qWaitFor(
        [&] {
            seen += process.readAllStandardError();
            const QRegularExpressionMatch match = listening.match(QString::fromUtf8(seen));
            if (match.hasMatch())
                url = match.captured(1);
            return !url.isEmpty() || process.state() == QProcess::NotRunning;
        },
        15000);
    if (url.isEmpty())
        qWarning("switchyard said: %s", seen.constData());
    return url;
}

QString CliTest::oneRouteConfig(const FakeUpstream &upstream)
{
    QByteArray config = jsonText(R"({
        'providers': {'up': {'base_url': '@UP@'}},
        'routes': {'r': {'provider': 'up', 'model': 'm'}},
        'lanes': {'main': {'chain': ['r']}}})");
    config.replace("@UP@", upstream.baseUrl().toUtf8());
    return writeFile(QStringLiteral("c.json"), config);
}

void CliTest::adminTokenPrintsWhatTheGatewayAccepts()
{
    FakeUpstream upstream;
    QVERIFY(upstream.listen());
    const QString configPath = oneRouteConfig(upstream);
    QProcess gateway;
    const QString url = startHeadless(gateway,
        { QStringLiteral("--config"), configPath, QStringLiteral("--listen"),
            QStringLiteral("127.0.0.1:0") });
    QVERIFY(!url.isEmpty());

    QProcess command;
    command.setProcessEnvironment(isolatedEnvironment());
    command.start(QStringLiteral(SWITCHYARD_BINARY),
        { QStringLiteral("admin-token"), QStringLiteral("--config"), configPath });
    QVERIFY(command.waitForFinished(10000));
    QCOMPARE(command.exitCode(), 0);
    const QByteArray token = command.readAllStandardOutput().trimmed();
    QCOMPARE(token.size(), 64);

    GatewayClient client(url);
    ClientCall *anonymous = client.get(QStringLiteral("/admin/state"));
    QVERIFY(GatewayClient::waitFor(anonymous));
    QCOMPARE(anonymous->status, 401);
    client.setAdminToken(token);
    ClientCall *allowed = client.get(QStringLiteral("/admin/state"));
    QVERIFY(GatewayClient::waitFor(allowed));
    QCOMPARE(allowed->status, 200);
    gateway.terminate();
    QVERIFY(gateway.waitForFinished(10000));
    QVERIFY(!gateway.readAllStandardError().contains(token)); // never logged
}

void CliTest::killNineLosesAtMostTheLastSecondOfTraces()
{
    FakeUpstream upstream;
    QVERIFY(upstream.listen());
    QProcess gateway;
    const QString url = startHeadless(gateway,
        { QStringLiteral("--config"), oneRouteConfig(upstream), QStringLiteral("--listen"),
            QStringLiteral("127.0.0.1:0") });
    QVERIFY(!url.isEmpty());
    GatewayClient client(url);
    constexpr int Requests = 30;
    for (int i = 0; i < Requests; ++i)
        QCOMPARE(client
                     .postAndWait(
                         QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")))
                     ->status,
            200);
    // The promise under test is a time: what finished a second ago is on disk.
    QTest::qWait(1200);
    gateway.kill(); // SIGKILL: no flush, no destructor
    QVERIFY(gateway.waitForFinished(10000));

    const QString path = m_dir->filePath(QStringLiteral("data/switchyard/traces.sqlite"));
    QVERIFY2(QFile::exists(path), qPrintable(path));
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("kill9"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery count(db);
        QVERIFY(count.exec(QStringLiteral("SELECT COUNT(*) FROM traces")) && count.next());
        QCOMPARE(count.value(0).toInt(), Requests);
    }
    QSqlDatabase::removeDatabase(QStringLiteral("kill9"));
}

void CliTest::versionNamesQt()
{
    QProcess process;
    process.start(QStringLiteral(SWITCHYARD_BINARY), { QStringLiteral("--version") });
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitCode(), 0);
    const QString output = QString::fromUtf8(process.readAllStandardOutput());
    QVERIFY2(output.startsWith(QStringLiteral("switchyard 0.")), qPrintable(output));
    QVERIFY2(output.contains(QStringLiteral("Qt 6.")), qPrintable(output));
}

void CliTest::attachRefusesWhatItCannotDoSafely_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("said");
    QTest::newRow("clear text beyond this machine")
        << QStringList { QStringLiteral("--attach"), QStringLiteral("http://192.0.2.7:8787") }
        << QStringLiteral("plain http is for this machine only");
    QTest::newRow("not a gateway address")
        << QStringList { QStringLiteral("--attach"), QStringLiteral("ftp://127.0.0.1:8787") }
        << QStringLiteral("must be http://HOST:PORT");
    QTest::newRow("more than an address") << QStringList { QStringLiteral("--attach"),
        QStringLiteral("http://127.0.0.1:8787/admin?token=x") }
                                          << QStringLiteral("must be http://HOST:PORT");
    QTest::newRow("no host") << QStringList { QStringLiteral("--attach"),
        QStringLiteral("http://:8787") }
                             << QStringLiteral("must be http://HOST:PORT");
    // Several gateways are fine (a window each), but each is checked before any is attached.
    QTest::newRow("the second of two")
        << QStringList { QStringLiteral("--attach"), QStringLiteral("127.0.0.1:1"),
               QStringLiteral("--attach"), QStringLiteral("http://192.0.2.7:8787") }
        << QStringLiteral("plain http is for this machine only");
}

void CliTest::attachRefusesWhatItCannotDoSafely()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, said);
    QProcess process;
    QProcessEnvironment environment = isolatedEnvironment();
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(SWITCHYARD_BINARY), arguments);
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitCode(), 2);
    const QString output = QString::fromUtf8(process.readAllStandardError());
    QVERIFY2(output.contains(said), qPrintable(output));
}

void CliTest::checkConfigAcceptsTheBundledConfig()
{
    QProcess process;
    process.start(QStringLiteral(SWITCHYARD_BINARY),
        { QStringLiteral("check-config"),
            QStringLiteral(SWITCHYARD_RESOURCES "/configs/default.json") });
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitCode(), 0);
    QVERIFY(process.readAllStandardOutput().contains(": OK"));
}

void CliTest::checkConfigListsEveryErrorWithItsPath()
{
    const QString path = writeFile(QStringLiteral("bad.json"), jsonText(R"({
        'providers': {'p': {'base_url': 'ftp:\/\/x', 'api_key': 'sk-literal'}},
        'routes': {'r': {'provider': 'p', 'model': 'm', 'breaker': {'window': 0}}},
        'lanes': {'l': {'chain': ['r', 'ghost']}}})"));
    QProcess process;
    process.start(QStringLiteral(SWITCHYARD_BINARY), { QStringLiteral("check-config"), path });
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitCode(), 1);
    const QString errors = QString::fromUtf8(process.readAllStandardError());
    for (const char *expected : { "providers.p.base_url: must be an http:// or https:// URL",
             "providers.p.api_key: literal secrets are refused",
             "routes.r.breaker.window: must be ≥ 1", "lanes.l.chain[1]: unknown route 'ghost'" })
        QVERIFY2(errors.contains(QString::fromUtf8(expected)), qPrintable(errors));
    QVERIFY2(
        !errors.contains(QStringLiteral("sk-literal")), "a literal secret must not be echoed back");
}

void CliTest::headlessServesAndFallsBack()
{
    FakeUpstream upstream;
    QVERIFY(upstream.listen());
    QByteArray config = jsonText(R"({
        'providers': {'down': {'base_url': '@DOWN@'}, 'up': {'base_url': '@UP@'}},
        'routes': {'first': {'provider': 'down', 'model': 'm1'}, 'second': {'provider': 'up', 'model': 'm2'}},
        'lanes': {'main': {'chain': ['first', 'second'], 'retry': {'max_retries': 0}}}})");
    config.replace("@DOWN@",
        QStringLiteral("http://127.0.0.1:%1/v1").arg(FakeUpstream::closedPort()).toUtf8());
    config.replace("@UP@", upstream.baseUrl().toUtf8());
    QProcess process;
    const QString url = startHeadless(process,
        { QStringLiteral("--config"), writeFile(QStringLiteral("c.json"), config),
            QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0") });
    QVERIFY(!url.isEmpty());

    GatewayClient client(url);
    ClientCall *call = client.postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")));
    QCOMPARE(call->status, 200);
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("second"));
    QCOMPARE(call->header("X-Switchyard-Fallback"), QByteArray("1"));
    QCOMPARE(upstream.requests().first().json().value(QLatin1String("model")).toString(),
        QStringLiteral("m2"));

    process.terminate();
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 0);
    const QByteArray log = process.readAllStandardError();
    QVERIFY2(log.contains("route=second"), log.constData()); // one structured line per request
}

void CliTest::headlessReloadsItsFileOnSighup()
{
    FakeUpstream upstream;
    QVERIFY(upstream.listen());
    const QString path = oneRouteConfig(upstream);
    QProcess process;
    const QString url = startHeadless(process,
        { QStringLiteral("--config"), path, QStringLiteral("--listen"),
            QStringLiteral("127.0.0.1:0") });
    QVERIFY(!url.isEmpty());
    GatewayClient client(url);
    auto models = [&client] {
        ClientCall *call = client.get(QStringLiteral("/v1/models"));
        GatewayClient::waitFor(call);
        return call->body;
    };
    QVERIFY(!models().contains("\"later\""));

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QByteArray config = file.readAll();
    file.close();
    QJsonObject root = QJsonDocument::fromJson(config).object();
    QJsonObject lanes = root.value(QLatin1String("lanes")).toObject();
    lanes.insert(QStringLiteral("later"), lanes.value(QLatin1String("main")));
    root.insert(QStringLiteral("lanes"), lanes);
    root.insert(QStringLiteral("default_lane"), QStringLiteral("main"));
    writeFile(QStringLiteral("c.json"), QJsonDocument(root).toJson());
    ::kill(pid_t(process.processId()), SIGHUP);

    QByteArray log;
    QTRY_VERIFY_WITH_TIMEOUT(
        (log += process.readAllStandardError(), log.contains("Reloaded")), 10000);
    QVERIFY2(log.contains("SIGHUP"), log.constData());
    QVERIFY(models().contains("\"later\""));
    process.terminate();
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitCode(), 0); // SIGHUP reloads; it does not end the gateway
}

void CliTest::headlessRefusesAnInvalidConfig()
{
    QProcess process;
    process.setProcessEnvironment(isolatedEnvironment());
    process.start(QStringLiteral(SWITCHYARD_BINARY),
        { QStringLiteral("--headless"), QStringLiteral("--config"),
            writeFile(QStringLiteral("bad.json"), jsonText("{'providers': 3}")) });
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitCode(), 1);
    const QByteArray errors = process.readAllStandardError();
    QVERIFY2(errors.contains("providers: must be an object"), errors.constData());
    QVERIFY2(errors.contains("did not start"), errors.constData());
}

void CliTest::headlessRefusesAPublicListenerWithoutAdminToken()
{
    QProcess process;
    process.setProcessEnvironment(isolatedEnvironment());
    process.start(QStringLiteral(SWITCHYARD_BINARY),
        { QStringLiteral("--headless"), QStringLiteral("--config"),
            QStringLiteral(SWITCHYARD_RESOURCES "/configs/default.json"),
            QStringLiteral("--listen"), QStringLiteral("0.0.0.0:0") });
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitCode(), 1);
    QVERIFY(process.readAllStandardError().contains("without an admin_token"));
}

void CliTest::firstStartCreatesTheDefaultConfig()
{
    QProcess process;
    const QString url
        = startHeadless(process, { QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0") });
    QVERIFY(!url.isEmpty());
    process.terminate();
    QVERIFY(process.waitForFinished(10000));
    const QString created = m_dir->filePath(QStringLiteral("config/switchyard/switchyard.json"));
    QVERIFY2(QFile::exists(created), qPrintable(created));
    QCOMPARE(
        QFile::permissions(created) & (QFile::ReadOther | QFile::ReadGroup), QFile::Permissions());
}

void CliTest::crashReportNamesTheSignalAndNoKey_data()
{
    QTest::addColumn<int>("signalNumber");
    QTest::addColumn<QString>("named");
    QTest::newRow("segmentation fault") << int(SIGSEGV) << QStringLiteral("SIGSEGV");
    QTest::newRow("abort") << int(SIGABRT) << QStringLiteral("SIGABRT");
}

void CliTest::crashReportNamesTheSignalAndNoKey()
{
    QFETCH(int, signalNumber);
    QFETCH(QString, named);
    const QByteArray key = "sk-crash-report-must-not-show-4e1f0a9c";
    FakeUpstream upstream;
    QVERIFY(upstream.listen());
    QByteArray config = jsonText(R"({
        'providers': {'p': {'base_url': '@UP@', 'api_key': {'env': 'CRASH_TEST_KEY'}}},
        'routes': {'r': {'provider': 'p', 'model': 'm'}},
        'lanes': {'main': {'chain': ['r']}}})");
    config.replace("@UP@", upstream.baseUrl().toUtf8());
    QProcessEnvironment keyVariable;
    keyVariable.insert(QStringLiteral("CRASH_TEST_KEY"), QString::fromLatin1(key));
    QProcess process;
    const QString url = startHeadless(process,
        { QStringLiteral("--config"), writeFile(QStringLiteral("c.json"), config),
            QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0") },
        keyVariable);
    QVERIFY(!url.isEmpty());
    // The key is in use, so it is in the process's memory when it crashes.
    GatewayClient client(url);
    QCOMPARE(
        client
            .postAndWait(QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")))
            ->status,
        200);
    QCOMPARE(upstream.requests().constLast().headers.value("authorization"), "Bearer " + key);

    QVERIFY(::kill(pid_t(process.processId()), signalNumber) == 0);
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitStatus(), QProcess::CrashExit);
    const QByteArray output = process.readAllStandardError() + process.readAllStandardOutput();
    const QString report = QString::fromUtf8(output);
    QVERIFY2(report.contains(QStringLiteral("switchyard " SWITCHYARD_VERSION " crashed: ") + named),
        output.constData());
    // At least the handler's own frame, with the binary it is in.
    QVERIFY2(report.contains(QStringLiteral("Backtrace"))
            && report.contains(QStringLiteral("switchyard(")),
        output.constData());
    QVERIFY2(!output.contains(key), "the crash output holds the key");
}

QTEST_GUILESS_MAIN(CliTest)
#include "tst_cli.moc"
