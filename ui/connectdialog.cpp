#include "connectdialog.h"

#include "link/attachment.h"
#include "statestyle.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace Switchyard {

ConnectDialog::ConnectDialog(const QStringList &remembered, QWidget *parent)
    : QDialog(parent)
    , m_address(new QComboBox(this))
    , m_token(new QLineEdit(this))
    , m_keep(new QCheckBox(tr("&Keep the token in the keychain for this gateway"), this))
    , m_error(StateStyle::inlineErrorLabel(this))
{
    setObjectName(QStringLiteral("connectDialog"));
    setWindowTitle(tr("Connect to Gateway"));
    m_address->setObjectName(QStringLiteral("gatewayAddress"));
    m_address->setEditable(true);
    m_address->addItems(remembered);
    m_address->setCurrentText(
        remembered.isEmpty() ? QStringLiteral("http://127.0.0.1:8787") : remembered.first());
    m_address->setToolTip(tr("http://HOST:PORT for a gateway on this machine or behind an SSH "
                             "tunnel; https://HOST:PORT for one elsewhere"));
    m_token->setObjectName(QStringLiteral("adminToken"));
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(tr("Leave empty to use the one already known"));
    m_token->setToolTip(tr("Known already: SWITCHYARD_ADMIN_TOKEN, the token of a gateway this "
                           "user runs on this machine, or the one kept in the keychain"));
    m_keep->setObjectName(QStringLiteral("keepToken"));
    m_keep->setChecked(true);
    m_keep->setEnabled(false);
    connect(m_token, &QLineEdit::textChanged, this,
        [this](const QString &text) { m_keep->setEnabled(!text.isEmpty()); });
    connect(m_address, &QComboBox::editTextChanged, m_error, &QLabel::hide);

    auto *form = new QFormLayout;
    form->addRow(tr("&Gateway:"), m_address);
    form->addRow(tr("Admin &token:"), m_token);
    form->addRow(QString(), m_keep);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("&Connect"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
    setMinimumWidth(480);
}

QByteArray ConnectDialog::token() const
{
    return m_token->text().trimmed().toUtf8();
}

bool ConnectDialog::keepToken() const
{
    return m_keep->isChecked() && !token().isEmpty();
}

void ConnectDialog::done(int result)
{
    if (result == QDialog::Accepted) {
        const Attachment::Address address = Attachment::parseAddress(m_address->currentText());
        if (!address.refusal.isEmpty()) {
            m_error->setText(tr("%1: %2").arg(m_address->currentText().trimmed(), address.refusal));
            m_error->show();
            m_address->setFocus();
            return;
        }
        m_gateway = address.url;
    }
    QDialog::done(result);
}

} // namespace Switchyard
