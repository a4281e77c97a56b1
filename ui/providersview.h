#pragma once

#include <QWidget>

namespace Switchyard {

class ProviderTableModel;

// The Providers view: each provider, its key reference and whether the key works.
class ProvidersView final : public QWidget {
    Q_OBJECT
public:
    explicit ProvidersView(ProviderTableModel *model, QWidget *parent = nullptr);
};

} // namespace Switchyard
