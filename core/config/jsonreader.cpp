#include "config/jsonreader.h"

#include "config/configschema.h"

#include "secrets/secretstore.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QSet>

#include <cmath>

namespace Switchyard {

QString describeType(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

QString join(const QString &path, const QString &key)
{
    return path.isEmpty() ? key : path + QLatin1Char('.') + key;
}

void JsonReader::error(const QString &path, const QString &message)
{
    errors.append(QStringLiteral("%1: %2").arg(path, message));
}

void JsonReader::checkKeys(
    const QJsonObject &object, const QString &path, const QString &schemaPath)
{
    // A file of a million stray keys gets a bounded answer: the first few, then a count.
    constexpr int NamedPerObject = 10;
    const QStringList known = ConfigSchema::childrenOf(schemaPath);
    int unknown = 0;
    bool listedKnown = false;
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (known.contains(it.key()) || ConfigSchema::isNote(it.key()))
            continue;
        if (++unknown > NamedPerObject)
            continue;
        const QString key = it.key().left(80);
        const QString suggestion = ConfigSchema::suggestionFor(key, known);
        if (!suggestion.isEmpty()) {
            error(join(path, key),
                QStringLiteral("unknown key; did you mean \"%1\"?").arg(suggestion));
        } else if (!listedKnown) {
            listedKnown = true;
            error(join(path, key),
                QStringLiteral("unknown key (known here: %1; a note's name starts with \"//\")")
                    .arg(known.join(QLatin1String(", "))));
        } else {
            error(join(path, key), QStringLiteral("unknown key"));
        }
    }
    if (unknown > NamedPerObject)
        error(path.isEmpty() ? QStringLiteral("(document)") : path,
            QStringLiteral("%1 more unknown keys").arg(unknown - NamedPerObject));
}

QJsonObject JsonReader::object(const QJsonObject &parent, const QString &key, const QString &path)
{
    const QJsonValue value = parent.value(key);
    if (value.isUndefined())
        return {};
    if (!value.isObject()) {
        error(
            join(path, key), QStringLiteral("must be an object, not %1").arg(describeType(value)));
        return {};
    }
    return value.toObject();
}

QString JsonReader::string(const QJsonObject &parent, const QString &key, const QString &path,
    const QString &fallback, bool required)
{
    const QJsonValue value = parent.value(key);
    if (value.isUndefined()) {
        if (required)
            error(join(path, key), QStringLiteral("is required"));
        return fallback;
    }
    if (!value.isString()) {
        error(join(path, key), QStringLiteral("must be a string, not %1").arg(describeType(value)));
        return fallback;
    }
    if (required && value.toString().isEmpty())
        error(join(path, key), QStringLiteral("must not be empty"));
    return value.toString();
}

qint64 JsonReader::integer(const QJsonObject &parent, const QString &key, const QString &path,
    qint64 fallback, qint64 minimum, qint64 maximum)
{
    const QJsonValue value = parent.value(key);
    if (value.isUndefined())
        return fallback;
    const double number = value.toDouble(std::nan(""));
    if (!value.isDouble() || std::floor(number) != number) {
        error(join(path, key),
            QStringLiteral("must be a whole number, not %1").arg(describeType(value)));
        return fallback;
    }
    if (number < double(minimum)) {
        error(join(path, key), QStringLiteral("must be ≥ %1").arg(minimum));
        return fallback;
    }
    if (number > double(maximum)) {
        error(join(path, key), QStringLiteral("must be ≤ %1").arg(maximum));
        return fallback;
    }
    return qint64(number);
}

double JsonReader::number(const QJsonObject &parent, const QString &key, const QString &path,
    double fallback, double minimum, double maximum)
{
    const QJsonValue value = parent.value(key);
    if (value.isUndefined())
        return fallback;
    if (!value.isDouble()) {
        error(join(path, key), QStringLiteral("must be a number, not %1").arg(describeType(value)));
        return fallback;
    }
    const double result = value.toDouble();
    if (result < minimum) {
        error(join(path, key), QStringLiteral("must be ≥ %1").arg(minimum));
        return fallback;
    }
    if (result > maximum) {
        error(join(path, key), QStringLiteral("must be ≤ %1").arg(maximum));
        return fallback;
    }
    return result;
}

bool JsonReader::boolean(
    const QJsonObject &parent, const QString &key, const QString &path, bool fallback)
{
    const QJsonValue value = parent.value(key);
    if (value.isUndefined())
        return fallback;
    if (!value.isBool()) {
        error(join(path, key),
            QStringLiteral("must be true or false, not %1").arg(describeType(value)));
        return fallback;
    }
    return value.toBool();
}

QStringList JsonReader::stringList(
    const QJsonObject &parent, const QString &key, const QString &path)
{
    const QJsonValue value = parent.value(key);
    if (value.isUndefined())
        return {};
    if (!value.isArray()) {
        error(join(path, key),
            QStringLiteral("must be an array of strings, not %1").arg(describeType(value)));
        return {};
    }
    QStringList result;
    const QJsonArray array = value.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        if (!array.at(i).isString()) {
            error(QStringLiteral("%1[%2]").arg(join(path, key)).arg(i),
                QStringLiteral("must be a string, not %1").arg(describeType(array.at(i))));
            continue;
        }
        result.append(array.at(i).toString());
    }
    return result;
}

