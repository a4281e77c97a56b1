#include "mainwindow.h"

#include "bodiespanel.h"
#include "capturenotice.h"
#include "consolesettings.h"
#include "costview.h"
#include "desktopnotifier.h"
#include "eventsview.h"
#include "fleetview.h"
#include "historyview.h"
#include "incidentdialog.h"
#include "lanesview.h"
#include "link/gatewaylink.h"
#include "models/costseriesmodel.h"
#include "models/eventlistmodel.h"
#include "models/fleetmodels.h"
#include "models/keytablemodel.h"
#include "models/lanehealthmodel.h"
#include "models/providertablemodel.h"
#include "models/routetablemodel.h"
#include "models/tracelistmodel.h"
#include "providersview.h"
#include "routesview.h"
#include "secrets/keychainsecretstore.h"
#include "tracesview.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QEventLoop>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QStandardPaths>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace Switchyard {

namespace {

constexpr qint64 NotifyEveryMs = 60000;

// A strip across the window's top (the demo's, an incident's): its own light background with
// black text, readable in a dark palette too.
void paintAsBanner(QWidget *banner, const QColor &background)
{
    banner->setAutoFillBackground(true);
    QPalette palette = banner->palette();
    palette.setColor(QPalette::Window, background);
    palette.setColor(QPalette::WindowText, Qt::black);
    banner->setPalette(palette);
}

} // namespace

