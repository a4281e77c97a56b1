#pragma once

#include <QByteArray>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <functional>

class QObject;

namespace Switchyard {

// How a read, write or delete of one secret ended. Locked and NoService are told apart because
// the user fixes them differently: unlock the keyring, or install and start a keychain service.
enum class SecretStatus { Ok, NotFound, Locked, NoService, Failed };

struct SecretResult {
    SecretStatus status = SecretStatus::Failed;
    QByteArray value; // a read's secret; empty otherwise
    QString error; // why it failed, with what to do about it; never contains a secret

    bool ok() const { return status == SecretStatus::Ok; }
    static SecretResult success(const QByteArray &value = QByteArray());
    static SecretResult failure(SecretStatus status, const QString &error);
};

// Where API keys live: the system keychain in the product, an in-memory fake in tests. Every call
// is asynchronous and answers on `context`'s thread (never if `context` is gone); none blocks,
// so a locked keyring waiting for its password cannot freeze the console or the gateway.
class SecretStore {
public:
    using Done = std::function<void(const SecretResult &)>;
    using Listed = std::function<void(const QStringList &names, const SecretResult &result)>;

    virtual ~SecretStore();

    virtual void read(const QString &name, QObject *context, Done done) = 0;
    virtual void write(const QString &name, const QByteArray &secret, QObject *context, Done done)
        = 0;
    virtual void remove(const QString &name, QObject *context, Done done) = 0;

    // A keychain cannot list its entries, so the names of the keys set through these three are
    // kept in an entry of their own; `list` reads that index.
    void setKey(const QString &name, const QByteArray &secret, QObject *context, Done done);
    void deleteKey(const QString &name, QObject *context, Done done);
    void list(QObject *context, Listed done);

    // Letters, digits, '.', '_' and '-', 1 to 64 characters: safe in a config file and a shell.
    static bool isValidName(const QString &name);
    // What isValidName accepts, for an error message.
    static QString nameRule();

private:
    void updateIndex(const QString &name, bool present, QObject *context, Done done);
};

} // namespace Switchyard

Q_DECLARE_METATYPE(Switchyard::SecretResult)
