#pragma once

#include "config/config.h"

#include <QStringList>

namespace Switchyard {

// `switchyard keys set NAME | delete NAME | list`: the system keychain from the command line.
// Returns the process exit code: 0 done, 1 failed (with the reason on stderr), 2 misused.
// `configPath` is the configuration the gateway runs: `set` says which of its providers read the
// entry, or that none does yet.
int runKeysCommand(const QStringList &arguments, const QString &configPath);

// `switchyard admin-token`: prints the token the admin API needs. The config's admin_token when it
// names one (read from its keychain entry or variable), else the token generated in
// `dataDirectory`, made now if the gateway has not made it yet.
int runAdminTokenCommand(const SecretRef &configured, const QString &dataDirectory);

} // namespace Switchyard
