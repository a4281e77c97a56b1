#pragma once

#include "secrets/secretstore.h"

namespace QKeychain {
class Job;
}

namespace Switchyard {

// The system keychain through QtKeychain (the Secret Service — gnome-keyring, KWallet — on Linux,
// Keychain on macOS, the Credential Store on Windows). No plaintext fallback: where no keychain
// is reachable, every call fails with NoService and says what to install or start.
class KeychainSecretStore final : public SecretStore {
public:
    explicit KeychainSecretStore(QString service = QStringLiteral("switchyard"));

    void read(const QString &name, QObject *context, Done done) override;
    void write(const QString &name, const QByteArray &secret, QObject *context, Done done) override;
    void remove(const QString &name, QObject *context, Done done) override;

private:
    void runJob(std::function<QKeychain::Job *()> makeJob, const QString &name, QObject *context,
        Done done);

    QString m_service;
};

} // namespace Switchyard
