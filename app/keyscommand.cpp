#include "keyscommand.h"

#include "config/configloader.h"
#include "secrets/admintokenfile.h"
#include "secrets/keychainsecretstore.h"
#include "startupconfig.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QTextStream>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <termios.h>
#include <unistd.h>

namespace Switchyard {

namespace {

// A keyring may wait for the user to type its password. After a moment with no answer the command
// says what it waits for; it gives up after SWITCHYARD_KEYCHAIN_TIMEOUT_S (30 s by default): a
// locked keyring whose prompt cannot show (over SSH, on a server) never answers at all.
constexpr int DefaultKeychainTimeoutS = 30;
constexpr int QuietWaitMs = 2000;

int keychainTimeoutMs()
{
    const QByteArray text = qgetenv("SWITCHYARD_KEYCHAIN_TIMEOUT_S");
    if (text.isEmpty())
        return DefaultKeychainTimeoutS * 1000;
    bool ok = false;
    const int seconds = text.toInt(&ok, 10);
    if (ok && seconds >= 1 && seconds <= 3600)
        return seconds * 1000;
    QTextStream(stderr) << "SWITCHYARD_KEYCHAIN_TIMEOUT_S=" << text.left(20)
                        << " is not a number of seconds from 1 to 3600; waiting "
                        << DefaultKeychainTimeoutS << " s" << Qt::endl;
    return DefaultKeychainTimeoutS * 1000;
}

QTextStream &errors()
{
    static QTextStream stream(stderr);
    return stream;
}

termios savedTerminal {};

void restoreTerminalAndExit(int)
{
    // Async-signal-safe calls only.
    ::tcsetattr(STDIN_FILENO, TCSANOW, &savedTerminal);
    [[maybe_unused]] const auto written = ::write(STDERR_FILENO, "\n", 1);
    ::_exit(130);
}

// The secret from stdin: typed without echo at a terminal, or piped (one trailing newline dropped).
QByteArray readSecret(const QString &name)
{
    QFile input;
    if (!input.open(stdin, QIODevice::ReadOnly))
        return QByteArray();
    if (!::isatty(STDIN_FILENO)) {
        QByteArray secret = input.readAll();
        if (secret.endsWith('\n'))
            secret.chop(1);
        if (secret.endsWith('\r'))
            secret.chop(1);
        return secret;
    }
    errors() << "Secret for " << name << " (not shown): " << Qt::flush;
    const bool quiet = ::tcgetattr(STDIN_FILENO, &savedTerminal) == 0;
    struct sigaction previousInterrupt { };
    struct sigaction previousTerminate { };
    if (quiet) {
        // Ctrl-C at the prompt must not leave the shell without echo.
        struct sigaction restore { };
        restore.sa_handler = restoreTerminalAndExit;
        ::sigaction(SIGINT, &restore, &previousInterrupt);
        ::sigaction(SIGTERM, &restore, &previousTerminate);
        termios silent = savedTerminal;
        silent.c_lflag &= ~tcflag_t(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent);
    }
    QByteArray secret = input.readLine();
    if (quiet) {
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &savedTerminal);
        ::sigaction(SIGINT, &previousInterrupt, nullptr);
        ::sigaction(SIGTERM, &previousTerminate, nullptr);
    }
    errors() << Qt::endl;
    return secret.trimmed();
}

// Runs the event loop until `start` reports back through the function it is given.
int runUntilDone(const std::function<void(std::function<void(int)>)> &start)
{
    int exitCode = 1;
    bool finished = false;
    start([&](int code) {
        exitCode = code;
        finished = true;
        QCoreApplication::quit();
    });
    if (!finished) {
        const int timeoutMs = keychainTimeoutMs();
        QTimer::singleShot(qMin(QuietWaitMs, timeoutMs / 2), qApp, [timeoutMs] {
            errors() << "Waiting for the system keychain (up to " << timeoutMs / 1000
                     << " s): if it is locked, unlock it in the prompt your desktop shows."
                     << Qt::endl;
        });
        QTimer::singleShot(timeoutMs, qApp, [timeoutMs] {
            errors() << "The system keychain did not answer within " << timeoutMs / 1000
                     << " s; the command gave up, though the keychain may still carry it out once "
                        "unlocked (`switchyard keys list` tells). It is probably locked with no "
                        "prompt that can show (over SSH or on a server): unlock it (for GNOME "
                        "Keyring, "
                        "`gnome-keyring-daemon --unlock` reads the password from stdin), or keep "
                        "the key in the environment with {\"env\": NAME} in the configuration."
                     << Qt::endl;
            QCoreApplication::exit(1);
        });
        if (QCoreApplication::exec() != 0 && !finished)
            return 1;
    }
    return exitCode;
}

int usage()
{
    errors() << "Usage: switchyard keys set NAME     (the secret is read from stdin)\n"
                "       switchyard keys delete NAME\n"
                "       switchyard keys list"
             << Qt::endl;
    return 2;
}

} // namespace

