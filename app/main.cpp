#include "config/configdocument.h"
#include "config/configloader.h"
#include "crashreport.h"
#include "engine/configcontroller.h"
#include "engine/engine.h"
#include "engine/enginehost.h"
#include "keyscommand.h"
#include "lanesview.h"
#include "link/attachment.h"
#include "link/embeddedlink.h"
#include "link/remotelink.h"
#include "mainwindow.h"
#include "secrets/keychainsecretstore.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLibraryInfo>
#include <QLocale>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QPalette>
#include <QSocketNotifier>
#include <QSslCertificate>
#include <QStandardPaths>
#include <QStyle>
#include <QTextStream>
#include <QTimer>
#include <QTranslator>
#include <QUrl>

#include <cerrno>
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

void onSignal(int number)
{
    const int savedErrno = errno; // a handler must leave errno as it found it
    const char byte = number == SIGHUP ? 'h' : 'q';
    [[maybe_unused]] const auto written = ::write(signalPipe[1], &byte, 1);
    errno = savedErrno;
}

// SIGINT and SIGTERM end the event loop cleanly, so the engine thread stops in one place. With
// `reloadOnHangup` (the headless gateway, as daemons do) SIGHUP reads the configuration file
// again; the console keeps SIGHUP's default, so closing its terminal still ends it. The handler
// only writes a byte (never blocking); the event loop does the rest.
void handleSignals(QCoreApplication &app, ConfigController *config, bool reloadOnHangup)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, signalPipe) != 0)
        return;
    auto *notifier = new QSocketNotifier(signalPipe[0], QSocketNotifier::Read, &app);
    QObject::connect(notifier, &QSocketNotifier::activated, &app, [config] {
        char byte = 0;
        if (::read(signalPipe[0], &byte, 1) != 1)
            return;
        if (byte == 'h' && config) {
            err() << "SIGHUP: reading the configuration again" << Qt::endl;
            config->reload();
            return;
        }
        QCoreApplication::quit();
    });
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    if (reloadOnHangup)
        std::signal(SIGHUP, onSignal);
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

QByteArray demoConfig()
{
    QFile file(QStringLiteral(":/configs/demo.json"));
    file.open(QIODevice::ReadOnly);
    return file.readAll();
}

int runHeadless(QCoreApplication &app, const QString &configPath, const QString &listen, bool demo)
{
    if (!demo && configPath == defaultConfigPath() && !ensureDefaultConfig(configPath)) {
        err() << "cannot create " << configPath << Qt::endl;
        return 1;
    }
    ConfigDocument document;
    const ConfigResult result
        = demo ? document.load(QString(), demoConfig()) : document.load(configPath);
    printErrors(configPath, result);
    if (!result.isValid()) {
        err() << "Switchyard did not start: " << configPath << " has " << result.errors.size()
              << " error(s)" << Qt::endl;
        return 1;
    }
    EngineHost host;
    // Watches the file and answers SIGHUP: a headless gateway reloads like the console does.
    ConfigController config(host.engine(), &document);
    QObject::connect(&config, &ConfigController::reloaded, &app,
        [&document] { err() << "Reloaded " << document.path() << Qt::endl; });
    QObject::connect(
        &config, &ConfigController::reloadRefused, &app, [&document](const QString &why) {
            err() << document.path() << " not reloaded; the running configuration stays: " << why
                  << Qt::endl;
        });
    int exitCode = 0;
    QObject::connect(host.engine(), &Engine::started, &app, [&host, demo](const QString &address) {
        err() << "Switchyard is listening on http://" << address << "/v1" << Qt::endl;
        if (demo)
            host.engine()->setDemoTraffic(4.0);
    });
    QObject::connect(host.engine(), &Engine::startFailed, &app, [&exitCode](const QString &error) {
        err() << "Switchyard did not start: " << error << Qt::endl;
        exitCode = 1;
        QCoreApplication::exit(1);
    });
    handleSignals(app, &config, true);
    host.engine()->start(result.config, listen);
    const int loopResult = app.exec();
    return exitCode ? exitCode : loopResult;
}

struct ConsoleOptions {
    QUrl attach; // a running gateway to show instead of an embedded one
    QList<QSslCertificate> trusted; // --ca-file: an attached gateway's own certificate authority
    QString configPath;
    bool explicitConfig = false;
    QString listen;
    bool demo = false;
    QString screenshotDirectory;
    QSize windowSize;
    int screenshotDelayMs = 20000;
};

