#include "engine/healthchecks.h"

#include "engine/providerstatus.h"
#include "observe/redactor.h"
#include "routing/clock.h"
#include "routing/keypools.h"
#include "routing/routeregistry.h"

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcEngine)

namespace Switchyard {

HealthChecks::HealthChecks(UpstreamPool &upstreams, const Redactor &redactor, const Clock &clock,
    RouteRegistry &routes, KeyPools &keys, ProviderStatus &providers, ActiveConfigRead active)
    : m_prober(upstreams, redactor, clock)
    , m_redactor(redactor)
    , m_clock(clock)
    , m_routes(routes)
    , m_keys(keys)
    , m_providers(providers)
    , m_active(std::move(active))
{
}

bool HealthChecks::probe(const QString &routeName)
{
    const std::shared_ptr<const ActiveConfig> active = m_active();
    if (!active)
        return false;
    const auto route = active->config.routes.constFind(routeName);
    if (route == active->config.routes.cend())
        return false;
    RouteState &state = m_routes.state(routeName);
    if (state.probeInFlight)
        return true;
    // A probe asks with a key the pool would send now (any conversation's).
    const KeyPools::Pick key
        = m_keys.pick(route->provider, active->providerKeys.value(route->provider), 0);
    state.lastProbeMs = m_clock.nowMs();
    if (key.lack != KeyPools::Pick::Lack::None) {
        state.lastProbeOk = false;
        state.lastProbeResult = QStringLiteral("not probed: ") + key.reason;
        return false;
    }
    state.probeInFlight = true;
    m_prober.probe({ *route, active->config.providers.value(route->provider), key.value,
                       active->probesByCompletion(*route) },
        [this, routeName](const ProbeResult &probe) {
            // The config may have been swapped while the probe ran; a route that is gone has no
            // state.
            const std::shared_ptr<const ActiveConfig> now = m_active();
            if (!now || !now->config.routes.contains(routeName))
                return;
            RouteState &state = m_routes.state(routeName);
            state.probeInFlight = false;
            state.lastProbeOk = probe.ok;
            state.lastProbeResult = probe.result;
            state.breaker.recordProbe(probe.ok, probe.durationMs, probe.result,
                probe.completion ? ProbeSignal::Completion : ProbeSignal::Liveness);
            m_routes.markChanged();
        });
    return true;
}

void HealthChecks::probeDue()
{
    if (const std::shared_ptr<const ActiveConfig> active = m_active()) {
        for (const QString &route : m_routes.dueProbes(*active))
            probe(route);
    }
}

bool HealthChecks::testProvider(const QString &provider, std::function<void()> changed)
{
    const std::shared_ptr<const ActiveConfig> active = m_active();
    if (!active || !active->config.providers.contains(provider))
        return false;
    m_providers.testStarted(provider);
    changed();
    // A pool is tested with the key it would send now; the result names it.
    const ResolvedKeys keys = active->providerKeys.value(provider);
    const KeyPools::Pick pick = m_keys.pick(provider, keys, 0);
    ResolvedSecret key;
    key.ok = pick.lack == KeyPools::Pick::Lack::None;
    key.value = pick.value;
    key.error = pick.reason;
    m_prober.testProvider(active->config.providers.value(provider), key,
        [this, provider, keys, label = pick.label,
            maxCooldownMs = active->config.limits.maxRetryAfterMs, changed = std::move(changed)](
            bool tested, FailureClass failureClass, const QString &answer) {
            const QString result = keys.pooled() && !label.isEmpty()
                ? QStringLiteral("%1 (key '%2')").arg(m_redactor.redact(answer), label)
                : m_redactor.redact(answer);
            if (tested && !label.isEmpty())
                m_keys.settle(provider, keys, label, Classification { failureClass, -1, result },
                    maxCooldownMs, result);
            m_providers.testFinished(provider, tested, failureClass, result);
            qCInfo(lcEngine).noquote() << QStringLiteral("provider test provider=%1 result=\"%2\"")
                                              .arg(provider, m_providers.lastResult(provider));
            changed();
        });
    return true;
}

} // namespace Switchyard
