#include "routing/failureclass.h"

namespace Switchyard {

QString failureClassName(FailureClass failureClass)
{
    switch (failureClass) {
    case FailureClass::Ok:
        return QStringLiteral("ok");
    case FailureClass::CallerError:
        return QStringLiteral("caller_error");
    case FailureClass::AuthError:
        return QStringLiteral("auth_error");
    case FailureClass::RateLimited:
        return QStringLiteral("rate_limited");
    case FailureClass::Transient:
        return QStringLiteral("transient");
    case FailureClass::Incompatible:
        return QStringLiteral("incompatible");
    case FailureClass::ContentPolicy:
        return QStringLiteral("content_policy");
    case FailureClass::ContractViolation:
        return QStringLiteral("contract_violation");
    case FailureClass::Budget:
        return QStringLiteral("budget");
    case FailureClass::Cancelled:
        return QStringLiteral("cancelled");
    case FailureClass::MidStream:
        return QStringLiteral("mid_stream");
    }
    return QString();
}

const QList<FailureClass> &allFailureClasses()
{
    static const QList<FailureClass> all { FailureClass::Ok, FailureClass::CallerError,
        FailureClass::AuthError, FailureClass::RateLimited, FailureClass::Transient,
        FailureClass::Incompatible, FailureClass::ContentPolicy, FailureClass::ContractViolation,
        FailureClass::Budget, FailureClass::Cancelled, FailureClass::MidStream };
    return all;
}

std::optional<FailureClass> parseFailureClass(QStringView name)
{
    for (FailureClass candidate : allFailureClasses()) {
        if (failureClassName(candidate) == name)
            return candidate;
    }
    return std::nullopt;
}

bool countsForBreaker(FailureClass failureClass)
{
    switch (failureClass) {
    case FailureClass::AuthError:
    case FailureClass::RateLimited:
    case FailureClass::Transient:
    case FailureClass::ContractViolation:
    case FailureClass::MidStream:
        return true;
    default:
        return false;
    }
}

QString decisionName(Decision decision)
{
    switch (decision) {
    case Decision::Return:
        return QStringLiteral("return");
    case Decision::Retry:
        return QStringLiteral("retry");
    case Decision::Fallback:
        return QStringLiteral("fallback");
    case Decision::Skip:
        return QStringLiteral("skip");
    }
    return QString();
}

std::optional<Decision> parseDecision(QStringView name)
{
    for (Decision candidate :
        { Decision::Return, Decision::Retry, Decision::Fallback, Decision::Skip }) {
        if (decisionName(candidate) == name)
            return candidate;
    }
    return std::nullopt;
}

} // namespace Switchyard
