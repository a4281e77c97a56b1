#include "providersview.h"

#include "config/configdocument.h"
#include "config/secretdestinations.h"
#include "link/gatewaylink.h"
#include "models/keytablemodel.h"
#include "models/providertablemodel.h"
#include "models/routeconfigtablemodel.h"
#include "providerdialog.h"
#include "routedialog.h"
#include "secrets/secretstore.h"
#include "statestyle.h"
#include "tableviews.h"

#include <QDateTime>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace Switchyard {

namespace {

constexpr int KeychainPatienceMs = 15000;

// check-config's errors for the document with one entry of `section` ("providers" or "routes")
// set as a dialog has it; adding, a name already taken is an error too.
std::function<QStringList(const QString &, const QJsonObject &)> validatorFor(
    const QJsonObject &document, const QString &section, bool adding)
{
    return [document, section, adding](const QString &name, const QJsonObject &object) {
        if (adding && document.value(section).toObject().contains(name))
            return QStringList { QStringLiteral("%1.%2: that name is taken").arg(section, name) };
        return ConfigLoader::fromObject(ConfigDocument::withEntry(document, section, name, object))
            .errors;
    };
}

} // namespace

ProvidersView::ProvidersView(GatewayLink *gateway, ProviderTableModel *providers,
    KeyTableModel *keys, std::shared_ptr<SecretStore> secrets, QWidget *parent)
    : QWidget(parent)
    , m_gateway(gateway)
    , m_providers(providers)
    , m_routes(new RouteConfigTableModel(this))
    , m_secrets(std::move(secrets))
    , m_providerTable(makeTable(providers, this))
    , m_routeTable(makeTable(m_routes, this))
    , m_keysOfProvider(new QSortFilterProxyModel(this))
    , m_keyTable(nullptr)
    , m_keysTitle(new QLabel(this))
    , m_editProvider(new QPushButton(tr("&Edit…"), this))
    , m_removeProvider(new QPushButton(tr("Remo&ve"), this))
    , m_setKey(new QPushButton(tr("Set &key…"), this))
    , m_deleteKey(new QPushButton(tr("&Delete key"), this))
    , m_test(new QPushButton(tr("&Test"), this))
    , m_addKey(new QPushButton(tr("Add ke&y…"), this))
    , m_removeKey(new QPushButton(tr("Remove key"), this))
    , m_addRoute(new QPushButton(tr("Add ro&ute…"), this))
    , m_editRoute(new QPushButton(tr("Edit r&oute…"), this))
    , m_removeRoute(new QPushButton(tr("Remove rou&te"), this))
    , m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("providersView"));
    // The keys of the selected provider only: one, or each of its pool.
    m_keysOfProvider->setSourceModel(keys);
    m_keysOfProvider->setFilterRole(KeyTableModel::ProviderRole);
    m_keysOfProvider->setSortRole(KeyTableModel::SortRole);
    m_keysOfProvider->setFilterRegularExpression(QRegularExpression(QStringLiteral("(?!)")));
    m_keyTable = makeTable(m_keysOfProvider, this);
    m_keyTable->setObjectName(QStringLiteral("keyTable"));
    m_keyTable->setColumnHidden(KeyTableModel::Provider, true);
    // Short figures at their width; where a key is read from takes the rest.
    m_keyTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_keyTable->horizontalHeader()->setStretchLastSection(true);
    m_keysTitle->setObjectName(QStringLiteral("keysTitle"));
    m_addKey->setToolTip(tr("Add a key to this provider's pool: several keys share its traffic, "
                            "and a rate-limited or rejected key rests while the others serve."));
    m_removeKey->setToolTip(tr("Take the selected key out of this provider's pool."));
    m_providerTable->setObjectName(QStringLiteral("providerTable"));
    m_routeTable->setObjectName(QStringLiteral("routeConfigTable"));
    m_status->setObjectName(QStringLiteral("providersStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_test->setToolTip(tr("Ask the provider for its models list with its key: a cheap call that "
                          "shows whether the key and the address work."));
    m_setKey->setToolTip(tr("Store or replace this provider's key in the system keychain."));

    auto *addProvider = new QPushButton(tr("&Add provider…"), this);
    auto *providerButtons = new QHBoxLayout;
    for (QPushButton *button : { addProvider, m_editProvider, m_removeProvider })
        providerButtons->addWidget(button);
    providerButtons->addSpacing(24);
    auto *reloadKeys = new QPushButton(tr("Re&load keys"), this);
    reloadKeys->setToolTip(tr("Read every key from the keychain again, for instance after "
                              "`switchyard keys set` in a terminal."));
    for (QPushButton *button : { m_setKey, m_deleteKey, m_test, reloadKeys })
        providerButtons->addWidget(button);
    providerButtons->addStretch();
    auto *keyButtons = new QHBoxLayout;
    for (QPushButton *button : { m_addKey, m_removeKey })
        keyButtons->addWidget(button);
    keyButtons->addStretch();
    auto *routeButtons = new QHBoxLayout;
    for (QPushButton *button : { m_addRoute, m_editRoute, m_removeRoute })
        routeButtons->addWidget(button);
    routeButtons->addStretch();

    auto *providersTitle = new QLabel(tr("<b>Providers</b>"), this);
    auto *routesTitle = new QLabel(tr("<b>Routes</b> — a route is one model of one provider; "
                                      "lanes chain routes in the Lanes view"),
        this);
    auto *note = new QLabel(tr("Keys are kept in the system keychain or in environment variables "
                               "and are never shown; the configuration file only names them."),
        this);
    note->setWordWrap(true);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(providersTitle);
    layout->addWidget(m_providerTable, 1);
    layout->addLayout(providerButtons);
    layout->addSpacing(8);
    layout->addWidget(m_keysTitle);
    layout->addWidget(m_keyTable, 1);
    layout->addLayout(keyButtons);
    layout->addSpacing(8);
    layout->addWidget(routesTitle);
    layout->addWidget(m_routeTable, 1);
    layout->addLayout(routeButtons);
    layout->addWidget(m_status);
    layout->addWidget(note);

    connect(addProvider, &QPushButton::clicked, this, &ProvidersView::addProvider);
    connect(m_editProvider, &QPushButton::clicked, this, &ProvidersView::editProvider);
    connect(m_removeProvider, &QPushButton::clicked, this, &ProvidersView::removeProvider);
    connect(m_setKey, &QPushButton::clicked, this, &ProvidersView::setKey);
    connect(m_deleteKey, &QPushButton::clicked, this, &ProvidersView::deleteKey);
    connect(m_test, &QPushButton::clicked, this, &ProvidersView::testProvider);
    connect(m_addKey, &QPushButton::clicked, this, &ProvidersView::addKey);
    connect(m_removeKey, &QPushButton::clicked, this, &ProvidersView::removeKey);
    connect(m_providerTable->selectionModel(), &QItemSelectionModel::selectionChanged, this,
        [this] { showKeysOf(selectedProvider()); });
    connect(m_keyTable->selectionModel(), &QItemSelectionModel::selectionChanged, this,
        &ProvidersView::updateButtons);
    connect(
        m_keysOfProvider, &QAbstractItemModel::rowsInserted, this, &ProvidersView::updateButtons);
    connect(
        m_keysOfProvider, &QAbstractItemModel::rowsRemoved, this, &ProvidersView::updateButtons);
    connect(reloadKeys, &QPushButton::clicked, this, [this] {
        m_gateway->reloadSecrets();
        showStatus(tr("Reading the keys again…"));
    });
    connect(m_addRoute, &QPushButton::clicked, this, &ProvidersView::addRoute);
    connect(m_editRoute, &QPushButton::clicked, this, &ProvidersView::editRoute);
    connect(m_removeRoute, &QPushButton::clicked, this, &ProvidersView::removeRoute);
    connect(m_providerTable, &QTableView::doubleClicked, this, &ProvidersView::editProvider);
    connect(m_routeTable, &QTableView::doubleClicked, this, &ProvidersView::editRoute);
    connect(m_providerTable->selectionModel(), &QItemSelectionModel::selectionChanged, this,
        &ProvidersView::updateButtons);
    connect(m_routeTable->selectionModel(), &QItemSelectionModel::selectionChanged, this,
        &ProvidersView::updateButtons);
    connect(m_providers, &QAbstractItemModel::dataChanged, this, &ProvidersView::updateButtons);
    connect(m_providers, &QAbstractItemModel::dataChanged, this, &ProvidersView::reportTestResult);
    connect(m_providers, &QAbstractItemModel::rowsInserted, this, &ProvidersView::updateButtons);
    connect(m_providers, &QAbstractItemModel::rowsInserted, this, [this] {
        if (!m_selectWhenShown.isEmpty() && m_providers->provider(m_selectWhenShown)) {
            selectProvider(m_selectWhenShown);
            m_selectWhenShown.clear();
        }
    });
    connect(m_providers, &QAbstractItemModel::rowsRemoved, this, &ProvidersView::updateButtons);
    connect(m_routes, &QAbstractItemModel::modelReset, this, &ProvidersView::updateButtons);
    showKeysOf(QString());
    reloadFromDocument();
}

