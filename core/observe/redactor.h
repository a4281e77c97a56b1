#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace Switchyard {

// Removes secrets from text bound for logs, traces and error bodies: the configured keys
// wherever they appear, and anything shaped like a credential (Authorization, x-api-key and
// api-key headers, bearer tokens, sk-… keys) that an upstream echoed back.
class Redactor final {
public:
    void setSecrets(const QList<QByteArray> &secrets);
    QString redact(const QString &text) const;
    // Only the configured secrets, for bodies passed back to a caller: nothing else is touched.
    QByteArray redactKnownSecrets(const QByteArray &body) const;

private:
    QList<QString> m_secrets;
};

} // namespace Switchyard
