#pragma once

#include <QDialog>
#include <QJsonObject>

#include <functional>

class QComboBox;
class QLabel;
class QLineEdit;

namespace Switchyard {

// Adds or edits one provider: a start from the catalogue of well-known endpoints, its kind, base
// URL and key reference. Errors are those of check-config, shown beside the field they concern.
class ProviderDialog final : public QDialog {
    Q_OBJECT
public:
    // Full-path config errors ("providers.groq.base_url: …") for the provider `name` as `object`.
    using Validator = std::function<QStringList(const QString &name, const QJsonObject &object)>;

    // An empty `name` adds a provider; otherwise `object` is the provider as it is now.
    ProviderDialog(const QString &name, const QJsonObject &object, Validator validator,
        QWidget *parent = nullptr);

    QString name() const;
    // The provider as entered; keys this dialog does not know are kept from the original.
    QJsonObject object() const;

    void done(int result) override;

private:
    void applyCatalogueEntry(int index);
    void updateKeyField();
    bool validate();

    QJsonObject m_original;
    Validator m_validator;
    bool m_validated = false; // once OK was pressed, errors follow every edit
    QComboBox *m_catalogue;
    QLineEdit *m_name;
    QComboBox *m_kind;
    QLineEdit *m_baseUrl;
    QComboBox *m_keySource;
    QLineEdit *m_keyName;
    QLabel *m_nameError;
    QLabel *m_baseUrlError;
    QLabel *m_keyError;
    QLabel *m_otherErrors;
};

} // namespace Switchyard
