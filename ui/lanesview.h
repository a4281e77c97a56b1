#pragma once

#include "config/config.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QListView;
class QPushButton;
class QStringListModel;

namespace Switchyard {

class GatewayLink;

// The Lanes view: a visual editor of one lane's fallback chain. Drag to reorder, add and remove
// routes from the palette, pick the degraded route; warnings say where a fallback cannot do
// what the primary does. Apply validates, saves atomically and swaps the running config.
class LanesView final : public QWidget {
    Q_OBJECT
public:
    explicit LanesView(GatewayLink *gateway, QWidget *parent = nullptr);

    void showLane(const QString &lane);
    QString currentLane() const;
    QStringListModel *chainModel() const { return m_chain; }
    QComboBox *degradedBox() const { return m_degraded; }
    QStringList warnings() const { return m_warningList; }
    bool hasUnappliedChanges() const { return m_dirty; }
    QString lastError() const { return m_lastError; }

    void addSelectedRoute();
    void removeSelectedRoute();
    void moveSelected(int delta);
    // Asks for the edited chain to run; the answer arrives in the status line (and applied()).
    void apply();
    void revert();
    // After a config was applied elsewhere (the Providers view): new routes join the palette,
    // unless the chain here has edits not yet applied.
    void reloadIfUnchanged();

Q_SIGNALS:
    void applied(const QString &lane);

private:
    void reloadFromDocument();
    void onChainEdited();
    void onReloaded();
    void updateWarnings();
    void setDirty(bool dirty);

    GatewayLink *m_gateway;
    Config m_config;
    QComboBox *m_lanes;
    QListView *m_chainView;
    QListView *m_paletteView;
    QStringListModel *m_chain;
    QStringListModel *m_palette;
    QComboBox *m_degraded;
    QLabel *m_warnings;
    QLabel *m_status;
    QPushButton *m_apply;
    QPushButton *m_revert;
    QStringList m_warningList;
    QString m_lastError;
    bool m_dirty = false;
    bool m_loading = false;
};

} // namespace Switchyard