void ProvidersView::showKeysOf(const QString &provider)
{
    const QString label = selectedKey();
    m_keysOfProvider->setFilterRegularExpression(provider.isEmpty()
            ? QRegularExpression(QStringLiteral("(?!)")) // nothing
            : QRegularExpression(
                QLatin1Char('^') + QRegularExpression::escape(provider) + QLatin1Char('$')));
    m_keysTitle->setText(provider.isEmpty()
            ? tr("<b>Keys</b> — select a provider to see its keys")
            : tr("<b>Keys of %1</b> — a pool of keys shares the provider's traffic; one "
                 "conversation keeps one key")
                  .arg(provider.toHtmlEscaped()));
    // At once: the rows are another provider's now, and their widths are another's too.
    m_keyTable->resizeColumnsToContents();
    selectKey(label);
    updateButtons();
}

QString ProvidersView::selectedKey() const
{
    const QModelIndexList rows = m_keyTable->selectionModel()->selectedRows(KeyTableModel::Label);
    return rows.isEmpty() ? QString() : rows.constFirst().data().toString();
}

void ProvidersView::selectKey(const QString &label)
{
    for (int row = 0; row < m_keysOfProvider->rowCount(); ++row) {
        const QModelIndex index = m_keysOfProvider->index(row, KeyTableModel::Label);
        if (!label.isEmpty() && index.data().toString() == label) {
            m_keyTable->selectRow(row);
            return;
        }
    }
    m_keyTable->clearSelection();
}

