#pragma once

#include <QString>

class QAbstractItemModel;
class QTableView;
class QWidget;

namespace Switchyard {

// A read-only table of whole rows, one selected at a time, sized to its contents.
QTableView *makeTable(QAbstractItemModel *model, QWidget *parent);
// The first column of the selected row; empty when nothing is selected.
QString selectedName(QTableView *table);
// Selects the row whose first column is `name`, if there is one.
void selectName(QTableView *table, const QString &name);

} // namespace Switchyard
