#pragma once

#include "config/config.h"
#include "routing/classifier.h"
#include "routing/routestate.h"

namespace Switchyard {

// What is known when an attempt has ended and been classified.
struct AttemptFacts {
    Classification classification;
    RetryPolicy retry; // the lane's
    int retriesDone = 0; // on this route, for this request
    // The route's breaker still lets traffic through (closed, or a drill's injected faults).
    bool routeStillUsable = true;
    qint64 remainingDeadlineMs = 0;
    bool drill = false;
    bool policyFallbackLeft = false; // a lane's content-policy fallback not tried yet
    qint64 maxCooldownMs = 0; // limits.max_retry_after_ms: the most one 429 may keep a route away
    double unitRandom = 0.0; // the backoff's jitter
};

// What the plan does next, and what it leaves behind on the route.
struct AttemptVerdict {
    enum class Action {
        Return, // answer the caller with this attempt's outcome
        Cancel, // the caller is gone: answer 499
        Retry, // the same route again after delayMs
        Fallback, // the next route of the plan
        PolicyFallback, // only the lane's content-policy fallbacks from here on
    };
    Action action = Action::Return;
    qint64 delayMs = 0;
    // A retry the route's retry budget must grant; refused, it becomes a fallback.
    bool retryNeedsBudget = false;
    // On a fallback after a rate limit: no traffic to the route for this long (0: none).
    qint64 cooldownMs = 0;
    // An auth failure: the route is flagged misconfigured until it next succeeds.
    bool markMisconfigured = false;
};

// The retry-or-fall-back table of SPEC §6, as a pure function (Envoy's RetryState): the class
// decides, the retry policy, the deadline and the breaker bound it, nothing else is consulted.
AttemptVerdict decideAfterAttempt(const AttemptFacts &facts);

// decideAfterAttempt for an attempt on `route` (whose breaker says whether it is still usable),
// and what the verdict leaves there: a retry its budget refuses becomes a fallback, a rate limit
// cools it down, an auth failure flags it misconfigured with `reason` (already redacted).
AttemptVerdict decideForRoute(
    AttemptFacts facts, RouteState &route, qint64 nowMs, const QString &reason);

} // namespace Switchyard
