#include "fakesecretstore.h"

#include <QMutexLocker>
#include <QObject>
#include <QPointer>

namespace Switchyard::Testing {

void FakeSecretStore::setEntry(const QString &name, const QByteArray &secret)
{
    QMutexLocker lock(&m_mutex);
    m_entries.insert(name, secret);
}

QByteArray FakeSecretStore::entry(const QString &name) const
{
    QMutexLocker lock(&m_mutex);
    return m_entries.value(name);
}

bool FakeSecretStore::contains(const QString &name) const
{
    QMutexLocker lock(&m_mutex);
    return m_entries.contains(name);
}

void FakeSecretStore::failEveryCall(SecretStatus status, const QString &error)
{
    QMutexLocker lock(&m_mutex);
    m_failure = status;
    m_failureText = error;
}

int FakeSecretStore::readCount(const QString &name) const
{
    QMutexLocker lock(&m_mutex);
    return m_reads.value(name);
}

void FakeSecretStore::read(const QString &name, QObject *context, Done done)
{
    SecretResult result;
    {
        QMutexLocker lock(&m_mutex);
        ++m_reads[name];
        if (m_failure != SecretStatus::Ok)
            result = SecretResult::failure(m_failure, m_failureText);
        else if (!m_entries.contains(name))
            result = SecretResult::failure(SecretStatus::NotFound,
                QStringLiteral("the keychain has no key named '%1'").arg(name));
        else
            result = SecretResult::success(m_entries.value(name));
    }
    answer(context, std::move(done), result);
}

void FakeSecretStore::write(
    const QString &name, const QByteArray &secret, QObject *context, Done done)
{
    SecretResult result = SecretResult::success();
    {
        QMutexLocker lock(&m_mutex);
        if (m_failure != SecretStatus::Ok)
            result = SecretResult::failure(m_failure, m_failureText);
        else
            m_entries.insert(name, secret);
    }
    answer(context, std::move(done), result);
}

void FakeSecretStore::remove(const QString &name, QObject *context, Done done)
{
    SecretResult result = SecretResult::success();
    {
        QMutexLocker lock(&m_mutex);
        if (m_failure != SecretStatus::Ok)
            result = SecretResult::failure(m_failure, m_failureText);
        else if (!m_entries.remove(name))
            result = SecretResult::failure(SecretStatus::NotFound,
                QStringLiteral("the keychain has no key named '%1'").arg(name));
    }
    answer(context, std::move(done), result);
}

void FakeSecretStore::holdAnswers()
{
    QMutexLocker lock(&m_mutex);
    m_holding = true;
}

void FakeSecretStore::releaseAnswers()
{
    QList<std::function<void()>> held;
    {
        QMutexLocker lock(&m_mutex);
        m_holding = false;
        held.swap(m_held);
    }
    for (const std::function<void()> &send : std::as_const(held))
        send();
}

void FakeSecretStore::answer(QObject *context, Done done, const SecretResult &result)
{
    // Later, on the caller's thread, as a real keychain job would.
    QPointer<QObject> receiver(context);
    std::function<void()> send = [receiver, done = std::move(done), result] {
        if (receiver)
            QMetaObject::invokeMethod(
                receiver.data(), [done, result] { done(result); }, Qt::QueuedConnection);
    };
    {
        QMutexLocker lock(&m_mutex);
        if (m_holding) {
            m_held.append(std::move(send));
            return;
        }
    }
    send();
}

} // namespace Switchyard::Testing
