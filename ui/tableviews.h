#pragma once

#include <QString>

class QAbstractItemModel;
class QTableView;
class QWidget;

namespace Switchyard {

// A read-only table of whole rows, one selected at a time, sized to its contents.
QTableView *makeTable(QAbstractItemModel *model, QWidget *parent);
// Sizes the columns to their contents again whenever rows come into an empty table (a header
// sized while empty would keep its columns collapsed to the width of their titles).
void keepColumnsFitted(QTableView *table);
// The first column of the selected row; empty when nothing is selected.
QString selectedName(QTableView *table);
// Selects the row whose first column is `name`, if there is one.
void selectName(QTableView *table, const QString &name);

} // namespace Switchyard
