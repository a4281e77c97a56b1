#pragma once

#include <QString>
#include <QtGlobal>

namespace Switchyard {

enum class LogMode {
    Console, // the window shows what happens; stderr gets warnings and worse
    Headless, // a service: a line per request, read with journalctl or from a terminal
};

// Which lines the program writes, and how they look. `level` is --log-level's or the config's
// log_level ("error", "warning", "info", "debug"); empty takes the mode's own. Under systemd, lines
// carry journald's priority prefix instead of a time of their own, so `journalctl -p warning`
// works. QT_LOGGING_RULES still overrides all of it, as Qt documents.
void setUpLogging(const QString &level, LogMode mode);

// A line the program says itself (it did not start, it reloaded), on stderr. Under systemd it
// carries its priority like the logged lines, so `journalctl -p warning` shows a failed start.
void say(QtMsgType type, const QString &line);

} // namespace Switchyard
