#include "fakeupstream.h"
#include "gatewayharness.h"
#include "jsontext.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/stat.h>

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
    void checkConfigIsAsStrictAsAStart_data();
    void checkConfigIsAsStrictAsAStart();
    void checkConfigWarnsWhatWouldMisconfigureARoute();
    void checkConfigWithoutAFileChecksTheGatewaysOwn();
    void everyOptionIsInTheManualPage();
    void logLevelDecidesWhichLinesAreWritten();
    void underSystemdLinesCarryTheJournalsPriority();
    void aJournalStreamThatIsNotStderrChangesNoLine_data();
    void aJournalStreamThatIsNotStderrChangesNoLine();
    void eachConfigurationKeepsItsOwnTraces();
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

    // The trace databases in the throwaway data folder, one per configuration run.
    QStringList journalsWritten() const;
    // Runs the binary to its end in the throwaway folders; stdout and stderr together.
    int run(const QStringList &arguments, QByteArray *output,
        const QProcessEnvironment &extraVariables = {});

    std::unique_ptr<QTemporaryDir> m_dir;
};

QStringList CliTest::journalsWritten() const
{
    const QDir folder(m_dir->filePath(QStringLiteral("data/switchyard/traces")));
    QStringList paths;
    for (const QString &name : folder.entryList({ QStringLiteral("*.sqlite") }, QDir::Files))
        paths.append(folder.filePath(name));
    return paths;
}

int CliTest::run(
    const QStringList &arguments, QByteArray *output, const QProcessEnvironment &extraVariables)
{
    QProcess process;
    QProcessEnvironment environment = isolatedEnvironment();
    environment.insert(extraVariables);
    process.setProcessEnvironment(environment);
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(QStringLiteral(SWITCHYARD_BINARY), arguments);
    if (!process.waitForFinished(20000)) {
        process.kill();
        process.waitForFinished();
        return -1;
    }
    *output = process.readAll();
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

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

    const QStringList journals = journalsWritten();
    QCOMPARE(journals.size(), 1);
    const QString path = journals.first();
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

void CliTest::checkConfigIsAsStrictAsAStart_data()
{
    QTest::addColumn<QByteArray>("config");
    QTest::addColumn<QString>("expected");
    const QByteArray base = R"({"providers": {"p": {"base_url": "http://127.0.0.1:9/v1"}},
        "routes": {"r": {"provider": "p", "model": "m"@ROUTE@}},
        "lanes": {"l": {"chain": ["r"]}}@ROOT@})";
    const auto with = [&base](const char *route, const char *root) {
        return QByteArray(base).replace("@ROUTE@", route).replace("@ROOT@", root);
    };
    QTest::newRow("a misspelt key") << with(R"(, "capabilites": ["tools"])",
        "") << QStringLiteral("routes.r.capabilites: unknown key; did you mean \"capabilities\"?");
    QTest::newRow("two letters swapped at the top")
        << with("", R"(, "defualt_lane": "l")")
        << QStringLiteral("defualt_lane: unknown key; did you mean \"default_lane\"?");
    QTest::newRow("a key that is no typo of any") << with(R"(, "breaker": {"sleep": 3})",
        "") << QStringLiteral("routes.r.breaker.sleep: unknown key (known here: window, min_calls");
    QTest::newRow("a public listener without an admin token")
        << with("", R"(, "listen": "0.0.0.0:8787")")
        << QStringLiteral("admin_token: is required when \"listen\" (0.0.0.0:8787) reaches "
                          "beyond loopback");
    QTest::newRow("an unknown log level")
        << with("", R"(, "log_level": "verbose")")
        << QStringLiteral("log_level: must be one of error, warning, info, debug");
}

