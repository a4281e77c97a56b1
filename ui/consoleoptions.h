#pragma once

#include <QList>
#include <QSize>
#include <QSslCertificate>
#include <QString>
#include <QUrl>
#include <functional>

namespace Switchyard {

class MainWindow;

// What the command line asked of the console.
struct ConsoleOptions {
    QList<QUrl> attach; // running gateways to show instead of an embedded one
    QList<QSslCertificate> trusted; // --ca-file: an attached gateway's own certificate authority
    QString configPath;
    bool explicitConfig = false;
    QString listen;
    bool demo = false;
    QString logLevel; // --log-level; empty: the config's, else the console's own
    QString screenshotDirectory;
    QSize windowSize;
    int screenshotDelayMs = 20000;
};

// --screenshots: after the delay, a PNG of each of `window`'s views in `directory`, then
// `saved` (which quits, once every window is done).
void saveScreenshotsLater(MainWindow *window, const ConsoleOptions &options,
    const QString &directory, std::function<void()> saved);

} // namespace Switchyard