namespace {

// After `keys set NAME`: whether the configuration the gateway runs will use what was stored.
void sayWhoReads(const QString &name, const QString &configPath)
{
    // Not there yet: the default the first start creates is what will read the key.
    const bool created = QFileInfo::exists(configPath);
    ConfigResult result;
    if (created) {
        result = ConfigLoader::fromFile(configPath);
    } else {
        result = ConfigLoader::fromJson(bundledConfig(QStringLiteral("default")));
    }
    const QString where = created
        ? configPath
        : QStringLiteral("the default configuration (created at %1 on the first start)")
              .arg(configPath);
    QStringList readers;
    for (const ProviderConfig &provider : std::as_const(result.config.providers)) {
        for (const ProviderKey &key : provider.keys) {
            if (key.ref.source == SecretRef::Source::Keychain && key.ref.name == name)
                readers.append(provider.name);
        }
    }
    if (!readers.isEmpty()) {
        errors() << "Read by provider " << readers.join(QLatin1String(", ")) << " of " << where
                 << "; a running gateway takes it up on its next reload." << Qt::endl;
    } else {
        errors() << "No provider of " << where << " reads keychain entry '" << name
                 << "' yet: give one \"api_key\": {\"keychain\": \"" << name << "\"}." << Qt::endl;
    }
    if (!result.isValid())
        errors() << configPath << " has errors (`switchyard check-config` lists them), so not "
                 << "every provider may have been read." << Qt::endl;
}

} // namespace

int runKeysCommand(const QStringList &arguments, const QString &configPath)
{
    const QString verb = arguments.value(0);
    const QString name = arguments.value(1);
    KeychainSecretStore store;
    if (verb == QLatin1String("list") && arguments.size() == 1) {
        return runUntilDone([&store](const std::function<void(int)> &done) {
            store.list(qApp, [done](const QStringList &names, const SecretResult &result) {
                if (!result.ok()) {
                    errors() << "Cannot list the keys: " << result.error << Qt::endl;
                    done(1);
                    return;
                }
                QTextStream out(stdout);
                for (const QString &key : names)
                    out << key << '\n';
                done(0);
            });
        });
    }
    if (arguments.size() != 2)
        return usage();
    if (!SecretStore::isValidName(name)) {
        errors() << "'" << name << "' is not a valid key name: " << SecretStore::nameRule()
                 << Qt::endl;
        return 2;
    }
    if (verb == QLatin1String("set")) {
        const QByteArray secret = readSecret(name);
        if (secret.isEmpty()) {
            errors() << "No secret given on stdin; nothing was stored." << Qt::endl;
            return 1;
        }
        return runUntilDone([&](const std::function<void(int)> &done) {
            store.setKey(name, secret, qApp, [name, configPath, done](const SecretResult &result) {
                if (result.ok()) {
                    errors() << "Stored key " << name << " in the system keychain." << Qt::endl;
                    sayWhoReads(name, configPath);
                } else
                    errors() << "Key " << name << " was not stored: " << result.error << Qt::endl;
                done(result.ok() ? 0 : 1);
            });
        });
    }
    if (verb == QLatin1String("delete")) {
        return runUntilDone([&](const std::function<void(int)> &done) {
            store.deleteKey(name, qApp, [name, done](const SecretResult &result) {
                if (result.ok())
                    errors() << "Deleted key " << name << "." << Qt::endl;
                else
                    errors() << "Key " << name << " was not deleted: " << result.error << Qt::endl;
                done(result.ok() ? 0 : 1);
            });
        });
    }
    return usage();
}

int runAdminTokenCommand(const SecretRef &configured, const QString &dataDirectory)
{
    QTextStream out(stdout);
    switch (configured.source) {
    case SecretRef::Source::None: {
        QString error;
        const QByteArray token = AdminTokenFile::loadOrCreate(dataDirectory, &error);
        if (token.isEmpty()) {
            errors() << "No admin token: " << error << Qt::endl;
            return 1;
        }
        out << token << Qt::endl;
        return 0;
    }
    case SecretRef::Source::Environment: {
        const QByteArray token = qgetenv(configured.name.toLocal8Bit().constData());
        if (token.isEmpty()) {
            errors() << "The config takes its admin token from the environment variable "
                     << configured.name << ", which is not set here." << Qt::endl;
            return 1;
        }
        out << token << Qt::endl;
        return 0;
    }
    case SecretRef::Source::Keychain:
        break;
    }
    KeychainSecretStore store;
    return runUntilDone([&](const std::function<void(int)> &done) {
        store.read(configured.name, qApp, [&out, configured, done](const SecretResult &result) {
            if (!result.ok()) {
                errors() << "The config takes its admin token from keychain entry '"
                         << configured.name << "': " << result.error << Qt::endl;
                done(1);
                return;
            }
            out << result.value << Qt::endl;
            done(0);
        });
    });
}

} // namespace Switchyard
