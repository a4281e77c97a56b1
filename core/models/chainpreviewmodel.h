#pragma once

#include "routing/chainpreview.h"

#include <QAbstractTableModel>

namespace Switchyard {

// The what-if preview as a table: per recent request of the lane, what served it then, what the
// edited chain would pick now, what it would skip and why, and the cost of each.
class ChainPreviewModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        Time,
        Needs,
        Tokens,
        ServedThen,
        WouldServe,
        Skipped,
        CostThen,
        CostNow,
        ColumnCount
    };
    enum Role { ChangedRole = Qt::UserRole }; // bool: another route than then, or none

    explicit ChainPreviewModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // A new preview replaces the old one whole (it is worked out anew on each edit).
    void setPreview(const ChainPreview &preview);
    const ChainPreview &preview() const { return m_preview; }
    // "Of 40 requests, 12 would go to another route, 0 to none; cost $0.40 instead of $0.31."
    QString summary() const;

private:
    ChainPreview m_preview;
};

} // namespace Switchyard
