#pragma once

#include "config/activeconfig.h"

#include <QHash>
#include <QObject>
#include <QString>

#include <deque>
#include <functional>
#include <memory>
#include <optional>

namespace Switchyard {

class SecretStore;
struct SecretResult;

// Where the gateway's secrets come from (SPEC §8): resolves a config's key references — the
// environment at once; keychain entries by reads that may be slow, or wait for a locked keyring's
// password; the generated admin token from the data folder — and runs a continuation once every
// entry a config needs has answered, so a config is never installed half-read. Engine thread only.
class SecretResolver final : public QObject {
    Q_OBJECT
public:
    explicit SecretResolver(QObject *parent = nullptr);

    // Where keychain references are read (the system keychain unless set).
    void setStore(std::shared_ptr<SecretStore> store);
    // How long a keychain read may take before its key counts as unreadable.
    void setPatience(int milliseconds);
    // Where the generated admin token is kept.
    void setDataDirectory(const QString &directory);

    // Runs `then` once every keychain entry `config` refers to has been read; with `freshReads`,
    // by reads sent now, not by any already under way. In the order asked.
    void whenRead(const Config &config, bool freshReads, std::function<void()> then);
    // The value as last read; never blocks.
    ResolvedSecret resolve(const SecretRef &ref) const;
    // Every provider's key and the admin token of `active->config`, as last read; says which
    // cannot be used.
    void resolveKeys(ActiveConfig *active);
    // The token of a config that names none, from the data folder (read or made once).
    ResolvedSecret generatedAdminToken();

    static QStringList keychainNamesOf(const Config &config);

Q_SIGNALS:
    // A keychain entry answered after its wait had given up, with something new: whatever runs
    // on it should be installed again.
    void lateAnswerChanged(const QString &name);

private:
    struct PendingRead {
        QHash<QString, quint64> waitFor; // keychain entry -> the read whose answer it needs
        std::function<void()> then;
    };

    void readKeychainEntry(const QString &name);
    void onKeychainEntryRead(const QString &name, quint64 serial, const SecretResult &result);
    void runReady();

    std::shared_ptr<SecretStore> m_store;
    QHash<QString, ResolvedSecret> m_keychain; // the last answer for each entry read
    quint64 m_readSerial = 0;
    QHash<QString, quint64> m_readIssued; // the latest read of each entry
    QHash<QString, quint64> m_readAnswered; // the latest read answered (or given up on)
    // A keyring waiting for its password must not hold the gateway back for ever.
    int m_patienceMs = 10000;
    std::deque<PendingRead> m_pending;
    QString m_dataDirectory;
    std::optional<ResolvedSecret> m_generatedAdminToken;
};

} // namespace Switchyard
