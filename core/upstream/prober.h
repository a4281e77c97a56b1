#pragma once

#include "config/activeconfig.h"
#include "routing/failureclass.h"

#include <QObject>
#include <QString>

#include <functional>

class QNetworkReply;

namespace Switchyard {

class Clock;
class Redactor;
class UpstreamPool;

// One health probe to send: the route, its provider and the provider's key.
struct ProbeTarget {
    RouteConfig route;
    ProviderConfig provider;
    QByteArray key;
    bool completion = false; // a one-token completion; otherwise a models list
};

// What a probe found; `result` is "ok" or why not, with any key in it redacted.
struct ProbeResult {
    bool ok = false;
    bool completion = false; // what was asked, as in the target
    qint64 durationMs = 0;
    QString result;
};

// Sends cheap health probes (SPEC §7) — GET /models or a one-token completion — and reports what
// they found. Like Envoy's health checkers it never touches routing state: the caller feeds the
// result to the route's breaker. A probe is never user traffic: no trace, no cost.
class Prober final : public QObject {
    Q_OBJECT
public:
    Prober(UpstreamPool &upstreams, const Redactor &redactor, const Clock &clock,
        QObject *parent = nullptr);

    using Reported = std::function<void(const ProbeResult &result)>;
    void probe(const ProbeTarget &target, Reported reported);

    // `tested` is false when no call was made (the provider's key is not usable).
    using Tested
        = std::function<void(bool tested, FailureClass failureClass, const QString &result)>;
    // The console's Test: the provider's models list with its key, classified like any call.
    void testProvider(const ProviderConfig &provider, const ResolvedSecret &key, Tested done);

private:
    QNetworkReply *send(const ProviderConfig &provider, const RouteConfig &route,
        const QByteArray &key, bool completion);

    UpstreamPool &m_upstreams;
    const Redactor &m_redactor;
    const Clock &m_clock;
};

} // namespace Switchyard
