#include "secrets/keychainsecretstore.h"

#include <QCoreApplication>
#include <QObject>
#include <qt6keychain/keychain.h>

namespace Switchyard {

namespace {

// Carries one job's answer from the main thread to the caller's.
class SecretAnswer final : public QObject {
    Q_OBJECT
Q_SIGNALS:
    void answered(const Switchyard::SecretResult &result);
};

SecretResult resultOf(const QKeychain::Job &job, const QString &name)
{
    const QString detail = job.errorString();
    switch (job.error()) {
    case QKeychain::NoError:
        return SecretResult::success();
    case QKeychain::EntryNotFound:
        return SecretResult::failure(
            SecretStatus::NotFound, QStringLiteral("the keychain has no key named '%1'").arg(name));
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        return SecretResult::failure(SecretStatus::Locked,
            QStringLiteral("the keychain refused access to '%1' (%2): unlock it, for example by "
                           "logging in to the desktop, and try again")
                .arg(name, detail));
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        break;
    case QKeychain::CouldNotDeleteEntry:
    case QKeychain::OtherError:
        // The Secret Service reports "no session bus" and "no unlocked collection" as generic
        // errors; their texts are all there is to tell them apart.
        if (detail.contains(QLatin1String("collection"), Qt::CaseInsensitive)
            || detail.contains(QLatin1String("locked"), Qt::CaseInsensitive)
            || detail.contains(QLatin1String("prompt"), Qt::CaseInsensitive))
            return SecretResult::failure(SecretStatus::Locked,
                QStringLiteral("the keychain is locked or has no default keyring (%1): unlock or "
                               "create the login keyring, for example by logging in to the "
                               "desktop or with `gnome-keyring-daemon --unlock`")
                    .arg(detail));
        if (!detail.contains(QLatin1String("D-Bus"), Qt::CaseInsensitive)
            && !detail.contains(QLatin1String("DBus"), Qt::CaseInsensitive)
            && !detail.contains(QLatin1String("org.freedesktop"), Qt::CaseInsensitive))
            return SecretResult::failure(
                SecretStatus::Failed, QStringLiteral("the keychain failed: %1").arg(detail));
        break;
    }
    return SecretResult::failure(SecretStatus::NoService,
        QStringLiteral("no keychain service is reachable (%1): install gnome-keyring (or KWallet) "
                       "and run Switchyard in a desktop session, or start one with "
                       "`dbus-run-session` and `gnome-keyring-daemon --unlock`; or use "
                       "{\"env\": VARIABLE} references instead")
            .arg(detail));
}

template <typename Job> Job *makeJob(const QString &service, const QString &name)
{
    auto *job = new Job(service);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(name);
    return job;
}

} // namespace

KeychainSecretStore::KeychainSecretStore(QString service)
    : m_service(std::move(service))
{
    qRegisterMetaType<Switchyard::SecretResult>();
}

void KeychainSecretStore::read(const QString &name, QObject *context, Done done)
{
    const QString service = m_service;
    runJob([service, name] { return makeJob<QKeychain::ReadPasswordJob>(service, name); }, name,
        context, std::move(done));
}

void KeychainSecretStore::write(
    const QString &name, const QByteArray &secret, QObject *context, Done done)
{
    const QString service = m_service;
    runJob(
        [service, name, secret] {
            auto *job = makeJob<QKeychain::WritePasswordJob>(service, name);
            job->setBinaryData(secret);
            return job;
        },
        name, context, std::move(done));
}

void KeychainSecretStore::remove(const QString &name, QObject *context, Done done)
{
    const QString service = m_service;
    runJob([service, name] { return makeJob<QKeychain::DeletePasswordJob>(service, name); }, name,
        context, std::move(done));
}

void KeychainSecretStore::runJob(
    std::function<QKeychain::Job *()> makeJob, const QString &name, QObject *context, Done done)
{
    // libsecret binds to the GLib context of the thread that first uses it and then never answers
    // other threads, so every job is made and run on the application's main thread. The answer
    // comes back through a signal whose receiver is `context`: Qt queues it to context's thread
    // and drops it if context is gone by then.
    auto *answer = new SecretAnswer;
    QObject::connect(answer, &SecretAnswer::answered, context,
        [done = std::move(done)](const SecretResult &result) { done(result); });
    QObject::connect(answer, &SecretAnswer::answered, answer, &QObject::deleteLater);
    QCoreApplication *app = QCoreApplication::instance();
    answer->moveToThread(app->thread());
    QMetaObject::invokeMethod(
        app,
        [app, makeJob = std::move(makeJob), name, answer] {
            QKeychain::Job *job = makeJob();
            // A keychain that never answers (locked, its prompt unseen) never finishes the job:
            // the job and its answer then go with the application instead of outliving it.
            job->setParent(app);
            answer->setParent(job);
            QObject::connect(job, &QKeychain::Job::finished, app, [job, name, answer] {
                SecretResult result = resultOf(*job, name);
                if (auto *read = qobject_cast<QKeychain::ReadPasswordJob *>(job);
                    read && result.ok())
                    result.value = read->binaryData();
                Q_EMIT answer->answered(result);
            });
            job->start();
        },
        Qt::QueuedConnection);
}

} // namespace Switchyard

#include "keychainsecretstore.moc"