QString ProvidersView::keychainEntryInFocus(QString *keyName) const
{
    const QModelIndexList keyRows = m_keyTable->selectionModel()->selectedRows();
    if (!keyRows.isEmpty()) {
        if (keyName)
            *keyName = keyRows.constFirst().siblingAtColumn(KeyTableModel::Label).data().toString();
        return keyRows.constFirst().data(KeyTableModel::KeychainNameRole).toString();
    }
    const QModelIndexList rows = m_providerTable->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return QString();
    if (keyName)
        *keyName = rows.constFirst().data().toString();
    return rows.constFirst().data(ProviderTableModel::KeychainNameRole).toString();
}

void ProvidersView::reloadFromDocument()
{
    const QString route = selectedRoute();
    m_routes->setConfig(m_gateway->config());
    selectName(m_routeTable, route);
    updateButtons();
}

QString ProvidersView::selectedProvider() const
{
    return selectedName(m_providerTable);
}

QString ProvidersView::selectedRoute() const
{
    return selectedName(m_routeTable);
}

void ProvidersView::selectProvider(const QString &name)
{
    selectName(m_providerTable, name);
}

void ProvidersView::selectRoute(const QString &name)
{
    selectName(m_routeTable, name);
}

QString ProvidersView::statusText() const
{
    return m_status->text();
}

void ProvidersView::showStatus(const QString &text)
{
    m_status->setText(text);
}

