#include "routing/attemptdecision.h"

#include "routing/retrybudget.h"

namespace Switchyard {

namespace {

AttemptVerdict act(AttemptVerdict::Action action)
{
    AttemptVerdict verdict;
    verdict.action = action;
    return verdict;
}

// A retry is worth asking for only while the route can still serve, the policy has retries left
// and the wait ends before the deadline does.
bool mayRetry(const AttemptFacts &facts, qint64 delayMs)
{
    return facts.routeStillUsable && facts.retriesDone < facts.retry.maxRetries
        && delayMs < facts.remainingDeadlineMs;
}

AttemptVerdict retryAfter(const AttemptFacts &facts, qint64 delayMs)
{
    AttemptVerdict verdict = act(AttemptVerdict::Action::Retry);
    verdict.delayMs = delayMs;
    verdict.retryNeedsBudget = !facts.drill; // a drill's retries cost the route nothing
    return verdict;
}

} // namespace

AttemptVerdict decideAfterAttempt(const AttemptFacts &facts)
{
    const Classification &outcome = facts.classification;
    const RetryPolicy &retry = facts.retry;
    switch (outcome.failureClass) {
    case FailureClass::Ok:
    case FailureClass::CallerError:
        return act(AttemptVerdict::Action::Return);
    case FailureClass::Cancelled:
        return act(AttemptVerdict::Action::Cancel);
    case FailureClass::ContentPolicy:
        return act(facts.policyFallbackLeft ? AttemptVerdict::Action::PolicyFallback
                                            : AttemptVerdict::Action::Return);
    case FailureClass::RateLimited: {
        const qint64 named = outcome.retryAfterMs;
        const bool waitable = named < 0 || named <= retry.maxRetryAfterMs;
        const qint64 delay
            = named >= 0 ? named : backoffDelayMs(retry, facts.retriesDone, facts.unitRandom);
        AttemptVerdict verdict = waitable && mayRetry(facts, delay)
            ? retryAfter(facts, delay)
            : act(AttemptVerdict::Action::Fallback);
        // A drill must not leave real state behind; an upstream's word is clamped, so one reply
        // cannot take a route out for years.
        if (named > 0 && !facts.drill)
            verdict.cooldownMs = qMin(named, facts.maxCooldownMs);
        return verdict;
    }
    case FailureClass::Transient: {
        const qint64 delay
            = outcome.retryAtOnce ? 0 : backoffDelayMs(retry, facts.retriesDone, facts.unitRandom);
        const bool worthRetrying = outcome.retryable && (!outcome.silent || retry.retrySilent);
        return worthRetrying && mayRetry(facts, delay) ? retryAfter(facts, delay)
                                                       : act(AttemptVerdict::Action::Fallback);
    }
    case FailureClass::AuthError: {
        AttemptVerdict verdict = act(AttemptVerdict::Action::Fallback);
        verdict.markMisconfigured = !facts.drill;
        return verdict;
    }
    case FailureClass::Incompatible:
    case FailureClass::ContractViolation:
    case FailureClass::Budget:
    case FailureClass::MidStream:
        return act(AttemptVerdict::Action::Fallback);
    }
    return act(AttemptVerdict::Action::Fallback);
}

AttemptVerdict decideForRoute(
    AttemptFacts facts, RouteState &route, qint64 nowMs, const QString &reason)
{
    facts.routeStillUsable = route.breaker.state() == BreakerState::Closed
        || route.breaker.state() == BreakerState::Drilling;
    AttemptVerdict verdict = decideAfterAttempt(facts);
    if (verdict.action == AttemptVerdict::Action::Retry && verdict.retryNeedsBudget
        && !route.retryBudget.tryAcquireRetry(
            facts.retry.budgetRatio, facts.retry.budgetMinRetries))
        verdict.action = AttemptVerdict::Action::Fallback;
    if (verdict.markMisconfigured)
        route.misconfiguredReason = reason;
    if (verdict.action == AttemptVerdict::Action::Fallback && verdict.cooldownMs > 0)
        route.cooldownUntilMs = qMax(route.cooldownUntilMs, nowMs + verdict.cooldownMs);
    return verdict;
}

} // namespace Switchyard
