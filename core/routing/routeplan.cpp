#include "routing/routeplan.h"

namespace Switchyard {

RoutePlan::RoutePlan(const RoutingTarget &target)
    : m_routes(target.chain)
    , m_chainLength(target.chain.size())
    , m_policyFallbacks(target.policyFallbacks)
{
    if (!target.degraded.isEmpty() && !m_routes.contains(target.degraded))
        m_routes.append(target.degraded);
}

bool RoutePlan::advance()
{
    if (m_index >= m_routes.size())
        return false;
    return ++m_index < m_routes.size();
}

void RoutePlan::noteCompatible(const QString &route)
{
    if (m_firstChoice.isEmpty())
        m_firstChoice = route;
}

QStringList RoutePlan::untriedPolicyFallbacks(const QStringList &tried) const
{
    QStringList remaining;
    for (const QString &route : m_policyFallbacks) {
        if (!tried.contains(route))
            remaining.append(route);
    }
    return remaining;
}

void RoutePlan::restrictToPolicyFallbacks(const QStringList &tried)
{
    m_policyRestricted = true;
    m_routes = m_routes.mid(0, m_index + 1) + untriedPolicyFallbacks(tried);
    m_chainLength = qMin(m_chainLength, m_index + 1);
}

bool RoutePlan::mayPanic(int upstreamAttempts) const
{
    return !m_panicked && upstreamAttempts == 0 && !m_heldByBreaker.isEmpty();
}

void RoutePlan::panicOn(const QString &route)
{
    m_panicked = true;
    m_routes.append(route);
    m_index = m_routes.size() - 1;
}

} // namespace Switchyard
