#pragma once

#include "proxy/streamrelay.h"
#include "proxy/upstreamattempt.h"
#include "translate/providertranslator.h"

#include <QObject>
#include <QPointer>

#include <optional>

namespace Switchyard {

class RequestTrace;
class RouteStats;
struct HedgeSettings;
struct UpstreamCall;

// How long a lane waits for an attempt's first content before it hedges: the fixed delay, or the
// configured percentile of the route's recent times to first content once it has enough of them.
qint64 hedgeDelayMs(const HedgeSettings &hedge, const RouteStats &route, bool stream);

// A second attempt, on the next route of the plan, started while the request's current attempt
// has no content yet (a lane's hedge). It runs on its own until it has its first content — a
// stream's first content event, held back in its relay, or a whole answer — or fails before that,
// and says which. It decides nothing: the request cancels the slower of the two, or makes the
// hedge its current attempt when the first one fails.
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
    };

    // `traceIndex`: the hedge's record in `trace`, where its phases are written.
    HedgeAttempt(
        UpstreamPool &upstreams, RequestTrace &trace, int traceIndex, Route route, QObject *parent);
    ~HedgeAttempt() override;

    // `call.relay` is used when the caller asked for a stream.
    void start(UpstreamCall call, bool callerStreams);
    void startDrill(DrillFault fault, Endpoint endpoint);
    void cancel();

    const Route &route() const { return m_route; }
    int traceIndex() const { return m_traceIndex; }
    // Handing over to the request: the attempt (reparented to `parent`, no longer watched here)
    // and, for a stream, its relay with whatever it holds back.
    UpstreamAttempt *takeAttempt(QObject *parent);
    std::optional<StreamRelay> takeRelay() { return std::exchange(m_relay, std::nullopt); }

Q_SIGNALS:
    // A stream's first content arrived; the relay holds it (and, with `complete`, the whole
    // stream) for the caller.
    void contentStarted(bool complete);
    // The call ended before any streamed content: a whole answer when `classification` is ok,
    // otherwise a failure, classified as any attempt's would be.
    void ended(const Switchyard::AttemptEnd &end, const Switchyard::Classification &classification);

private:
    void onStreamData(const QByteArray &data);
    void onEnded(const AttemptEnd &end);

    RequestTrace &m_trace;
    int m_traceIndex;
    Route m_route;
    QPointer<UpstreamAttempt> m_attempt;
    std::optional<StreamRelay> m_relay;
};

} // namespace Switchyard
