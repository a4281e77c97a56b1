#pragma once

#include "secrets/secretstore.h"

#include <QHash>
#include <QList>
#include <QMutex>

#include <functional>

namespace Switchyard::Testing {

// An in-memory SecretStore for tests. Answers asynchronously, like a keychain, and can be told to
// fail every call the way a locked keychain or a machine without one does. Thread-safe: the test
// sets entries from its thread while the engine reads from its own.
class FakeSecretStore final : public SecretStore {
public:
    void setEntry(const QString &name, const QByteArray &secret);
    QByteArray entry(const QString &name) const;
    bool contains(const QString &name) const;
    // Every call fails with this status and text until cleared with SecretStatus::Ok.
    void failEveryCall(SecretStatus status, const QString &error = QString());
    int readCount(const QString &name) const;
    // While holding, answers wait (a keyring prompting for its password); release sends them.
    void holdAnswers();
    void releaseAnswers();

    void read(const QString &name, QObject *context, Done done) override;
    void write(const QString &name, const QByteArray &secret, QObject *context, Done done) override;
    void remove(const QString &name, QObject *context, Done done) override;

private:
    void answer(QObject *context, Done done, const SecretResult &result);

    mutable QMutex m_mutex;
    QHash<QString, QByteArray> m_entries;
    QHash<QString, int> m_reads;
    SecretStatus m_failure = SecretStatus::Ok;
    bool m_holding = false;
    QList<std::function<void()>> m_held;
    QString m_failureText;
};

} // namespace Switchyard::Testing