void saveScreenshotsLater(MainWindow *window, const ConsoleOptions &options)
{
    if (options.screenshotDirectory.isEmpty())
        return;
    QTimer::singleShot(options.screenshotDelayMs, window, [window, options] {
        for (const QString &file : window->saveScreenshots(options.screenshotDirectory))
            out() << file << Qt::endl;
        QCoreApplication::quit();
    });
}

// The console on a gateway that already runs (the user's service, or one reached through a
// tunnel): the same window, fed by a RemoteLink instead of an engine of its own.
class AttachedConsole final : public QObject {
public:
    AttachedConsole(
        const QUrl &gateway, std::shared_ptr<SecretStore> secrets, QList<QSslCertificate> trusted)
        : m_gateway(gateway)
        , m_secrets(std::move(secrets))
        , m_trusted(std::move(trusted))
    {
    }

    // Finds the token, then opens the window; false in `failed` if there is none.
    void attach(const Config &localConfig, const ConsoleOptions &options,
        std::function<void(const QString &failed)> done)
    {
        Attachment::findToken(m_gateway, localConfig,
            QStandardPaths::writableLocation(QStandardPaths::AppDataLocation), m_secrets, this,
            [this, options, done = std::move(done)](const Attachment::TokenFound &found) {
                if (found.token.isEmpty()) {
                    done(QObject::tr("No admin token for %1 was found (looked at: %2). Set "
                                     "SWITCHYARD_ADMIN_TOKEN, or store the gateway's token here "
                                     "with `switchyard keys set %3`.")
                             .arg(m_gateway.toString(), found.source,
                                 Attachment::keychainEntry(m_gateway)));
                    return;
                }
                err() << "Attaching to " << m_gateway.toString() << " (admin token from "
                      << found.source << ")" << Qt::endl;
                m_link = std::make_unique<RemoteLink>(m_gateway, found.token);
                m_link->setCaCertificates(m_trusted);
                m_window = std::make_unique<MainWindow>(m_link.get(), false, m_secrets);
                m_window->setWindowTitle(
                    QObject::tr("Switchyard — %1").arg(m_gateway.toString(QUrl::RemoveUserInfo)));
                if (options.windowSize.isValid())
                    m_window->resize(options.windowSize);
                saveScreenshotsLater(m_window.get(), options);
                m_link->open();
                m_window->show();
                done(QString());
            });
    }

private:
    QUrl m_gateway;
    std::shared_ptr<SecretStore> m_secrets;
    QList<QSslCertificate> m_trusted;
    std::unique_ptr<RemoteLink> m_link;
    std::unique_ptr<MainWindow> m_window;
};

int runAttached(QApplication &app, const ConsoleOptions &options)
{
    const auto secrets = std::make_shared<KeychainSecretStore>();
    const Config local = QFileInfo::exists(options.configPath)
        ? ConfigLoader::fromFile(options.configPath).config
        : Config();
    AttachedConsole console(options.attach, secrets, options.trusted);
    int exitCode = 0;
    console.attach(local, options, [&exitCode](const QString &failed) {
        if (failed.isEmpty())
            return;
        err() << failed << Qt::endl;
        QMessageBox::critical(nullptr, QObject::tr("Switchyard"), failed);
        exitCode = 1;
        QCoreApplication::exit(1);
    });
    handleSignals(app, nullptr, false);
    const int loopResult = app.exec();
    return exitCode ? exitCode : loopResult;
}

