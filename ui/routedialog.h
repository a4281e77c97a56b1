#pragma once

#include <QDialog>
#include <QHash>
#include <QJsonObject>

#include <functional>

class QAbstractSpinBox;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QTabWidget;

namespace Switchyard {

// Adds or edits one route: provider, model, capabilities, context window, prices, timeouts,
// breaker, recovery and probe. Errors are those of check-config, shown on the tab of the setting
// they concern.
class RouteDialog final : public QDialog {
    Q_OBJECT
public:
    // Full-path config errors ("routes.fast.breaker.min_calls: …") for route `name` as `object`.
    using Validator = std::function<QStringList(const QString &name, const QJsonObject &object)>;

    // An empty `name` adds a route; otherwise `object` is the route as it is now.
    RouteDialog(const QString &name, const QJsonObject &object, const QStringList &providers,
        Validator validator, QWidget *parent = nullptr);

    QString name() const;
    // The route as entered. Settings left at their defaults stay out of the file unless the file
    // already had them; keys this dialog does not know are kept.
    QJsonObject object() const;

    void done(int result) override;

private:
    struct NumberField {
        QString path; // e.g. "breaker.window"
        QAbstractSpinBox *box;
        double defaultValue;
    };

    QWidget *addNumbers(const QList<QPair<QString, QString>> &paths, QLabel *errors);
    QAbstractSpinBox *numberBox(const QString &path);
    bool validate();

    QJsonObject m_original;
    Validator m_validator;
    bool m_validated = false;
    QLineEdit *m_name;
    QComboBox *m_provider;
    QLineEdit *m_model;
    QHash<QString, QCheckBox *> m_capabilities;
    QLineEdit *m_recoverySteps;
    QComboBox *m_probeKind;
    QList<NumberField> m_numbers;
    QHash<QString, QLabel *> m_sectionErrors; // "" (general), "timeouts_ms", "breaker", …
    QHash<QString, int> m_sectionTabs;
    QTabWidget *m_tabs = nullptr;
};

} // namespace Switchyard
