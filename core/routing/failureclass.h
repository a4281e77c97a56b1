#pragma once

#include <QString>

namespace Switchyard {

// The one class every attempt outcome gets (SPEC §6); the class decides what happens next.
enum class FailureClass {
    Ok,
    CallerError,
    AuthError,
    RateLimited,
    Transient,
    Incompatible,
    ContentPolicy,
    ContractViolation,
    Budget,
    Cancelled,
    MidStream, // an upstream failure after the first byte reached the client
};

QString failureClassName(FailureClass failureClass);
bool countsForBreaker(FailureClass failureClass);

// What the gateway did after an attempt (or instead of one).
enum class Decision { Return, Retry, Fallback, Skip };

QString decisionName(Decision decision);

} // namespace Switchyard
