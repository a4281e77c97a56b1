// A Secret Service that takes every call and never answers: what a keyring that is locked, with a
// prompt nobody can see, looks like to its clients. Owns org.freedesktop.secrets on the session
// bus, then runs the command it is given (so that the command never races it for the name) and
// exits with the command's exit code.
// Usage: unansweringkeyring COMMAND [ARGUMENT...]
#include <QCoreApplication>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusVirtualObject>
#include <QProcess>
#include <QTextStream>

#include <cstdio>
#include <cstdlib>

namespace {

class Silence final : public QDBusVirtualObject {
public:
    QString introspect(const QString &) const override { return QString(); }
    // Taken, so the bus sends no error back either: the caller waits.
    bool handleMessage(const QDBusMessage &, const QDBusConnection &) override { return true; }
};

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QStringList command = QCoreApplication::arguments().mid(1);
    if (command.isEmpty())
        return 2;
    QDBusConnection bus = QDBusConnection::sessionBus();
    Silence silence;
    if (!bus.registerVirtualObject(QStringLiteral("/"), &silence, QDBusConnection::SubPath)
        || !bus.registerService(QStringLiteral("org.freedesktop.secrets"))) {
        QTextStream(stderr) << "cannot own org.freedesktop.secrets: " << bus.lastError().message()
                            << '\n';
        return 3;
    }
    QProcess process;
    process.setProcessChannelMode(QProcess::ForwardedChannels);
    process.setInputChannelMode(QProcess::ForwardedInputChannel);
    QObject::connect(
        &process, &QProcess::finished, &app, [&process](int code, QProcess::ExitStatus status) {
            QCoreApplication::exit(status == QProcess::NormalExit ? code : 125);
        });
    QObject::connect(&process, &QProcess::errorOccurred, &app, [](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            QCoreApplication::exit(127);
    });
    process.start(command.takeFirst(), command);
    const int code = app.exec();
    // The command's exit code is the answer; this fake's own teardown (and a sanitizer's report
    // on it, in the asan preset) must not change it.
    std::fflush(nullptr);
    std::_Exit(code);
}
