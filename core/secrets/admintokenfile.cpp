#include "secrets/admintokenfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSaveFile>

namespace Switchyard {

namespace {

constexpr QFileDevice::Permissions OwnerOnlyFile = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
constexpr QFileDevice::Permissions OwnerOnlyFolder
    = QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner;

bool looksLikeToken(const QByteArray &token)
{
    if (token.size() < 32 || token.size() > 256)
        return false;
    for (const char c : token) {
        if (c <= ' ' || c > '~')
            return false;
    }
    return true;
}

} // namespace

QString AdminTokenFile::pathIn(const QString &dataDirectory)
{
    return QDir(dataDirectory).filePath(QStringLiteral("admin-token"));
}

QByteArray AdminTokenFile::loadOrCreate(const QString &dataDirectory, QString *error)
{
    if (!QDir().mkpath(dataDirectory)) {
        *error = QStringLiteral("cannot create %1").arg(dataDirectory);
        return {};
    }
    QFile::setPermissions(dataDirectory, OwnerOnlyFolder);
    const QString path = pathIn(dataDirectory);
    QFile existing(path);
    if (existing.exists()) {
        if (!existing.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read %1: %2").arg(path, existing.errorString());
            return {};
        }
        const QByteArray token = existing.read(1024).trimmed();
        if (!looksLikeToken(token)) {
            *error = QStringLiteral("%1 does not hold a token (32 to 256 printable characters); "
                                    "delete it and a new one is made")
                         .arg(path);
            return {};
        }
        // A token others can read is no secret: keep it to its owner whatever made the file.
        if (QFile::permissions(path) != OwnerOnlyFile)
            QFile::setPermissions(path, OwnerOnlyFile);
        return token;
    }
    QByteArray token;
    for (int i = 0; i < 4; ++i) {
        const quint64 word = QRandomGenerator::system()->generate64();
        token += QByteArray::number(word, 16).rightJustified(16, '0');
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return {};
    }
    file.setPermissions(OwnerOnlyFile);
    file.write(token + '\n');
    if (!file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return {};
    }
    QFile::setPermissions(path, OwnerOnlyFile);
    return token;
}

} // namespace Switchyard
