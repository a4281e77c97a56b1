#include "drilldialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>

namespace Switchyard {

DrillDialog::DrillDialog(const QString &route, QWidget *parent)
    : QDialog(parent)
    , m_fault(new QComboBox(this))
    , m_seconds(new QSpinBox(this))
{
    setWindowTitle(tr("Drill %1").arg(route));
    m_fault->addItem(tr("HTTP 503 Service Unavailable"), int(DrillFault::ServiceUnavailable));
    m_fault->addItem(tr("HTTP 429 Too Many Requests"), int(DrillFault::RateLimited));
    m_fault->addItem(tr("Timeout"), int(DrillFault::Timeout));
    m_fault->addItem(tr("Connection refused"), int(DrillFault::ConnectionRefused));
    m_fault->addItem(tr("Malformed body"), int(DrillFault::MalformedBody));
    m_seconds->setRange(1, 3600);
    m_seconds->setValue(60);
    m_seconds->setSuffix(tr(" s", "seconds"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Start drill"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *explanation = new QLabel(tr("Requests to %1 fail with the chosen fault, without calling "
                                      "it, so you can watch the lanes fall back. "
                                      "Afterwards the route returns to automatic.")
                                       .arg(route),
        this);
    explanation->setWordWrap(true);
    auto *layout = new QFormLayout(this);
    layout->addRow(explanation);
    layout->addRow(tr("Fault:"), m_fault);
    layout->addRow(tr("For:"), m_seconds);
    layout->addRow(buttons);
}

DrillFault DrillDialog::fault() const
{
    return DrillFault(m_fault->currentData().toInt());
}

int DrillDialog::seconds() const
{
    return m_seconds->value();
}

} // namespace Switchyard
