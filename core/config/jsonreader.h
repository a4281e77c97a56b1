#pragma once

#include "config/config.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>

#include <initializer_list>
#include <limits>

namespace Switchyard {

// "a string", "an array": a JSON value's type as an error message names it.
QString describeType(const QJsonValue &value);
// `path` + "." + `key`, the JSON path errors name.
QString join(const QString &path, const QString &key);

// Reads typed values out of JSON objects, collecting every error with its JSON path
// instead of stopping at the first one.
class JsonReader final {
public:
    QStringList errors;
    QStringList warnings;
    bool readsFiles = true; // see ConfigLoader::Files

    void error(const QString &path, const QString &message);
    // Each key of `object` (at `path`) must be one ConfigSchema lists under `schemaPath`, such as
    // "routes.NAME.breaker", or a note ("//…", "x-…"): a misspelt key is an error, with the key
    // it most likely means, never a setting silently left at its default.
    void checkKeys(const QJsonObject &object, const QString &path, const QString &schemaPath);

    QJsonObject object(const QJsonObject &parent, const QString &key, const QString &path);

    QString string(const QJsonObject &parent, const QString &key, const QString &path,
        const QString &fallback, bool required = false);

    qint64 integer(const QJsonObject &parent, const QString &key, const QString &path,
        qint64 fallback, qint64 minimum, qint64 maximum = std::numeric_limits<int>::max());

    double number(const QJsonObject &parent, const QString &key, const QString &path,
        double fallback, double minimum, double maximum);

    bool boolean(const QJsonObject &parent, const QString &key, const QString &path, bool fallback);

    QStringList stringList(const QJsonObject &parent, const QString &key, const QString &path);

    SecretRef secret(const QJsonObject &parent, const QString &key, const QString &path);
    // A secret reference given as `value` itself (an element of a list, say), which may carry
    // the keys `alsoAllowed` beside its "keychain" or "env"; the caller reads those.
    SecretRef secretValue(
        const QJsonValue &value, const QString &where, const QStringList &alsoAllowed = {});

    static bool looksLikeAKey(const QString &name);
};

} // namespace Switchyard
