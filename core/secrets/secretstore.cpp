#include "secrets/secretstore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace Switchyard {

namespace {

// Not a valid key name, so no user key can overwrite it.
const QString IndexEntry = QStringLiteral(":index");

QStringList parseIndex(const QByteArray &json)
{
    QStringList names;
    const QJsonArray array = QJsonDocument::fromJson(json).array();
    for (const QJsonValue &value : array) {
        if (SecretStore::isValidName(value.toString()))
            names.append(value.toString());
    }
    return names;
}

} // namespace

SecretResult SecretResult::success(const QByteArray &value)
{
    return SecretResult { SecretStatus::Ok, value, QString() };
}

SecretResult SecretResult::failure(SecretStatus status, const QString &error)
{
    return SecretResult { status, QByteArray(), error };
}

SecretStore::~SecretStore() = default;

bool SecretStore::isValidName(const QString &name)
{
    // '@' and ':' name a gateway's admin token (admin-token@HOST:PORT); never first, so that no
    // name can be the index's own entry.
    static const QRegularExpression pattern(
        QStringLiteral("^[A-Za-z0-9._-][A-Za-z0-9._@:-]{0,299}$"));
    return pattern.match(name).hasMatch();
}

QString SecretStore::nameRule()
{
    return QStringLiteral("use letters, digits, '.', '_' and '-' (and after the first, '@' and "
                          "':'), at most 300");
}

void SecretStore::setKey(const QString &name, const QByteArray &secret, QObject *context, Done done)
{
    if (!isValidName(name)) {
        done(SecretResult::failure(SecretStatus::Failed,
            QStringLiteral("'%1' is not a valid key name: %2").arg(name, nameRule())));
        return;
    }
    write(name, secret, context, [this, name, context, done](const SecretResult &written) {
        if (!written.ok()) {
            done(written);
            return;
        }
        updateIndex(name, true, context, done);
    });
}

void SecretStore::deleteKey(const QString &name, QObject *context, Done done)
{
    // Some keychains report deleting a missing entry as success; ask first, so "no such key" is
    // said.
    read(name, context, [this, name, context, done](const SecretResult &existing) {
        if (existing.status == SecretStatus::NotFound) {
            updateIndex(name, false, context, [existing, done](const SecretResult &indexed) {
                done(indexed.ok() ? existing : indexed);
            });
            return;
        }
        if (!existing.ok()) {
            done(existing);
            return;
        }
        remove(name, context, [this, name, context, done](const SecretResult &removed) {
            if (!removed.ok()) {
                done(removed);
                return;
            }
            updateIndex(name, false, context, done);
        });
    });
}

void SecretStore::list(QObject *context, Listed done)
{
    read(IndexEntry, context, [done](const SecretResult &index) {
        if (index.status == SecretStatus::NotFound)
            done({}, SecretResult::success());
        else if (!index.ok())
            done({}, index);
        else
            done(parseIndex(index.value), SecretResult::success());
    });
}

void SecretStore::updateIndex(const QString &name, bool present, QObject *context, Done done)
{
    read(IndexEntry, context, [this, name, present, context, done](const SecretResult &index) {
        if (!index.ok() && index.status != SecretStatus::NotFound) {
            done(index);
            return;
        }
        QStringList names = index.ok() ? parseIndex(index.value) : QStringList();
        names.removeAll(name);
        if (present)
            names.append(name);
        names.sort();
        const QByteArray json
            = QJsonDocument(QJsonArray::fromStringList(names)).toJson(QJsonDocument::Compact);
        write(IndexEntry, json, context, done);
    });
}

} // namespace Switchyard
