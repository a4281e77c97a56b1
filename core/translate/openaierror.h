#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace Switchyard {

// Switchyard's own errors, in OpenAI's shape: {"error": {"message", "type", "code", "param"}}.
QJsonObject openAiErrorObject(const QString &message, const QString &type,
    const QString &code = QString(), const QString &param = QString());
QByteArray openAiError(const QString &message, const QString &type, const QString &code = QString(),
    const QString &param = QString());

} // namespace Switchyard
