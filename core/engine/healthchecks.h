#pragma once

#include "config/activeconfig.h"
#include "upstream/prober.h"

#include <QString>

#include <functional>
#include <memory>

namespace Switchyard {

class Clock;
class KeyPools;
class ProviderStatus;
class Redactor;
class RouteRegistry;
class UpstreamPool;

// The gateway's health checks (SPEC §7): a route's probe, when it is due or an operator asks for
// one, and the console's Test of a provider's key. Each asks with the key its pool would send now,
// through the Prober, and records what it found where the snapshots read it: the route's state
// and breaker, or the provider's status and that key's verdict.
//
// Engine thread only.
class HealthChecks final {
public:
    using ActiveConfigRead = std::function<std::shared_ptr<const ActiveConfig>()>;

    // `active` reads the running config, at the start of a check and again at its answer.
    HealthChecks(UpstreamPool &upstreams, const Redactor &redactor, const Clock &clock,
        RouteRegistry &routes, KeyPools &keys, ProviderStatus &providers, ActiveConfigRead active);

    // Sends a probe of `route` unless one is under way; false (and why, in the route's last probe
    // result) if it cannot be probed.
    bool probe(const QString &route);
    // Sends the probes that are due.
    void probeDue();

    // Tests the provider's key; false if the running config has no such provider. `changed` runs
    // when the provider's status changed: at once, and again with the answer.
    bool testProvider(const QString &provider, std::function<void()> changed);

private:
    Prober m_prober;
    const Redactor &m_redactor;
    const Clock &m_clock;
    RouteRegistry &m_routes;
    KeyPools &m_keys;
    ProviderStatus &m_providers;
    ActiveConfigRead m_active;
};

} // namespace Switchyard
