#include "engine/secretresolver.h"

#include "secrets/admintokenfile.h"
#include "secrets/keychainsecretstore.h"

#include <QLoggingCategory>
#include <QStandardPaths>
#include <QTimer>

Q_LOGGING_CATEGORY(lcSecrets, "switchyard.secrets", QtInfoMsg)

namespace Switchyard {

SecretResolver::SecretResolver(QObject *parent)
    : QObject(parent)
{
}

QStringList SecretResolver::keychainNamesOf(const Config &config)
{
    QStringList names;
    const auto add = [&names](const SecretRef &ref) {
        if (ref.source == SecretRef::Source::Keychain && !names.contains(ref.name))
            names.append(ref.name);
    };
    for (const ProviderConfig &provider : config.providers) {
        for (const ProviderKey &key : provider.keys)
            add(key.ref);
    }
    add(config.adminToken);
    add(config.alerts.webhook);
    for (const auto &[name, ref] : config.telemetry.headers)
        add(ref);
    return names;
}

void SecretResolver::setStore(std::shared_ptr<SecretStore> store)
{
    m_store = std::move(store);
    m_keychain.clear();
}

void SecretResolver::setPatience(int milliseconds)
{
    m_patienceMs = qMax(0, milliseconds);
}

void SecretResolver::setDataDirectory(const QString &directory)
{
    m_dataDirectory = directory;
    m_generatedAdminToken.reset();
}

void SecretResolver::whenRead(const Config &config, bool freshReads, std::function<void()> then)
{
    // Every apply reads its keychain entries afresh (a key may have changed from the command
    // line); until the answers come, the running config keeps the keys it has.
    PendingRead pending;
    pending.then = std::move(then);
    for (const QString &name : keychainNamesOf(config)) {
        const bool inFlight = m_readIssued.value(name) > m_readAnswered.value(name);
        if (!inFlight || freshReads)
            readKeychainEntry(name);
        pending.waitFor.insert(name, m_readIssued.value(name));
    }
    m_pending.push_back(std::move(pending));
    runReady();
}

void SecretResolver::readKeychainEntry(const QString &name)
{
    if (!m_store)
        m_store = std::make_shared<KeychainSecretStore>();
    const quint64 serial = ++m_readSerial;
    m_readIssued.insert(name, serial);
    m_store->read(name, this, [this, name, serial](const SecretResult &result) {
        onKeychainEntryRead(name, serial, result);
    });
    QTimer::singleShot(m_patienceMs, this, [this, name, serial] {
        if (m_readAnswered.value(name) < serial)
            onKeychainEntryRead(name, serial,
                SecretResult::failure(SecretStatus::Locked,
                    QStringLiteral("the keychain did not answer within %1 ms; is it locked and "
                                   "waiting for its password?")
                        .arg(m_patienceMs)));
    });
}

void SecretResolver::onKeychainEntryRead(
    const QString &name, quint64 serial, const SecretResult &result)
{
    // After the wait gave up on it, a read may still answer: news, unless a newer read is out.
    const bool late = m_readAnswered.value(name) >= serial;
    if (late && serial < m_readIssued.value(name))
        return;
    m_readAnswered.insert(name, qMax(serial, m_readAnswered.value(name)));
    ResolvedSecret secret;
    secret.ok = result.ok() && !result.value.isEmpty();
    secret.value = result.value;
    if (secret.ok) {
        secret.state = KeyState::Set;
    } else if (result.ok() || result.status == SecretStatus::NotFound) {
        secret.state = KeyState::Missing;
        secret.error = result.ok()
            ? QStringLiteral("keychain entry '%1' is empty").arg(name)
            : QStringLiteral("keychain entry '%1' is missing; set it with `switchyard keys set %1` "
                             "or in the console's Providers view")
                  .arg(name);
    } else {
        secret.state = KeyState::Unreadable;
        secret.error
            = QStringLiteral("keychain entry '%1' cannot be read: %2").arg(name, result.error);
    }
    const bool changed = !m_keychain.contains(name) || m_keychain.value(name) != secret;
    m_keychain.insert(name, secret);
    if (!late) {
        runReady();
        return;
    }
    if (changed)
        Q_EMIT lateAnswerChanged(name);
}

void SecretResolver::runReady()
{
    while (!m_pending.empty()) {
        const PendingRead &next = m_pending.front();
        for (auto wait = next.waitFor.cbegin(); wait != next.waitFor.cend(); ++wait) {
            if (m_readAnswered.value(wait.key()) < wait.value())
                return;
        }
        const std::function<void()> then = std::move(m_pending.front().then);
        m_pending.pop_front();
        then();
    }
}

void SecretResolver::resolveKeys(ActiveConfig *active)
{
    const Config &config = active->config;
    for (const ProviderConfig &provider : config.providers) {
        ResolvedKeys keys;
        for (const ProviderKey &key : provider.keys)
            keys.keys.append({ key.label, key.weight, resolve(key.ref) });
        if (!keys.usable())
            qCWarning(lcSecrets).noquote()
                << QStringLiteral("provider %1: %2; its routes are skipped as misconfigured")
                       .arg(provider.name, keys.error());
        for (const ResolvedKey &key : std::as_const(keys.keys)) {
            if (keys.pooled() && !key.secret.ok)
                qCWarning(lcSecrets).noquote()
                    << QStringLiteral("provider %1, key %2: %3; the pool's other keys serve")
                           .arg(provider.name, key.label, key.secret.error);
        }
        active->providerKeys.insert(provider.name, keys);
    }
    active->adminToken
        = config.adminToken.isSet() ? resolve(config.adminToken) : generatedAdminToken();
    if (config.adminToken.isSet() && !active->adminToken.ok)
        qCWarning(lcSecrets).noquote()
            << QStringLiteral("admin_token: %1; every /admin call will be refused")
                   .arg(active->adminToken.error);
}

ResolvedSecret SecretResolver::resolve(const SecretRef &ref) const
{
    ResolvedSecret result;
    switch (ref.source) {
    case SecretRef::Source::None:
        result.ok = true;
        result.state = KeyState::NotNeeded;
        break;
    case SecretRef::Source::Environment:
        result.value = qgetenv(ref.name.toLocal8Bit().constData());
        result.ok = !result.value.isEmpty();
        result.state = result.ok ? KeyState::Set : KeyState::Missing;
        if (!result.ok)
            result.error = QStringLiteral("environment variable %1 is not set").arg(ref.name);
        break;
    case SecretRef::Source::Keychain:
        result = m_keychain.value(ref.name);
        if (!m_keychain.contains(ref.name)) {
            result.state = KeyState::Reading;
            result.error = QStringLiteral("keychain entry '%1' is being read").arg(ref.name);
        }
        break;
    }
    return result;
}

ResolvedSecret SecretResolver::generatedAdminToken()
{
    if (!m_generatedAdminToken) {
        if (m_dataDirectory.isEmpty())
            m_dataDirectory = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
        ResolvedSecret token;
        token.value = AdminTokenFile::loadOrCreate(m_dataDirectory, &token.error);
        token.ok = !token.value.isEmpty();
        token.state = token.ok ? KeyState::Set : KeyState::Unreadable;
        if (!token.ok)
            qCWarning(lcSecrets).noquote()
                << QStringLiteral("admin token: %1; every /admin call will be refused")
                       .arg(token.error);
        m_generatedAdminToken = token;
    }
    return *m_generatedAdminToken;
}

} // namespace Switchyard
