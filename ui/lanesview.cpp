#include "lanesview.h"

#include "config/configdocument.h"
#include "link/gatewaylink.h"
#include "routing/chainwarnings.h"

#include <QComboBox>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QPushButton>
#include <QStringListModel>
#include <QVBoxLayout>

namespace Switchyard {

LanesView::LanesView(GatewayLink *gateway, QWidget *parent)
    : QWidget(parent)
    , m_gateway(gateway)
    , m_lanes(new QComboBox(this))
    , m_chainView(new QListView(this))
    , m_paletteView(new QListView(this))
    , m_chain(new QStringListModel(this))
    , m_palette(new QStringListModel(this))
    , m_degraded(new QComboBox(this))
    , m_warnings(new QLabel(this))
    , m_status(new QLabel(this))
    , m_apply(new QPushButton(tr("Apply"), this))
    , m_revert(new QPushButton(tr("Revert"), this))
{
    setObjectName(QStringLiteral("lanesView"));
    m_chainView->setModel(m_chain);
    m_chainView->setDragDropMode(QAbstractItemView::DragDrop);
    m_chainView->setDefaultDropAction(Qt::MoveAction);
    m_chainView->setDragDropOverwriteMode(false);
    m_chainView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_chainView->setAccessibleName(tr("Fallback chain"));
    m_paletteView->setModel(m_palette);
    m_paletteView->setDragDropMode(QAbstractItemView::DragOnly);
    m_paletteView->setDefaultDropAction(Qt::CopyAction);
    m_paletteView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_paletteView->setAccessibleName(tr("Routes"));

    auto *up = new QPushButton(tr("Move up"), this);
    auto *down = new QPushButton(tr("Move down"), this);
    auto *remove = new QPushButton(tr("Remove"), this);
    auto *add = new QPushButton(tr("← Add to chain"), this);
    up->setShortcut(QKeySequence(tr("Alt+Up")));
    down->setShortcut(QKeySequence(tr("Alt+Down")));
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
    connect(m_degraded, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_loading)
            onChainEdited();
    });
    connect(m_chain, &QAbstractItemModel::rowsInserted, this, &LanesView::onChainEdited);
    connect(m_chain, &QAbstractItemModel::rowsRemoved, this, &LanesView::onChainEdited);
    connect(m_chain, &QAbstractItemModel::rowsMoved, this, &LanesView::onChainEdited);
    connect(m_chain, &QAbstractItemModel::dataChanged, this, &LanesView::onChainEdited);
    connect(gateway, &GatewayLink::configChangedElsewhere, this, &LanesView::onReloaded);
    connect(gateway, &GatewayLink::configReloadRefused, this, [this](const QString &why) {
        m_status->setText(
            tr("The file on disk is not valid; the running configuration stays: %1").arg(why));
    });

    m_warnings->setWordWrap(true);
    m_warnings->setTextFormat(Qt::RichText);
    m_status->setWordWrap(true);

    auto *chainBox = new QGroupBox(tr("Fallback chain (tried top to bottom)"), this);
    auto *chainLayout = new QGridLayout(chainBox);
    chainLayout->addWidget(m_chainView, 0, 0, 4, 1);
    chainLayout->addWidget(up, 0, 1);
    chainLayout->addWidget(down, 1, 1);
    chainLayout->addWidget(remove, 2, 1);
    chainLayout->addWidget(new QLabel(tr("Degraded route (last resort):"), chainBox), 4, 0, 1, 2);
    chainLayout->addWidget(m_degraded, 5, 0, 1, 2);
    chainLayout->setRowStretch(3, 1); // extra height goes to the chain, not between the controls

    auto *paletteBox = new QGroupBox(tr("Routes"), this);
    auto *paletteLayout = new QVBoxLayout(paletteBox);
    paletteLayout->addWidget(m_paletteView);
    paletteLayout->addWidget(add);

    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Lane:"), this));
    top->addWidget(m_lanes, 1);
    auto *editors = new QHBoxLayout;
    editors->addWidget(chainBox, 3);
    editors->addWidget(paletteBox, 2);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_status, 1);
    buttons->addWidget(m_revert);
    buttons->addWidget(m_apply);
    auto *warningsBox = new QGroupBox(tr("Warnings"), this);
    auto *warningsLayout = new QVBoxLayout(warningsBox);
    warningsLayout->addWidget(m_warnings);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addLayout(editors, 1);
    layout->addWidget(warningsBox);
    layout->addLayout(buttons);
    reloadFromDocument();
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
    m_palette->setStringList(m_config.routes.keys());
    showLane(lane.isEmpty() && !m_config.lanes.isEmpty() ? m_config.lanes.firstKey() : lane);
}

