#include "providersview.h"

#include "models/providertablemodel.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace Switchyard {

ProvidersView::ProvidersView(ProviderTableModel *model, QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("providersView"));
    auto *table = new QTableView(this);
    table->setModel(model);
    table->verticalHeader()->hide();
    table->setAlternatingRowColors(true);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table->horizontalHeader()->setStretchLastSection(true);
    auto *note = new QLabel(
        tr("Keys are references to environment variables or the system keychain; their values are "
           "never shown. Edit providers in the configuration file."),
        this);
    note->setWordWrap(true);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(table, 1);
    layout->addWidget(note);
}

} // namespace Switchyard
