#pragma once

#include "config/config.h"
#include "secrets/secretresolver.h"

#include <QHash>

namespace Switchyard {

// A config as the engine runs it: the validated settings plus each provider's resolved key.
// Shared read-only by the requests that started on it, so a reload never changes a request mid-way.
struct ActiveConfig {
    Config config;
    QHash<QString, ResolvedSecret> providerKeys;
    ResolvedSecret adminToken;
};

} // namespace Switchyard
