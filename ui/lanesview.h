#pragma once

#include "config/config.h"
#include "routing/routesnapshot.h"

#include <QHash>

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QListView;
class QPushButton;
class QSpinBox;
class QTableView;

namespace Switchyard {

class ChainModel;
class ChainPreviewModel;
class GatewayLink;
class RouteTableModel;
class TraceListModel;

// The Lanes view: a visual editor of one lane. Its chain drawn as route cards with their live
// state, capabilities, context window and price, reordered by dragging (a drop always inserts);
// the degraded route and policy fallbacks as what they are; the lane's settings in place; and a
// what-if preview of the edited chain on the lane's recent requests, before Apply validates,
// saves and swaps the running config.
class LanesView final : public QWidget {
    Q_OBJECT
public:
    // `traces` and `routes` feed the cards' states and the what-if preview.
    LanesView(GatewayLink *gateway, TraceListModel *traces, RouteTableModel *routes,
        QWidget *parent = nullptr);

    void showLane(const QString &lane);
    QString currentLane() const;
    ChainModel *chainModel() const { return m_chain; }
    ChainModel *paletteModel() const { return m_palette; }
    QListView *chainView() const { return m_chainView; }
    QComboBox *degradedBox() const { return m_degraded; }
    ChainPreviewModel *previewModel() const { return m_preview; }
    QLabel *previewSummary() const { return m_previewSummary; }
    QSpinBox *retriesBox() const { return m_retries; }
    QSpinBox *deadlineBox() const { return m_deadline; }
    QDoubleSpinBox *budgetBox() const { return m_budget; }
    QComboBox *continuationBox() const { return m_continuation; }
    QSpinBox *hedgeBox() const { return m_hedge; }
    QStringList warnings() const { return m_warningList; }
    bool hasUnappliedChanges() const { return m_dirty; }
    QString lastError() const { return m_lastError; }

    void addSelectedRoute();
    void removeSelectedRoute();
    void moveSelected(int delta);
    // Asks for the edited lane to run; the answer arrives in the status line (and applied()).
    void apply();
    void revert();
    // After a config was applied elsewhere (the Providers view): new routes join the palette,
    // unless the lane here has edits not yet applied.
    void reloadIfUnchanged();
    // The what-if preview of the chain as edited, on the lane's recent requests.
    void updatePreview();

Q_SIGNALS:
    void applied(const QString &lane);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void reloadFromDocument();
    void onChainEdited();
    void onReloaded();
    void updateWarnings();
    void updateRouteInfo();
    void setDirty(bool dirty);
    LaneConfig editedLane() const;
    // The routes' states as the Routes view has them, by name.
    QHash<QString, RouteSnapshot> routeStates() const;

    GatewayLink *m_gateway;
    TraceListModel *m_traces;
    RouteTableModel *m_routes;
    Config m_config;
    LaneConfig m_shown; // the lane as its editors showed it when loaded
    QComboBox *m_lanes;
    QListView *m_chainView;
    QListView *m_paletteView;
    ChainModel *m_chain;
    ChainModel *m_palette;
    QComboBox *m_degraded;
    QLabel *m_policyFallbacks;
    QSpinBox *m_retries;
    QSpinBox *m_deadline;
    QDoubleSpinBox *m_budget;
    QComboBox *m_continuation;
    QSpinBox *m_hedge;
    QLabel *m_warnings;
    ChainPreviewModel *m_preview;
    QTableView *m_previewTable;
    QLabel *m_previewSummary;
    QLabel *m_status;
    QPushButton *m_apply;
    QPushButton *m_revert;
    QStringList m_warningList;
    QString m_lastError;
    bool m_dirty = false;
    bool m_loading = false;
};

} // namespace Switchyard
