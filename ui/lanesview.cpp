#include "lanesview.h"

#include "config/configdocument.h"
#include "link/gatewaylink.h"
#include "models/chainmodel.h"
#include "models/chainpreviewmodel.h"
#include "models/routetablemodel.h"
#include "models/tracelistmodel.h"
#include "routecarddelegate.h"
#include "routing/chainpreview.h"
#include "routing/chainwarnings.h"
#include "tableviews.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListView>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <limits>

namespace Switchyard {

namespace {

QListView *cardList(ChainModel *model, bool chain, QWidget *parent)
{
    auto *view = new QListView(parent);
    view->setModel(model);
    view->setItemDelegate(new RouteCardDelegate(chain, view));
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setDragEnabled(true);
    if (chain) {
        view->setDragDropMode(QAbstractItemView::DragDrop);
        view->setDefaultDropAction(Qt::MoveAction);
        view->setAcceptDrops(true);
        view->setDropIndicatorShown(true);
    } else {
        view->setDragDropMode(QAbstractItemView::DragOnly);
        view->setDefaultDropAction(Qt::CopyAction);
    }
    view->setDragDropOverwriteMode(false);
    return view;
}

} // namespace

LanesView::LanesView(
    GatewayLink *gateway, TraceListModel *traces, RouteTableModel *routes, QWidget *parent)
    : QWidget(parent)
    , m_gateway(gateway)
    , m_traces(traces)
    , m_routes(routes)
    , m_lanes(new QComboBox(this))
    , m_chain(new ChainModel(true, this))
    , m_palette(new ChainModel(false, this))
    , m_degraded(new QComboBox(this))
    , m_policyFallbacks(new QLabel(this))
    , m_retries(new QSpinBox(this))
    , m_deadline(new QSpinBox(this))
    , m_budget(new QDoubleSpinBox(this))
    , m_continuation(new QComboBox(this))
    , m_hedge(new QSpinBox(this))
    , m_warnings(new QLabel(this))
    , m_preview(new ChainPreviewModel(this))
    , m_previewSummary(new QLabel(this))
    , m_status(new QLabel(this))
    , m_apply(new QPushButton(tr("Apply"), this))
    , m_revert(new QPushButton(tr("Revert"), this))
{
    setObjectName(QStringLiteral("lanesView"));
    m_chainView = cardList(m_chain, true, this);
    m_chainView->setAccessibleName(tr("Fallback chain"));
    m_paletteView = cardList(m_palette, false, this);
    m_paletteView->setAccessibleName(tr("Routes"));

    auto *up = new QPushButton(tr("Move up"), this);
    auto *down = new QPushButton(tr("Move down"), this);
    auto *remove = new QPushButton(tr("Remove"), this);
    auto *add = new QPushButton(tr("← Add to chain"), this);
    up->setShortcut(QKeySequence(tr("Alt+Up")));
    down->setShortcut(QKeySequence(tr("Alt+Down")));
    remove->setShortcut(QKeySequence::Delete);
    connect(up, &QPushButton::clicked, this, [this] { moveSelected(-1); });
    connect(down, &QPushButton::clicked, this, [this] { moveSelected(1); });
    connect(remove, &QPushButton::clicked, this, &LanesView::removeSelectedRoute);
    connect(add, &QPushButton::clicked, this, &LanesView::addSelectedRoute);
    connect(m_paletteView, &QListView::doubleClicked, this, &LanesView::addSelectedRoute);
    connect(m_apply, &QPushButton::clicked, this, &LanesView::apply);
    connect(m_revert, &QPushButton::clicked, this, &LanesView::revert);
    connect(m_lanes, &QComboBox::currentTextChanged, this, [this](const QString &lane) {
        if (!m_loading)
            showLane(lane);
    });
    connect(m_chain, &ChainModel::edited, this, &LanesView::onChainEdited);
    connect(m_degraded, &QComboBox::currentIndexChanged, this, &LanesView::onChainEdited);

    // The lane's settings, edited in place.
    m_retries->setRange(0, 10);
    // The loader's ranges: a box that clamped or rounded a value from the file would write it back.
    m_deadline->setRange(1, std::numeric_limits<int>::max());
    m_deadline->setSingleStep(1000);
    m_deadline->setSuffix(tr(" ms"));
    m_budget->setRange(0, 1e9);
    m_budget->setDecimals(4);
    m_budget->setPrefix(QStringLiteral("$"));
    m_budget->setSpecialValueText(tr("no cap"));
    m_continuation->addItem(
        tr("Off: the caller gets the error"), continuationName(Continuation::Off));
    m_continuation->addItem(
        tr("Prefill: the next route continues the text"), continuationName(Continuation::Prefill));
    m_continuation->addItem(
        tr("Restart: the next route answers anew"), continuationName(Continuation::Restart));
    m_hedge->setRange(0, std::numeric_limits<int>::max());
    m_hedge->setSingleStep(250);
    m_hedge->setSuffix(tr(" ms"));
    m_hedge->setSpecialValueText(tr("off"));
    for (QSpinBox *box : { m_retries, m_deadline, m_hedge })
        connect(box, &QSpinBox::valueChanged, this, &LanesView::onChainEdited);
    connect(m_budget, &QDoubleSpinBox::valueChanged, this, &LanesView::onChainEdited);
    connect(m_continuation, &QComboBox::currentIndexChanged, this, &LanesView::onChainEdited);

    connect(gateway, &GatewayLink::configChangedElsewhere, this, &LanesView::onReloaded);
    connect(gateway, &GatewayLink::configReloadRefused, this, [this](const QString &why) {
        m_status->setText(
            tr("The file on disk is not valid; the running configuration stays: %1").arg(why));
    });
    // The preview follows the traffic too, a second after requests end (however many end).
    auto *previewLater = new QTimer(this);
    previewLater->setSingleShot(true);
    previewLater->setInterval(1000);
    connect(previewLater, &QTimer::timeout, this, [this] {
        if (isVisible()) // a hidden view catches up when shown
            updatePreview();
    });
    connect(traces, &QAbstractItemModel::rowsInserted, previewLater, [previewLater] {
        if (!previewLater->isActive())
            previewLater->start();
    });
    // The cards show the routes' states as they change.
    connect(routes, &QAbstractItemModel::dataChanged, this, &LanesView::updateRouteInfo);
    connect(routes, &QAbstractItemModel::rowsInserted, this, &LanesView::updateRouteInfo);

    m_warnings->setWordWrap(true);
    m_warnings->setTextFormat(Qt::RichText);
    m_status->setWordWrap(true);
    m_policyFallbacks->setWordWrap(true);
    m_previewSummary->setWordWrap(true);

    auto *chainBox
        = new QGroupBox(tr("Fallback chain (tried top to bottom; drag to reorder)"), this);
    auto *chainLayout = new QGridLayout(chainBox);
    chainLayout->addWidget(m_chainView, 0, 0, 4, 1);
    chainLayout->addWidget(up, 0, 1);
    chainLayout->addWidget(down, 1, 1);
    chainLayout->addWidget(remove, 2, 1);
    chainLayout->addWidget(
        new QLabel(tr("Degraded route (last resort, when the whole chain fails):"), chainBox), 4, 0,
        1, 2);
    chainLayout->addWidget(m_degraded, 5, 0, 1, 2);
    chainLayout->addWidget(m_policyFallbacks, 6, 0, 1, 2);
    chainLayout->setRowStretch(3, 1);

    auto *paletteBox = new QGroupBox(tr("Routes (drag into the chain)"), this);
    auto *paletteLayout = new QVBoxLayout(paletteBox);
    paletteLayout->addWidget(m_paletteView);
    paletteLayout->addWidget(add);

    auto *settingsBox = new QGroupBox(tr("Lane settings"), this);
    auto *settings = new QFormLayout(settingsBox);
    settings->addRow(tr("Retries per route:"), m_retries);
    settings->addRow(tr("Deadline:"), m_deadline);
    settings->addRow(tr("Budget per day:"), m_budget);
    settings->addRow(tr("A stream that breaks:"), m_continuation);
    settings->addRow(tr("Hedge after:"), m_hedge);

    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Lane:"), this));
    top->addWidget(m_lanes, 1);
    auto *editors = new QHBoxLayout;
    editors->addWidget(chainBox, 3);
    editors->addWidget(paletteBox, 2);
    editors->addWidget(settingsBox, 2);

    auto *warningsBox = new QGroupBox(tr("Warnings"), this);
    auto *warningsLayout = new QVBoxLayout(warningsBox);
    warningsLayout->addWidget(m_warnings);

    m_previewTable = makeTable(m_preview, this);
    m_previewTable->setObjectName(QStringLiteral("whatIf"));
    m_previewTable->horizontalHeader()->setSectionResizeMode(
        ChainPreviewModel::Skipped, QHeaderView::Stretch);
    m_previewTable->horizontalHeader()->setStretchLastSection(false);
    auto *previewBox = new QGroupBox(tr("What if: the edited chain on this lane's recent requests, "
                                        "with the routes as they are now"),
        this);
    auto *previewLayout = new QVBoxLayout(previewBox);
    previewLayout->addWidget(m_previewSummary);
    previewLayout->addWidget(m_previewTable, 1);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_status, 1);
    buttons->addWidget(m_revert);
    buttons->addWidget(m_apply);

