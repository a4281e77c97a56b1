#pragma once

#include "config/config.h"
#include "consoleoptions.h"

#include <QObject>
#include <QSslCertificate>
#include <QUrl>

#include <functional>
#include <memory>
#include <vector>

class QWidget;

namespace Switchyard {

class MainWindow;
class RemoteLink;
class SecretStore;

// The console's windows on gateways that already run (the user's service, another instance of
// a fleet, one reached through a tunnel): one window and one RemoteLink per gateway, opened by
// --attach (once per URL) or by File ▸ Connect to Gateway…, and let go of when closed.
class GatewayWindows final : public QObject {
    Q_OBJECT
public:
    // `localConfig`: this machine's own config, where a local gateway's admin token may be found.
    GatewayWindows(std::shared_ptr<SecretStore> secrets, const Config &localConfig,
        const ConsoleOptions &options, QObject *parent = nullptr);
    ~GatewayWindows() override;

    // Opens a window on `gateway`, with `token`, or with the one found for it when empty.
    // `done` gets why not, or an empty string once the window is shown.
    void open(const QUrl &gateway, const QByteArray &token, const QList<QSslCertificate> &trusted,
        std::function<void(const QString &failed)> done);
    // The Connect to Gateway dialog over `parent`, then the window it names.
    void askAndOpen(QWidget *parent);
    int count() const { return int(m_consoles.size()); }
    // The one gateway SWITCHYARD_ADMIN_TOKEN is for (a single --attach, or the local gateway the
    // console offers to show); no other is sent it.
    void setEnvironmentTokenFor(const QUrl &gateway) { m_environmentTokenFor = gateway; }
    QList<MainWindow *> windows() const;

private:
    struct Console;
    void show(const QUrl &gateway, const QByteArray &token, const QString &source,
        const QList<QSslCertificate> &trusted);
    void release(MainWindow *window);

    std::shared_ptr<SecretStore> m_secrets;
    Config m_localConfig;
    ConsoleOptions m_options;
    std::vector<std::unique_ptr<Console>> m_consoles;
    int m_screenshotsPending = 0;
    QUrl m_environmentTokenFor;
};

} // namespace Switchyard