int runConsole(QApplication &app, const ConsoleOptions &options)
{
    if (!options.attach.isEmpty())
        return runAttached(app, options);
    // With no configuration yet, a newcomer starts in the demo rather than on an empty gateway.
    const bool demo
        = options.demo || (!options.explicitConfig && !QFileInfo::exists(options.configPath));
    ConfigDocument document;
    const ConfigResult result
        = demo ? document.load(QString(), demoConfig()) : document.load(options.configPath);
    printErrors(demo ? QStringLiteral("demo") : options.configPath, result);
    if (!result.isValid()) {
        QMessageBox::critical(nullptr, QObject::tr("Switchyard"),
            QObject::tr("%1 has errors, so the gateway did not start:\n\n%2")
                .arg(options.configPath, result.errors.join(QLatin1Char('\n'))));
        return 1;
    }
    EngineHost host;
    // One keychain for both: what Set key… stores is what the gateway reads.
    const auto secrets = std::make_shared<KeychainSecretStore>();
    host.engine()->setSecretStore(secrets);
    ConfigController config(host.engine(), &document);
    EmbeddedLink link(host.engine(), &config);
    MainWindow window(&link, demo, secrets);
    if (options.windowSize.isValid())
        window.resize(options.windowSize);
    int exitCode = 0;
    QObject::connect(host.engine(), &Engine::started, &window, [&](const QString &) {
        host.engine()->publishHistory();
        if (demo)
            host.engine()->setDemoTraffic(4.0);
    });
    auto giveUp = [&](const QString &error) {
        err() << "Switchyard did not start: " << error << Qt::endl;
        QMessageBox::critical(&window, QObject::tr("Switchyard"),
            QObject::tr("The gateway did not start: %1").arg(error));
        exitCode = 1;
        QCoreApplication::exit(1);
    };
    // The usual reason the address is taken: the user's gateway already runs as a service. Then
    // the console offers to show that one rather than give up.
    QNetworkAccessManager network;
    std::unique_ptr<AttachedConsole> attached;
    const QString listen
        = options.listen.isEmpty() ? result.config.listenAddress() : options.listen;
    // A local gateway on HTTPS with its own certificate: the one the config names is trusted.
    const QList<QSslCertificate> localCertificate = result.config.tls.enabled()
        ? QSslCertificate::fromPath(result.config.tls.certFile)
        : QList<QSslCertificate>();
    QObject::connect(host.engine(), &Engine::startFailed, &window, [&](const QString &error) {
        const QUrl existing = Attachment::urlOf(listen, result.config.tls.enabled());
        Attachment::probe(
            &network, existing, &window,
            [&, error, existing](bool isSwitchyard) {
                if (!isSwitchyard) {
                    giveUp(error);
                    return;
                }
                auto *question = new QMessageBox(QMessageBox::Question, QObject::tr("Switchyard"),
                    QObject::tr("A Switchyard gateway already runs on %1 (the service, perhaps). "
                                "Show that gateway in the console?")
                        .arg(listen),
                    QMessageBox::Yes | QMessageBox::No, &window);
                question->setObjectName(QStringLiteral("attachQuestion"));
                question->setAttribute(Qt::WA_DeleteOnClose);
                QObject::connect(
                    question, &QMessageBox::finished, &window, [&, error, existing](int answer) {
                        if (answer != QMessageBox::Yes) {
                            giveUp(error);
                            return;
                        }
                        attached = std::make_unique<AttachedConsole>(
                            existing, secrets, localCertificate);
                        attached->attach(result.config, options, [&](const QString &failed) {
                            if (!failed.isEmpty()) {
                                giveUp(failed);
                                return;
                            }
                            window.hide();
                        });
                    });
                question->open();
            },
            localCertificate);
    });
    QObject::connect(&window, &MainWindow::useOwnConfigurationRequested, &window, [&] {
        const QString path = defaultConfigPath();
        if (!ensureDefaultConfig(path))
            return;
        const QStringList errors = config.open(path);
        if (!errors.isEmpty()) {
            QMessageBox::warning(
                &window, QObject::tr("Switchyard"), errors.join(QLatin1Char('\n')));
            return;
        }
        host.engine()->setDemoTraffic(0);
        window.setWindowTitle(QObject::tr("Switchyard"));
        window.lanesView()->revert();
    });
    saveScreenshotsLater(&window, options);
    handleSignals(app, &config, false);
    host.engine()->start(result.config, options.listen);
    window.show();
    const int loopResult = app.exec();
    return exitCode ? exitCode : loopResult;
}

// The console needs QApplication; everything else runs on QCoreApplication (no display needed).
// Our catalogue, and Qt's own beside it for the standard dialogs and buttons.
void installTranslations(QCoreApplication &app, const QLocale &locale)
{
    QLocale::setDefault(locale);
    auto *ours = new QTranslator(&app);
    if (ours->load(
            locale, QStringLiteral("switchyard"), QStringLiteral("_"), QStringLiteral(":/i18n")))
        QCoreApplication::installTranslator(ours);
    auto *qt = new QTranslator(&app);
    if (qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
            QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
}

// For desktops that do not pass their dark theme on to Qt, and for checking both by eye.
void applyPalette(const QString &name)
{
    QApplication::setStyle(QStringLiteral("Fusion"));
    if (name != QLatin1String("dark")) {
        QApplication::setPalette(QApplication::style()->standardPalette());
        return;
    }
    QPalette dark;
    dark.setColor(QPalette::Window, QColor(0x2b, 0x2d, 0x31));
    dark.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::Base, QColor(0x1e, 0x1f, 0x22));
    dark.setColor(QPalette::AlternateBase, QColor(0x26, 0x28, 0x2c));
    dark.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9d, 0xa3));
    dark.setColor(QPalette::Button, QColor(0x35, 0x37, 0x3c));
    dark.setColor(QPalette::ButtonText, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::Highlight, QColor(0x2f, 0x7f, 0xd0));
    dark.setColor(QPalette::HighlightedText, Qt::white);
    dark.setColor(QPalette::ToolTipBase, QColor(0x35, 0x37, 0x3c));
    dark.setColor(QPalette::ToolTipText, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::Mid, QColor(0x5a, 0x5d, 0x63));
    dark.setColor(QPalette::Disabled, QPalette::Text, QColor(0x80, 0x80, 0x80));
    dark.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x80, 0x80, 0x80));
    dark.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x80, 0x80, 0x80));
    QApplication::setPalette(dark);
}

