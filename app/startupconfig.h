#pragma once

#include "config/configdocument.h"
#include "logging.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace Switchyard {

class ConfigController;

// The configuration a start runs, found, created and checked the same way for the console, the
// headless gateway and `switchyard check-config`.

// ~/.config/switchyard/switchyard.json
QString defaultConfigPath();
// On first start the bundled default config is copied where the user can edit it.
bool ensureDefaultConfig(const QString &path);
// A bundled configuration, "default" or "demo".
QByteArray bundledConfig(const QString &name);
QByteArray demoConfig();
// What a start checks before the engine runs: the file (through the same ConfigDocument the
// gateway runs), or `builtIn` instead when given (the demo, or the default a first start would
// create), and a --listen that moves the gateway beyond loopback.
ConfigResult loadForStart(ConfigDocument &document, const QString &path, const QByteArray &builtIn,
    const QString &listenOverride);
// Each warning and error with the file it is about, on stderr.
void printErrors(const QString &path, const ConfigResult &result);
// The journal (traces, events, spend) of the configuration a start runs, for Engine::useJournal:
// the file's own, or the demo's. The default configuration takes over, once, the traces.sqlite
// every configuration shared before 0.2.
QString journalForStart(const QString &configPath, bool demo);
// Logging at the configuration's log_level, now and after every edit, reload or File ▸ Open,
// unless --log-level (`fixedLevel`) holds it.
void followLogLevel(
    ConfigController &controller, const Config &running, const QString &fixedLevel, LogMode mode);
// `switchyard check-config`: with `bundledIfMissing`, a `path` not there yet is checked as the
// bundled default it would be created from. Returns the exit code.
int checkConfig(const QString &path, bool bundledIfMissing, const QString &listenOverride);

} // namespace Switchyard