void CliTest::checkConfigIsAsStrictAsAStart()
{
    QFETCH(QByteArray, config);
    QFETCH(QString, expected);
    const QString path = writeFile(QStringLiteral("c.json"), config);
    QByteArray checked;
    QCOMPARE(run({ QStringLiteral("check-config"), path }, &checked), 1);
    QVERIFY2(QString::fromUtf8(checked).contains(expected), checked.constData());
    // The gateway refuses to start with it, for the same reason.
    QByteArray started;
    QCOMPARE(run({ QStringLiteral("--headless"), QStringLiteral("--config"), path,
                     QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0") },
                 &started),
        1);
    QVERIFY2(QString::fromUtf8(started).contains(expected), started.constData());
}

void CliTest::checkConfigWarnsWhatWouldMisconfigureARoute()
{
    const QString path = writeFile(QStringLiteral("c.json"), jsonText(R"({
        '//': 'comments are notes, as are x- keys',
        'x-owner': 'platform team',
        'providers': {'p': {'base_url': 'http:\/\/127.0.0.1:9\/v1',
                            'api_key': {'env': 'SWITCHYARD_TEST_SURELY_UNSET'}}},
        'routes': {'chat': {'provider': 'p', 'model': 'm', '// note': 'kept'},
                   'embed': {'provider': 'p', 'model': 'e', 'capabilities': ['embeddings']}},
        'lanes': {'l': {'chain': ['chat', 'embed']}}})"));
    QByteArray output;
    QCOMPARE(run({ QStringLiteral("check-config"), path }, &output), 0);
    const QString text = QString::fromUtf8(output);
    QVERIFY2(text.contains(QStringLiteral("warning: lanes.l.chain[1]: route 'embed' serves only "
                                          "embeddings but the lane's first route, 'chat', serves "
                                          "chat")),
        qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("warning: providers.p.api_key: the environment variable "
                                          "SWITCHYARD_TEST_SURELY_UNSET is not set here")),
        qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral(": OK (1 providers, 2 routes, 1 lanes, 2 warning(s))")),
        qPrintable(text));
}

void CliTest::checkConfigWithoutAFileChecksTheGatewaysOwn()
{
    // Before the first start: the bundled default, said as such.
    QByteArray output;
    QCOMPARE(run({ QStringLiteral("check-config") }, &output), 0);
    QVERIFY2(output.contains("does not exist yet") && output.contains("(bundled default): OK"),
        output.constData());
    // Once there, the user's file, whatever it holds.
    const QString own = m_dir->filePath(QStringLiteral("config/switchyard/switchyard.json"));
    QVERIFY(QDir().mkpath(QFileInfo(own).absolutePath()));
    QFile file(own);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(R"({"providers": {}, "routes": {}, "lanes": {}})");
    file.close();
    QCOMPARE(run({ QStringLiteral("check-config") }, &output), 1);
    QVERIFY2(
        output.contains(own.toUtf8() + ": error: providers: must define at least one provider"),
        output.constData());
    // --config names another; a --listen beyond loopback is checked as a start would.
    QCOMPARE(run({ QStringLiteral("check-config"), QStringLiteral("--config"),
                     QStringLiteral(SWITCHYARD_RESOURCES "/configs/default.json"),
                     QStringLiteral("--listen"), QStringLiteral("0.0.0.0:8787") },
                 &output),
        1);
    QVERIFY2(output.contains("without an admin_token"), output.constData());
    // Before the first start too: the bundled default, as a start with that --listen would.
    QVERIFY(QFile::remove(own));
    QCOMPARE(run({ QStringLiteral("check-config"), QStringLiteral("--listen"),
                     QStringLiteral("0.0.0.0:8787") },
                 &output),
        1);
    QVERIFY2(output.contains("(bundled default): error: admin_token: is required with --listen"),
        output.constData());
}

void CliTest::everyOptionIsInTheManualPage()
{
    QByteArray help;
    QCOMPARE(run({ QStringLiteral("--help") }, &help), 0);
    QFile page(QStringLiteral(SWITCHYARD_PACKAGING "/switchyard.1.md"));
    QVERIFY(page.open(QIODevice::ReadOnly));
    const QString manual = QString::fromUtf8(page.readAll());
    static const QRegularExpression option(QStringLiteral("(--[a-z][a-z-]+)"));
    QStringList options;
    for (auto match = option.globalMatch(QString::fromUtf8(help)); match.hasNext();)
        options.append(match.next().captured(1));
    options.removeDuplicates();
    QVERIFY(options.size() >= 12);
    for (const QString &name : std::as_const(options))
        QVERIFY2(
            manual.contains(name), qPrintable(name + QStringLiteral(" is not in switchyard(1)")));
    for (const char *command :
        { "check-config", "keys set", "keys delete", "keys list", "admin-token" })
        QVERIFY2(manual.contains(QLatin1String(command)), command);
}