MainWindow::MainWindow(
    GatewayLink *gateway, bool demo, std::shared_ptr<SecretStore> secrets, QWidget *parent)
    : QMainWindow(parent)
    , m_gateway(gateway)
    , m_routes(new RouteTableModel(this))
    , m_laneHealth(new LaneHealthModel(this))
    , m_traces(new TraceListModel(2000, this))
    , m_events(new EventListModel(2000, this))
    , m_cost(new CostSeriesModel(this))
    , m_providers(new ProviderTableModel(this))
    , m_keys(new KeyTableModel(this))
    , m_fleetMembers(new FleetMemberModel(this))
    , m_fleetRoutes(new FleetRouteModel(this))
    , m_tabs(new QTabWidget(this))
    , m_listen(new QLabel(this))
    , m_rate(new QLabel(this))
    , m_errors(new QLabel(this))
    , m_openBreakers(new QLabel(this))
    , m_storage(new QLabel(this))
    , m_connection(new QLabel(this))
    , m_fleet(new QLabel(this))
    , m_notifier(new DesktopNotifier(QDBusConnection::sessionBus(), this))
    , m_banner(new QLabel(this))
    , m_statusClock(new QTimer(this))
{
    setWindowTitle(demo ? tr("Switchyard — demo") : tr("Switchyard"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/switchyard.svg")));

    m_routesView = new RoutesView(gateway, m_routes, m_laneHealth, this);
    m_lanesView = new LanesView(gateway, m_traces, m_routes, this);
    m_tracesView = new TracesView(m_traces, gateway, this);
    m_costView = new CostView(m_cost, this);
    m_eventsView = new EventsView(m_events, this);
    m_historyView = new HistoryView(&m_history, m_events, m_traces, this);
    connect(m_historyView, &HistoryView::requestOpened, this, [this](const QString &id) {
        m_tabs->setCurrentWidget(m_tracesView);
        m_tracesView->findRequest(id);
    });
    m_providersView = new ProvidersView(gateway, m_providers, m_keys,
        secrets ? std::move(secrets) : std::make_shared<KeychainSecretStore>(), this);
    m_tabs->addTab(m_routesView, tr("&Routes"));
    m_tabs->addTab(m_lanesView, tr("&Lanes"));
    m_tabs->addTab(m_tracesView, tr("&Traces"));
    m_tabs->addTab(m_costView, tr("&Cost"));
    m_tabs->addTab(m_eventsView, tr("&Events"));
    m_tabs->addTab(m_historyView, tr("&History"));
    m_tabs->addTab(m_providersView, tr("&Providers"));
    m_fleetView = new FleetView(m_fleetMembers, m_fleetRoutes, this);
    m_tabs->addTab(m_fleetView, tr("&Fleet"));
    m_tabs->setTabVisible(m_tabs->indexOf(m_fleetView), false); // until the gateway has a fleet

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    if (demo) {
        auto *banner = new QWidget(central);
        banner->setObjectName(QStringLiteral("demoBanner"));
        paintAsBanner(banner, QColor(0xfe, 0xf3, 0xc7));
        auto *bannerLayout = new QHBoxLayout(banner);
        auto *text = new QLabel(
            tr("Demo: simulated providers with a scripted incident, and built-in traffic. Nothing "
               "leaves this machine and no API key is needed. Watch gpt-4o degrade, open, fall "
               "back and recover in stages."),
            banner);
        text->setWordWrap(true);
        auto *own = new QPushButton(tr("Use my own configuration"), banner);
        connect(own, &QPushButton::clicked, this, [this, banner] {
            banner->hide();
            Q_EMIT useOwnConfigurationRequested();
        });
        bannerLayout->addWidget(text, 1);
        bannerLayout->addWidget(own);
        layout->addWidget(banner);
    }
    // While anything is degraded, said where the operator looks, until it is over.
    m_banner->setObjectName(QStringLiteral("incidentBanner"));
    m_banner->setWordWrap(true);
    m_banner->setContentsMargins(8, 6, 8, 6);
    paintAsBanner(m_banner, QColor(0xfd, 0xe2, 0xe2));
    m_banner->hide();
    layout->addWidget(m_banner);
    layout->addWidget(m_tabs, 1);
    setCentralWidget(central);

    QMenu *file = menuBar()->addMenu(tr("&File"));
    m_connectAction
        = file->addAction(tr("&Connect to Gateway…"), this, &MainWindow::connectToGatewayRequested);
    m_connectAction->setObjectName(QStringLiteral("connectAction"));
    m_connectAction->setShortcut(QKeySequence(tr("Ctrl+Shift+O")));
    m_connectAction->setToolTip(
        tr("Open a window on a gateway that runs elsewhere: a service, or another machine"));
    m_openConfigAction
        = file->addAction(tr("&Open Configuration…"), this, &MainWindow::askAndOpenConfiguration);
    m_openConfigAction->setObjectName(QStringLiteral("openConfigAction"));
    m_openConfigAction->setShortcut(QKeySequence::Open);
    m_openConfigAction->setVisible(false); // until the application says how
    QAction *incident
        = file->addAction(tr("&Export Incident Report…"), this, &MainWindow::showIncidentReport);
    incident->setObjectName(QStringLiteral("incidentAction"));
    incident->setShortcut(QKeySequence(tr("Ctrl+Shift+E")));
    incident->setToolTip(tr("What happened in the latest incident, for the post-mortem: as "
                            "Markdown, HTML or PDF"));
    file->addSeparator();
    file->addAction(tr("&Close Window"), QKeySequence::Close, this, &QWidget::close);
    QAction *quit = file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QCoreApplication::quit);
    quit->setObjectName(QStringLiteral("quitAction"));
    quit->setMenuRole(QAction::QuitRole);
    // Each view on a key, in the order of the tabs (the Fleet view's only while it is shown).
    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < m_tabs->count(); ++i) {
        QWidget *page = m_tabs->widget(i);
        QAction *show = view->addAction(
            m_tabs->tabText(i), this, [this, page] { m_tabs->setCurrentWidget(page); });
        show->setObjectName(page->objectName() + QStringLiteral("Action"));
        show->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
        show->setVisible(m_tabs->isTabVisible(i));
        m_viewActions.append(show);
    }
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Switchyard"), this, &MainWindow::showAbout);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);

    statusBar()->addWidget(m_listen);
    statusBar()->addWidget(m_rate);
    statusBar()->addWidget(m_errors);
    statusBar()->addPermanentWidget(
        new CaptureNotice(gateway, CaptureNotice::Form::StatusBar, this));
    statusBar()->addPermanentWidget(m_openBreakers);
    statusBar()->addPermanentWidget(m_storage);
    statusBar()->addPermanentWidget(m_connection);
    statusBar()->addPermanentWidget(m_fleet);
    m_fleet->setObjectName(QStringLiteral("fleetStatus"));
    m_fleet->hide();
    m_connection->setObjectName(QStringLiteral("connectionStatus"));
    m_connection->hide();
    m_storage->setObjectName(QStringLiteral("storageStatus"));
    m_storage->hide();
    m_listen->setText(tr("starting…"));
    m_openBreakers->setObjectName(QStringLiteral("routeHealth"));
    m_errors->setObjectName(QStringLiteral("errorRate"));
    m_statusClock->setInterval(1000);
    connect(m_statusClock, &QTimer::timeout, this, &MainWindow::updateStatus);
    m_statusClock->start();
    updateStatus();

    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(windowIcon(), this);
        m_tray->setToolTip(windowTitle());
        m_tray->show();
    }
    connect(m_notifier, &DesktopNotifier::delivered, this, [this](bool ok, const QString &) {
        if (!ok && m_tray)
            m_tray->showMessage(
                m_pendingAlertTitle, m_pendingAlertText, QSystemTrayIcon::Warning, 8000);
    });

    connect(gateway, &GatewayLink::addressChanged, this, &MainWindow::setListenAddress);
    connect(gateway, &GatewayLink::routesUpdated, this, &MainWindow::onRoutesUpdated);
    connect(gateway, &GatewayLink::tracesAdded, this,
        [this](const QList<TraceRecord> &traces) { onTracesAdded(traces, true); });
    connect(gateway, &GatewayLink::costAdded, this,
        [this](const QList<CostPoint> &points) { m_cost->addPoints(points); });
    connect(gateway, &GatewayLink::eventRecorded, this, &MainWindow::onStateChanged);
    connect(
        gateway, &GatewayLink::providersUpdated, m_providers, &ProviderTableModel::setProviders);
    connect(gateway, &GatewayLink::providersUpdated, m_keys, &KeyTableModel::setProviders);
    connect(gateway, &GatewayLink::configApplied, this, &MainWindow::onConfigApplied);
    connect(gateway, &GatewayLink::storageProblemChanged, this, [this](const QString &problem) {
        m_storage->setVisible(!problem.isEmpty());
        //: status bar, while the trace database cannot be written (a full disk, say)
        m_storage->setText(tr("⚠ Traces are not being saved"));
        m_storage->setToolTip(problem);
    });
    connect(gateway, &GatewayLink::commandFailed, this,
        [this](const QString &error) { statusBar()->showMessage(error, 10000); });
    connect(gateway, &GatewayLink::connectionChanged, this, &MainWindow::onConnectionChanged);
    connect(gateway, &GatewayLink::fleetUpdated, this, &MainWindow::onFleetUpdated);
    connect(gateway, &GatewayLink::historyCleared, this, [this] {
        m_traces->clear();
        m_events->clear();
        m_cost->clear();
        m_figures.clear();
        m_laneHealth->clear();
        m_history.clear();
    });
    connect(gateway, &GatewayLink::historyPublished, this,
        [this](const QList<TraceRecord> &traces, const QList<StateEvent> &events,
            const QList<CostPoint> &cost) {
            onTracesAdded(traces, false);
            m_events->addHistory(events);
            for (const StateEvent &event : events)
                m_history.addEvent(event);
            m_cost->addPoints(cost);
            m_cost->refresh(QDateTime::currentMSecsSinceEpoch());
            m_costView->rebuild();
        });
    onConfigApplied();

    ConsoleSettings settings;
    if (!restoreGeometry(settings.windowGeometry()))
        resize(1280, 800);
    restoreState(settings.windowState());
    showView(settings.currentView());
}

