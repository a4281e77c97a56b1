#pragma once

#include "routing/lanerouter.h"

#include <QString>
#include <QStringList>

namespace Switchyard {

// The routes one request may try, in order (SPEC §4): the lane's chain, then its degraded route.
// A content-policy refusal narrows the rest to the lane's policy fallbacks; when every route was
// held back by an open breaker, one panic attempt goes to the one that cools down first (Envoy's
// panic mode). Pure: it asks no breaker itself.
class RoutePlan final {
public:
    explicit RoutePlan(const RoutingTarget &target);

    // Moves to the next route; false when the plan is used up.
    bool advance();
    const QString &current() const { return m_routes.at(m_index); }
    // The current route is one of the chain's, not the degraded slot's (a lane over its spend
    // cap keeps only the degraded route).
    bool inChain() const { return m_index < m_chainLength; }
    // The route after the current one is still one of the chain's.
    bool nextInChain() const { return m_index + 1 < m_chainLength; }
    // The route after the current one when it is one of the chain's; empty otherwise.
    QString nextChainRoute() const { return nextInChain() ? m_routes.at(m_index + 1) : QString(); }
    const QStringList &routes() const { return m_routes; }

    // The first route that could serve the request is its first choice; any other that answers
    // is a fallback.
    void noteCompatible(const QString &route);
    const QString &firstChoice() const { return m_firstChoice; }

    // After a content-policy refusal: the rest of the plan is the policy fallbacks not yet tried.
    QStringList untriedPolicyFallbacks(const QStringList &tried) const;
    void restrictToPolicyFallbacks(const QStringList &tried);
    bool policyRestricted() const { return m_policyRestricted; }

    // A route skipped because its breaker is open; the panic attempt picks among them.
    void noteHeldByBreaker(const QString &route) { m_heldByBreaker.append(route); }
    // Once per request, and only when no call was made at all.
    bool mayPanic(int upstreamAttempts) const;
    const QStringList &heldByBreaker() const { return m_heldByBreaker; }
    // Every route that could serve was held back by its breaker (and the panic attempt, if any,
    // failed too).
    bool everyRouteHeldByBreaker(int upstreamAttempts) const
    {
        return m_panicked || (upstreamAttempts == 0 && !m_heldByBreaker.isEmpty());
    }
    // Makes `route` the current one, as the panic attempt.
    void panicOn(const QString &route);
    bool panicking() const { return m_panicked; }

private:
    QStringList m_routes;
    qsizetype m_index = -1;
    qsizetype m_chainLength = 0;
    QStringList m_policyFallbacks;
    QString m_firstChoice;
    QStringList m_heldByBreaker;
    bool m_policyRestricted = false;
    bool m_panicked = false;
};

} // namespace Switchyard