    auto *upper = new QWidget(this);
    auto *upperLayout = new QVBoxLayout(upper);
    upperLayout->setContentsMargins(0, 0, 0, 0);
    upperLayout->addLayout(editors, 1);
    upperLayout->addWidget(warningsBox);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(upper);
    split->addWidget(previewBox);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(split, 1);
    layout->addLayout(buttons);
    reloadFromDocument();
}

void LanesView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    updatePreview();
}

QString LanesView::currentLane() const
{
    return m_lanes->currentText();
}

void LanesView::reloadFromDocument()
{
    m_config = m_gateway->config();
    const QString lane
        = m_config.lanes.contains(currentLane()) ? currentLane() : m_config.defaultLane;
    m_loading = true;
    m_lanes->clear();
    m_lanes->addItems(m_config.lanes.keys());
    m_loading = false;
    m_palette->setRoutes(m_config.routes.keys());
    updateRouteInfo();
    showLane(lane.isEmpty() && !m_config.lanes.isEmpty() ? m_config.lanes.firstKey() : lane);
}

QHash<QString, RouteSnapshot> LanesView::routeStates() const
{
    QHash<QString, RouteSnapshot> states;
    for (int row = 0; row < m_routes->rowCount(); ++row)
        states.insert(m_routes->snapshot(row).name, m_routes->snapshot(row));
    return states;
}