MainWindow::~MainWindow() = default;

void MainWindow::showAbout()
{
    const QString config = m_gateway->isConfigSaved() ? m_gateway->configLocation()
                                                      : tr("the built-in demo (not saved)");
    QMessageBox::about(this, tr("About Switchyard"),
        tr("<h3>Switchyard %1</h3>"
           "<p>An OpenAI-compatible LLM gateway with explicit fallback chains, and its operations "
           "console.</p>"
           "<p>Running on Qt %2.</p>"
           "<p>Configuration: %3<br>Traces, events and spend: %4</p>")
            .arg(QCoreApplication::applicationVersion(), QString::fromLatin1(qVersion()),
                config.toHtmlEscaped(),
                // One database per configuration file there (TraceStore::fileNameFor).
                QString(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
                    + QStringLiteral("/traces/"))
                    .toHtmlEscaped()));
}

void MainWindow::setListenAddress(const QString &address)
{
    m_listen->setText(tr("Listening on http://%1/v1").arg(address));
}

void MainWindow::onConnectionChanged(bool connected, const QDateTime &since, const QString &why)
{
    m_connection->setVisible(!connected);
    if (connected) {
        statusBar()->showMessage(
            tr("Connected to the gateway at %1").arg(m_gateway->address()), 5000);
        return;
    }
    //: status bar of a console attached to a gateway that cannot be reached; %1 is a time
    m_connection->setText(tr("⚠ Disconnected since %1 — reconnecting")
                              .arg(QLocale().toString(since.time(), QLocale::ShortFormat)));
    m_connection->setToolTip(why);
}

