#pragma once

#include <QStringList>

namespace Switchyard {

// `switchyard keys set NAME | delete NAME | list`: the system keychain from the command line.
// Returns the process exit code: 0 done, 1 failed (with the reason on stderr), 2 misused.
int runKeysCommand(const QStringList &arguments);

} // namespace Switchyard
