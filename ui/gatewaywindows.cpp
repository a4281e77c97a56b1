#include "gatewaywindows.h"

#include "connectdialog.h"
#include "consolesettings.h"
#include "link/attachment.h"
#include "link/remotelink.h"
#include "mainwindow.h"
#include "secrets/secretstore.h"

#include <QCoreApplication>
#include <QDir>
#include <QMessageBox>
#include <QPointer>
#include <QStandardPaths>
#include <QTextStream>
#include <QTimer>

namespace Switchyard {

namespace {

void tell(const QString &text)
{
    QTextStream(stderr) << text << Qt::endl;
}

// A non-modal message over `parent`: no nested event loop while gateways stream to the console.
void warn(QWidget *parent, const QString &text)
{
    auto *box = new QMessageBox(
        QMessageBox::Warning, QObject::tr("Switchyard"), text, QMessageBox::Ok, parent);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

} // namespace

void saveScreenshotsLater(MainWindow *window, const ConsoleOptions &options,
    const QString &directory, std::function<void()> saved)
{
    QTimer::singleShot(options.screenshotDelayMs, window, [window, directory, saved] {
        QTextStream out(stdout);
        for (const QString &file : window->saveScreenshots(directory))
            out << file << Qt::endl;
        window->saveIncidentScreenshot(directory, [saved](const QString &file) {
            if (!file.isEmpty())
                QTextStream(stdout) << file << Qt::endl;
            saved();
        });
    });
}

struct GatewayWindows::Console {
    QUrl gateway;
    std::unique_ptr<RemoteLink> link;
    std::unique_ptr<MainWindow> window;
};

GatewayWindows::GatewayWindows(std::shared_ptr<SecretStore> secrets, const Config &localConfig,
    const ConsoleOptions &options, QObject *parent)
    : QObject(parent)
    , m_secrets(std::move(secrets))
    , m_localConfig(localConfig)
    , m_options(options)
{
}

GatewayWindows::~GatewayWindows()
{
    // Each window before the link that feeds it.
    for (auto &console : m_consoles)
        console->window.reset();
}

QList<MainWindow *> GatewayWindows::windows() const
{
    QList<MainWindow *> windows;
    for (const auto &console : m_consoles)
        windows.append(console->window.get());
    return windows;
}

void GatewayWindows::open(const QUrl &gateway, const QByteArray &token,
    const QList<QSslCertificate> &trusted, std::function<void(const QString &failed)> done)
{
    for (const auto &console : m_consoles) {
        if (console->gateway == gateway && token.isEmpty()) {
            console->window->raise(); // already shown: one window per gateway
            console->window->activateWindow();
            done(QString());
            return;
        }
    }
    if (!token.isEmpty()) {
        show(gateway, token, QStringLiteral("the caller"), trusted);
        done(QString());
        return;
    }
    Attachment::findToken(
        gateway, m_localConfig, QStandardPaths::writableLocation(QStandardPaths::AppDataLocation),
        m_secrets, this,
        [this, gateway, trusted, done = std::move(done)](const Attachment::TokenFound &found) {
            if (found.token.isEmpty()) {
                done(
                    tr("No admin token for %1 was found (looked at: %2). Type it in File ▸ "
                       "Connect to Gateway…, set SWITCHYARD_ADMIN_TOKEN, or store it with "
                       "`switchyard keys set %3`.")
                        .arg(gateway.toString(), found.source, Attachment::keychainEntry(gateway)));
                return;
            }
            show(gateway, found.token, found.source, trusted);
            done(QString());
        },
        !m_environmentTokenFor.isEmpty() && gateway == m_environmentTokenFor);
}

void GatewayWindows::show(const QUrl &gateway, const QByteArray &token, const QString &source,
    const QList<QSslCertificate> &trusted)
{
    tell(QStringLiteral("Attaching to %1 (admin token from %2)").arg(gateway.toString(), source));
    auto console = std::make_unique<Console>();
    console->gateway = gateway;
    console->link = std::make_unique<RemoteLink>(gateway, token);
    console->link->setCaCertificates(trusted);
    console->window = std::make_unique<MainWindow>(console->link.get(), false, m_secrets);
    MainWindow *window = console->window.get();
    window->setWindowTitle(tr("Switchyard — %1").arg(gateway.toString(QUrl::RemoveUserInfo)));
    if (m_options.windowSize.isValid())
        window->resize(m_options.windowSize);
    connect(window, &MainWindow::connectToGatewayRequested, this,
        [this, window] { askAndOpen(window); });
    connect(window, &MainWindow::closed, this, [this, window] { release(window); });
    if (!m_options.screenshotDirectory.isEmpty()) {
        // Several gateways: a folder each, or their views would overwrite one another.
        const QString directory = m_options.attach.size() > 1
            ? QDir(m_options.screenshotDirectory)
                  .filePath(QStringLiteral("%1-%2").arg(gateway.host()).arg(gateway.port()))
            : m_options.screenshotDirectory;
        ++m_screenshotsPending;
        saveScreenshotsLater(window, m_options, directory, [this] {
            if (--m_screenshotsPending == 0)
                QCoreApplication::quit();
        });
    }
    console->link->open();
    window->show();
    ConsoleSettings().rememberGateway(gateway.toString());
    m_consoles.push_back(std::move(console));
}

void GatewayWindows::release(MainWindow *window)
{
    const auto it = std::find_if(m_consoles.begin(), m_consoles.end(),
        [window](const auto &console) { return console->window.get() == window; });
    if (it == m_consoles.end())
        return;
    // Called from the window's own close event: it goes once that has returned, then its link.
    (*it)->window.release()->deleteLater();
    (*it)->link.release()->deleteLater();
    m_consoles.erase(it);
}

void GatewayWindows::askAndOpen(QWidget *parent)
{
    auto *dialog = new ConnectDialog(ConsoleSettings().rememberedGateways(), parent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog, parent = QPointer<QWidget>(parent)] {
        const QUrl gateway = dialog->gateway();
        const QByteArray token = dialog->token();
        auto proceed = [this, gateway, token, parent](const QString &notKept) {
            open(gateway, token, m_options.trusted, [parent, notKept](const QString &failed) {
                if (!failed.isEmpty())
                    warn(parent, failed);
                else if (!notKept.isEmpty())
                    warn(parent,
                        tr("Attached, but the token was not kept in the keychain: %1")
                            .arg(notKept));
            });
        };
        if (!dialog->keepToken()) {
            proceed(QString());
            return;
        }
        // Kept where --attach and the next Connect look for it; never in the settings.
        m_secrets->setKey(
            Attachment::keychainEntry(gateway), token, this, [proceed](const SecretResult &result) {
                proceed(result.ok() ? QString() : result.error);
            });
    });
    dialog->open();
}

} // namespace Switchyard