void MainWindow::onFleetUpdated(const FleetStatus &fleet)
{
    m_fleet->setVisible(fleet.enabled);
    m_tabs->setTabVisible(m_tabs->indexOf(m_fleetView), fleet.enabled);
    m_viewActions.at(m_tabs->indexOf(m_fleetView))->setVisible(fleet.enabled);
    m_fleetMembers->setFleet(fleet);
    m_fleetRoutes->setFleet(fleet);
    if (!fleet.enabled)
        return;
    m_fleetView->showFleet(fleet);
    if (!fleet.connected) {
        //: status bar: the fleet's shared state (Redis) cannot be reached
        m_fleet->setText(tr("⚠ Fleet: Redis unreachable — serving on this instance's state"));
        m_fleet->setToolTip(fleet.problem);
        return;
    }
    //: status bar: this gateway shares its state with others; %n is how many are alive
    m_fleet->setText(tr("Fleet: %n instance(s)", nullptr, int(fleet.instances.size())));
    m_fleet->setToolTip(tr("This instance: %1\nAlive: %2")
                            .arg(fleet.instance, fleet.instances.join(QLatin1String(", "))));
}

void MainWindow::showView(const QString &objectName)
{
    for (int i = 0; i < m_tabs->count(); ++i) {
        if (m_tabs->widget(i)->objectName() == objectName)
            m_tabs->setCurrentIndex(i);
    }
}

QStringList MainWindow::saveScreenshots(const QString &directory)
{
    QDir().mkpath(directory);
    QStringList files;
    const int current = m_tabs->currentIndex();
    for (int i = 0; i < m_tabs->count(); ++i) {
        if (!m_tabs->isTabVisible(i))
            continue;
        m_tabs->setCurrentIndex(i);
        // The newest request whose timeline says most: a hedge, else any with several attempts.
        if (m_tabs->widget(i) == m_tracesView
            && !m_tracesView->selectNewest([](const TraceRecord &trace) {
                   return std::any_of(trace.attempts.cbegin(), trace.attempts.cend(),
                       [](const AttemptRecord &attempt) { return attempt.hedge; });
               })
            && !m_tracesView->selectNewest(
                [](const TraceRecord &trace) { return trace.upstreamAttempts() > 1; }))
            m_tracesView->selectRow(0);
        // Its bodies are read off the engine thread: the picture shows them, or why there are
        // none, once they are in (a gateway that does not answer is shown as it is, waiting).
        if (m_tabs->widget(i) == m_tracesView && m_tracesView->bodies()->isReading()) {
            QEventLoop waiting;
            connect(m_tracesView->bodies(), &BodiesPanel::bodiesShown, &waiting, &QEventLoop::quit);
            QTimer::singleShot(2000, &waiting, &QEventLoop::quit);
            waiting.exec();
            // The panel's layout takes up the new text in its turn, after the signal.
            QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
        }
        // The moment of the newest state change, with its events and requests listed.
        if (m_tabs->widget(i) == m_historyView && m_events->rowCount() > 0) {
            m_historyView->refresh(QDateTime::currentMSecsSinceEpoch());
            m_historyView->pickMoment(m_events->index(0, EventListModel::Time)
                                          .data(EventListModel::SortRole)
                                          .toLongLong());
        }
        // The provider with the most keys, so that its keys show.
        if (m_tabs->widget(i) == m_providersView && m_providersView->selectedProvider().isEmpty()) {
            QString most;
            qsizetype keys = -1;
            for (int row = 0; row < m_providers->rowCount(); ++row) {
                const QString name = m_providers->index(row, 0).data().toString();
                const ProviderSnapshot *provider = m_providers->provider(name);
                if (provider && provider->keys.size() > keys) {
                    most = name;
                    keys = provider->keys.size();
                }
            }
            m_providersView->selectProvider(most);
        }
        const QString file = QDir(directory).filePath(QStringLiteral("%1-%2x%3.png")
                                                          .arg(m_tabs->widget(i)->objectName())
                                                          .arg(width())
                                                          .arg(height()));
        if (grab().save(file))
            files.append(file);
    }
    m_tabs->setCurrentIndex(current);
    return files;
}