SecretRef JsonReader::secret(const QJsonObject &parent, const QString &key, const QString &path)
{
    const QJsonValue value = parent.value(key);
    if (value.isUndefined() || value.isNull())
        return {};
    return secretValue(value, join(path, key));
}

SecretRef JsonReader::secretValue(
    const QJsonValue &value, const QString &where, const QStringList &alsoAllowed)
{
    if (value.isString()) {
        error(where,
            QStringLiteral("literal secrets are refused; use {\"keychain\": NAME} "
                           "or {\"env\": VARIABLE}"));
        return {};
    }
    if (!value.isObject()) {
        error(where,
            QStringLiteral("must be {\"keychain\": NAME} or {\"env\": VARIABLE}, not %1")
                .arg(describeType(value)));
        return {};
    }
    const QJsonObject object = value.toObject();
    const bool hasKeychain = object.contains(QLatin1String("keychain"));
    const bool hasEnv = object.contains(QLatin1String("env"));
    const qsizetype keys = object.size();
    qsizetype notes = 0;
    for (auto it = object.begin(); it != object.end(); ++it)
        notes += ConfigSchema::isNote(it.key()) || alsoAllowed.contains(it.key()) ? 1 : 0;
    if (keys - notes != 1 || hasKeychain == hasEnv) {
        error(where, QStringLiteral("must have exactly one of \"keychain\" or \"env\""));
        return {};
    }
    SecretRef ref;
    ref.source = hasKeychain ? SecretRef::Source::Keychain : SecretRef::Source::Environment;
    ref.name = string(object, hasKeychain ? QStringLiteral("keychain") : QStringLiteral("env"),
        where, QString(), true);
    if (ref.name.isEmpty())
        return {};
    const QString namePath
        = join(where, hasKeychain ? QStringLiteral("keychain") : QStringLiteral("env"));
    // A key pasted where its name belongs would end up in the file, the UI and the logs.
    if (looksLikeAKey(ref.name)) {
        error(namePath,
            QStringLiteral("looks like a key itself; give the name of a keychain entry or "
                           "environment variable, and store the key with `switchyard keys "
                           "set NAME` or in the environment"));
        return {};
    }
    static const QRegularExpression variable(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    if (hasKeychain && !SecretStore::isValidName(ref.name)) {
        error(namePath,
            QStringLiteral("is not a keychain entry name: %1").arg(SecretStore::nameRule()));
        return {};
    }
    if (!hasKeychain && !variable.match(ref.name).hasMatch()) {
        error(namePath, QStringLiteral("is not an environment variable name"));
        return {};
    }
    return ref;
}

bool JsonReader::looksLikeAKey(const QString &name)
{
    static const QRegularExpression prefix(
        QStringLiteral("^(sk|pk|rk|gsk|xai|csk|nvapi|hf|key)[-_]"),
        QRegularExpression::CaseInsensitiveOption);
    if (prefix.match(name).hasMatch() || name.startsWith(QLatin1String("AIza")))
        return true;
    // Long, and a mix of letters and digits: a token, not a name anyone would pick.
    int digits = 0;
    int letters = 0;
    for (const QChar c : name) {
        digits += c.isDigit();
        letters += c.isLetter();
    }
    return name.size() >= 32 && digits >= 4 && letters >= 8;
}

} // namespace Switchyard
