#pragma once

#include <QSslConfiguration>
#include <QString>

#include <optional>

namespace Switchyard {

// The TLS side of the gateway's listener, from a certificate file (PEM: the certificate, then
// any intermediates) and an unencrypted PEM key (RSA or EC). Empty, with why in `error`, when
// either cannot be read.
std::optional<QSslConfiguration> serverTls(
    const QString &certFile, const QString &keyFile, QString *error);

} // namespace Switchyard
