#pragma once

#include <QWidget>

class QTableView;

namespace Switchyard {

class LaneHealthModel;

// The lanes at a glance, above the routes: a row per lane with who serves it, since when, how
// much fell back and at what price, and what is happening in a sentence.
class LaneHealthView final : public QWidget {
    Q_OBJECT
public:
    explicit LaneHealthView(LaneHealthModel *model, QWidget *parent = nullptr);

    QTableView *table() const { return m_table; }

Q_SIGNALS:
    // A lane was picked: the route that serves it (empty when nothing does).
    void routePicked(const QString &route);

private:
    void fitHeight();

    LaneHealthModel *m_model;
    QTableView *m_table;
};

} // namespace Switchyard
