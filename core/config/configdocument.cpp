#include "config/configdocument.h"

#include "config/jsontextedit.h"

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
    // The folder is watched too: a file deleted and made again, or an editor that renames its
    // copy over the file, leaves no file to watch for a moment, and only the folder sees it back.
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, &ConfigDocument::onDiskEvent);
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this, &ConfigDocument::onDiskEvent);
}

void ConfigDocument::onDiskEvent()
{
    watch(); // an atomic replace removes the watched file; watch the new one
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly))
        return;
    const QByteArray bytes = file.readAll();
    if (bytes == m_lastWritten || bytes == m_lastSeen)
        return; // ours, or already told (a folder changes for many reasons)
    m_lastSeen = bytes;
    Q_EMIT changedOnDisk();
}

void ConfigDocument::watch()
{
    if (!m_watcher.files().isEmpty())
        m_watcher.removePaths(m_watcher.files());
    if (m_path.isEmpty())
        return;
    if (QFileInfo::exists(m_path))
        m_watcher.addPath(m_path);
    const QString folder = QFileInfo(m_path).absolutePath();
    if (m_watcher.directories().isEmpty() && QFileInfo::exists(folder))
        m_watcher.addPath(folder);
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
        m_lastSeen.clear();
    }
    m_text = bytes;
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

QJsonObject ConfigDocument::withLaneSettings(const QJsonObject &json, const QString &lane,
    const LaneConfig &current, const LaneConfig &edited)
{
    QJsonObject root = json;
    QJsonObject lanes = root.value(QLatin1String("lanes")).toObject();
    QJsonObject entry = lanes.value(lane).toObject();
    if (edited.retry.maxRetries != current.retry.maxRetries) {
        QJsonObject retry = entry.value(QLatin1String("retry")).toObject();
        retry.insert(QStringLiteral("max_retries"), edited.retry.maxRetries);
        entry.insert(QStringLiteral("retry"), retry);
    }
    if (edited.deadlineMs != current.deadlineMs)
        entry.insert(QStringLiteral("deadline_ms"), edited.deadlineMs);
    if (edited.budgetUsdPerDay != current.budgetUsdPerDay) {
        if (edited.budgetUsdPerDay > 0)
            entry.insert(QStringLiteral("budget_usd_per_day"), edited.budgetUsdPerDay);
        else
            entry.remove(QStringLiteral("budget_usd_per_day"));
    }
    if (edited.continuation != current.continuation)
        entry.insert(QStringLiteral("continuation"), continuationName(edited.continuation));
    if (edited.hedge.afterMs != current.hedge.afterMs) {
        if (edited.hedge.enabled()) {
            QJsonObject hedge = entry.value(QLatin1String("hedge")).toObject();
            hedge.insert(QStringLiteral("after_ms"), edited.hedge.afterMs);
            entry.insert(QStringLiteral("hedge"), hedge);
        } else {
            entry.remove(QStringLiteral("hedge"));
        }
    }
    lanes.insert(lane, entry);
    root.insert(QStringLiteral("lanes"), lanes);
    return root;
}

QJsonObject ConfigDocument::withEntry(
    const QJsonObject &json, const QString &section, const QString &name, const QJsonObject &object)
{
    QJsonObject root = json;
    QJsonObject entries = root.value(section).toObject();
    entries.insert(name, object);
    root.insert(section, entries);
    return root;
}

namespace {

QString labelOf(const QJsonObject &key)
{
    if (key.contains(QLatin1String("label")))
        return key.value(QLatin1String("label")).toString();
    return key
        .value(key.contains(QLatin1String("keychain")) ? QLatin1String("keychain")
                                                       : QLatin1String("env"))
        .toString();
}

// The provider's keys as a list, whether the file gives one reference or a pool.
QJsonArray keysOf(const QJsonObject &provider)
{
    const QJsonValue current = provider.value(QLatin1String("api_key"));
    if (current.isArray())
        return current.toArray();
    return current.isObject() ? QJsonArray { current } : QJsonArray {};
}

} // namespace

QJsonObject ConfigDocument::withProviderKey(
    const QJsonObject &json, const QString &provider, const QJsonObject &key)
{
    QJsonObject entry
        = json.value(QLatin1String("providers")).toObject().value(provider).toObject();
    QJsonArray pool = keysOf(entry);
    pool.append(key);
    entry.insert(QStringLiteral("api_key"), pool);
    return withEntry(json, QStringLiteral("providers"), provider, entry);
}

