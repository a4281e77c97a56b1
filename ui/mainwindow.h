#pragma once

#include "cluster/fleetstatus.h"
#include "observe/statehistory.h"
#include "observe/statusfigures.h"
#include "observe/trace.h"
#include "routing/breaker.h"
#include "routing/routesnapshot.h"

#include <QDateTime>
#include <QHash>
#include <QMainWindow>

#include <QPointer>

#include <deque>
#include <functional>
#include <memory>

class QAction;
class QLabel;
class QSystemTrayIcon;
class QTabWidget;
class QTimer;

namespace Switchyard {

class CostSeriesModel;
class CostView;
class GatewayLink;
class HistoryView;
class IncidentDialog;
class EventListModel;
class DesktopNotifier;
class EventsView;
class FleetMemberModel;
class FleetRouteModel;
class FleetView;
class LanesView;
class KeyTableModel;
class ProviderTableModel;
class ProvidersView;
class LaneHealthModel;
class RouteTableModel;
class RoutesView;
class SecretStore;
class TraceListModel;
class TracesView;

// The console's window: the views side by side in tabs, a status bar, a tray icon. It holds no
// logic of its own: models take the gateway's snapshots, views send the operator's commands,
// through a GatewayLink that may be the engine in this process or one attached over HTTP.
class MainWindow final : public QMainWindow {
    Q_OBJECT
public:
    // `secrets`: where Set key… stores keys; the system keychain when null.
    MainWindow(GatewayLink *gateway, bool demo, std::shared_ptr<SecretStore> secrets = nullptr,
        QWidget *parent = nullptr);
    ~MainWindow() override;

    void setListenAddress(const QString &address);
    void showAbout();
    void showView(const QString &objectName);
    // Saves one PNG per view at the window's current size; for documentation and review.
    QStringList saveScreenshots(const QString &directory);
    // Opens the incident report and, once it shows (or after a while without), saves a PNG of it.
    void saveIncidentScreenshot(
        const QString &directory, std::function<void(const QString &file)> saved);
    // File ▸ Export Incident Report…: the dialog, opened or raised.
    IncidentDialog *showIncidentReport();
    // Runs the configuration file at a path, returning why it cannot; where set, File ▸ Open
    // Configuration… is offered (an embedded gateway's window, not an attached one's).
    using ConfigurationOpener = std::function<QStringList(const QString &path)>;
    void setConfigurationOpener(ConfigurationOpener opener);

    QTabWidget *tabs() const { return m_tabs; }
    RoutesView *routesView() const { return m_routesView; }
    LanesView *lanesView() const { return m_lanesView; }
    TracesView *tracesView() const { return m_tracesView; }
    CostView *costView() const { return m_costView; }
    EventsView *eventsView() const { return m_eventsView; }
    HistoryView *historyView() const { return m_historyView; }
    const StateHistory &stateHistory() const { return m_history; }
    ProvidersView *providersView() const { return m_providersView; }
    RouteTableModel *routeModel() const { return m_routes; }
    LaneHealthModel *laneHealthModel() const { return m_laneHealth; }
    FleetMemberModel *fleetMemberModel() const { return m_fleetMembers; }
    FleetRouteModel *fleetRouteModel() const { return m_fleetRoutes; }
    TraceListModel *traceModel() const { return m_traces; }
    EventListModel *eventModel() const { return m_events; }

Q_SIGNALS:
    void useOwnConfigurationRequested();
    // File ▸ Connect to Gateway…: the application opens the dialog and the new window.
    void connectToGatewayRequested();
    // The user closed the window (an attached one then lets go of its gateway).
    void closed();
    // An alert went out to the person at the desktop (a notification, or the tray).
    void alerted(const QString &title, const QString &text);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void onRoutesUpdated(const QList<RouteSnapshot> &routes);
    // `live`: they just ended; history read back at a start or a reconnection raises no alert.
    void onTracesAdded(const QList<TraceRecord> &traces, bool live = true);
    void onStateChanged(const StateEvent &event);
    void onConfigApplied();
    void askAndOpenConfiguration();
    void updateStatus();
    void updateBanner(const QList<StatusFigures::Troubled> &troubles, qint64 nowMs);
    static QString troubleText(StatusFigures::Trouble trouble, int routes);
    void notify(const QString &key, const QString &title, const QString &text);

    void onConnectionChanged(bool connected, const QDateTime &since, const QString &why);
    void onFleetUpdated(const FleetStatus &fleet);

    GatewayLink *m_gateway;
    RouteTableModel *m_routes;
    LaneHealthModel *m_laneHealth;
    TraceListModel *m_traces;
    EventListModel *m_events;
    CostSeriesModel *m_cost;
    ProviderTableModel *m_providers;
    KeyTableModel *m_keys;
    FleetMemberModel *m_fleetMembers;
    FleetRouteModel *m_fleetRoutes;
    QTabWidget *m_tabs;
    RoutesView *m_routesView;
    LanesView *m_lanesView;
    TracesView *m_tracesView;
    CostView *m_costView;
    EventsView *m_eventsView;
    HistoryView *m_historyView;
    ProvidersView *m_providersView;
    FleetView *m_fleetView;
    QLabel *m_listen;
    QLabel *m_rate;
    QLabel *m_errors;
    QLabel *m_openBreakers;
    QLabel *m_storage; // shown only while traces cannot be written
    QLabel *m_connection; // shown only while an attached gateway cannot be reached
    QLabel *m_fleet; // shown only for a gateway of a fleet
    QSystemTrayIcon *m_tray = nullptr;
    DesktopNotifier *m_notifier;
    QLabel *m_banner; // shown while anything is degraded
    QHash<QString, qint64> m_degradedLanes; // lane → when it last ran degraded (live only)
    QString m_pendingAlertTitle; // the alert the notification service was asked to show
    QString m_pendingAlertText;
    QAction *m_connectAction;
    QAction *m_openConfigAction;
    ConfigurationOpener m_openConfiguration;
    QPointer<IncidentDialog> m_incidentDialog;
    QList<QAction *> m_viewActions; // View ▸ each view, in the order of the tabs
    StatusFigures m_figures;
    StateHistory m_history;
    QTimer *m_statusClock; // the figures decay with time, traffic or not
    QHash<QString, qint64> m_lastNotified;
};

} // namespace Switchyard
