#include "config/configdocument.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

namespace Switchyard {

ConfigDocument::ConfigDocument(QObject *parent)
    : QObject(parent)
    , m_watcher(this)
{
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, [this] {
        watch(); // an atomic replace removes the watched file; watch the new one
        QFile file(m_path);
        if (!file.open(QIODevice::ReadOnly))
            return;
        if (file.readAll() != m_lastWritten)
            Q_EMIT changedOnDisk();
    });
}

void ConfigDocument::watch()
{
    if (!m_watcher.files().isEmpty())
        m_watcher.removePaths(m_watcher.files());
    if (!m_path.isEmpty() && QFileInfo::exists(m_path))
        m_watcher.addPath(m_path);
}

ConfigResult ConfigDocument::load(const QString &path, const QByteArray &fallbackJson)
{
    m_path = path;
    QByteArray bytes = fallbackJson;
    if (!path.isEmpty()) {
        ConfigResult failure;
        if (!ConfigLoader::readFile(path, &bytes, &failure))
            return failure;
        m_lastWritten = bytes;
    }
    const ConfigResult result = ConfigLoader::fromJson(bytes);
    if (result.isValid())
        m_json = result.config.source;
    watch();
    return result;
}

QJsonObject ConfigDocument::withLane(
    const QJsonObject &json, const QString &lane, const QStringList &chain, const QString &degraded)
{
    QJsonObject root = json;
    QJsonObject lanes = root.value(QLatin1String("lanes")).toObject();
    QJsonObject entry = lanes.value(lane).toObject();
    entry.insert(QStringLiteral("chain"), QJsonArray::fromStringList(chain));
    if (degraded.isEmpty())
        entry.remove(QStringLiteral("degraded"));
    else
        entry.insert(QStringLiteral("degraded"), degraded);
    lanes.insert(lane, entry);
    root.insert(QStringLiteral("lanes"), lanes);
    return root;
}

ConfigResult ConfigDocument::save(const QJsonObject &json, QString *error)
{
    ConfigResult result = ConfigLoader::fromObject(json);
    if (!result.isValid())
        return result;
    if (!m_path.isEmpty()) {
        const QByteArray bytes = QJsonDocument(json).toJson(QJsonDocument::Indented);
        QSaveFile file(m_path);
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size()
            || !file.commit()) {
            *error = QStringLiteral("cannot save %1: %2").arg(m_path, file.errorString());
            result.errors.append(*error);
            return result;
        }
        m_lastWritten = bytes;
        watch();
    }
    m_json = json;
    return result;
}

} // namespace Switchyard
