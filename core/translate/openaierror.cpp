#include "translate/openaierror.h"

#include <QJsonDocument>

namespace Switchyard {

QJsonObject openAiErrorObject(
    const QString &message, const QString &type, const QString &code, const QString &param)
{
    QJsonObject error { { QStringLiteral("message"), message }, { QStringLiteral("type"), type } };
    error.insert(QStringLiteral("code"), code.isEmpty() ? QJsonValue(type) : QJsonValue(code));
    error.insert(QStringLiteral("param"),
        param.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(param));
    return error;
}

QByteArray openAiError(
    const QString &message, const QString &type, const QString &code, const QString &param)
{
    const QJsonObject root { { QStringLiteral("error"),
        openAiErrorObject(message, type, code, param) } };
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

} // namespace Switchyard
