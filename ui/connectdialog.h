#pragma once

#include <QByteArray>
#include <QDialog>
#include <QUrl>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;

namespace Switchyard {

// "Connect to Gateway…": the address of a gateway that runs elsewhere (the user's service, one
// behind an SSH tunnel, or one over HTTPS), picked from those attached to before or typed, and
// its admin token when none is known for it yet. The token may be kept in the keychain.
class ConnectDialog final : public QDialog {
    Q_OBJECT
public:
    explicit ConnectDialog(const QStringList &remembered, QWidget *parent = nullptr);

    QUrl gateway() const { return m_gateway; }
    // Empty: the console looks it up (SWITCHYARD_ADMIN_TOKEN, this machine's gateway, keychain).
    QByteArray token() const;
    bool keepToken() const;

    void done(int result) override;

private:
    QComboBox *m_address;
    QLineEdit *m_token;
    QCheckBox *m_keep;
    QLabel *m_error;
    QUrl m_gateway;
};

} // namespace Switchyard