void ProvidersView::updateButtons()
{
    const QString provider = selectedProvider();
    const bool inKeychain = !keychainEntryInFocus().isEmpty();
    for (QPushButton *button : { m_editProvider, m_removeProvider, m_test })
        button->setEnabled(!provider.isEmpty());
    const bool simulated = !provider.isEmpty() && m_providers->provider(provider)
        && m_providers->provider(provider)->kind == QLatin1String("simulated");
    m_addKey->setEnabled(!provider.isEmpty() && !simulated);
    m_removeKey->setEnabled(!selectedKey().isEmpty());
    // A gateway on another machine reads its own keychain: keys are set there
    // (`switchyard keys set NAME`), then Reload keys here.
    const bool keychainShared = m_gateway->readsThisKeychain();
    m_setKey->setEnabled(inKeychain && keychainShared);
    m_deleteKey->setEnabled(inKeychain && keychainShared);
    if (!keychainShared)
        m_setKey->setToolTip(tr("This gateway runs on another machine and reads its keychain: "
                                "set the key there with `switchyard keys set NAME`, then Reload "
                                "keys here."));
    m_addRoute->setEnabled(m_providers->rowCount() > 0);
    m_editRoute->setEnabled(!selectedRoute().isEmpty());
    m_removeRoute->setEnabled(!selectedRoute().isEmpty());
}

void ProvidersView::apply(const QJsonObject &json, const QString &done, std::function<void()> then)
{
    showStatus(tr("Applying…"));
    m_gateway->proposeConfig(
        json, this, [this, done, then = std::move(then)](const QStringList &errors) {
            if (!errors.isEmpty()) {
                showStatus(tr("Not applied: %1").arg(errors.join(QLatin1String("; "))));
                return;
            }
            reloadFromDocument();
            showStatus(m_gateway->isConfigSaved()
                    ? tr("%1 Applied and saved.").arg(done)
                    : tr("%1 Applied to the running gateway.").arg(done));
            Q_EMIT applied();
            if (then)
                then();
        });
}

void ProvidersView::applyConfirmingKeyDestinations(
    const QJsonObject &json, const QString &done, std::function<void()> then)
{
    const ConfigResult proposed = ConfigLoader::fromObject(json);
    QStringList moved;
    if (proposed.isValid()) {
        for (const SecretDestinationChange &change :
            secretDestinationChanges(m_gateway->config(), proposed.config))
            //: %1 names where a key comes from, such as "keychain entry 'groq'"
            moved.append(tr("%1 (provider %2) will be sent to %3")
                             .arg(change.secret, change.provider, change.destination));
    }
    auto go = [this, json, done, then = std::move(then)] { apply(json, done, then); };
    if (moved.isEmpty()) {
        go();
        return;
    }
    confirm(tr("Send a key to a new host?"),
        tr("With this change:\n\n%1\n\nContinue only if you trust that host with the key.")
            .arg(moved.join(QLatin1Char('\n'))),
        std::move(go));
}

void ProvidersView::confirm(const QString &title, const QString &text, std::function<void()> then)
{
    // Window-modal and non-blocking: the console keeps updating while the question is open.
    auto *box = new QMessageBox(
        QMessageBox::Question, title, text, QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [then = std::move(then)](int result) {
        if (result == QMessageBox::Yes)
            then();
    });
    box->open();
}

void ProvidersView::addProvider()
{
    const QJsonObject document = m_gateway->configJson();
    auto *dialog = new ProviderDialog(
        QString(), QJsonObject(), validatorFor(document, QStringLiteral("providers"), true), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        const QString name = dialog->name();
        applyConfirmingKeyDestinations(ConfigDocument::withEntry(m_gateway->configJson(),
                                           QStringLiteral("providers"), name, dialog->object()),
            tr("Provider %1 added.").arg(name),
            // The provider's row arrives with the engine's next snapshot, once its key is read.
            [this, name] { m_selectWhenShown = name; });
    });
    dialog->open();
}

void ProvidersView::editProvider()
{
    const QString name = selectedProvider();
    if (name.isEmpty())
        return;
    const QJsonObject document = m_gateway->configJson();
    auto *dialog = new ProviderDialog(name,
        document.value(QLatin1String("providers")).toObject().value(name).toObject(),
        validatorFor(document, QStringLiteral("providers"), false), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog, name] {
        applyConfirmingKeyDestinations(ConfigDocument::withEntry(m_gateway->configJson(),
                                           QStringLiteral("providers"), name, dialog->object()),
            tr("Provider %1 changed.").arg(name), {});
    });
    dialog->open();
}

