#pragma once

#include "routing/failureclass.h"

#include <QObject>
#include <QString>

#include <functional>

class QNetworkReply;

namespace Switchyard {

class Engine;
struct ProviderConfig;
struct RouteConfig;

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

    // `tested` is false when no call was made (no such provider, or its key is not usable).
    using Tested
        = std::function<void(bool tested, FailureClass failureClass, const QString &result)>;
    // The console's Test: the provider's models list with its key, classified like any call.
    void testProvider(const QString &provider, Tested done);

private:
    QNetworkReply *send(const ProviderConfig &provider, const RouteConfig &route,
        const QByteArray &key, bool completion);

    Engine *m_engine;
};

} // namespace Switchyard