void MainWindow::saveIncidentScreenshot(
    const QString &directory, std::function<void(const QString &file)> saved)
{
    IncidentDialog *dialog = showIncidentReport();
    // Once, whichever comes first: the report, or a gateway that does not answer in time.
    auto once = std::make_shared<std::function<void(const QString &)>>(std::move(saved));
    auto finish = [dialog, directory, once] {
        if (!*once)
            return;
        const QString file = QDir(directory).filePath(
            QStringLiteral("incidentDialog-%1x%2.png").arg(dialog->width()).arg(dialog->height()));
        const bool ok = dialog->grab().save(file);
        std::exchange(*once, nullptr)(ok ? file : QString());
    };
    connect(dialog, &IncidentDialog::reportShown, dialog, finish);
    QTimer::singleShot(10000, dialog, finish);
}

IncidentDialog *MainWindow::showIncidentReport()
{
    if (!m_incidentDialog) {
        m_incidentDialog = new IncidentDialog(m_gateway, this);
        m_incidentDialog->setAttribute(Qt::WA_DeleteOnClose);
    }
    m_incidentDialog->show();
    m_incidentDialog->raise();
    m_incidentDialog->activateWindow();
    return m_incidentDialog;
}

void MainWindow::setConfigurationOpener(ConfigurationOpener opener)
{
    m_openConfiguration = std::move(opener);
    m_openConfigAction->setVisible(bool(m_openConfiguration));
}

void MainWindow::askAndOpenConfiguration()
{
    if (!m_openConfiguration)
        return;
    const QString current = m_gateway->isConfigSaved() ? m_gateway->configLocation() : QString();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Configuration"),
        current.isEmpty() ? QDir::homePath() : QFileInfo(current).absolutePath(),
        tr("Switchyard configuration (*.json)"));
    if (path.isEmpty())
        return;
    const QStringList errors = m_openConfiguration(path);
    if (!errors.isEmpty())
        QMessageBox::warning(this, tr("Open Configuration"),
            tr("%1 was not opened; the running configuration stays:\n\n%2")
                .arg(path, errors.join(QLatin1Char('\n'))));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    ConsoleSettings settings;
    settings.setWindowGeometry(saveGeometry());
    settings.setWindowState(saveState());
    settings.setCurrentView(m_tabs->currentWidget()->objectName());
    QMainWindow::closeEvent(event);
    if (event->isAccepted())
        Q_EMIT closed();
}

void MainWindow::onRoutesUpdated(const QList<RouteSnapshot> &routes)
{
    m_routes->setSnapshots(routes);
    m_figures.setRoutes(routes);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_laneHealth->setRoutes(routes, now);
    m_history.setRoutes(routes, now);
    updateStatus();
}

void MainWindow::onTracesAdded(const QList<TraceRecord> &traces, bool live)
{
    m_traces->addTraces(traces);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_laneHealth->addTraces(traces, live ? now : -1);
    for (const TraceRecord &trace : traces)
        m_history.addRequest(trace);
    for (const TraceRecord &trace : traces) {
        // Live ones as they arrive here (an attached gateway's clock may differ from this one);
        // history by the time it ended.
        m_figures.addRequest(trace, live ? now : -1);
        if (!live || !trace.degraded)
            continue;
        m_degradedLanes.insert(trace.lane, now);
        notify(QStringLiteral("degraded:") + trace.lane,
            tr("Lane %1 runs degraded").arg(trace.lane),
            tr("Every route of its chain failed; %1 answered instead.").arg(trace.route));
    }
    updateStatus();
}

void MainWindow::onStateChanged(const StateEvent &event)
{
    m_events->addEvents({ event });
    m_history.addEvent(event);
    if (event.to == BreakerState::Open)
        notify(QStringLiteral("open:") + event.route, tr("Breaker of %1 opened").arg(event.route),
            event.reason);
}

void MainWindow::onConfigApplied()
{
    const Config &config = m_gateway->config();
    m_laneHealth->setConfig(config);
    m_providersView->reloadFromDocument();
    m_lanesView->reloadIfUnchanged();
    m_tracesView->setLanesAndRoutes(config.lanes.keys(), config.routes.keys());
}

