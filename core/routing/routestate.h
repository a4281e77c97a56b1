#pragma once

#include "routing/retrybudget.h"

#include <QString>

namespace Switchyard {

// What the engine remembers about one route between requests.
class RouteState final {
public:
    explicit RouteState(const Clock &clock)
        : retryBudget(clock)
    {
    }

    RetryBudget retryBudget;
    qint64 cooldownUntilMs = 0; // set by a 429's Retry-After: no traffic before then
    QString misconfiguredReason; // set by an auth failure; cleared by the next success
    QString lastError;
};

} // namespace Switchyard