void CliTest::logLevelDecidesWhichLinesAreWritten()
{
    FakeUpstream upstream;
    QVERIFY(upstream.listen());
    const QString config = oneRouteConfig(upstream);
    const auto linesOf = [&](const QStringList &extra) {
        QProcess process;
        const QString url = startHeadless(process,
            QStringList { QStringLiteral("--config"), config, QStringLiteral("--listen"),
                QStringLiteral("127.0.0.1:0") }
                + extra);
        if (url.isEmpty())
            return QByteArray("(did not start)");
        GatewayClient client(url);
        const int status = client
                               .postAndWait(QStringLiteral("/v1/chat/completions"),
                                   chatBody(QStringLiteral("main")))
                               ->status;
        process.terminate();
        process.waitForFinished(10000);
        // Served (and it said it listens, at every level: startHeadless read that line).
        const QByteArray lines = process.readAllStandardError();
        if (status != 200)
            return QByteArray("(did not serve) ") + lines;
        return lines;
    };
    // Headless, a line per request by default; at "warning" none.
    QVERIFY(linesOf({}).contains("route=r"));
    const QByteArray quiet = linesOf({ QStringLiteral("--log-level"), QStringLiteral("warning") });
    QVERIFY2(!quiet.contains("route=r") && !quiet.startsWith("(did not"), quiet.constData());
    // The config's log_level, when no option says otherwise.
    QFile file(config);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QJsonObject json = QJsonDocument::fromJson(file.readAll()).object();
    file.close();
    json.insert(QStringLiteral("log_level"), QStringLiteral("error"));
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(QJsonDocument(json).toJson());
    file.close();
    const QByteArray fromConfig = linesOf({});
    QVERIFY2(!fromConfig.contains("route=r") && !fromConfig.startsWith("(did not"),
        fromConfig.constData());
    QByteArray refused;
    QCOMPARE(
        run({ QStringLiteral("--log-level"), QStringLiteral("loud"), QStringLiteral("--headless") },
            &refused),
        2);
    QVERIFY2(refused.contains("--log-level loud: must be one of error, warning, info, debug"),
        refused.constData());
}

