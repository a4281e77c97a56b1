#include "startupconfig.h"

#include "engine/configcontroller.h"
#include "logging.h"
#include "observe/tracestore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTextStream>

namespace Switchyard {

namespace {

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

// Warnings only a check of the file on this machine can give: a key's environment variable that
// is not set here (the gateway would start, with those routes misconfigured).
QStringList environmentWarnings(const Config &config)
{
    QList<std::pair<QString, SecretRef>> references;
    for (const ProviderConfig &provider : config.providers) {
        for (qsizetype i = 0; i < provider.keys.size(); ++i)
            references.append({ provider.keys.size() == 1
                    ? QStringLiteral("providers.%1.api_key").arg(provider.name)
                    : QStringLiteral("providers.%1.api_key[%2]").arg(provider.name).arg(i),
                provider.keys.at(i).ref });
    }
    references.append({ QStringLiteral("admin_token"), config.adminToken });
    references.append({ QStringLiteral("alerts.webhook"), config.alerts.webhook });
    QStringList warnings;
    for (const auto &[path, key] : std::as_const(references)) {
        if (key.source != SecretRef::Source::Environment
            || !qEnvironmentVariableIsEmpty(qPrintable(key.name)))
            continue;
        const QString consequence = path == QLatin1String("admin_token")
            ? QStringLiteral("the admin API will refuse every call")
            : path == QLatin1String("alerts.webhook")
            ? QStringLiteral("no alert will be sent")
            : QStringLiteral("its routes will be misconfigured");
        warnings.append(QStringLiteral("%1: the environment variable %2 is not set here, so %3")
                            .arg(path, key.name, consequence));
    }
    return warnings;
}

} // namespace

QString defaultConfigPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation)
        + QStringLiteral("/switchyard.json");
}

bool ensureDefaultConfig(const QString &path)
{
    if (QFileInfo::exists(path))
        return true;
    QDir().mkpath(QFileInfo(path).absolutePath());
    if (!QFile::copy(QStringLiteral(":/configs/default.json"), path))
        return false;
    QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner);
    say(QtInfoMsg, QStringLiteral("Created the default configuration at ") + path);
    return true;
}

void printErrors(const QString &path, const ConfigResult &result)
{
    for (const QString &warning : result.warnings)
        say(QtWarningMsg, path + QStringLiteral(": warning: ") + warning);
    for (const QString &error : result.errors)
        say(QtCriticalMsg, path + QStringLiteral(": error: ") + error);
}

QByteArray bundledConfig(const QString &name)
{
    QFile file(QStringLiteral(":/configs/%1.json").arg(name));
    file.open(QIODevice::ReadOnly);
    return file.readAll();
}

QByteArray demoConfig()
{
    return bundledConfig(QStringLiteral("demo"));
}

// What a start checks before the engine runs, for the gateway and check-config alike: the file
// (through the same ConfigDocument the gateway runs) and a --listen that moves it beyond loopback.
ConfigResult loadForStart(ConfigDocument &document, const QString &path, const QByteArray &builtIn,
    const QString &listenOverride)
{
    ConfigResult result
        = builtIn.isEmpty() ? document.load(path) : document.load(QString(), builtIn);
    Config moved = result.config;
    if (!listenOverride.isEmpty()) {
        if (!parseListenAddress(listenOverride, &moved.listenHost, &moved.listenPort))
            result.errors.append(
                QStringLiteral("--listen %1: must be HOST:PORT").arg(listenOverride));
        else if (moved.exposesAdminWithoutToken())
            result.errors.append(
                QStringLiteral("admin_token: is required with --listen %1: a listener beyond "
                               "loopback without an admin_token would let anyone who reaches it "
                               "drive the admin API")
                    .arg(listenOverride));
    }
    return result;
}

QString journalForStart(const QString &configPath, bool demo)
{
    const QString journal = TraceStore::fileNameFor(demo ? QString() : configPath);
    if (!demo && configPath == defaultConfigPath())
        TraceStore::adoptSharedJournal(
            QStandardPaths::writableLocation(QStandardPaths::AppDataLocation), journal);
    return journal;
}

void followLogLevel(
    ConfigController &controller, const Config &running, const QString &fixedLevel, LogMode mode)
{
    if (!fixedLevel.isEmpty())
        return; // main() set it up from the option already
    setUpLogging(running.logLevel, mode);
    QObject::connect(&controller, &ConfigController::applied, &controller,
        [mode](const Config &applied) { setUpLogging(applied.logLevel, mode); });
}

int checkConfig(const QString &path, bool bundledIfMissing, const QString &listenOverride)
{
    QString checked = path;
    ConfigDocument document;
    ConfigResult result;
    if (bundledIfMissing && !QFileInfo::exists(path)) {
        out() << path
              << " does not exist yet; the first start creates it from the bundled "
                 "default. Checking that default."
              << Qt::endl;
        checked = QStringLiteral("(bundled default)");
        result = loadForStart(
            document, QString(), bundledConfig(QStringLiteral("default")), listenOverride);
    } else {
        result = loadForStart(document, path, QByteArray(), listenOverride);
    }
    if (result.isValid())
        result.warnings += environmentWarnings(result.config);
    printErrors(checked, result);
    if (!result.isValid()) {
        err() << checked << ": " << result.errors.size()
              << " error(s); the gateway would not start with it" << Qt::endl;
        return 1;
    }
    out() << checked << ": OK (" << result.config.providers.size() << " providers, "
          << result.config.routes.size() << " routes, " << result.config.lanes.size() << " lanes"
          << (result.warnings.isEmpty()
                     ? QString()
                     : QStringLiteral(", %1 warning(s)").arg(result.warnings.size()))
          << ")" << Qt::endl;
    return 0;
}

} // namespace Switchyard
