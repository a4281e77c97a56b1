#pragma once

#include "config/activeconfig.h"
#include "http/oneshottimer.h"
#include "observe/trace.h"
#include "observe/tracecontext.h"
#include "proxy/bodycapture.h"
#include "proxy/callerstream.h"
#include "proxy/gatewayresponse.h"
#include "proxy/hedgeattempt.h"
#include "proxy/requesttrace.h"
#include "proxy/routeadmission.h"
#include "proxy/streamcontinuation.h"
#include "proxy/streamrelay.h"
#include "proxy/upstreamattempt.h"
#include "proxy/upstreamcall.h"
#include "routing/classifier.h"
#include "routing/lanerouter.h"
#include "routing/requestanalysis.h"
#include "routing/routeplan.h"
#include "translate/providertranslator.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

#include <memory>
#include <optional>

class QNetworkReply;

namespace Switchyard {

struct GatewayServices;

// One caller request on its way through a lane: walks the plan of routes, makes attempts,
// classifies each outcome, retries or falls back as the class decides, and answers the caller
// exactly once. Lives in the engine thread and deletes itself when done.
class ProxyRequest final : public QObject {
    Q_OBJECT
public:
    struct Params {
        Endpoint endpoint = Endpoint::ChatCompletions;
        QString api; // the caller's API, for the trace (CallerProtocol::apiName)
        QByteArray body;
        RequestAnalysis analysis;
        RoutingTarget target;
        QString requestId;
        std::shared_ptr<const ActiveConfig> active;
        std::optional<TraceContext> trace; // when spans are exported
    };

    ProxyRequest(
        const GatewayServices &services, ClientResponse response, Params params, QObject *parent);
    ~ProxyRequest() override;

    void start();

Q_SIGNALS:
    void finished(const Switchyard::TraceRecord &trace);

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    enum class Phase { Idle, Attempting, Backoff, Done };

    void tryNextRoute();
    AdmissionContext admissionContext() const;
    // The caller's side of a streamed answer, made only when the caller asked for a stream.
    void startCallerStream();
    bool streamBegun() const { return m_stream && m_stream->begun(); }
    void startAttempt();
    // The call `route` gets: the caller's `body`, or its translation for the route's provider.
    // `spanId`: the attempt's, the parent the upstream is told of (traceparent).
    UpstreamCall prepareCall(const RouteConfig &route, const QByteArray &key, const QString &spanId,
        const ProviderTranslator *translator, const TranslatedRequest *translated,
        const QByteArray *body) const;
    // The current attempt's signals, wherever it was started.
    void wireAttempt();
    // The current attempt's first content (a stream's): the caller's stream begins or resumes.
    void onContentStarted(bool complete);

    // Hedging: a second route, started when the current attempt has no content after the lane's
    // hedge delay (once per request). The first with content answers.
    void startHedge();
    // The hedge had content first: the current attempt loses and the hedge takes its place.
    void hedgeWon();
    // The hedge becomes the current attempt (the first one is already settled).
    void adoptHedge();
    // The hedge is called off: `lostRace` when the current attempt answered first, otherwise
    // the request is over or went on without it.
    void cancelHedge(const QString &why, bool lostRace = false);
    RaceContext raceContext();
    void onDeadline();
    // The wait before a retry is over: the same route again (with a better key, if any).
    void onBackoffEnded();
    void onClientGone();
    // The caller is gone or dropped: the upstream call is aborted and the request ends as 499.
    void cancelForClient(const QString &why);

    void commitStream();
    // The stream reached its end: the attempt is settled (by its usage) and the caller's
    // answer closed.
    void endStreamCleanly(const QByteArray &closing = {});
    void finishCompletedStream();
    void dropAttempt();
    void onAttemptEnded(const AttemptEnd &end);
    void concludeAttempt(const Classification &classification);
    // What the attempt's outcome says of the provider's key it sent; true when another key of
    // the provider's pool takes the next call (KeyPools::settle).
    bool settleKey(const Classification &classification);
    // `keyFailed`: the key, not the route, failed, and another takes over.
    void settleAttempt(FailureClass failureClass, const QString &reason, bool keyFailed = false);
    // The same route at once with the next key of its provider's pool (a rate-limited or
    // rejected key is the key's failure, not the route's); false when none can take it.
    bool retryWithAnotherKey(const QString &why);
    // The key the pool gives `route` now, and the request translated with it, become the call;
    // false (and nothing changed) when no key can serve or the translation fails.
    bool takeKey(const RouteConfig &route);
    // The translator, translated request and key `admission` prepared become the call.
    void takeCall(RouteAdmission &admission);
    bool tryPanicRoute();
    void scheduleRetry(qint64 delayMs, const QString &why);
    void fallBack();

    // A stream that reached the caller broke: continued by the next route where the lane allows
    // it, else ended with an error event.
    // `mayContinue`: false when the break is a continuation's own failure to fit on.
    void streamBroke(const QString &upstreamReason, bool mayContinue);
    void respondWithUpstream(FailureClass finalClass);
    void respondAllFailed();
    void respondDeadlineExceeded();
    void endStreamWithError(const QString &message, FailureClass failureClass);
    void finish(int status, FailureClass finalClass);

    GatewayResponse::Routing routing() const;
    const RouteConfig &currentRoute() const;
    AttemptRecord &currentAttempt();
    qint64 now() const;
    qint64 elapsed() const; // since the request started
    qint64 remainingDeadlineMs() const;

    const GatewayServices &m_services;
    GatewayResponse m_response;
    Params m_params;
    RequestTrace m_trace;

    RoutePlan m_plan;
    QString m_attemptRoute; // the current attempt's route
    bool m_currentTrial = false;
    bool m_currentDrill = false;
    int m_retryIndex = 0;
    int m_keyRotations = 0; // calls moved to another key of the pool, on this route
    qint64 m_deadlineAtMs = 0;

    QPointer<UpstreamAttempt> m_attempt;
    Phase m_phase = Phase::Idle;
    OneShotTimer m_deadlineTimer { this };
    OneShotTimer m_backoffTimer { this };
    OneShotTimer m_hedgeTimer { this };
    HedgeAttempt *m_hedge = nullptr;
    bool m_hedged = false; // the request has had its hedge
    CallerStream *m_stream = nullptr; // the caller's side, when the answer is a stream

    bool m_routeAnswered = false; // the caller's answer is a route's, not the gateway's own
    // The current attempt's answer as it came: kept when the attempt itself is gone.
    struct AnswerHead {
        int status = 0;
        bool streaming = false;
        HeaderList passHeaders;
        UpstreamOutcome answer; // a whole answer, in OpenAI's shape
    };
    AnswerHead m_head;
    int m_streamStatus = 0; // what the caller's stream began with
    QString m_streamBreak; // how the stream broke, once it has and another route continues it
    QByteArray m_continuationBody; // the caller's request with its prefill
    const ProviderTranslator *m_translator = nullptr; // null: the provider speaks OpenAI
    TranslatedRequest m_translated;
    // The provider's key the current attempt sends, and its label (empty when it sends none).
    QString m_keyLabel;
    QByteArray m_keyValue;
    std::unique_ptr<BodyCapture> m_capture; // when capture.bodies is on
};

} // namespace Switchyard