QJsonObject ConfigDocument::withoutProviderKey(
    const QJsonObject &json, const QString &provider, const QString &label)
{
    QJsonObject entry
        = json.value(QLatin1String("providers")).toObject().value(provider).toObject();
    QJsonArray pool = keysOf(entry);
    for (qsizetype i = pool.size() - 1; i >= 0; --i) {
        if (labelOf(pool.at(i).toObject()) == label)
            pool.removeAt(i);
    }
    if (pool.isEmpty())
        entry.remove(QStringLiteral("api_key"));
    else
        entry.insert(QStringLiteral("api_key"), pool);
    return withEntry(json, QStringLiteral("providers"), provider, entry);
}

QStringList ConfigDocument::lanesUsing(const QJsonObject &json, const QString &route)
{
    QStringList lanes;
    const QJsonObject all = json.value(QLatin1String("lanes")).toObject();
    for (auto lane = all.begin(); lane != all.end(); ++lane) {
        const QJsonObject entry = lane.value().toObject();
        if (entry.value(QLatin1String("chain")).toArray().contains(route)
            || entry.value(QLatin1String("policy_fallbacks")).toArray().contains(route)
            || entry.value(QLatin1String("degraded")).toString() == route)
            lanes.append(lane.key());
    }
    return lanes;
}

QStringList ConfigDocument::routesOf(const QJsonObject &json, const QString &provider)
{
    QStringList routes;
    const QJsonObject all = json.value(QLatin1String("routes")).toObject();
    for (auto route = all.begin(); route != all.end(); ++route) {
        if (route.value().toObject().value(QLatin1String("provider")).toString() == provider)
            routes.append(route.key());
    }
    return routes;
}

QJsonObject ConfigDocument::withoutRoute(const QJsonObject &json, const QString &route)
{
    QJsonObject root = json;
    QJsonObject routes = root.value(QLatin1String("routes")).toObject();
    routes.remove(route);
    root.insert(QStringLiteral("routes"), routes);
    QJsonObject lanes = root.value(QLatin1String("lanes")).toObject();
    for (const QString &lane : lanesUsing(json, route)) {
        QJsonObject entry = lanes.value(lane).toObject();
        for (const QString &key : { QStringLiteral("chain"), QStringLiteral("policy_fallbacks") }) {
            if (!entry.contains(key))
                continue;
            QJsonArray kept;
            for (const QJsonValue &value : entry.value(key).toArray()) {
                if (value.toString() != route)
                    kept.append(value);
            }
            entry.insert(key, kept);
        }
        if (entry.value(QLatin1String("degraded")).toString() == route)
            entry.remove(QStringLiteral("degraded"));
        lanes.insert(lane, entry);
    }
    root.insert(QStringLiteral("lanes"), lanes);
    return root;
}

QJsonObject ConfigDocument::withoutProvider(const QJsonObject &json, const QString &provider)
{
    QJsonObject root = json;
    for (const QString &route : routesOf(json, provider))
        root = withoutRoute(root, route);
    QJsonObject providers = root.value(QLatin1String("providers")).toObject();
    providers.remove(provider);
    root.insert(QStringLiteral("providers"), providers);
    return root;
}

void ConfigDocument::adoptRead(const QByteArray &bytes)
{
    const ConfigResult result = ConfigLoader::fromJson(bytes);
    if (!result.isValid())
        return;
    m_json = result.config.source;
    m_text = bytes;
    m_lastSeen = bytes; // already taken in: its change event is news no more
}

ConfigResult ConfigDocument::save(const QJsonObject &json, QString *error)
{
    ConfigResult result = ConfigLoader::fromObject(json);
    if (!result.isValid())
        return result;
    if (!m_path.isEmpty()) {
        // Only what was edited changes in the file; a file that is not JSON any more is replaced.
        const QByteArray bytes = JsonTextEdit::apply(m_text, json)
                                     .value_or(QJsonDocument(json).toJson(QJsonDocument::Indented));
        QSaveFile file(m_path);
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size()
            || !file.commit()) {
            *error = QStringLiteral("cannot save %1: %2").arg(m_path, file.errorString());
            result.errors.append(*error);
            return result;
        }
        m_lastWritten = bytes;
        m_text = bytes;
        m_lastSeen.clear();
        watch();
    }
    m_json = json;
    return result;
}

} // namespace Switchyard