void LanesView::updateRouteInfo()
{
    const QHash<QString, RouteSnapshot> states = routeStates();
    m_chain->setRouteInfo(m_config, states);
    m_palette->setRouteInfo(m_config, states);
}

void LanesView::showLane(const QString &lane)
{
    const LaneConfig config = m_config.lanes.value(lane);
    m_loading = true;
    m_lanes->setCurrentText(lane);
    m_chain->setRoutes(config.chain);
    m_degraded->clear();
    m_degraded->addItem(tr("(none: fail when the chain fails)"), QString());
    for (const QString &route : m_config.routes.keys())
        m_degraded->addItem(route, route);
    m_degraded->setCurrentIndex(qMax(0, m_degraded->findData(config.degraded)));
    m_policyFallbacks->setText(config.policyFallbacks.isEmpty()
            ? tr("Policy fallbacks: none (a refusal by a provider's policy goes to the caller).")
            : tr("Policy fallbacks (tried only when a provider refuses on policy): %1")
                  .arg(config.policyFallbacks.join(QLatin1String(" → "))));
    m_retries->setValue(config.retry.maxRetries);
    m_deadline->setValue(config.deadlineMs);
    m_budget->setValue(config.budgetUsdPerDay);
    m_continuation->setCurrentIndex(
        qMax(0, m_continuation->findData(continuationName(config.continuation))));
    m_hedge->setValue(config.hedge.afterMs);
    m_loading = false;
    m_shown = editedLane(); // what Apply compares with: only what the operator changed is written
    setDirty(false);
    m_lastError.clear();
    m_status->setText(m_gateway->isConfigSaved()
            ? tr("Saved in %1").arg(m_gateway->configLocation())
            : tr("Demo configuration: Apply changes the running gateway only."));
    updateWarnings();
    updatePreview();
}

LaneConfig LanesView::editedLane() const
{
    LaneConfig lane = m_config.lanes.value(currentLane());
    lane.chain = m_chain->routes();
    lane.degraded = m_degraded->currentData().toString();
    lane.retry.maxRetries = m_retries->value();
    lane.deadlineMs = m_deadline->value();
    lane.budgetUsdPerDay = m_budget->value();
    for (Continuation continuation :
        { Continuation::Off, Continuation::Prefill, Continuation::Restart }) {
        if (continuationName(continuation) == m_continuation->currentData().toString())
            lane.continuation = continuation;
    }
    lane.hedge.afterMs = m_hedge->value();
    return lane;
}

