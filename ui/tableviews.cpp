#include "tableviews.h"

#include <QHeaderView>
#include <QTableView>
#include <QTimer>

namespace Switchyard {

QTableView *makeTable(QAbstractItemModel *model, QWidget *parent)
{
    auto *table = new QTableView(parent);
    table->setModel(model);
    table->verticalHeader()->hide();
    table->setAlternatingRowColors(true);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setWordWrap(false);
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table->horizontalHeader()->setStretchLastSection(true);
    keepColumnsFitted(table);
    return table;
}

void keepColumnsFitted(QTableView *table)
{
    QAbstractItemModel *model = table->model();
    auto fit = [table] {
        // Later, once the view has laid the new rows out; at most once per turn of the loop.
        if (table->property("fitPending").toBool())
            return;
        table->setProperty("fitPending", true);
        QTimer::singleShot(0, table, [table] {
            table->setProperty("fitPending", false);
            table->horizontalHeader()->resizeSections(QHeaderView::ResizeToContents);
        });
    };
    QObject::connect(model, &QAbstractItemModel::rowsInserted, table,
        [model, fit](const QModelIndex &parent, int first, int last) {
            if (!parent.isValid() && first == 0 && model->rowCount() == last + 1)
                fit(); // the table was empty
        });
    QObject::connect(model, &QAbstractItemModel::modelReset, table, fit);
    QObject::connect(model, &QAbstractItemModel::layoutChanged, table, fit);
}

QString selectedName(QTableView *table)
{
    const QModelIndexList rows = table->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows.constFirst().data().toString();
}

void selectName(QTableView *table, const QString &name)
{
    const QAbstractItemModel *model = table->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, 0).data().toString() == name) {
            table->selectRow(row);
            return;
        }
    }
}

} // namespace Switchyard
