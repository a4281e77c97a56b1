#pragma once

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Switchyard::Testing {

// JSON written with single quotes, so test tables stay readable without raw string
// literals (moc's preprocessor mangles "//" and some quotes inside them).
inline QByteArray jsonText(const char *text)
{
    QByteArray json(text);
    json.replace('\'', '"');
    return json;
}

inline QJsonObject jsonObject(const char *text)
{
    return QJsonDocument::fromJson(jsonText(text)).object();
}

} // namespace Switchyard::Testing