void LanesView::showLane(const QString &lane)
{
    const LaneConfig config = m_config.lanes.value(lane);
    m_loading = true;
    m_lanes->setCurrentText(lane);
    m_chain->setStringList(config.chain);
    m_degraded->clear();
    m_degraded->addItem(tr("(none: fail when the chain fails)"), QString());
    for (const QString &route : m_config.routes.keys())
        m_degraded->addItem(route, route);
    m_degraded->setCurrentIndex(qMax(0, m_degraded->findData(config.degraded)));
    m_loading = false;
    setDirty(false);
    m_lastError.clear();
    m_status->setText(m_gateway->isConfigSaved()
            ? tr("Saved in %1").arg(m_gateway->configLocation())
            : tr("Demo configuration: Apply changes the running gateway only."));
    updateWarnings();
}

void LanesView::onChainEdited()
{
    if (m_loading)
        return;
    setDirty(true);
    m_status->setText(tr("Unapplied changes."));
    updateWarnings();
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
        = chainWarnings(m_config, m_chain->stringList(), m_degraded->currentData().toString());
    if (m_warningList.isEmpty()) {
        m_warnings->setText(tr("Every fallback can honour what the first route does."));
        return;
    }
    QString html = QStringLiteral("<ul style=\"margin:0\">");
    for (const QString &warning : std::as_const(m_warningList))
        html += QStringLiteral("<li>⚠ %1</li>").arg(warning.toHtmlEscaped());
    m_warnings->setText(html + QStringLiteral("</ul>"));
}

void LanesView::addSelectedRoute()
{
    const QModelIndex index = m_paletteView->currentIndex();
    if (!index.isValid())
        return;
    const QString route = index.data().toString();
    if (m_chain->stringList().contains(route))
        return;
    const int row = m_chain->rowCount();
    m_chain->insertRows(row, 1);
    m_chain->setData(m_chain->index(row), route);
}

void LanesView::removeSelectedRoute()
{
    const QModelIndex index = m_chainView->currentIndex();
    if (index.isValid())
        m_chain->removeRows(index.row(), 1);
}

void LanesView::moveSelected(int delta)
{
    const QModelIndex index = m_chainView->currentIndex();
    if (!index.isValid())
        return;
    const int target = index.row() + delta;
    if (target < 0 || target >= m_chain->rowCount())
        return;
    // moveRows' destination is the row before which the moved row lands.
    m_chain->moveRows(
        QModelIndex(), index.row(), 1, QModelIndex(), delta > 0 ? target + 1 : target);
    m_chainView->setCurrentIndex(m_chain->index(target));
}

void LanesView::apply()
{
    QStringList chain = m_chain->stringList();
    chain.removeAll(QString()); // an aborted drag can leave an empty row behind
    const QJsonObject json = ConfigDocument::withLane(
        m_gateway->configJson(), currentLane(), chain, m_degraded->currentData().toString());
    const QString lane = currentLane();
    const QString degraded = m_degraded->currentData().toString();
    m_apply->setEnabled(false);
    m_status->setText(tr("Applying…"));
    m_gateway->proposeConfig(json, this, [this, lane, chain, degraded](const QStringList &errors) {
        if (!errors.isEmpty()) {
            m_lastError = errors.join(QLatin1Char('\n'));
            m_apply->setEnabled(m_dirty);
            m_status->setText(tr("Not applied: %1").arg(m_lastError));
            return;
        }
        QStringList shown = m_chain->stringList();
        shown.removeAll(QString());
        if (currentLane() != lane || shown != chain
            || m_degraded->currentData().toString() != degraded) {
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
