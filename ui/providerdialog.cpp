#include "providerdialog.h"

#include "config/providercatalogue.h"
#include "statestyle.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QVBoxLayout>

namespace Switchyard {

namespace {

enum KeySource { NoKey, Keychain, Environment, Pool };

void showErrors(QLabel *label, const QStringList &errors)
{
    label->setText(errors.join(QLatin1Char('\n')));
    label->setVisible(!errors.isEmpty());
}

} // namespace

ProviderDialog::ProviderDialog(
    const QString &name, const QJsonObject &object, Validator validator, QWidget *parent)
    : QDialog(parent)
    , m_original(object)
    , m_validator(std::move(validator))
    , m_catalogue(new QComboBox(this))
    , m_name(new QLineEdit(name, this))
    , m_kind(new QComboBox(this))
    , m_baseUrl(new QLineEdit(this))
    , m_keySource(new QComboBox(this))
    , m_keyName(new QLineEdit(this))
    , m_nameError(StateStyle::inlineErrorLabel(this))
    , m_baseUrlError(StateStyle::inlineErrorLabel(this))
    , m_keyError(StateStyle::inlineErrorLabel(this))
    , m_otherErrors(StateStyle::inlineErrorLabel(this))
{
    setObjectName(QStringLiteral("providerDialog"));
    setWindowTitle(name.isEmpty() ? tr("Add provider") : tr("Edit provider %1").arg(name));
    m_catalogue->setObjectName(QStringLiteral("catalogue"));
    m_name->setObjectName(QStringLiteral("name"));
    m_kind->setObjectName(QStringLiteral("kind"));
    m_baseUrl->setObjectName(QStringLiteral("baseUrl"));
    m_keySource->setObjectName(QStringLiteral("keySource"));
    m_keyName->setObjectName(QStringLiteral("keyName"));

    m_catalogue->addItem(tr("Custom endpoint"));
    for (const KnownProvider &known : knownProviders())
        m_catalogue->addItem(known.displayName, known.id);
    m_catalogue->setEnabled(name.isEmpty());
    // Renaming would orphan the routes that name it; remove and add instead.
    m_name->setReadOnly(!name.isEmpty());
    m_name->setPlaceholderText(tr("e.g. groq"));
    m_kind->addItem(tr("OpenAI-compatible"), QStringLiteral("openai"));
    m_kind->addItem(tr("Anthropic Messages API"), QStringLiteral("anthropic"));
    m_baseUrl->setPlaceholderText(QStringLiteral("https://api.example.com/v1"));
    m_keySource->addItem(tr("No key"), NoKey);
    m_keySource->addItem(tr("System keychain entry"), Keychain);
    m_keySource->addItem(tr("Environment variable"), Environment);

    const QString kind = object.value(QLatin1String("kind")).toString(QStringLiteral("openai"));
    if (m_kind->findData(kind) < 0)
        m_kind->addItem(kind, kind); // e.g. "simulated": shown as it is, kept as it is
    m_kind->setCurrentIndex(m_kind->findData(kind));
    m_baseUrl->setText(object.value(QLatin1String("base_url")).toString());
    const QJsonValue apiKey = object.value(QLatin1String("api_key"));
    const QJsonObject key = apiKey.toObject();
    if (apiKey.isArray()) {
        // A pool is edited key by key in the Providers view; here it is kept as it is.
        m_keySource->addItem(
            tr("A pool of %n key(s), kept as it is (Add key… and Remove key edit it)", nullptr,
                int(apiKey.toArray().size())),
            Pool);
        m_keySource->setCurrentIndex(m_keySource->findData(Pool));
    } else if (key.contains(QLatin1String("keychain"))) {
        m_keySource->setCurrentIndex(m_keySource->findData(Keychain));
        m_keyName->setText(key.value(QLatin1String("keychain")).toString());
    } else if (key.contains(QLatin1String("env"))) {
        m_keySource->setCurrentIndex(m_keySource->findData(Environment));
        m_keyName->setText(key.value(QLatin1String("env")).toString());
    } else if (name.isEmpty()) {
        m_keySource->setCurrentIndex(m_keySource->findData(Keychain));
    }

    auto *form = new QFormLayout;
    form->addRow(tr("Start from:"), m_catalogue);
    form->addRow(tr("&Name:"), m_name);
    form->addRow(QString(), m_nameError);
    form->addRow(tr("&Kind:"), m_kind);
    form->addRow(tr("&Base URL:"), m_baseUrl);
    form->addRow(QString(), m_baseUrlError);
    form->addRow(tr("API &key:"), m_keySource);
    form->addRow(tr("Key &name:"), m_keyName);
    form->addRow(QString(), m_keyError);
    auto *note = new QLabel(tr("The key itself is never written to the configuration: it stays in "
                               "the system keychain (set it with Set key… once the provider is "
                               "added) or in an environment variable."),
        this);
    note->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_otherErrors);
    layout->addWidget(note);
    layout->addWidget(buttons);