void CliTest::underSystemdLinesCarryTheJournalsPriority()
{
    FakeUpstream upstream;
    QVERIFY(upstream.listen());
    // systemd names the stream stderr is in JOURNAL_STREAM; here, a file the test reads back.
    const QString log = m_dir->filePath(QStringLiteral("journal.txt"));
    QFile(log).open(QIODevice::WriteOnly);
    struct stat status { };
    QCOMPARE(::stat(QFile::encodeName(log).constData(), &status), 0);
    QProcessEnvironment environment = isolatedEnvironment();
    environment.insert(QStringLiteral("JOURNAL_STREAM"),
        QStringLiteral("%1:%2").arg(quint64(status.st_dev)).arg(quint64(status.st_ino)));
    QProcess process;
    process.setProcessEnvironment(environment);
    process.setStandardErrorFile(log, QIODevice::Append);
    process.start(QStringLiteral(SWITCHYARD_BINARY),
        { QStringLiteral("--headless"), QStringLiteral("--config"), oneRouteConfig(upstream),
            QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0") });
    QVERIFY(process.waitForStarted());
    static const QRegularExpression listening(QStringLiteral("listening on (http://[0-9.:]+)/v1"));
    QString url;
    QVERIFY(QTest::qWaitFor(
        [&] {
            QFile file(log);
            file.open(QIODevice::ReadOnly);
            url = listening.match(QString::fromUtf8(file.readAll())).captured(1);
            return !url.isEmpty();
        },
        15000));
    GatewayClient client(url);
    QCOMPARE(
        client
            .postAndWait(QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")))
            ->status,
        200);
    process.terminate();
    QVERIFY(process.waitForFinished(10000));
    QFile file(log);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray lines = file.readAll();
    // "<6>" is info: the journal keeps the time, so the line has none of its own.
    static const QRegularExpression request(
        QStringLiteral("^<6>switchyard\\.proxy: .*route=r"), QRegularExpression::MultilineOption);
    QVERIFY2(request.match(QString::fromUtf8(lines)).hasMatch(), lines.constData());
    // The program's own lines too: a failed start must show under journalctl -p err.
    QVERIFY2(lines.contains("\n<6>Switchyard is listening on http://")
            || lines.startsWith("<6>Switchyard"),
        lines.constData());
    QVERIFY2(
        !lines.contains("T0") && !lines.contains("T1") && !lines.contains("T2"), lines.constData());
}

void CliTest::aJournalStreamThatIsNotStderrChangesNoLine_data()
{
    QTest::addColumn<QString>("stream");
    QTest::newRow("garbage") << QStringLiteral("::not:a:stream::");
    QTest::newRow("numbers past 64 bits")
        << QStringLiteral("999999999999999999999999999:999999999999999999999999");
    QTest::newRow("another stream") << QStringLiteral("1:1");
    QTest::newRow("huge") << QString(100000, u'7');
}

// JOURNAL_STREAM names the journal only when it is the very stream stderr is; anything else
// leaves the lines as a terminal reads them.
void CliTest::aJournalStreamThatIsNotStderrChangesNoLine()
{
    QFETCH(QString, stream);
    const QString path = writeFile(QStringLiteral("bad.json"), jsonText("{'providers': 3}"));
    QProcessEnvironment variables;
    variables.insert(QStringLiteral("JOURNAL_STREAM"), stream);
    QByteArray output;
    QCOMPARE(run({ QStringLiteral("check-config"), path }, &output, variables), 1);
    QVERIFY2(output.startsWith(path.toUtf8() + ": error: providers: must be an object"),
        output.constData());
    QVERIFY(!output.contains("<3>"));
}

void CliTest::eachConfigurationKeepsItsOwnTraces()
{
    FakeUpstream upstream;
    QVERIFY(upstream.listen());
    const QString first = oneRouteConfig(upstream);
    QByteArray second = jsonText(R"({
        'providers': {'up': {'base_url': '@UP@'}},
        'routes': {'other': {'provider': 'up', 'model': 'm'}},
        'lanes': {'second': {'chain': ['other']}}})");
    second.replace("@UP@", upstream.baseUrl().toUtf8());
    const QString secondPath = writeFile(QStringLiteral("second.json"), second);
    const auto serve = [&](const QString &config, const QString &lane, int requests) {
        QProcess process;
        const QString url = startHeadless(process,
            { QStringLiteral("--config"), config, QStringLiteral("--listen"),
                QStringLiteral("127.0.0.1:0") });
        if (url.isEmpty())
            return QStringList();
        GatewayClient client(url);
        for (int i = 0; i < requests; ++i)
            client.postAndWait(QStringLiteral("/v1/chat/completions"), chatBody(lane));
        // What the console of this gateway would show first: its own traces only.
        client.setAdminToken([this] {
            QFile token(m_dir->filePath(QStringLiteral("data/switchyard/admin-token")));
            token.open(QIODevice::ReadOnly);
            return token.readAll().trimmed();
        }());
        ClientCall *traces = client.get(QStringLiteral("/admin/traces?limit=100"));
        GatewayClient::waitFor(traces);
        QStringList lanes;
        for (const QJsonValue &trace : traces->json().value(QLatin1String("traces")).toArray())
            lanes.append(trace.toObject().value(QLatin1String("lane")).toString());
        process.terminate();
        process.waitForFinished(10000);
        return lanes;
    };
    QCOMPARE(serve(first, QStringLiteral("main"), 3), QStringList(3, QStringLiteral("main")));
    QCOMPARE(
        serve(secondPath, QStringLiteral("second"), 2), QStringList(2, QStringLiteral("second")));
    // And back: the first file's traces are where it left them.
    QCOMPARE(serve(first, QStringLiteral("main"), 1), QStringList(4, QStringLiteral("main")));
    const QStringList journals = journalsWritten();
    QCOMPARE(journals.size(), 2);
    QVERIFY2(QFileInfo(journals.first()).fileName().startsWith(QLatin1String("c-"))
            || QFileInfo(journals.last()).fileName().startsWith(QLatin1String("c-")),
        qPrintable(journals.join(QLatin1Char(' '))));
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
