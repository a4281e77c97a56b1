#include "observe/redactor.h"

#include <QRegularExpression>

namespace Switchyard {

namespace {

constexpr QLatin1StringView Redacted("[redacted]");

} // namespace

void Redactor::setSecrets(const QList<QByteArray> &secrets)
{
    m_secrets.clear();
    for (const QByteArray &secret : secrets) {
        // Very short values would redact ordinary words; real keys are long.
        if (secret.size() >= 6)
            m_secrets.append(QString::fromUtf8(secret));
    }
}

QByteArray Redactor::redactKnownSecrets(const QByteArray &body) const
{
    QByteArray result = body;
    for (const QString &secret : m_secrets)
        result.replace(secret.toUtf8(), QByteArrayLiteral("[redacted]"));
    return result;
}

QString Redactor::redact(const QString &text) const
{
    if (text.isEmpty())
        return text;
    QString result = text;
    for (const QString &secret : m_secrets)
        result.replace(secret, Redacted);
    static const QRegularExpression headers(
        QStringLiteral(
            R"((authorization|x-api-key|api-key|proxy-authorization)(["']?\s*[:=]\s*["']?)[^\s"',;}]+(\s+[^\s"',;}]+)?)"),
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression bearer(QStringLiteral(R"(\b(Bearer)\s+[A-Za-z0-9._~+/=-]{6,})"),
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression keyShaped(QStringLiteral(R"(\b(sk|pk|rk)-[A-Za-z0-9_*-]{8,})"));
    result.replace(headers, QStringLiteral("\\1\\2[redacted]"));
    result.replace(bearer, QStringLiteral("\\1 [redacted]"));
    result.replace(keyShaped, QStringLiteral("\\1-[redacted]"));
    return result;
}

} // namespace Switchyard
