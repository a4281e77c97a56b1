#include "config/configdocument.h"
#include "config/configloader.h"
#include "crashreport.h"
#include "engine/configcontroller.h"
#include "engine/engine.h"
#include "engine/enginehost.h"
#include "gatewaywindows.h"
#include "keyscommand.h"
#include "lanesview.h"
#include "link/attachment.h"
#include "link/embeddedlink.h"
#include "logging.h"
#include "mainwindow.h"
#include "observe/tracestore.h"
#include "secrets/keychainsecretstore.h"
#include "startupconfig.h"

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
            say(QtInfoMsg, QStringLiteral("SIGHUP: reading the configuration again"));
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

int runHeadless(QCoreApplication &app, const QString &configPath, const QString &listen, bool demo,
    const QString &logLevel)
{
    if (!demo && configPath == defaultConfigPath() && !ensureDefaultConfig(configPath)) {
        say(QtCriticalMsg, QStringLiteral("cannot create ") + configPath);
        return 1;
    }
    ConfigDocument document;
    const ConfigResult result
        = loadForStart(document, configPath, demo ? demoConfig() : QByteArray(), listen);
    printErrors(configPath, result);
    if (!result.isValid()) {
        say(QtCriticalMsg,
            QStringLiteral("Switchyard did not start: %1 has %2 error(s)")
                .arg(configPath)
                .arg(result.errors.size()));
        return 1;
    }
    EngineHost host;
    host.engine()->useJournal(journalForStart(configPath, demo));
    // Watches the file and answers SIGHUP: a headless gateway reloads like the console does.
    ConfigController config(host.engine(), &document);
    followLogLevel(config, result.config, logLevel, LogMode::Headless);
    QObject::connect(&config, &ConfigController::reloaded, &app,
        [&document] { say(QtInfoMsg, QStringLiteral("Reloaded ") + document.path()); });
    QObject::connect(
        &config, &ConfigController::reloadRefused, &app, [&document](const QString &why) {
            say(QtWarningMsg,
                document.path() + QStringLiteral(" not reloaded; the running configuration stays: ")
                    + why);
        });
    int exitCode = 0;
    QObject::connect(host.engine(), &Engine::started, &app, [&host, demo](const QString &address) {
        say(QtInfoMsg, QStringLiteral("Switchyard is listening on http://%1/v1").arg(address));
        if (demo)
            host.engine()->setDemoTraffic(4.0);
    });
    QObject::connect(host.engine(), &Engine::startFailed, &app, [&exitCode](const QString &error) {
        say(QtCriticalMsg, QStringLiteral("Switchyard did not start: ") + error);
        exitCode = 1;
        QCoreApplication::exit(1);
    });
    handleSignals(app, &config, true);
    host.engine()->start(result.config, listen);
    const int loopResult = app.exec();
    return exitCode ? exitCode : loopResult;
}

int runAttached(QApplication &app, const ConsoleOptions &options)
{
    const auto secrets = std::make_shared<KeychainSecretStore>();
    const Config local = QFileInfo::exists(options.configPath)
        ? ConfigLoader::fromFile(options.configPath).config
        : Config();
    GatewayWindows windows(secrets, local, options);
    if (options.attach.size() == 1)
        windows.setEnvironmentTokenFor(options.attach.first());
    // Each gateway gets its window, or says why not; the console gives up only if none does.
    int unanswered = int(options.attach.size());
    QStringList failures;
    for (const QUrl &gateway : options.attach) {
        windows.open(gateway, {}, options.trusted, [&](const QString &failed) {
            if (!failed.isEmpty()) {
                err() << failed << Qt::endl;
                failures.append(failed);
            }
            if (--unanswered > 0)
                return;
            if (windows.count() == 0) {
                QMessageBox::critical(
                    nullptr, QObject::tr("Switchyard"), failures.join(QLatin1String("\n\n")));
                QCoreApplication::exit(1);
            } else if (!failures.isEmpty()) {
                QMessageBox::warning(
                    nullptr, QObject::tr("Switchyard"), failures.join(QLatin1String("\n\n")));
            }
        });
    }
    handleSignals(app, nullptr, false);
    return app.exec();
}

