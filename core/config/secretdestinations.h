#pragma once

#include "config/config.h"

#include <QList>
#include <QString>

namespace Switchyard {

// A secret that a proposed config would send somewhere it is not sent today.
struct SecretDestinationChange {
    QString provider;
    QString secret; // the reference, e.g. "keychain entry 'openai'"; never a value
    QString destination; // scheme://host:port the key would be sent to

    QString describe() const;
};

// Where a config change moves a secret (issue 14): a provider that is new, points elsewhere, or
// names another secret. Applying such a change from the admin API or the console needs the
// user's explicit word, so a page or script that gets a config in cannot aim a key at its host.
QList<SecretDestinationChange> secretDestinationChanges(
    const Config &running, const Config &proposed);

} // namespace Switchyard