bool wantsConsole(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        const QByteArray argument(argv[i]);
        if (argument == "--headless" || argument == "--version" || argument == "-v"
            || argument == "--help" || argument == "-h" || argument == "check-config"
            || argument == "keys" || argument == "admin-token")
            return false;
    }
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    installCrashReport();
    std::unique_ptr<QCoreApplication> application;
    if (wantsConsole(argc, argv)) {
        application = std::make_unique<QApplication>(argc, argv);
        QGuiApplication::setDesktopFileName(QStringLiteral("dev.switchyard.Switchyard"));
    } else
        application = std::make_unique<QCoreApplication>(argc, argv);
    QCoreApplication &app = *application;
    QCoreApplication::setApplicationName(QStringLiteral("switchyard"));
    // No organisation name: it would nest the config as ~/.config/switchyard/switchyard/.
    QCoreApplication::setOrganizationDomain(QStringLiteral("switchyard.dev"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SWITCHYARD_VERSION));
    qSetMessagePattern(
        QStringLiteral("%{time yyyy-MM-ddTHH:mm:ss.zzz} %{if-warning}warning %{endif}"
                       "%{if-critical}critical %{endif}%{category}: %{message}"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "An OpenAI-compatible LLM gateway with explicit fallback chains, and its operations "
        "console.\n\n"
        "Commands:\n"
        "  check-config FILE   validate FILE, print every error with its JSON path\n"
        "  keys set NAME       read a secret from stdin into the system keychain\n"
        "  keys delete NAME    remove it from the keychain\n"
        "  keys list           the names of the keys set, never their values\n"
        "  admin-token         print the token the admin API needs (made on first use)"));
    const QCommandLineOption headlessOption(
        QStringLiteral("headless"), QStringLiteral("Run the gateway only, no GUI."));
    const QCommandLineOption configOption(QStringLiteral("config"),
        QStringLiteral("Use this configuration file."), QStringLiteral("FILE"),
        defaultConfigPath());
    const QCommandLineOption listenOption(QStringLiteral("listen"),
        QStringLiteral("Listen on HOST:PORT instead of the config's address."),
        QStringLiteral("HOST:PORT"));
    const QCommandLineOption demoOption(QStringLiteral("demo"),
        QStringLiteral("Simulated providers, a scripted incident and built-in "
                       "traffic: failover with no API key."));
    const QCommandLineOption screenshotsOption(QStringLiteral("screenshots"),
        QStringLiteral("Save a PNG of every view into DIR after a while, then quit."),
        QStringLiteral("DIR"));
    const QCommandLineOption sizeOption(QStringLiteral("window-size"),
        QStringLiteral("Console window size, WxH."), QStringLiteral("WxH"));
    const QCommandLineOption delayOption(QStringLiteral("screenshot-delay"),
        QStringLiteral("Seconds to run before --screenshots (default 20)."),
        QStringLiteral("SECONDS"));
    const QCommandLineOption paletteOption(QStringLiteral("palette"),
        QStringLiteral("Force a light or dark palette (light, dark)."), QStringLiteral("NAME"));
    const QCommandLineOption langOption(QStringLiteral("lang"),
        QStringLiteral("Use this language (such as de) instead of the system's."),
        QStringLiteral("LANG"));
    const QCommandLineOption caFileOption(QStringLiteral("ca-file"),
        QStringLiteral("With --attach https://…: also trust the certificates in FILE (PEM), for a "
                       "gateway with a self-signed certificate or one from a private authority."),
        QStringLiteral("FILE"));
    const QCommandLineOption attachOption(QStringLiteral("attach"),
        QStringLiteral(
            "Open the console on the gateway running at URL (http://HOST:PORT) instead "
            "of one of its own. The admin token comes from SWITCHYARD_ADMIN_TOKEN, from "
            "what `switchyard admin-token` prints for a gateway on this machine, or from "
            "the keychain entry admin-token@HOST:PORT."),
        QStringLiteral("URL"));
    parser.addOptions({ headlessOption, configOption, listenOption, demoOption, screenshotsOption,
        sizeOption, delayOption, langOption, paletteOption, attachOption, caFileOption });
    parser.addHelpOption();
    const QCommandLineOption versionOption(
        QStringList { QStringLiteral("v"), QStringLiteral("version") },
        QStringLiteral("Show the version and the Qt version it runs on."));
    parser.addOption(versionOption);
    parser.addPositionalArgument(QStringLiteral("command"),
        QStringLiteral("check-config FILE | keys set|delete NAME | keys list | admin-token"),
        QStringLiteral("[command]"));
    parser.process(app);

    installTranslations(
        app, parser.isSet(langOption) ? QLocale(parser.value(langOption)) : QLocale::system());
    if (parser.isSet(versionOption)) {
        out() << "switchyard " << QCoreApplication::applicationVersion() << " (Qt " << qVersion()
              << ")" << Qt::endl;
        return 0;
    }
    const QStringList arguments = parser.positionalArguments();
    if (!arguments.isEmpty()) {
        if (arguments.first() == QLatin1String("check-config") && arguments.size() == 2)
            return checkConfig(arguments.at(1));
        if (arguments.first() == QLatin1String("keys"))
            return runKeysCommand(arguments.mid(1));
        if (arguments.first() == QLatin1String("admin-token") && arguments.size() == 1) {
            // The token of the config the gateway runs: a file that cannot be read names none.
            const QString path = parser.value(configOption);
            const ConfigResult config
                = QFileInfo::exists(path) ? ConfigLoader::fromFile(path) : ConfigResult();
            return runAdminTokenCommand(config.config.adminToken,
                QStandardPaths::writableLocation(QStandardPaths::AppDataLocation));
        }
        err() << "Unknown command: " << arguments.join(QLatin1Char(' ')) << "\n\n"
              << parser.helpText();
        return 2;
    }
    if (parser.isSet(headlessOption))
        return runHeadless(
            app, parser.value(configOption), parser.value(listenOption), parser.isSet(demoOption));

    if (parser.isSet(paletteOption))
        applyPalette(parser.value(paletteOption));
    ConsoleOptions options;
    if (parser.isSet(attachOption)) {
        const QStringList urls = parser.values(attachOption);
        if (urls.size() > 1) {
            err() << "--attach: one gateway at a time for now; attaching to a fleet is not "
                     "supported yet"
                  << Qt::endl;
            return 2;
        }
        options.attach = QUrl::fromUserInput(urls.first());
        if (!options.attach.isValid() || options.attach.host().isEmpty()
            || (options.attach.scheme() != QLatin1String("http")
                && options.attach.scheme() != QLatin1String("https"))) {
            err() << "--attach " << urls.first()
                  << ": must be http://HOST:PORT or https://HOST:PORT" << Qt::endl;
            return 2;
        }
        // The admin token would cross the network in clear text.
        if (options.attach.scheme() == QLatin1String("http")
            && !Attachment::onThisMachine(options.attach)) {
            err() << "--attach " << urls.first()
                  << ": plain http is for this machine only; reach a gateway elsewhere through an "
                     "SSH tunnel (see the README) or over https"
                  << Qt::endl;
            return 2;
        }
    }
    if (parser.isSet(caFileOption)) {
        options.trusted = QSslCertificate::fromPath(parser.value(caFileOption));
        if (options.trusted.isEmpty()) {
            err() << "--ca-file " << parser.value(caFileOption) << ": no PEM certificate in it"
                  << Qt::endl;
            return 2;
        }
    }
    options.configPath = parser.value(configOption);
    options.explicitConfig = parser.isSet(configOption);
    options.listen = parser.value(listenOption);
    options.demo = parser.isSet(demoOption);
    options.screenshotDirectory = parser.value(screenshotsOption);
    if (parser.isSet(delayOption))
        options.screenshotDelayMs = parser.value(delayOption).toInt() * 1000;
    if (parser.isSet(sizeOption)) {
        const QStringList size = parser.value(sizeOption).split(QLatin1Char('x'));
        options.windowSize = QSize(size.value(0).toInt(), size.value(1).toInt());
    }
    return runConsole(static_cast<QApplication &>(app), options);
}
