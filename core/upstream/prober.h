#pragma once

#include <QObject>
#include <QString>

namespace Switchyard {

class Engine;

// Sends cheap health probes (SPEC §7) — GET /models or a one-token completion — and feeds
// their results to the route's breaker. A probe is never user traffic: no trace, no cost.
class Prober final : public QObject {
    Q_OBJECT
public:
    explicit Prober(Engine *engine);

    // Probes `route` now unless a probe of it is already under way; false if it cannot be probed.
    bool probe(const QString &route);
    // Starts the probes that are due: half-open routes with trial slots, idle and drained routes.
    void probeDueRoutes();

private:
    Engine *m_engine;
};

} // namespace Switchyard
