#include "engine/engine.h"
#include "engine/enginehost.h"
#include "fakeupstream.h"
#include "gatewayharness.h"
#include "jsontext.h"
#include "secrets/keychainsecretstore.h"

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <fcntl.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <memory>

using namespace Switchyard;
using namespace Switchyard::Testing;

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

// The installed command line, as a user runs it.
Run switchyard(const QStringList &arguments, const QByteArray &input = QByteArray())
{
    QProcess process;
    process.start(QStringLiteral(SWITCHYARD_BINARY), arguments);
    process.write(input);
    process.closeWriteChannel();
    Run run;
    if (!process.waitForFinished(60000))
        return run;
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

// The keychain's answer for `name`, read through the product's store.
SecretResult readBack(const QString &name)
{
    KeychainSecretStore store;
    QObject context;
    std::optional<SecretResult> result;
    store.read(name, &context, [&result](const SecretResult &read) { result = read; });
    [[maybe_unused]] const bool answered
        = QTest::qWaitFor([&result] { return result.has_value(); }, 10000);
    return result.value_or(
        SecretResult::failure(SecretStatus::Failed, QStringLiteral("no answer")));
}

// One route to `upstream`, its key in keychain entry "ci-openai".
QByteArray keyedConfig(const FakeUpstream &upstream)
{
    QByteArray config = jsonText(R"JSON({
      'providers': {'p': {'base_url': '@P@', 'api_key': {'keychain': 'ci-openai'}}},
      'routes': {'r': {'provider': 'p', 'model': 'm'}},
      'lanes': {'main': {'chain': ['r']}},
      'default_lane': 'main'
    })JSON");
    return config.replace("@P@", upstream.baseUrl().toUtf8());
}

// `switchyard keys set NAME` with its stdin on a pseudo-terminal, as a user types at a shell.
struct TerminalSession {
    int terminal = -1;
    int follower = -1;
    QProcess process;
    QByteArray prompt;

    explicit TerminalSession(const QString &name)
    {
        if (::openpty(&terminal, &follower, nullptr, nullptr, nullptr) != 0)
            return;
        const int stdinEnd = follower;
        process.setChildProcessModifier([stdinEnd] { ::dup2(stdinEnd, STDIN_FILENO); });
        process.setInputChannelMode(QProcess::ForwardedInputChannel);
        process.start(QStringLiteral(SWITCHYARD_BINARY),
            { QStringLiteral("keys"), QStringLiteral("set"), name });
    }
    ~TerminalSession()
    {
        process.kill();
        process.waitForFinished(5000);
        for (int fd : { terminal, follower }) {
            if (fd >= 0)
                ::close(fd);
        }
    }
    // True once the hidden-input prompt is showing.
    bool prompted()
    {
        return QTest::qWaitFor(
            [this] {
                prompt += process.readAllStandardError();
                return prompt.contains("(not shown)");
            },
            10000);
    }
};

} // namespace

// The system keychain for real: gnome-keyring in a private D-Bus session (run_in_session.sh). A key
// set with `switchyard keys set` reaches the upstream byte for byte through the gateway.
class KeychainTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void keysSetListAndDeleteFromTheCommandLine();
    void theGatewaySendsTheKeySetOnTheCommandLine();
    void aDeletedKeyMarksTheRouteMisconfigured();
    void theStoreReportsAMissingEntryAsNotFound();
    void aKeyTypedAtATerminalIsNotEchoed();
    void interruptingThePromptGivesTheTerminalItsEchoBack();
    void aKeychainThatNeverAnswersIsSaidAndGivenUpOn();
    void keysSetSaysWhichProvidersReadTheEntry();

private:
    const QByteArray m_key
        = "sk-ci-keyring-2f9c-" + QByteArray::number(QCoreApplication::applicationPid());
};

void KeychainTest::initTestCase()
{
    // Outside the session script this would read (or fail on) the user's own keyring.
    QVERIFY2(qEnvironmentVariableIsSet("SWITCHYARD_KEYRING_SESSION"),
        "run through ctest: tests/keychain/run_in_session.sh starts the keyring it needs");
}