void ProvidersView::removeProvider()
{
    const QString name = selectedProvider();
    if (name.isEmpty())
        return;
    const QJsonObject document = m_gateway->configJson();
    const QStringList routes = ConfigDocument::routesOf(document, name);
    QStringList lanes;
    for (const QString &route : routes) {
        for (const QString &lane : ConfigDocument::lanesUsing(document, route)) {
            if (!lanes.contains(lane))
                lanes.append(lane);
        }
    }
    const ConfigResult without
        = ConfigLoader::fromObject(ConfigDocument::withoutProvider(document, name));
    if (!without.isValid()) {
        showStatus(tr("Provider %1 cannot be removed yet: %2. Change the lanes first (Lanes view).")
                       .arg(name, without.errors.join(QLatin1String("; "))));
        return;
    }
    QString text = tr("Remove provider %1?").arg(name);
    if (!routes.isEmpty())
        text = tr("Remove provider %1 and its routes %2?")
                   .arg(name, routes.join(QLatin1String(", ")));
    if (!lanes.isEmpty())
        text += QLatin1Char(' ')
            + tr("Lanes %1 use them and will lose them from their chains.")
                  .arg(lanes.join(QLatin1String(", ")));
    confirm(tr("Remove provider"), text, [this, name] {
        apply(ConfigDocument::withoutProvider(m_gateway->configJson(), name),
            tr("Provider %1 removed.").arg(name));
    });
}

void ProvidersView::addRoute()
{
    const QJsonObject document = m_gateway->configJson();
    const QStringList providers = document.value(QLatin1String("providers")).toObject().keys();
    QJsonObject initial;
    if (!selectedProvider().isEmpty())
        initial.insert(QStringLiteral("provider"), selectedProvider());
    auto *dialog = new RouteDialog(QString(), initial, providers,
        validatorFor(document, QStringLiteral("routes"), true), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        const QString name = dialog->name();
        apply(ConfigDocument::withEntry(
                  m_gateway->configJson(), QStringLiteral("routes"), name, dialog->object()),
            tr("Route %1 added; callers reach it with \"model\": \"%1\", and the Lanes view "
               "adds "
               "it to a chain.")
                .arg(name),
            [this, name] { selectRoute(name); });
    });
    dialog->open();
}

void ProvidersView::editRoute()
{
    const QString name = selectedRoute();
    if (name.isEmpty())
        return;
    const QJsonObject document = m_gateway->configJson();
    auto *dialog = new RouteDialog(name,
        document.value(QLatin1String("routes")).toObject().value(name).toObject(),
        document.value(QLatin1String("providers")).toObject().keys(),
        validatorFor(document, QStringLiteral("routes"), false), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog, name] {
        apply(ConfigDocument::withEntry(
                  m_gateway->configJson(), QStringLiteral("routes"), name, dialog->object()),
            tr("Route %1 changed.").arg(name));
    });
    dialog->open();
}

void ProvidersView::removeRoute()
{
    const QString name = selectedRoute();
    if (name.isEmpty())
        return;
    const QStringList lanes = ConfigDocument::lanesUsing(m_gateway->configJson(), name);
    // Say so before asking rather than fail after the user agreed.
    const ConfigResult without
        = ConfigLoader::fromObject(ConfigDocument::withoutRoute(m_gateway->configJson(), name));
    if (!without.isValid()) {
        showStatus(tr("Route %1 cannot be removed yet: %2. Change the lanes first (Lanes view).")
                       .arg(name, without.errors.join(QLatin1String("; "))));
        return;
    }
    const QString text = lanes.isEmpty()
        ? tr("Remove route %1? No lane uses it.").arg(name)
        : tr("Route %1 is used by lanes %2. Remove it from them and delete it?")
              .arg(name, lanes.join(QLatin1String(", ")));
    confirm(tr("Remove route"), text, [this, name] {
        apply(ConfigDocument::withoutRoute(m_gateway->configJson(), name),
            tr("Route %1 removed.").arg(name));
    });
}

