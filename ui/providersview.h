#pragma once

#include <functional>

#include <QJsonObject>
#include <QWidget>

#include <memory>

class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace Switchyard {

class GatewayLink;
class KeyTableModel;
class ProviderTableModel;
class RouteConfigTableModel;
class SecretStore;

// The Providers view: each provider with its key status, Set key… / Delete key / Test; the keys
// of the selected provider (one, or each of a pool, with its state and cooldown), added to its
// pool and removed; and the providers and routes themselves added, edited and removed. Edits are
// validated like check-config, saved atomically and swapped into the running gateway, as in the
// Lanes view.
class ProvidersView final : public QWidget {
    Q_OBJECT
public:
    ProvidersView(GatewayLink *gateway, ProviderTableModel *providers, KeyTableModel *keys,
        std::shared_ptr<SecretStore> secrets, QWidget *parent = nullptr);

    // The dialogs open window-modal and return at once; their results arrive later.
    void addProvider();
    void editProvider();
    void removeProvider();
    void addRoute();
    void editRoute();
    void removeRoute();
    // On the key selected in the keys table, or the provider's only key.
    void setKey();
    void deleteKey();
    // A key added to, or removed from, the selected provider's pool.
    void addKey();
    void removeKey();
    void testProvider();

    void selectProvider(const QString &name);
    void selectRoute(const QString &name);
    QString selectedProvider() const;
    QString selectedRoute() const;
    // The label of the key selected in the keys table (empty when none is).
    QString selectedKey() const;
    void selectKey(const QString &label);
    QString statusText() const;
    // Re-reads the routes from the document; after any apply, from here or elsewhere.
    void reloadFromDocument();

Q_SIGNALS:
    void applied();

private:
    // Asks for `json` to run; says `done` when it does, and then calls `then`.
    void apply(const QJsonObject &json, const QString &done, std::function<void()> then = {});
    // As apply(), but a key that would go to a new host is the user's explicit choice first.
    void applyConfirmingKeyDestinations(
        const QJsonObject &json, const QString &done, std::function<void()> then);
    void confirm(const QString &title, const QString &text, std::function<void()> then);
    void updateButtons();
    void showStatus(const QString &text);
    void reportTestResult();
    // The keychain entry Set key… and Delete key act on, and the key's name for the user.
    QString keychainEntryInFocus(QString *keyName = nullptr) const;
    void showKeysOf(const QString &provider);

    GatewayLink *m_gateway;
    ProviderTableModel *m_providers;
    RouteConfigTableModel *m_routes;
    std::shared_ptr<SecretStore> m_secrets;
    QTableView *m_providerTable;
    QTableView *m_routeTable;
    QSortFilterProxyModel *m_keysOfProvider;
    QTableView *m_keyTable;
    QLabel *m_keysTitle;
    QPushButton *m_editProvider;
    QPushButton *m_removeProvider;
    QPushButton *m_setKey;
    QPushButton *m_deleteKey;
    QPushButton *m_test;
    QPushButton *m_addKey;
    QPushButton *m_removeKey;
    QPushButton *m_addRoute;
    QPushButton *m_editRoute;
    QPushButton *m_removeRoute;
    QLabel *m_status;
    QString m_testing; // the provider whose Test result the status line waits for
    qint64 m_testStartedMs = 0;
    QString m_selectWhenShown; // a provider just added, selected once the engine shows it
};

} // namespace Switchyard