void KeychainTest::keysSetListAndDeleteFromTheCommandLine()
{
    const Run set = switchyard(
        { QStringLiteral("keys"), QStringLiteral("set"), QStringLiteral("ci-scratch") },
        "scratch-secret\n");
    QVERIFY2(set.exitCode == 0, set.err.constData());
    // A keychain that answers at once is not said to be waited for.
    QVERIFY2(!set.err.contains("Waiting"), set.err.constData());
    Run list = switchyard({ QStringLiteral("keys"), QStringLiteral("list") });
    QCOMPARE(list.exitCode, 0);
    QVERIFY(list.out.split('\n').contains("ci-scratch"));
    QVERIFY(!list.out.contains("scratch-secret"));

    const Run removed = switchyard(
        { QStringLiteral("keys"), QStringLiteral("delete"), QStringLiteral("ci-scratch") });
    QVERIFY2(removed.exitCode == 0, removed.err.constData());
    list = switchyard({ QStringLiteral("keys"), QStringLiteral("list") });
    QVERIFY(!list.out.split('\n').contains("ci-scratch"));

    const Run again = switchyard(
        { QStringLiteral("keys"), QStringLiteral("delete"), QStringLiteral("ci-scratch") });
    QCOMPARE(again.exitCode, 1);
    QVERIFY2(again.err.contains("no key named 'ci-scratch'"), again.err.constData());
    const Run empty
        = switchyard({ QStringLiteral("keys"), QStringLiteral("set"), QStringLiteral("ci-empty") });
    QCOMPARE(empty.exitCode, 1);
}

void KeychainTest::theGatewaySendsTheKeySetOnTheCommandLine()
{
    const Run set
        = switchyard({ QStringLiteral("keys"), QStringLiteral("set"), QStringLiteral("ci-openai") },
            m_key + '\n');
    QVERIFY2(set.exitCode == 0, set.err.constData());

    FakeUpstream upstream;
    QVERIFY(upstream.listen());
    upstream.setDefaultResponse(FakeResponse::completion(QStringLiteral("keyed")));
    const QByteArray config = keyedConfig(upstream);
    GatewayUnderTest gateway; // the engine's default store: the system keychain
    QString error;
    QVERIFY2(gateway.start(config, &error), qPrintable(error));
    ClientCall *call = gateway.client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")));
    QVERIFY2(call->status == 200, call->body.constData());
    QCOMPARE(upstream.requestCount(), 1);
    QCOMPARE(upstream.requests().constFirst().headers.value("authorization"), "Bearer " + m_key);
}