int runConsole(QApplication &app, const ConsoleOptions &options)
{
    if (!options.attach.isEmpty())
        return runAttached(app, options);
    // With no configuration yet, a newcomer starts in the demo rather than on an empty gateway.
    const bool demo
        = options.demo || (!options.explicitConfig && !QFileInfo::exists(options.configPath));
    ConfigDocument document;
    const ConfigResult result = loadForStart(
        document, options.configPath, demo ? demoConfig() : QByteArray(), options.listen);
    printErrors(demo ? QStringLiteral("demo") : options.configPath, result);
    if (!result.isValid()) {
        QMessageBox::critical(nullptr, QObject::tr("Switchyard"),
            QObject::tr("%1 has errors, so the gateway did not start:\n\n%2")
                .arg(options.configPath, result.errors.join(QLatin1Char('\n'))));
        return 1;
    }
    EngineHost host;
    host.engine()->useJournal(journalForStart(options.configPath, demo));
    // One keychain for both: what Set key… stores is what the gateway reads.
    const auto secrets = std::make_shared<KeychainSecretStore>();
    host.engine()->setSecretStore(secrets);
    ConfigController config(host.engine(), &document);
    followLogLevel(config, result.config, options.logLevel, LogMode::Console);
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
        say(QtCriticalMsg, QStringLiteral("Switchyard did not start: ") + error);
        QMessageBox::critical(&window, QObject::tr("Switchyard"),
            QObject::tr("The gateway did not start: %1").arg(error));
        exitCode = 1;
        QCoreApplication::exit(1);
    };
    // The usual reason the address is taken: the user's gateway already runs as a service. Then
    // the console offers to show that one rather than give up.
    QNetworkAccessManager network;
    GatewayWindows attached(secrets, result.config, options);
    QObject::connect(&window, &MainWindow::connectToGatewayRequested, &window,
        [&] { attached.askAndOpen(&window); });
    // The embedded gateway's window is the application's: closing it ends every other.
    QObject::connect(&window, &MainWindow::closed, &app, &QCoreApplication::quit);
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
                        attached.setEnvironmentTokenFor(existing);
                        attached.open(existing, {}, localCertificate, [&](const QString &failed) {
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
    // Another file runs from now on: the demo's traffic stops, the window forgets the demo.
    const auto runFile = [&](const QString &path) {
        const QStringList errors = config.open(path);
        if (!errors.isEmpty())
            return errors;
        // Its own traces, events and spend: the console starts again from what it remembers.
        host.engine()->useJournal(TraceStore::fileNameFor(path));
        host.engine()->setDemoTraffic(0);
        window.setWindowTitle(QObject::tr("Switchyard"));
        window.lanesView()->revert();
        return QStringList();
    };
    window.setConfigurationOpener(runFile);
    QObject::connect(&window, &MainWindow::useOwnConfigurationRequested, &window, [&] {
        const QString path = defaultConfigPath();
        if (!ensureDefaultConfig(path))
            return;
        const QStringList errors = runFile(path);
        if (!errors.isEmpty())
            QMessageBox::warning(
                &window, QObject::tr("Switchyard"), errors.join(QLatin1Char('\n')));
    });
    if (!options.screenshotDirectory.isEmpty())
        saveScreenshotsLater(
            &window, options, options.screenshotDirectory, &QCoreApplication::quit);
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

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "An OpenAI-compatible LLM gateway with explicit fallback chains, and its operations "
        "console.\n\n"
        "Commands:\n"
        "  check-config [FILE] validate FILE (default: the --config file) as a start would,\n"
        "                      print every error with its JSON path; exit 1 on errors\n"
        "  keys set NAME       read a secret from stdin into the system keychain\n"
        "  keys delete NAME    remove it from the keychain\n"
        "  keys list           the names of the keys set, never their values\n"
        "  admin-token         print the token the admin API needs (made on first use)\n\n"
        "The configuration file is described key by key in switchyard.json(5):\n"
        "  man 5 switchyard.json, or packaging/switchyard.json.5.md in the source."));
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
    const QCommandLineOption logLevelOption(QStringLiteral("log-level"),
        QStringLiteral("Write log lines of LEVEL and worse: error, warning, info or debug "
                       "(default: the config's log_level, else info with --headless and "
                       "warning in the console)."),
        QStringLiteral("LEVEL"));
    const QCommandLineOption caFileOption(QStringLiteral("ca-file"),
        QStringLiteral("With --attach https://…: also trust the certificates in FILE (PEM), for a "
                       "gateway with a self-signed certificate or one from a private authority."),
        QStringLiteral("FILE"));
    const QCommandLineOption attachOption(QStringLiteral("attach"),
        QStringLiteral(
            "Open the console on the gateway running at URL (http://HOST:PORT) instead "
            "of one of its own; repeat it for a window on each of several gateways. The "
            "admin token comes from SWITCHYARD_ADMIN_TOKEN, from "
            "what `switchyard admin-token` prints for a gateway on this machine, or from "
            "the keychain entry admin-token@HOST:PORT."),
        QStringLiteral("URL"));
    parser.addOptions(
        { headlessOption, configOption, listenOption, demoOption, screenshotsOption, sizeOption,
            delayOption, langOption, paletteOption, attachOption, caFileOption, logLevelOption });
    parser.addHelpOption();
    const QCommandLineOption versionOption(
        QStringList { QStringLiteral("v"), QStringLiteral("version") },
        QStringLiteral("Show the version and the Qt version it runs on."));
    parser.addOption(versionOption);
    parser.addPositionalArgument(QStringLiteral("command"),
        QStringLiteral("check-config [FILE] | keys set|delete NAME | keys list | admin-token"),
        QStringLiteral("[command]"));
    parser.process(app);

    installTranslations(
        app, parser.isSet(langOption) ? QLocale(parser.value(langOption)) : QLocale::system());
    if (parser.isSet(versionOption)) {
        out() << "switchyard " << QCoreApplication::applicationVersion() << " (Qt " << qVersion()
              << ")" << Qt::endl;
        return 0;
    }
    const QString logLevel = parser.value(logLevelOption);
    if (!logLevel.isEmpty() && !logLevelNames().contains(logLevel)) {
        err() << "--log-level " << logLevel << ": must be one of "
              << logLevelNames().join(QLatin1String(", ")) << Qt::endl;
        return 2;
    }
    setUpLogging(logLevel, parser.isSet(headlessOption) ? LogMode::Headless : LogMode::Console);
    const QStringList arguments = parser.positionalArguments();
    if (!arguments.isEmpty()) {
        if (arguments.first() == QLatin1String("check-config") && arguments.size() <= 2) {
            // With no file, the one the gateway would run; not there yet, the one it would create.
            if (arguments.size() == 2)
                return checkConfig(arguments.at(1), false, parser.value(listenOption));
            return checkConfig(parser.value(configOption), !parser.isSet(configOption),
                parser.value(listenOption));
        }
        if (arguments.first() == QLatin1String("keys"))
            return runKeysCommand(arguments.mid(1), parser.value(configOption));
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
        return runHeadless(app, parser.value(configOption), parser.value(listenOption),
            parser.isSet(demoOption), logLevel);

    if (parser.isSet(paletteOption))
        applyPalette(parser.value(paletteOption));
    ConsoleOptions options;
    for (const QString &url : parser.values(attachOption)) {
        const Attachment::Address address = Attachment::parseAddress(url);
        if (!address.refusal.isEmpty()) {
            err() << "--attach " << url << ": " << address.refusal << Qt::endl;
            return 2;
        }
        if (!options.attach.contains(address.url))
            options.attach.append(address.url);
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
    options.logLevel = logLevel;
    options.screenshotDirectory = parser.value(screenshotsOption);
    if (parser.isSet(delayOption))
        options.screenshotDelayMs = parser.value(delayOption).toInt() * 1000;
    if (parser.isSet(sizeOption)) {
        const QStringList size = parser.value(sizeOption).split(QLatin1Char('x'));
        options.windowSize = QSize(size.value(0).toInt(), size.value(1).toInt());
    }
    return runConsole(static_cast<QApplication &>(app), options);
}
