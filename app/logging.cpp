#include "logging.h"

#include <QByteArray>
#include <QLoggingCategory>
#include <QStringList>

#include <cstdio>

#include <sys/stat.h>
#include <unistd.h>

namespace Switchyard {

namespace {

// systemd names the journal's stream in JOURNAL_STREAM ("DEVICE:INODE"); stderr is that stream
// only when it was not redirected since.
bool stderrIsTheJournal()
{
    const QByteArray stream = qgetenv("JOURNAL_STREAM");
    if (stream.isEmpty())
        return false;
    struct stat status { };
    if (::fstat(STDERR_FILENO, &status) != 0)
        return false;
    const QList<QByteArray> parts = stream.split(':');
    return parts.size() == 2 && parts.at(0).toULongLong() == quint64(status.st_dev)
        && parts.at(1).toULongLong() == quint64(status.st_ino);
}

bool journalOnStderr = false;

} // namespace

void say(QtMsgType type, const QString &line)
{
    QByteArray text;
    if (journalOnStderr) {
        switch (type) {
        case QtDebugMsg:
            text = "<7>";
            break;
        case QtInfoMsg:
            text = "<6>";
            break;
        case QtWarningMsg:
            text = "<4>";
            break;
        case QtCriticalMsg:
        case QtFatalMsg:
            text = "<3>";
            break;
        }
    }
    text += line.toUtf8();
    text += '\n';
    std::fwrite(text.constData(), 1, size_t(text.size()), stderr);
    std::fflush(stderr);
}

void setUpLogging(const QString &level, LogMode mode)
{
    const QString effective = level.isEmpty()
        ? (mode == LogMode::Headless ? QStringLiteral("info") : QStringLiteral("warning"))
        : level;
    // Qt's own categories keep their debug lines off at every level: they are Qt's, not ours.
    QStringList rules { QStringLiteral("*.debug=false") };
    if (effective == QLatin1String("debug"))
        rules.append(QStringLiteral("switchyard.*.debug=true"));
    if (effective == QLatin1String("warning") || effective == QLatin1String("error"))
        rules.append(QStringLiteral("*.info=false"));
    if (effective == QLatin1String("error"))
        rules.append(QStringLiteral("*.warning=false"));
    QLoggingCategory::setFilterRules(rules.join(QLatin1Char('\n')));

    journalOnStderr = stderrIsTheJournal();
    if (journalOnStderr) {
        // sd-daemon(3)'s "<N>" prefixes: the journal keeps its own time.
        qSetMessagePattern(QStringLiteral(
            "%{if-debug}<7>%{endif}%{if-info}<6>%{endif}%{if-warning}<4>%{endif}"
            "%{if-critical}<3>%{endif}%{if-fatal}<2>%{endif}%{category}: %{message}"));
        return;
    }
    qSetMessagePattern(
        QStringLiteral("%{time yyyy-MM-ddTHH:mm:ss.zzz} %{if-warning}warning %{endif}"
                       "%{if-critical}critical %{endif}%{category}: %{message}"));
}

} // namespace Switchyard
