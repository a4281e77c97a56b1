#pragma once

#include "config/configloader.h"

#include <QFileSystemWatcher>
#include <QJsonObject>
#include <QObject>

namespace Switchyard {

// The configuration file as the console edits it: the JSON as read (unknown keys included),
// edits applied to that JSON, atomic saves with QSaveFile, and a signal when someone else
// changes the file. A document without a path (the built-in demo) is never written.
class ConfigDocument final : public QObject {
    Q_OBJECT
public:
    explicit ConfigDocument(QObject *parent = nullptr);

    // Reads `path`; with an empty path, `fallbackJson` is the document and nothing is saved.
    ConfigResult load(const QString &path, const QByteArray &fallbackJson = QByteArray());
    QString path() const { return m_path; }
    QJsonObject json() const { return m_json; }
    bool isSaved() const { return !m_path.isEmpty(); }

    // The document with one lane's chain and degraded route replaced; nothing else changes.
    static QJsonObject withLane(const QJsonObject &json, const QString &lane,
        const QStringList &chain, const QString &degraded);
    // The document with one lane's settings changed where they differ from `current`: retry,
    // deadline, budget, continuation and hedge. A setting left as it was is not written, so a
    // file that never named it does not start to.
    static QJsonObject withLaneSettings(const QJsonObject &json, const QString &lane,
        const LaneConfig &current, const LaneConfig &edited);
    // The document with one entry of "providers" or "routes" set to `object` (added or replaced).
    static QJsonObject withEntry(const QJsonObject &json, const QString &section,
        const QString &name, const QJsonObject &object);
    // The document with `key` (a secret reference, with "label" and "weight" where given) added to
    // the api_key of `provider`, which becomes a pool (a list) if it was a single reference.
    static QJsonObject withProviderKey(
        const QJsonObject &json, const QString &provider, const QJsonObject &key);
    // The document without the key labelled `label` in the api_key of `provider` (a key without a
    // label is labelled by its reference's name); without api_key once no key is left.
    static QJsonObject withoutProviderKey(
        const QJsonObject &json, const QString &provider, const QString &label);
    // The lanes whose chain, degraded route or policy fallbacks name `route`.
    static QStringList lanesUsing(const QJsonObject &json, const QString &route);
    // The routes of `provider`.
    static QStringList routesOf(const QJsonObject &json, const QString &provider);
    // The document without `route`, and without every mention of it in the lanes.
    static QJsonObject withoutRoute(const QJsonObject &json, const QString &route);
    // The document without `provider` and its routes.
    static QJsonObject withoutProvider(const QJsonObject &json, const QString &provider);
    // Validates `json`, then writes it atomically; on success it becomes the document.
    ConfigResult save(const QJsonObject &json, QString *error);
    // `json` runs though it could not be written: the document is it, unsaved.
    void adoptUnsaved(const QJsonObject &json) { m_json = json; }
    // The file's bytes as read (and run) elsewhere become the document.
    void adoptRead(const QByteArray &bytes);

Q_SIGNALS:
    // The file changed on disk, not through save().
    void changedOnDisk();

private:
    void watch();
    void onDiskEvent();

    QString m_path;
    QJsonObject m_json;
    QByteArray m_text; // the file as last read or written: what the next save edits
    QByteArray m_lastWritten;
    QByteArray m_lastSeen; // what changedOnDisk was last emitted for
    QFileSystemWatcher m_watcher;
};

} // namespace Switchyard