    connect(
        m_catalogue, &QComboBox::currentIndexChanged, this, &ProviderDialog::applyCatalogueEntry);
    connect(m_keySource, &QComboBox::currentIndexChanged, this, &ProviderDialog::updateKeyField);
    for (QLineEdit *edit : { m_name, m_baseUrl, m_keyName })
        connect(edit, &QLineEdit::textChanged, this, [this] {
            if (m_validated)
                validate();
        });
    updateKeyField();
    resize(560, sizeHint().height());
}

QString ProviderDialog::name() const
{
    return m_name->text().trimmed();
}

QJsonObject ProviderDialog::object() const
{
    QJsonObject object = m_original;
    object.insert(QStringLiteral("kind"), m_kind->currentData().toString());
    object.insert(QStringLiteral("base_url"), m_baseUrl->text().trimmed());
    // A simulated provider made real leaves its simulation behind, which only "simulated" takes.
    if (m_kind->currentData().toString() != QLatin1String("simulated"))
        object.remove(QStringLiteral("simulation"));
    switch (m_keySource->currentData().toInt()) {
    case NoKey:
        object.remove(QStringLiteral("api_key"));
        break;
    case Keychain:
        object.insert(QStringLiteral("api_key"),
            QJsonObject { { QStringLiteral("keychain"), m_keyName->text().trimmed() } });
        break;
    case Environment:
        object.insert(QStringLiteral("api_key"),
            QJsonObject { { QStringLiteral("env"), m_keyName->text().trimmed() } });
        break;
    case Pool: // m_original's
        break;
    }
    return object;
}

void ProviderDialog::done(int result)
{
    if (result == QDialog::Accepted && !validate())
        return; // stay open with the errors beside their fields
    QDialog::done(result);
}

void ProviderDialog::applyCatalogueEntry(int index)
{
    if (index <= 0)
        return;
    const KnownProvider &known = knownProviders().at(index - 1);
    if (m_name->text().trimmed().isEmpty())
        m_name->setText(known.id);
    m_kind->setCurrentIndex(m_kind->findData(known.kind));
    m_baseUrl->setText(known.baseUrl);
    m_keySource->setCurrentIndex(m_keySource->findData(known.needsKey ? Keychain : NoKey));
    if (known.needsKey)
        m_keyName->setText(known.id);
}

void ProviderDialog::updateKeyField()
{
    const int source = m_keySource->currentData().toInt();
    m_keyName->setEnabled(source != NoKey && source != Pool);
    m_keyName->setPlaceholderText(
        source == Environment ? QStringLiteral("OPENAI_API_KEY") : QStringLiteral("openai"));
    if (source == Keychain && m_keyName->text().isEmpty())
        m_keyName->setText(name());
    if (m_validated)
        validate();
}

bool ProviderDialog::validate()
{
    m_validated = true;
    QStringList nameErrors;
    QStringList urlErrors;
    QStringList keyErrors;
    QStringList others;
    const QString name = this->name();
    if (name.isEmpty())
        nameErrors.append(tr("A provider needs a name."));
    const QString prefix = QStringLiteral("providers.") + name;
    const QStringList errors = name.isEmpty() ? QStringList() : m_validator(name, object());
    for (const QString &error : errors) {
        if (error.startsWith(prefix + QStringLiteral(".base_url")))
            urlErrors.append(error.mid(prefix.size() + 1));
        else if (error.startsWith(prefix + QStringLiteral(".api_key")))
            keyErrors.append(error.mid(prefix.size() + 1));
        else if (error.startsWith(prefix + QStringLiteral(":")))
            nameErrors.append(error.mid(prefix.size() + 2));
        else
            others.append(error);
    }
    showErrors(m_nameError, nameErrors);
    showErrors(m_baseUrlError, urlErrors);
    showErrors(m_keyError, keyErrors);
    showErrors(m_otherErrors, others);
    return nameErrors.isEmpty() && urlErrors.isEmpty() && keyErrors.isEmpty() && others.isEmpty();
}

} // namespace Switchyard