void MainWindow::updateStatus()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const StatusFigures::Traffic traffic = m_figures.trafficAt(now);
    m_laneHealth->refresh(now);
    const QList<StatusFigures::Troubled> troubles = m_figures.troubles();
    updateBanner(troubles, now);
    m_rate->setText(tr("%1 req/s").arg(traffic.requestsPerSecond, 0, 'f', 1));
    QString errors = traffic.requests == 0
        ? tr("errors: –")
        : tr("errors: %1% (1 min)").arg(100.0 * traffic.errorShare(), 0, 'f', 1);
    if (traffic.panics > 0)
        //: status bar: requests sent to a route whose breaker was open, every other being held back
        errors += QStringLiteral(" · ") + tr("%n in panic mode", nullptr, traffic.panics);
    m_errors->setText(errors);
    m_errors->setToolTip(tr("Of the requests that ended in the last minute: those that failed "
                            "because of an upstream or the gateway, streams that broke after they "
                            "started included."));

    if (troubles.isEmpty()) {
        m_openBreakers->setText(tr("all routes serving"));
        m_openBreakers->setToolTip(QString());
        return;
    }
    QStringList parts;
    QStringList details;
    bool serious = false;
    for (const StatusFigures::Troubled &troubled : troubles) {
        const QString text = troubleText(troubled.trouble, int(troubled.routes.size()));
        // Names while they fit; the tooltip has them all.
        parts.append(troubled.routes.size() <= 2
                ? QStringLiteral("%1 (%2)").arg(text, troubled.routes.join(QLatin1String(", ")))
                : text);
        details.append(
            QStringLiteral("%1: %2").arg(text, troubled.routes.join(QLatin1String(", "))));
        serious = serious || StatusFigures::stopsTraffic(troubled.trouble);
    }
    m_openBreakers->setText(
        (serious ? QStringLiteral("⚠ ") : QString()) + parts.join(QStringLiteral(" · ")));
    m_openBreakers->setToolTip(details.join(QLatin1Char('\n')));
}

QString MainWindow::troubleText(StatusFigures::Trouble trouble, int routes)
{
    switch (trouble) {
    case StatusFigures::Trouble::Open:
        //: status bar: how many routes have an open breaker
        return tr("%n open", nullptr, routes);
    case StatusFigures::Trouble::HalfOpen:
        return tr("%n half-open", nullptr, routes);
    case StatusFigures::Trouble::Misconfigured:
        //: status bar: routes that cannot serve for a missing key or a wrong setting
        return tr("%n misconfigured", nullptr, routes);
    case StatusFigures::Trouble::Drilling:
        return tr("%n drilling", nullptr, routes);
    case StatusFigures::Trouble::Recovering:
        //: status bar: routes taking back their traffic in steps
        return tr("%n recovering", nullptr, routes);
    case StatusFigures::Trouble::Drained:
        return tr("%n drained", nullptr, routes);
    }
    return QString();
}

void MainWindow::notify(const QString &key, const QString &title, const QString &text)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (now - m_lastNotified.value(key, 0) < NotifyEveryMs)
        return;
    m_lastNotified.insert(key, now);
    statusBar()->showMessage(QStringLiteral("%1: %2").arg(title, text), 8000);
    // The desktop's notification service first (it reaches desktops without a tray); the tray
    // balloon where there is no such service.
    m_pendingAlertTitle = title;
    m_pendingAlertText = text;
    // Notification servers render the body as markup: names and reasons from the gateway are text.
    m_notifier->notify(title, text.toHtmlEscaped(), false);
    Q_EMIT alerted(title, text);
}

void MainWindow::updateBanner(const QList<StatusFigures::Troubled> &troubles, qint64 nowMs)
{
    QStringList said;
    for (const StatusFigures::Troubled &troubled : troubles) {
        switch (troubled.trouble) {
        case StatusFigures::Trouble::Open:
        case StatusFigures::Trouble::HalfOpen:
            //: incident banner; %1: route names
            said.append(tr("breaker open on %1").arg(troubled.routes.join(QLatin1String(", "))));
            break;
        case StatusFigures::Trouble::Misconfigured:
            said.append(tr("%1 cannot serve (key or setting)")
                            .arg(troubled.routes.join(QLatin1String(", "))));
            break;
        default:
            break;
        }
    }
    QStringList lanes;
    for (auto it = m_degradedLanes.begin(); it != m_degradedLanes.end();) {
        if (it.value() < nowMs - StatusFigures::ErrorWindowMs) {
            it = m_degradedLanes.erase(it);
            continue;
        }
        lanes.append(it.key());
        ++it;
    }
    lanes.sort();
    if (!lanes.isEmpty())
        said.append(tr("lane %1 runs on its degraded route").arg(lanes.join(QLatin1String(", "))));
    m_banner->setVisible(!said.isEmpty());
    if (!said.isEmpty())
        m_banner->setText(
            QStringLiteral("⚠ ") + tr("Degraded: %1").arg(said.join(QLatin1String("; "))));
}

} // namespace Switchyard
