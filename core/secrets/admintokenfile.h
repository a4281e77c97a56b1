#pragma once

#include <QByteArray>
#include <QString>

namespace Switchyard {

// The admin token a gateway uses when its config names none (issue 14: the admin API always needs
// a token, on loopback too). Generated once, kept in the data folder as `admin-token`, readable
// by its owner only.
//
// A file, not the keychain: the gateway needs the token before it can answer anything, and a
// gateway that runs as a service usually has no unlocked keyring; a keychain read would stall its
// start on a prompt nobody sees. The file sits in a 0700 folder with mode 0600, as ssh keys do.
class AdminTokenFile final {
public:
    static QString pathIn(const QString &dataDirectory);
    // Reads the token, creating it (32 random bytes, hex) when there is none. Returns an empty
    // array and says why in `error` when the folder cannot be written or the file is unsafe.
    static QByteArray loadOrCreate(const QString &dataDirectory, QString *error);
};

} // namespace Switchyard
