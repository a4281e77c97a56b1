#include "config/configloader.h"
#include "engine/engine.h"
#include "engine/enginehost.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLibraryInfo>
#include <QSocketNotifier>
#include <QStandardPaths>
#include <QTextStream>

#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

using namespace Switchyard;

namespace {

QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

int signalPipe[2] = { -1, -1 };

void onTerminationSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(signalPipe[1], &byte, 1);
}

// SIGINT and SIGTERM end the event loop cleanly, so the engine thread stops in one place.
void quitOnTerminationSignals(QCoreApplication &app)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, signalPipe) != 0)
        return;
    auto *notifier = new QSocketNotifier(signalPipe[0], QSocketNotifier::Read, &app);
    QObject::connect(notifier, &QSocketNotifier::activated, &app, [] { QCoreApplication::quit(); });
    std::signal(SIGINT, onTerminationSignal);
    std::signal(SIGTERM, onTerminationSignal);
}

QString defaultConfigPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation)
        + QStringLiteral("/switchyard.json");
}

// On first start the bundled default config is copied where the user can edit it.
bool ensureDefaultConfig(const QString &path)
{
    if (QFileInfo::exists(path))
        return true;
    QDir().mkpath(QFileInfo(path).absolutePath());
    if (!QFile::copy(QStringLiteral(":/configs/default.json"), path))
        return false;
    QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner);
    err() << "Created the default configuration at " << path << Qt::endl;
    return true;
}

void printErrors(const QString &path, const ConfigResult &result)
{
    for (const QString &warning : result.warnings)
        err() << path << ": warning: " << warning << Qt::endl;
    for (const QString &error : result.errors)
        err() << path << ": error: " << error << Qt::endl;
}

int checkConfig(const QString &path)
{
    const ConfigResult result = ConfigLoader::fromFile(path);
    printErrors(path, result);
    if (!result.isValid()) {
        err() << path << ": " << result.errors.size() << " error(s)" << Qt::endl;
        return 1;
    }
    out() << path << ": OK (" << result.config.providers.size() << " providers, "
          << result.config.routes.size() << " routes, " << result.config.lanes.size() << " lanes)"
          << Qt::endl;
    return 0;
}

int runHeadless(QCoreApplication &app, const QString &configPath, const QString &listen)
{
    if (configPath == defaultConfigPath() && !ensureDefaultConfig(configPath)) {
        err() << "cannot create " << configPath << Qt::endl;
        return 1;
    }
    const ConfigResult result = ConfigLoader::fromFile(configPath);
    printErrors(configPath, result);
    if (!result.isValid()) {
        err() << "Switchyard did not start: " << configPath << " has " << result.errors.size()
              << " error(s)" << Qt::endl;
        return 1;
    }
    EngineHost host;
    int exitCode = 0;
    QObject::connect(host.engine(), &Engine::started, &app, [](const QString &address) {
        err() << "Switchyard is listening on http://" << address << "/v1" << Qt::endl;
    });
    QObject::connect(host.engine(), &Engine::startFailed, &app, [&exitCode](const QString &error) {
        err() << "Switchyard did not start: " << error << Qt::endl;
        exitCode = 1;
        QCoreApplication::exit(1);
    });
    quitOnTerminationSignals(app);
    host.engine()->start(result.config, listen);
    const int loopResult = app.exec();
    return exitCode ? exitCode : loopResult;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("switchyard"));
    // No organisation name: it would nest the config as ~/.config/switchyard/switchyard/.
    QCoreApplication::setOrganizationDomain(QStringLiteral("switchyard.dev"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SWITCHYARD_VERSION));
    qSetMessagePattern(
        QStringLiteral("%{time yyyy-MM-ddTHH:mm:ss.zzz} %{if-warning}warning %{endif}"
                       "%{if-critical}critical %{endif}%{category}: %{message}"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "An OpenAI-compatible LLM gateway with explicit fallback chains.\n\n"
        "Commands:\n"
        "  check-config FILE   validate FILE, print every error with its JSON path"));
    const QCommandLineOption headlessOption(
        QStringLiteral("headless"), QStringLiteral("Run the gateway only, no GUI."));
    const QCommandLineOption configOption(QStringLiteral("config"),
        QStringLiteral("Use this configuration file."), QStringLiteral("FILE"),
        defaultConfigPath());
    const QCommandLineOption listenOption(QStringLiteral("listen"),
        QStringLiteral("Listen on HOST:PORT instead of the config's address."),
        QStringLiteral("HOST:PORT"));
    parser.addOptions({ headlessOption, configOption, listenOption });
    parser.addHelpOption();
    const QCommandLineOption versionOption(
        QStringList { QStringLiteral("v"), QStringLiteral("version") },
        QStringLiteral("Show the version and the Qt version it runs on."));
    parser.addOption(versionOption);
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("check-config FILE"),
        QStringLiteral("[command]"));
    parser.process(app);

    if (parser.isSet(versionOption)) {
        out() << "switchyard " << QCoreApplication::applicationVersion() << " (Qt " << qVersion()
              << ")" << Qt::endl;
        return 0;
    }
    const QStringList arguments = parser.positionalArguments();
    if (!arguments.isEmpty()) {
        if (arguments.first() == QLatin1String("check-config") && arguments.size() == 2)
            return checkConfig(arguments.at(1));
        err() << "Unknown command: " << arguments.join(QLatin1Char(' ')) << "\n\n"
              << parser.helpText();
        return 2;
    }
    if (!parser.isSet(headlessOption)) {
        err() << "This build has no console yet; run `switchyard --headless` for the gateway alone."
              << Qt::endl;
        return 2;
    }
    return runHeadless(app, parser.value(configOption), parser.value(listenOption));
}
