#pragma once

#include "config/activeconfig.h"
#include "routing/failureclass.h"
#include "routing/lanerouter.h"
#include "routing/requestanalysis.h"
#include "translate/providertranslator.h"

#include <QString>

#include <optional>

namespace Switchyard {

class Clock;
class CostLedger;
class KeyPools;
class RequestTrace;
class RouteRegistry;
class RoutePlan;
class RouteState;

// What a route is asked with: the request, its lane, and the moment.
struct AdmissionContext {
    const ActiveConfig *active = nullptr;
    const RequestAnalysis *analysis = nullptr;
    const RoutingTarget *target = nullptr;
    const CostLedger *ledger = nullptr;
    const KeyPools *keys = nullptr;
    bool inChain = true; // a route of the lane's chain, not its degraded slot
    // The walk stops at the end of the chain: a hedge is for latency, and the degraded route is
    // for when the chain has failed.
    bool chainOnly = false;
    qint64 nowMs = 0; // on the engine's clock
    qint64 wallNowMs = 0; // for the spend caps' UTC day
    double unitRandom = 0.0; // a recovering route's traffic share
};

// Whether one route of a request's plan takes it now, and if not, the skip the trace shows.
struct RouteAdmission {
    bool admitted = false;
    // The route can serve this request at all: the first such route is the request's first
    // choice, and any other that answers is a fallback.
    bool compatible = false;
    // Not admitted:
    FailureClass failureClass = FailureClass::Transient;
    QString skip; // incompatible, misconfigured, budget, cooling_down, drained, ...
    QString reason;
    bool heldByOpenBreaker = false; // a candidate for the panic attempt
    // Admitted:
    bool trial = false; // a half-open breaker's trial call
    bool drill = false; // the operator's drill answers instead of the upstream
    // The provider's key the call sends (none when it needs none), and its label for the trace.
    QString keyLabel;
    QByteArray keyValue;
    const ProviderTranslator *translator = nullptr; // null: the provider speaks OpenAI
    TranslatedRequest translated;
};

// How `route` is sent the request with the key in `admission`: the translator and the translated
// request it takes (none for an OpenAI-speaking provider given a chat request), set in
// `admission`. Returns why it cannot be translated, or an empty string.
QString translateForRoute(const RouteConfig &route, const ActiveConfig &active,
    const RequestAnalysis &analysis, RouteAdmission *admission);

// The key of `route`'s provider that a call in `context` sends, set in `admission`; false (and
// the skip in `admission`) when none can serve: none can be read, or every one is cooling down.
bool chooseKey(
    const RouteConfig &route, const AdmissionContext &context, RouteAdmission *admission);

// Asks `route` in the order that costs least and says most: compatibility, its key, the spend
// caps, translation, a rate limit's cooldown, and last its breaker. Asking the breaker may take a
// trial slot, so each route is asked once per step of the plan.
RouteAdmission admitRoute(const QString &route, const AdmissionContext &context, RouteState &state);

// Walks `plan` on to the next route that takes the request. Each route passed over is recorded in
// `trace` and noted in the plan (compatible, held back by its breaker); the one that takes it has
// the request counted by its retry budget. Nullopt when the plan is used up.
std::optional<RouteAdmission> admitNextRoute(RoutePlan &plan, RequestTrace &trace,
    RouteRegistry &routes, AdmissionContext context, const Clock &clock);

} // namespace Switchyard