void KeychainTest::aDeletedKeyMarksTheRouteMisconfigured()
{
    FakeUpstream upstream;
    QVERIFY(upstream.listen());
    const QByteArray config = keyedConfig(upstream);
    GatewayUnderTest gateway;
    QObject scope;
    QList<ProviderSnapshot> providers;
    connect(gateway.host().engine(), &Engine::providersUpdated, &scope,
        [&providers](const QList<ProviderSnapshot> &snapshots) { providers = snapshots; });
    QString error;
    QVERIFY2(gateway.start(config, &error), qPrintable(error));
    QTRY_VERIFY(!providers.isEmpty() && providers.constFirst().keyState == KeyState::Set);

    const Run removed = switchyard(
        { QStringLiteral("keys"), QStringLiteral("delete"), QStringLiteral("ci-openai") });
    QVERIFY2(removed.exitCode == 0, removed.err.constData());
    gateway.host().engine()->reloadSecrets();
    QTRY_COMPARE(providers.constFirst().keyState, KeyState::Missing);
    ClientCall *call = gateway.client().postAndWait(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")));
    QCOMPARE(call->status, 503);
    QVERIFY2(call->body.contains("keychain entry 'ci-openai' is missing"), call->body.constData());
    QCOMPARE(upstream.requestCount(), 0);
}

void KeychainTest::theStoreReportsAMissingEntryAsNotFound()
{
    const SecretResult result = readBack(QStringLiteral("ci-never-set"));
    QCOMPARE(int(result.status), int(SecretStatus::NotFound));
    QVERIFY(result.value.isEmpty());
}

void KeychainTest::aKeyTypedAtATerminalIsNotEchoed()
{
    TerminalSession session(QStringLiteral("ci-typed"));
    QVERIFY(session.prompted());
    const QByteArray typed = "sk-typed-at-a-terminal\n";
    QCOMPARE(
        ::write(session.terminal, typed.constData(), size_t(typed.size())), qint64(typed.size()));
    QVERIFY(session.process.waitForFinished(30000));
    QCOMPARE(session.process.exitCode(), 0);
    // Whatever the terminal showed back: never the key.
    QByteArray shown(4096, '\0');
    ::fcntl(session.terminal, F_SETFL, O_NONBLOCK);
    const ssize_t count = ::read(session.terminal, shown.data(), size_t(shown.size()));
    shown.truncate(count > 0 ? count : 0);
    QVERIFY2(!shown.contains("sk-typed"), shown.constData());
    QCOMPARE(readBack(QStringLiteral("ci-typed")).value, QByteArray("sk-typed-at-a-terminal"));
}

void KeychainTest::interruptingThePromptGivesTheTerminalItsEchoBack()
{
    TerminalSession session(QStringLiteral("ci-interrupted"));
    QVERIFY(session.prompted());
    termios during {};
    QVERIFY(::tcgetattr(session.follower, &during) == 0);
    QVERIFY((during.c_lflag & ECHO) == 0);
    ::kill(pid_t(session.process.processId()), SIGINT); // Ctrl-C
    QVERIFY(session.process.waitForFinished(30000));
    QCOMPARE(session.process.exitCode(), 130);
    termios after {};
    QVERIFY(::tcgetattr(session.follower, &after) == 0);
    QVERIFY((after.c_lflag & ECHO) != 0);
}

// A keyring that never answers (locked, its prompt where nobody sees it): each command says what
// it waits for after a moment, and gives up with a reason after SWITCHYARD_KEYCHAIN_TIMEOUT_S.
void KeychainTest::aKeychainThatNeverAnswersIsSaidAndGivenUpOn()
{
    QTemporaryDir home;
    QVERIFY(home.isValid());
    for (const QStringList &command :
        { QStringList { QStringLiteral("keys"), QStringLiteral("list") },
            QStringList {
                QStringLiteral("keys"), QStringLiteral("set"), QStringLiteral("ci-locked") },
            QStringList {
                QStringLiteral("keys"), QStringLiteral("delete"), QStringLiteral("ci-locked") } }) {
        QProcess process;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("SWITCHYARD_KEYCHAIN_TIMEOUT_S"), QStringLiteral("3"));
        environment.insert(QStringLiteral("HOME"), home.path());
        environment.insert(
            QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
        environment.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"));
        process.setProcessEnvironment(environment);
        QElapsedTimer clock;
        clock.start();
        process.start(QStringLiteral(SWITCHYARD_DBUS_RUN_SESSION),
            QStringList { QStringLiteral("--"), QStringLiteral(SWITCHYARD_UNANSWERING_KEYRING),
                QStringLiteral(SWITCHYARD_BINARY) }
                + command);
        process.write("never-stored-secret\n");
        process.closeWriteChannel();
        QVERIFY(process.waitForFinished(60000));
        const QByteArray said = process.readAllStandardError();
        QCOMPARE(process.exitCode(), 1);
        QVERIFY2(said.contains("Waiting for the system keychain"), said.constData());
        QVERIFY2(said.contains("did not answer within 3 s"), said.constData());
        QVERIFY2(!said.contains("never-stored-secret"), said.constData());
        // Given up on at its timeout, not at D-Bus's own 25 s.
        QVERIFY2(clock.elapsed() < 20000, qPrintable(QString::number(clock.elapsed())));
    }
}

void KeychainTest::keysSetSaysWhichProvidersReadTheEntry()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const QString config = folder.filePath(QStringLiteral("c.json"));
    QFile file(config);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(R"({"providers": {"openai": {"base_url": "http://127.0.0.1:9/v1",
                                           "api_key": {"keychain": "ci-read"}}},
                  "routes": {"r": {"provider": "openai", "model": "m"}},
                  "lanes": {"l": {"chain": ["r"]}}})");
    file.close();
    const Run read = switchyard({ QStringLiteral("keys"), QStringLiteral("set"),
                                    QStringLiteral("ci-read"), QStringLiteral("--config"), config },
        "read-secret\n");
    QVERIFY2(read.exitCode == 0, read.err.constData());
    QVERIFY2(
        read.err.contains("Read by provider openai of " + config.toUtf8()), read.err.constData());
    const Run unread
        = switchyard({ QStringLiteral("keys"), QStringLiteral("set"), QStringLiteral("ci-unread"),
                         QStringLiteral("--config"), config },
            "unread-secret\n");
    QVERIFY2(unread.exitCode == 0, unread.err.constData());
    QVERIFY2(unread.err.contains("No provider of " + config.toUtf8()
                 + " reads keychain entry 'ci-unread' yet: give one \"api_key\": {\"keychain\": "
                   "\"ci-unread\"}."),
        unread.err.constData());
    for (const char *name : { "ci-read", "ci-unread" })
        QCOMPARE(switchyard({ QStringLiteral("keys"), QStringLiteral("delete"),
                                QString::fromLatin1(name) })
                     .exitCode,
            0);
}

QTEST_GUILESS_MAIN(KeychainTest)
#include "tst_keychain.moc"
