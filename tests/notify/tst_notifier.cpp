#include "desktopnotifier.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QSignalSpy>
#include <QTest>
#include <QVariantMap>

using namespace Switchyard;

namespace {

// org.freedesktop.Notifications as a desktop serves it, recording what it was asked to show.
class FakeNotificationService final : public QObject {
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")
public:
    struct Shown {
        QString app;
        QString summary;
        QString body;
        int urgency = -1;
        int timeout = 0;
    };
    QList<Shown> shown;

public Q_SLOTS:
    uint Notify(const QString &app, uint, const QString &, const QString &summary,
        const QString &body, const QStringList &, const QVariantMap &hints, int timeout)
    {
        shown.append(
            { app, summary, body, hints.value(QStringLiteral("urgency")).toInt(), timeout });
        return uint(shown.size());
    }
};

} // namespace

// Alerts reach a person through the desktop's notification service over D-Bus (issue 19), on
// desktops with no tray as well; with no service, the console is told so and falls back.
class NotifierTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void anAlertReachesTheNotificationService();
    void withNoServiceTheCallerIsTold();
};

void NotifierTest::anAlertReachesTheNotificationService()
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    QVERIFY2(bus.isConnected(), "run inside dbus-run-session");
    FakeNotificationService service;
    QVERIFY(bus.registerObject(QStringLiteral("/org/freedesktop/Notifications"), &service,
        QDBusConnection::ExportAllSlots));
    QVERIFY(bus.registerService(QStringLiteral("org.freedesktop.Notifications")));

    DesktopNotifier notifier(bus);
    QSignalSpy delivered(&notifier, &DesktopNotifier::delivered);
    notifier.notify(QStringLiteral("Breaker of gpt-4o opened"),
        QStringLiteral("failure rate 50% over the last 20 calls"), false);
    QVERIFY(delivered.wait(5000));
    QCOMPARE(delivered.first().at(0).toBool(), true);
    QCOMPARE(service.shown.size(), 1);
    QCOMPARE(service.shown.first().app, QStringLiteral("Switchyard"));
    QCOMPARE(service.shown.first().summary, QStringLiteral("Breaker of gpt-4o opened"));
    QCOMPARE(service.shown.first().body, QStringLiteral("failure rate 50% over the last 20 calls"));
    QCOMPARE(service.shown.first().urgency, 1);
    QCOMPARE(service.shown.first().timeout, -1);

    // A critical one stays until dismissed.
    notifier.notify(QStringLiteral("Lane chat has no route"), QStringLiteral("…"), true);
    QVERIFY(delivered.wait(5000));
    QCOMPARE(service.shown.last().urgency, 2);
    QCOMPARE(service.shown.last().timeout, 0);

    bus.unregisterService(QStringLiteral("org.freedesktop.Notifications"));
    bus.unregisterObject(QStringLiteral("/org/freedesktop/Notifications"));
}

void NotifierTest::withNoServiceTheCallerIsTold()
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    QVERIFY(!bus.interface()->isServiceRegistered(QStringLiteral("org.freedesktop.Notifications")));
    DesktopNotifier notifier(bus);
    QSignalSpy delivered(&notifier, &DesktopNotifier::delivered);
    notifier.notify(QStringLiteral("t"), QStringLiteral("b"), false);
    QVERIFY(delivered.wait(10000));
    QCOMPARE(delivered.first().at(0).toBool(), false);
    QVERIFY(!delivered.first().at(1).toString().isEmpty());

    // Without a session bus at all (a service without a desktop): told at once.
    DesktopNotifier alone(QDBusConnection(QStringLiteral("not-connected")));
    QSignalSpy told(&alone, &DesktopNotifier::delivered);
    alone.notify(QStringLiteral("t"), QStringLiteral("b"), false);
    QCOMPARE(told.size(), 1);
    QCOMPARE(told.first().at(0).toBool(), false);
}

QTEST_GUILESS_MAIN(NotifierTest)
#include "tst_notifier.moc"
