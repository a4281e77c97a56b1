#pragma once

#include "routing/breaker.h"

#include <QDialog>

class QComboBox;
class QSpinBox;

namespace Switchyard {

// Asks which failure to inject into a route, and for how long.
class DrillDialog final : public QDialog {
    Q_OBJECT
public:
    explicit DrillDialog(const QString &route, QWidget *parent = nullptr);

    DrillFault fault() const;
    int seconds() const;

private:
    QComboBox *m_fault;
    QSpinBox *m_seconds;
};

} // namespace Switchyard
