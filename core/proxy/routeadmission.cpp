#include "proxy/routeadmission.h"

#include "observe/costledger.h"
#include "proxy/requesttrace.h"
#include "routing/clock.h"
#include "routing/keypools.h"
#include "routing/routeplan.h"
#include "routing/routeregistry.h"
#include "routing/routestate.h"
#include "translate/callerprotocol.h"

#include <QDateTime>
#include <QRandomGenerator>

namespace Switchyard {

namespace {

RouteAdmission skipped(
    RouteAdmission admission, FailureClass failureClass, const QString &skip, const QString &reason)
{
    admission.failureClass = failureClass;
    admission.skip = skip;
    admission.reason = reason;
    return admission;
}

} // namespace

QString translateForRoute(const RouteConfig &route, const ActiveConfig &active,
    const RequestAnalysis &analysis, RouteAdmission *admission)
{
    const ProviderConfig &provider = active.config.providers.find(route.provider).value();
    const QByteArray &key = admission->keyValue;
    const CallerProtocol *protocol = analysis.protocol;
    admission->translator = nullptr;
    admission->translated = TranslatedRequest {};
    if (protocol && protocol->isNativeTo(provider, route)) {
        // It speaks the caller's API: the caller's own request, untranslated.
        admission->translator = protocol->nativeTranslator();
        admission->translated
            = protocol->nativeRequest(analysis.nativeBody, analysis.nativeHeaders, route, key);
        return QString();
    }
    if (protocol && !analysis.untranslatable.isEmpty())
        return QStringLiteral("%1 request: %2").arg(protocol->name(), analysis.untranslatable);
    admission->translator = ProviderTranslator::forKind(provider.kind);
    if (admission->translator)
        admission->translated
            = admission->translator->translateRequest(analysis.document, route, key);
    return admission->translated.incompatible;
}

bool chooseKey(const RouteConfig &route, const AdmissionContext &context, RouteAdmission *admission)
{
    const auto keys = context.active->providerKeys.constFind(route.provider);
    if (keys == context.active->providerKeys.cend())
        return true; // a provider of no keys
    const KeyPools::Pick key
        = context.keys->pick(route.provider, *keys, context.analysis->keyAffinity);
    switch (key.lack) {
    case KeyPools::Pick::Lack::Unreadable:
        *admission = skipped(std::move(*admission), FailureClass::AuthError,
            QStringLiteral("misconfigured"), QStringLiteral("misconfigured: ") + key.reason);
        return false;
    case KeyPools::Pick::Lack::CoolingDown:
        *admission = skipped(std::move(*admission), FailureClass::RateLimited,
            QStringLiteral("cooling_down"), key.reason);
        return false;
    case KeyPools::Pick::Lack::None:
        break;
    }
    admission->keyLabel = key.label;
    admission->keyValue = key.value;
    return true;
}

RouteAdmission admitRoute(const QString &name, const AdmissionContext &context, RouteState &state)
{
    const ActiveConfig &active = *context.active;
    const RouteConfig &route = active.config.routes.find(name).value();
    RouteAdmission admission;
    const QString incompatible = incompatibilityReason(route, *context.analysis);
    if (!incompatible.isEmpty())
        return skipped(
            admission, FailureClass::Incompatible, QStringLiteral("incompatible"), incompatible);
    admission.compatible = true;
    if (!chooseKey(route, context, &admission))
        return admission;
    const CostLedger &ledger = *context.ledger;
    if (route.budgetUsdPerDay > 0
        && ledger.routeSpendOnDay(name, context.wallNowMs) >= route.budgetUsdPerDay)
        return skipped(admission, FailureClass::Budget, QStringLiteral("budget"),
            QStringLiteral("route spent its %1 USD for today (UTC)").arg(route.budgetUsdPerDay));
    // A lane over its cap keeps only its degraded route, the declared cheap way out.
    const RoutingTarget &target = *context.target;
    if (target.budgetUsdPerDay > 0 && context.inChain
        && ledger.laneSpendOnDay(target.lane, context.wallNowMs) >= target.budgetUsdPerDay)
        return skipped(admission, FailureClass::Budget, QStringLiteral("budget"),
            QStringLiteral("lane spent its %1 USD for today (UTC)").arg(target.budgetUsdPerDay));
    const QString untranslatable = translateForRoute(route, active, *context.analysis, &admission);
    if (!untranslatable.isEmpty())
        return skipped(
            admission, FailureClass::Incompatible, QStringLiteral("incompatible"), untranslatable);
    if (state.cooldownUntilMs > context.nowMs)
        return skipped(admission, FailureClass::RateLimited, QStringLiteral("cooling_down"),
            QStringLiteral("cooling down for %1 ms after a rate limit")
                .arg(state.cooldownUntilMs - context.nowMs));
    switch (state.breaker.admit(context.unitRandom)) {
    case CircuitBreaker::Admission::Denied:
        switch (state.breaker.state()) {
        case BreakerState::Drained:
            return skipped(admission, FailureClass::Transient, QStringLiteral("drained"),
                QStringLiteral("drained by an operator"));
        case BreakerState::HalfOpen:
            return skipped(admission, FailureClass::Transient, QStringLiteral("half_open_busy"),
                QStringLiteral("half-open: its trial calls are already taken"));
        default:
            admission.heldByOpenBreaker = true;
            return skipped(admission, FailureClass::Transient, QStringLiteral("breaker_open"),
                QStringLiteral("breaker open, %1 ms of cooldown left")
                    .arg(state.breaker.cooldownRemainingMs()));
        }
    case CircuitBreaker::Admission::ShareDenied:
        return skipped(admission, FailureClass::Transient, QStringLiteral("recovering_share"),
            QStringLiteral("recovering: takes %1% of traffic")
                .arg(qRound(100 * state.breaker.trafficShare())));
    case CircuitBreaker::Admission::Trial:
        admission.trial = true;
        break;
    case CircuitBreaker::Admission::Drill:
        admission.drill = true;
        break;
    case CircuitBreaker::Admission::Allow:
        break;
    }
    admission.admitted = true;
    return admission;
}

std::optional<RouteAdmission> admitNextRoute(RoutePlan &plan, RequestTrace &trace,
    RouteRegistry &routes, AdmissionContext context, const Clock &clock)
{
    while ((!context.chainOnly || plan.nextInChain()) && plan.advance()) {
        const QString &name = plan.current();
        context.inChain = plan.inChain();
        context.nowMs = clock.nowMs();
        context.wallNowMs = QDateTime::currentMSecsSinceEpoch();
        context.unitRandom = QRandomGenerator::global()->generateDouble();
        RouteState &state = routes.state(name);
        RouteAdmission admission = admitRoute(name, context, state);
        if (admission.compatible)
            plan.noteCompatible(name);
        if (admission.admitted) {
            state.retryBudget.recordRequest();
            return admission;
        }
        trace.skip(name, admission.failureClass, admission.skip, admission.reason);
        if (admission.heldByOpenBreaker)
            plan.noteHeldByBreaker(name);
    }
    return std::nullopt;
}

} // namespace Switchyard
