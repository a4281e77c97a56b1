#pragma once

#include "config/config.h"

#include <QByteArray>
#include <QObject>
#include <QSslCertificate>
#include <QUrl>

#include <functional>
#include <memory>

class QNetworkAccessManager;

namespace Switchyard {

class SecretStore;

// What a console needs before it attaches to a gateway that runs elsewhere: whether an address
// is served by a Switchyard at all, and the admin token to reach it.
namespace Attachment {

// Whether `gateway` is reached over loopback, so runs on this machine.
bool onThisMachine(const QUrl &gateway);

// The gateway a user typed (`127.0.0.1:8787`, `https://gw.example:8787`), or why the console
// will not attach to it: not http(s), no host, or plain http beyond this machine (the admin
// token would cross the network in clear text).
struct Address {
    QUrl url;
    QString refusal; // empty when `url` may be attached to
};
Address parseAddress(const QString &text);

// The keychain entry where the admin token of the gateway at `gateway` is kept for attaching
// (`switchyard keys set admin-token@127.0.0.1:8787`).
QString keychainEntry(const QUrl &gateway);

// http://HOST:PORT (https with `tls`) from a listen address.
QUrl urlOf(const QString &listenAddress, bool tls = false);

// Asks `gateway`'s /healthz whether a Switchyard answers there (a busy port may be anything);
// `done(true)` only if it says so, within a few seconds.
// `trusted`: certificates to trust beyond the system's, for an HTTPS gateway with its own.
void probe(QNetworkAccessManager *network, const QUrl &gateway, QObject *context,
    std::function<void(bool isSwitchyard)> done, const QList<QSslCertificate> &trusted = {});

// The admin token for `gateway`, looked for in this order: SWITCHYARD_ADMIN_TOKEN; for a gateway
// on this machine, what `switchyard admin-token` prints for `localConfig` (its admin_token, or the
// token file in `dataDirectory` — never created here); then the keychain entry above. `done` gets
// an empty token when there is none, with where it looked.
struct TokenFound {
    QByteArray token;
    QString source; // where it came from, or where it was looked for
};
// `useEnvironment`: false for a gateway SWITCHYARD_ADMIN_TOKEN was not meant for (one of several
// attached, or one opened from the Connect dialog), so that one gateway's token never reaches
// another.
void findToken(const QUrl &gateway, const Config &localConfig, const QString &dataDirectory,
    std::shared_ptr<SecretStore> store, QObject *context,
    std::function<void(const TokenFound &)> done, bool useEnvironment = true);

} // namespace Attachment

} // namespace Switchyard
