#pragma once

#include <QByteArray>
#include <QSettings>
#include <QString>
#include <QStringList>

namespace Switchyard {

// The console's preferences and window layout, typed. The routing config is the JSON file,
// never these settings, and no secret is ever stored here.
class ConsoleSettings final {
public:
    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray &geometry);
    QByteArray windowState() const;
    void setWindowState(const QByteArray &state);
    QString currentView() const;
    void setCurrentView(const QString &view);
    // Gateways the console attached to, most recent first; addresses only, never their tokens.
    QStringList rememberedGateways() const;
    void rememberGateway(const QString &url);

private:
    QSettings m_settings;
};

} // namespace Switchyard
