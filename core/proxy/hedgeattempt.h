#pragma once

#include "proxy/streamrelay.h"
#include "proxy/upstreamattempt.h"
#include "proxy/upstreamcall.h"
#include "translate/providertranslator.h"

#include <QObject>
#include <QPointer>

#include <functional>
#include <optional>

namespace Switchyard {

class RequestTrace;
class RoutePlan;
class RouteStats;
struct ActiveConfig;
struct GatewayServices;
struct HedgeSettings;
struct RequestAnalysis;
struct RoutingTarget;

// How long a lane waits for an attempt's first content before it hedges: the fixed delay, or the
// configured percentile of the route's recent times to first content once it has enough of them.
qint64 hedgeDelayMs(const HedgeSettings &hedge, const RouteStats &route, bool stream);

// The request a hedge (or a race's loser) belongs to, as far as starting and settling goes.
struct RaceContext {
    const GatewayServices *services = nullptr;
    const ActiveConfig *active = nullptr;
    const RoutingTarget *target = nullptr;
    const RequestAnalysis *analysis = nullptr;
    Endpoint endpoint = Endpoint::ChatCompletions;
    RequestTrace *trace = nullptr;
};

// Settles the attempt at `traceIndex` as cancelled, with its route's registry. `lostRace`: the
// other attempt of a hedge had content first; its provider bills the prompt it has (estimated,
// since no usage comes), and its wait so far is a lower bound of the route's time to content.
void settleCancelledAttempt(
    const RaceContext &race, int traceIndex, const QString &why, bool lostRace);

// A second attempt, on the next route of the chain, started while the request's current attempt
// has no content yet (a lane's hedge). It runs on its own until it has its first content — a
// stream's first content event, held back in its relay, or a whole answer — or fails before that,
// and says which. The request cancels the slower of the two, or makes the hedge its current
// attempt when the first one fails; a hedge that fails or is cancelled settles itself.
class HedgeAttempt final : public QObject {
    Q_OBJECT
public:
    // The route the hedge runs on, as its admission granted it.
    struct Route {
        QString name;
        bool trial = false;
        bool drill = false;
        const ProviderTranslator *translator = nullptr;
        TranslatedRequest translated;
        QString keyLabel; // the provider's key it sends (empty: none)
        QByteArray keyValue;
    };
    // The call a route gets for this request with `key`, built by the request.
    // `spanId`: the hedge attempt's.
    using CallFor = std::function<UpstreamCall(const RouteConfig &route, const QByteArray &key,
        const QString &spanId, const ProviderTranslator *translator,
        const TranslatedRequest *translated)>;

    // Starts a hedge beside the attempt on `slowRoute`, on the next route of `plan`'s chain that
    // takes the request; it is paid from `slowRoute`'s retry budget (a drill's costs nothing).
    // Null when no route takes it or the budget refuses: then the plan and the trace are as they
    // were, and the slow attempt's record notes why.
    static HedgeAttempt *start(const RaceContext &race, RoutePlan &plan, const QString &slowRoute,
        const CallFor &callFor, QObject *parent);
    ~HedgeAttempt() override;

    const Route &route() const { return m_route; }
    int traceIndex() const { return m_traceIndex; }
    // Handing over to the request: the attempt (reparented to `parent`, no longer watched here)
    // and, for a stream, its relay with whatever it holds back.
    UpstreamAttempt *takeAttempt(QObject *parent);
    std::optional<StreamRelay> takeRelay() { return std::exchange(m_relay, std::nullopt); }

    // Called off: the call is aborted and the hedge settled as cancelled (see
    // settleCancelledAttempt).
    void cancel(const QString &why, bool lostRace);
    // It failed before any content: settled with its class, and what any failure leaves on its
    // route (a rate limit's cooldown, a bad key's flag); it is not retried.
    void settleFailure(const Classification &classification);

Q_SIGNALS:
    // A stream's first content arrived; the relay holds it (and, with `complete`, the whole
    // stream) for the caller.
    void contentStarted(bool complete);
    // The call ended before any streamed content: a whole answer when `classification` is ok,
    // otherwise a failure, classified as any attempt's would be.
    void ended(const Switchyard::AttemptEnd &end, const Switchyard::Classification &classification);

private:
    HedgeAttempt(const RaceContext &race, int traceIndex, Route route, QObject *parent);
    void onStreamData(const QByteArray &data);
    void onEnded(const AttemptEnd &end);
    // Stops the call without a word to anyone.
    void stopCall();

    RaceContext m_race;
    int m_traceIndex;
    Route m_route;
    QPointer<UpstreamAttempt> m_attempt;
    std::optional<StreamRelay> m_relay;
};

} // namespace Switchyard
