#pragma once

#include "config/config.h"

#include <QByteArray>
#include <QString>

namespace Switchyard {

struct ResolvedSecret {
    bool ok = false;
    QByteArray value;
    QString error; // why the secret could not be read; never contains the value
};

// Turns a secret reference into its value. Called when a config is applied, never per request.
class SecretResolver final {
public:
    static ResolvedSecret resolve(const SecretRef &ref);
};

} // namespace Switchyard
