#include "keyscommand.h"

#include "secrets/admintokenfile.h"

#include "secrets/keychainsecretstore.h"

#include <QCoreApplication>
#include <QFile>
#include <QTextStream>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <termios.h>
#include <unistd.h>

namespace Switchyard {

namespace {

// A keyring may wait for the user to type its password; give up only after that much.
constexpr int KeychainPatienceMs = 120000;

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
        QTimer::singleShot(KeychainPatienceMs, qApp, [] {
            errors() << "The keychain did not answer within " << KeychainPatienceMs / 1000
                     << " s; is it locked and waiting for its password?" << Qt::endl;
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

int runKeysCommand(const QStringList &arguments)
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
            store.setKey(name, secret, qApp, [name, done](const SecretResult &result) {
                if (result.ok())
                    errors() << "Stored key " << name << " in the system keychain." << Qt::endl;
                else
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