void LanesView::onChainEdited()
{
    if (m_loading)
        return;
    setDirty(true);
    m_status->setText(tr("Unapplied changes."));
    updateWarnings();
    updatePreview();
}

void LanesView::setDirty(bool dirty)
{
    m_dirty = dirty;
    m_apply->setEnabled(dirty);
    m_revert->setEnabled(dirty);
}

void LanesView::updateWarnings()
{
    m_warningList
        = chainWarnings(m_config, m_chain->routes(), m_degraded->currentData().toString());
    if (m_warningList.isEmpty()) {
        m_warnings->setText(tr("Every fallback can honour what the first route does."));
        return;
    }
    QString html = QStringLiteral("<ul style=\"margin:0\">");
    for (const QString &warning : std::as_const(m_warningList))
        html += QStringLiteral("<li>⚠ %1</li>").arg(warning.toHtmlEscaped());
    m_warnings->setText(html + QStringLiteral("</ul>"));
}

void LanesView::updatePreview()
{
    QList<TraceRecord> traces;
    for (int row = 0; row < m_traces->rowCount(); ++row)
        traces.append(m_traces->index(row, 0).data(TraceListModel::TraceRole).value<TraceRecord>());
    m_preview->setPreview(ChainPreview::run(traces, currentLane(), m_config, m_chain->routes(),
        m_degraded->currentData().toString(), routeStates()));
    m_previewSummary->setText(m_preview->summary());
}

void LanesView::addSelectedRoute()
{
    const QModelIndex index = m_paletteView->currentIndex();
    if (!index.isValid())
        return;
    const QString route = index.data().toString();
    if (!m_chain->routes().contains(route))
        m_chain->insertRoute(m_chain->rowCount(), route);
}

void LanesView::removeSelectedRoute()
{
    const QModelIndex index = m_chainView->currentIndex();
    if (index.isValid())
        m_chain->removeRoute(index.row());
}

void LanesView::moveSelected(int delta)
{
    const QModelIndex index = m_chainView->currentIndex();
    if (!index.isValid())
        return;
    const int target = index.row() + delta;
    if (target < 0 || target >= m_chain->rowCount())
        return;
    m_chain->moveRoute(index.row(), target);
    m_chainView->setCurrentIndex(m_chain->index(target));
}

void LanesView::apply()
{
    const QString lane = currentLane();
    const LaneConfig edited = editedLane();
    QJsonObject json
        = ConfigDocument::withLane(m_gateway->configJson(), lane, edited.chain, edited.degraded);
    json = ConfigDocument::withLaneSettings(json, lane, m_shown, edited);
    m_apply->setEnabled(false);
    m_status->setText(tr("Applying…"));
    m_gateway->proposeConfig(json, this, [this, lane, edited](const QStringList &errors) {
        if (!errors.isEmpty()) {
            m_lastError = errors.join(QLatin1Char('\n'));
            m_apply->setEnabled(m_dirty);
            m_status->setText(tr("Not applied: %1").arg(m_lastError));
            return;
        }
        const LaneConfig shown = editedLane();
        if (currentLane() != lane || shown.chain != edited.chain
            || shown.degraded != edited.degraded
            || shown.retry.maxRetries != edited.retry.maxRetries
            || shown.deadlineMs != edited.deadlineMs
            || shown.budgetUsdPerDay != edited.budgetUsdPerDay
            || shown.continuation != edited.continuation
            || shown.hedge.afterMs != edited.hedge.afterMs) {
            // Edited again while the engine was answering: those edits stay, unapplied.
            m_config = m_gateway->config();
            m_apply->setEnabled(true);
            m_status->setText(tr("Applied; the edits made since are not applied yet."));
            updateWarnings();
            Q_EMIT applied(lane);
            return;
        }
        reloadFromDocument();
        showLane(lane);
        m_status->setText(m_gateway->isConfigSaved() ? tr("Applied and saved.")
                                                     : tr("Applied to the running gateway."));
        Q_EMIT applied(lane);
    });
}

void LanesView::reloadIfUnchanged()
{
    if (!m_dirty)
        reloadFromDocument();
}

void LanesView::revert()
{
    showLane(currentLane());
}

void LanesView::onReloaded()
{
    if (m_dirty) {
        m_status->setText(tr("The file changed on disk and now runs. Revert to load it (your "
                             "edits will be lost), or Apply them over it."));
        return;
    }
    reloadFromDocument();
    m_status->setText(tr("Reloaded the file after an external change."));
}

} // namespace Switchyard
