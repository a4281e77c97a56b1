#pragma once

#include <QDBusConnection>
#include <QObject>

namespace Switchyard {

// Puts an alert in front of a person through the desktop's notification service
// (org.freedesktop.Notifications over D-Bus: GNOME, KDE, and most others), so that it reaches
// desktops without a tray too. Calls are asynchronous; `delivered` says whether the service took
// one, so the caller can fall back to a tray balloon where there is no service.
class DesktopNotifier final : public QObject {
    Q_OBJECT
public:
    explicit DesktopNotifier(
        const QDBusConnection &bus = QDBusConnection::sessionBus(), QObject *parent = nullptr);

    // `critical`: the notification stays until dismissed (urgency 2) instead of fading.
    void notify(const QString &title, const QString &body, bool critical);

Q_SIGNALS:
    // The service answered (`ok`) or there is none, or it refused (`!ok`, with why).
    void delivered(bool ok, const QString &error);

private:
    QDBusConnection m_bus;
};

} // namespace Switchyard