void ProvidersView::setKey()
{
    const QString provider = selectedProvider();
    QString keyName;
    const QString entry = keychainEntryInFocus(&keyName);
    if (provider.isEmpty() || entry.isEmpty())
        return;
    auto *dialog = new QInputDialog(this);
    dialog->setObjectName(QStringLiteral("keyDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    const bool ofPool = keyName != provider;
    dialog->setWindowTitle(ofPool ? tr("Set key %1 of %2").arg(keyName, provider)
                                  : tr("Set key for %1").arg(provider));
    dialog->setLabelText(ofPool
            ? tr("API key '%1' of %2, stored in the system keychain as '%3'. It replaces the key "
                 "there now.")
                  .arg(keyName, provider, entry)
            : tr("API key for %1, stored in the system keychain as '%2'. It replaces the key "
                 "there now.")
                  .arg(provider, entry));
    dialog->setTextEchoMode(QLineEdit::Password);
    dialog->setInputMethodHints(Qt::ImhSensitiveData | Qt::ImhNoPredictiveText);
    connect(dialog, &QInputDialog::textValueSelected, this, [this, entry](const QString &key) {
        if (key.trimmed().isEmpty()) {
            showStatus(tr("An empty key was not stored."));
            return;
        }
        showStatus(tr("Storing the key in the system keychain…"));
        // A keyring waiting for its password may take a while; say so rather than spin for ever.
        QTimer::singleShot(KeychainPatienceMs, this, [this] {
            if (m_status->text() == tr("Storing the key in the system keychain…"))
                showStatus(tr("The keychain has not answered yet; is it locked and waiting for "
                              "its password?"));
        });
        m_secrets->setKey(
            entry, key.trimmed().toUtf8(), this, [this, entry](const SecretResult &result) {
                if (!result.ok()) {
                    showStatus(tr("The key was not stored: %1").arg(result.error));
                    return;
                }
                showStatus(
                    tr("Key '%1' stored in the system keychain; the gateway is reading it again.")
                        .arg(entry));
                m_gateway->reloadSecrets();
            });
    });
    dialog->open();
}

void ProvidersView::deleteKey()
{
    const QString entry = keychainEntryInFocus();
    if (entry.isEmpty())
        return;
    confirm(tr("Delete key"),
        tr("Delete key '%1' from the system keychain? Routes of providers that use it stop until a "
           "key is set again.")
            .arg(entry),
        [this, entry] {
            m_secrets->deleteKey(entry, this, [this, entry](const SecretResult &result) {
                if (!result.ok()) {
                    showStatus(tr("The key was not deleted: %1").arg(result.error));
                    return;
                }
                showStatus(tr("Key '%1' deleted from the system keychain.").arg(entry));
                m_gateway->reloadSecrets();
            });
        });
}

void ProvidersView::testProvider()
{
    const QString provider = selectedProvider();
    if (provider.isEmpty())
        return;
    showStatus(tr("Testing %1: asking for its models list…").arg(provider));
    m_testing = provider;
    m_testStartedMs = QDateTime::currentMSecsSinceEpoch();
    m_gateway->testProvider(provider);
}

void ProvidersView::reportTestResult()
{
    const ProviderSnapshot *provider
        = m_testing.isEmpty() ? nullptr : m_providers->provider(m_testing);
    // Only this Test's verdict, not an earlier one still on its way.
    if (!provider || provider->test == ProviderSnapshot::Test::NotRun
        || provider->test == ProviderSnapshot::Test::Running
        || provider->testedAtMs < m_testStartedMs)
        return;
    showStatus(provider->test == ProviderSnapshot::Test::Passed
            ? tr("Test of %1 passed: %2").arg(m_testing, provider->testResult)
            : tr("Test of %1 failed: %2").arg(m_testing, provider->testResult));
    m_testing.clear();
}

void ProvidersView::addKey()
{
    const QString provider = selectedProvider();
    if (provider.isEmpty())
        return;
    auto *dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("addKeyDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Add a key to %1").arg(provider));
    auto *label = new QLineEdit(dialog);
    label->setObjectName(QStringLiteral("keyLabel"));
    label->setPlaceholderText(tr("e.g. team"));
    auto *entry = new QLineEdit(dialog);
    entry->setObjectName(QStringLiteral("keyEntry"));
    auto *value = new QLineEdit(dialog);
    value->setObjectName(QStringLiteral("keyValue"));
    value->setEchoMode(QLineEdit::Password);
    value->setInputMethodHints(Qt::ImhSensitiveData | Qt::ImhNoPredictiveText);
    auto *weight = new QDoubleSpinBox(dialog);
    weight->setObjectName(QStringLiteral("keyWeight"));
    weight->setRange(0.001, 1000.0);
    weight->setDecimals(3);
    weight->setValue(1.0);
    QLabel *errors = StateStyle::inlineErrorLabel(dialog);
    errors->setObjectName(QStringLiteral("keyErrors"));
    // The entry's name follows the label until the user names it.
    connect(label, &QLineEdit::textEdited, entry, [provider, entry](const QString &text) {
        if (!entry->isModified())
            entry->setText(QStringLiteral("%1-%2").arg(provider, text.trimmed()));
    });
    auto *form = new QFormLayout;
    form->addRow(tr("&Label:"), label);
    form->addRow(tr("Keychain &entry:"), entry);
    form->addRow(tr("&Key:"), value);
    form->addRow(tr("&Weight:"), weight);
    auto *note
        = new QLabel(tr("The label names the key in traces, metrics and here; the key itself "
                        "goes to the system keychain, never to the configuration file."),
            dialog);
    note->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    auto *layout = new QVBoxLayout(dialog);
    layout->addLayout(form);
    layout->addWidget(errors);
    layout->addWidget(note);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, dialog,
        [this, dialog, provider, label, entry, value, weight, errors] {
            QJsonObject key { { QStringLiteral("keychain"), entry->text().trimmed() },
                { QStringLiteral("label"), label->text().trimmed() } };
            if (!qFuzzyCompare(weight->value(), 1.0))
                key.insert(QStringLiteral("weight"), weight->value());
            const QJsonObject json
                = ConfigDocument::withProviderKey(m_gateway->configJson(), provider, key);
            QStringList problems = ConfigLoader::fromObject(json).errors;
            if (value->text().trimmed().isEmpty())
                problems.append(tr("Key: paste the key itself (it goes to the keychain)."));
            if (!problems.isEmpty()) {
                errors->setText(problems.join(QLatin1Char('\n')));
                errors->show();
                return; // the dialog stays open, with what to fix
            }
            const QString name = key.value(QLatin1String("keychain")).toString();
            const QString labelText = key.value(QLatin1String("label")).toString();
            const QByteArray secret = value->text().trimmed().toUtf8();
            dialog->accept();
            // The key goes to the keychain once the configuration that names it runs: a change
            // the user cancels (a new host for a key, say) leaves no entry behind.
            applyConfirmingKeyDestinations(json, tr("Key %1 added to %2.").arg(labelText, provider),
                [this, name, labelText, provider, secret] {
                    m_secrets->setKey(name, secret, this,
                        [this, name, labelText, provider](const SecretResult &result) {
                            if (!result.ok()) {
                                showStatus(tr("Key %1 was added to %2, but not stored: %3")
                                               .arg(labelText, provider, result.error));
                                return;
                            }
                            showStatus(tr("Key %1 added to %2 and stored in the system keychain "
                                          "as '%3'; the gateway is reading it.")
                                           .arg(labelText, provider, name));
                            m_gateway->reloadSecrets();
                            selectKey(labelText);
                        });
                });
        });
    dialog->open();
}

void ProvidersView::removeKey()
{
    const QString provider = selectedProvider();
    const QString label = selectedKey();
    if (provider.isEmpty() || label.isEmpty())
        return;
    const QString keychainEntry = keychainEntryInFocus();
    confirm(tr("Remove key"),
        tr("Take key %1 out of %2's pool? Its keychain entry stays; `switchyard keys delete %3` "
           "removes it.")
            .arg(label, provider, keychainEntry.isEmpty() ? tr("NAME") : keychainEntry),
        [this, provider, label] {
            apply(ConfigDocument::withoutProviderKey(m_gateway->configJson(), provider, label),
                tr("Key %1 removed from %2.").arg(label, provider));
        });
}

} // namespace Switchyard
