#include "desktopnotifier.h"

#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QVariantMap>

namespace Switchyard {

DesktopNotifier::DesktopNotifier(const QDBusConnection &bus, QObject *parent)
    : QObject(parent)
    , m_bus(bus)
{
}

void DesktopNotifier::notify(const QString &title, const QString &body, bool critical)
{
    if (!m_bus.isConnected()) {
        Q_EMIT delivered(false, QStringLiteral("no D-Bus session"));
        return;
    }
    // The Desktop Notifications Specification's Notify(app_name, replaces_id, app_icon, summary,
    // body, actions, hints, expire_timeout).
    QDBusMessage call
        = QDBusMessage::createMethodCall(QStringLiteral("org.freedesktop.Notifications"),
            QStringLiteral("/org/freedesktop/Notifications"),
            QStringLiteral("org.freedesktop.Notifications"), QStringLiteral("Notify"));
    QVariantMap hints;
    hints.insert(QStringLiteral("urgency"), QVariant::fromValue<uchar>(critical ? 2 : 1));
    hints.insert(QStringLiteral("desktop-entry"), QStringLiteral("switchyard"));
    call << QStringLiteral("Switchyard") << uint(0) << QStringLiteral("switchyard") << title << body
         << QStringList() << hints << int(critical ? 0 : -1);
    auto *watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(call, 5000), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this](QDBusPendingCallWatcher *w) {
        w->deleteLater();
        const QDBusPendingReply<uint> reply = *w;
        if (reply.isError()) {
            Q_EMIT delivered(false, reply.error().message());
            return;
        }
        Q_EMIT delivered(true, QString());
    });
}

} // namespace Switchyard
