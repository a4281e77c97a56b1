#pragma once

#include <QList>
#include <QString>

#include <optional>

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

// Every class, in the order the console lists them; names are the wire names of SPEC §6.
const QList<FailureClass> &allFailureClasses();
QString failureClassName(FailureClass failureClass);
std::optional<FailureClass> parseFailureClass(QStringView name);
bool countsForBreaker(FailureClass failureClass);

// What the gateway did after an attempt (or instead of one).
enum class Decision { Return, Retry, Fallback, Skip };

QString decisionName(Decision decision);
std::optional<Decision> parseDecision(QStringView name);

} // namespace Switchyard
