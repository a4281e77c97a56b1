#include "proxy/proxyrequest.h"

#include "observe/redactor.h"
#include "proxy/callerstream.h"
#include "proxy/gatewayservices.h"
#include "proxy/routeadmission.h"
#include "proxy/upstreamattempt.h"
#include "proxy/upstreamcall.h"
#include "routing/attemptdecision.h"
#include "routing/clock.h"
#include "routing/keypools.h"
#include "routing/retrybudget.h"
#include "routing/routeregistry.h"
#include "routing/routestate.h"
#include "translate/callerprotocol.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QRandomGenerator>

// Info and up by default: one line per request, not the retry chatter.
Q_LOGGING_CATEGORY(lcProxy, "switchyard.proxy", QtInfoMsg)

namespace Switchyard {

namespace {

double unitRandom()
{
    return QRandomGenerator::global()->generateDouble();
}

} // namespace

ProxyRequest::ProxyRequest(
    const GatewayServices &services, ClientResponse response, Params params, QObject *parent)
    : QObject(parent)
    , m_services(services)
    , m_response(std::move(response), params.analysis.protocol)
    , m_params(std::move(params))
    , m_trace(*services.clock, m_params.requestId, m_params.target.lane, m_params.api,
          m_params.analysis.stream)
    , m_plan(m_params.target)
{
    m_trace.record().needs = m_params.analysis.needs;
    if (m_params.trace) {
        TraceRecord &record = m_trace.record();
        record.traceId = m_params.trace->traceId;
        record.spanId = TraceContext::newSpanId();
        record.parentSpanId = m_params.trace->parentSpanId;
        record.sampled = m_params.trace->sampled;
    }
    m_trace.record().estimatedTokens = m_params.analysis.estimatedTokens;
    if (const CaptureSettings &capture = m_params.active->config.capture; capture.enabled())
        m_capture = std::make_unique<BodyCapture>(capture, m_params.api,
            // Another API's request as the caller sent it, not its reading as chat completions.
            m_params.analysis.protocol ? m_params.analysis.nativeBody : m_params.body,
            m_params.analysis.nativeHeaders);
}

void ProxyRequest::timerEvent(QTimerEvent *event)
{
    if (m_deadlineTimer.fired(event))
        onDeadline();
    else if (m_hedgeTimer.fired(event))
        startHedge();
    else if (m_backoffTimer.fired(event))
        onBackoffEnded();
    else
        QObject::timerEvent(event);
}

void ProxyRequest::onBackoffEnded()
{
    m_phase = Phase::Idle;
    // A pool may have a better key by now than the one that failed; else it goes again.
    if (m_params.active->providerKeys.value(currentRoute().provider).pooled())
        takeKey(currentRoute());
    startAttempt();
}

ProxyRequest::~ProxyRequest()
{
    dropAttempt();
}

void ProxyRequest::dropAttempt()
{
    m_hedgeTimer.stop();
    if (UpstreamAttempt *attempt = m_attempt) {
        // What was read so far is the attempt's, however it ends (a deadline, a gone caller).
        if (m_trace.attemptOpen())
            m_trace.current().bytes = attempt->bytesRead();
        attempt->disconnect(this);
        attempt->cancel();
        attempt->deleteLater();
        m_attempt = nullptr;
        if (m_stream)
            m_stream->detach();
    }
}

qint64 ProxyRequest::now() const
{
    return m_services.clock->nowMs();
}

qint64 ProxyRequest::elapsed() const
{
    return m_trace.elapsed();
}

qint64 ProxyRequest::remainingDeadlineMs() const
{
    return m_deadlineAtMs - now();
}

const RouteConfig &ProxyRequest::currentRoute() const
{
    return m_params.active->config.routes.find(m_attemptRoute).value();
}

AttemptRecord &ProxyRequest::currentAttempt()
{
    return m_trace.current();
}

void ProxyRequest::start()
{
    m_trace.start();
    m_deadlineAtMs = now() + m_params.target.deadlineMs;
    m_deadlineTimer.start(m_params.target.deadlineMs);
    QTcpSocket *socket = m_response.client().socket();
    if (socket)
        connect(socket, &QAbstractSocket::disconnected, this, &ProxyRequest::onClientGone);
    if (m_params.analysis.stream)
        startCallerStream();
    tryNextRoute();
}

AdmissionContext ProxyRequest::admissionContext() const
{
    AdmissionContext context;
    context.active = m_params.active.get();
    context.analysis = &m_params.analysis;
    context.target = &m_params.target;
    context.ledger = m_services.ledger;
    context.keys = m_services.keys;
    return context;
}

void ProxyRequest::tryNextRoute()
{
    const StateLock::Held held = m_services.holdState();
    if (std::optional<RouteAdmission> admission = admitNextRoute(
            m_plan, m_trace, *m_services.routes, admissionContext(), *m_services.clock)) {
        m_attemptRoute = m_plan.current();
        m_currentTrial = admission->trial;
        m_currentDrill = admission->drill;
        takeCall(*admission);
        m_retryIndex = 0;
        m_keyRotations = 0;
        startAttempt();
        return;
    }
    if (streamBegun()) {
        endStreamWithError(QStringLiteral("The stream broke (%1), and no other route could "
                                          "continue it.")
                               .arg(m_streamBreak),
            FailureClass::MidStream);
        return;
    }
    if (tryPanicRoute())
        return;
    respondAllFailed();
}

void ProxyRequest::onContentStarted(bool complete)
{
    cancelHedge(QStringLiteral("route '%1' answered first").arg(m_attemptRoute), true);
    m_trace.firstToken();
    m_attempt->contentArrived();
    m_trace.record().route = currentRoute().name;
    if (!m_stream->begun())
        commitStream();
    else if (!m_stream->resume(currentRoute().name, currentAttempt().continuation, m_streamBreak))
        return; // it diverged, and the request has ended
    if (complete)
        finishCompletedStream();
}

void ProxyRequest::startCallerStream()
{
    m_stream = new CallerStream(m_response, m_params.active->config.limits, this);
    if (m_params.target.continuation != Continuation::Off)
        m_stream->keepTranscript();
    connect(m_stream, &CallerStream::contentStarted, this, &ProxyRequest::onContentStarted);
    connect(m_stream, &CallerStream::completed, this, &ProxyRequest::finishCompletedStream);
    connect(m_stream, &CallerStream::failedBeforeContent, this,
        [this](const Classification &classification) {
            dropAttempt();
            concludeAttempt(classification);
        });
    connect(m_stream, &CallerStream::overflowed, this,
        [this](const QString &reason) { m_attempt->abort(TransportError::OtherNetwork, reason); });
    connect(m_stream, &CallerStream::brokeAfterContent, this,
        [this](const Classification &classification) { streamBroke(classification.reason, true); });
    connect(m_stream, &CallerStream::continuationDiverged, this,
        [this](const QString &reason) { streamBroke(reason, false); });
    connect(m_stream, &CallerStream::upstreamErrorEventSent, this, [this] {
        currentAttempt().reason = QStringLiteral("upstream sent an error event mid-stream");
    });
    connect(m_stream, &CallerStream::clientStalled, this, &ProxyRequest::cancelForClient);
}

bool ProxyRequest::tryPanicRoute()
{
    const StateLock::Held held = m_services.holdState();
    // When every route is held back by its breaker, failing outright helps nobody: like Envoy's
    // panic mode, try the route whose cooldown ends first, once, and say so in the trace.
    if (!m_plan.mayPanic(m_trace.upstreamAttempts()))
        return false;
    const QString best = m_services.routes->firstToReopen(m_plan.heldByBreaker());
    const RouteConfig &bestRoute = m_params.active->config.routes.find(best).value();
    if (!takeKey(bestRoute))
        return false; // not so: admission translates before it asks the breaker
    m_trace.record().panic = true;
    m_plan.panicOn(best);
    m_attemptRoute = best;
    m_currentTrial = false;
    m_currentDrill = false;
    m_retryIndex = 0;
    m_keyRotations = 0;
    qCInfo(lcProxy).noquote() << QStringLiteral("request id=%1 lane=%2: every route is held back "
                                                "by its breaker; panic attempt on %3")
                                     .arg(m_trace.record().id, m_trace.record().lane, best);
    startAttempt();
    return true;
}

void ProxyRequest::startAttempt()
{
    const StateLock::Held held = m_services.holdState();
    const RouteConfig &route = currentRoute();

    dropAttempt(); // the previous one, before this one's record exists

    m_trace.beginAttempt(route.name, m_currentTrial,
        m_services.routes->state(route.name).breaker.epoch(), m_currentDrill);
    m_services.routes->beginAttempt(route.name);
    if (!m_currentDrill && !m_keyLabel.isEmpty()) {
        currentAttempt().key = m_keyLabel;
        m_services.keys->sent(route.provider, m_keyLabel);
    }
    // What a translation of the caller's API left out, said where it happened.
    if (m_params.analysis.protocol && !m_params.analysis.dropped.isEmpty() && !m_currentDrill
        && !(m_translator && m_translator->passesCallerApi()))
        currentAttempt().note = QStringLiteral("%1 request translated to chat completions "
                                               "without: %2")
                                    .arg(m_params.analysis.protocol->name(),
                                        m_params.analysis.dropped.join(QLatin1String(", ")));

    m_head = AnswerHead {};

    m_attempt = new UpstreamAttempt(*m_services.upstreams, this);
    wireAttempt();
    m_phase = Phase::Attempting;
    if (m_currentDrill) {
        // The injected fault goes through the same classification and decisions as a real one.
        m_attempt->startDrill(
            m_services.routes->state(route.name).breaker.drillFault(), m_params.endpoint);
        currentAttempt().httpStatus = m_attempt->status();
        return;
    }

    const QByteArray *body = &m_params.body;
    std::optional<StreamSplice> splice;
    if (streamBegun()) { // it continues a stream another attempt broke off
        ContinuationCall continuation
            = prepareContinuation(*m_stream->transcript(), m_params.target.continuation, route,
                m_params.analysis.document, m_translator, m_keyValue, m_stream->maxEventBytes());
        currentAttempt().continuation = continuation.mode == StreamSplice::Mode::Prefill
            ? QStringLiteral("prefill")
            : QStringLiteral("restart");
        if (continuation.translated)
            m_translated = std::move(*continuation.translated);
        m_continuationBody = std::move(continuation.body);
        if (!m_continuationBody.isEmpty())
            body = &m_continuationBody;
        splice = std::move(continuation.splice);
    } else if (m_params.target.hedge.enabled() && !m_hedged) {
        m_hedgeTimer.start(int(hedgeDelayMs(m_params.target.hedge,
            m_services.routes->state(route.name).stats, m_params.analysis.stream)));
    }
    UpstreamCall prepared = prepareCall(
        route, m_keyValue, currentAttempt().spanId, m_translator, &m_translated, body);
    if (m_capture)
        m_capture->sent(
            m_trace.currentIndex(), route.name, prepared.call.request, prepared.call.body);
    if (m_params.analysis.stream)
        m_stream->attach(m_attempt, StreamRelay(std::move(prepared.relay)), std::move(splice));
    m_attempt->start(std::move(prepared.call));
}

UpstreamCall ProxyRequest::prepareCall(const RouteConfig &route, const QByteArray &key,
    const QString &spanId, const ProviderTranslator *translator,
    const TranslatedRequest *translated, const QByteArray *body) const
{
    const ActiveConfig &active = *m_params.active;
    UpstreamCallInput input;
    input.route = &route;
    input.provider = &active.config.providers.find(route.provider).value();
    input.key = key;
    input.translator = translator;
    input.translated = translated;
    input.callerBody = body;
    input.analysis = &m_params.analysis;
    input.endpoint = m_params.endpoint;
    input.maxEventBytes = active.config.limits.maxEventBytes;
    input.deadlineMs = remainingDeadlineMs();
    UpstreamCall prepared = prepareUpstreamCall(input);
    prepared.relay.holdErrorEvents = m_params.target.continuation != Continuation::Off;
    // The upstream's work joins the caller's trace, under this attempt's span.
    if (m_params.trace && !spanId.isEmpty())
        prepared.call.request.setRawHeader(
            QByteArrayLiteral("traceparent"), m_params.trace->traceparentFor(spanId));
    return prepared;
}

void ProxyRequest::wireAttempt()
{
    connect(m_attempt, &UpstreamAttempt::ended, this, &ProxyRequest::onAttemptEnded);
    connect(m_attempt, &UpstreamAttempt::connected, this, [this] { m_trace.connected(); });
    connect(m_attempt, &UpstreamAttempt::responseStarted, this, [this] {
        m_head = { m_attempt->status(), m_attempt->streaming(), m_attempt->passHeaders() };
        m_trace.responseStarted(m_head.status);
    });
    connect(m_attempt, &UpstreamAttempt::streamData, this, [this](const QByteArray &data) {
        currentAttempt().bytes = m_attempt->bytesRead();
        if (m_capture)
            m_capture->received(m_trace.currentIndex(), m_attempt->status(), data);
        m_stream->feed(data);
    });
}

void ProxyRequest::startHedge()
{
    // Once per request, and only while the current attempt has produced nothing. A half-open
    // trial is not hedged: its route waits for that call's verdict.
    if (m_hedged || m_phase != Phase::Attempting || !m_attempt || streamBegun() || m_currentTrial)
        return;
    m_hedged = true;
    m_hedge = HedgeAttempt::start(
        raceContext(), m_plan, m_attemptRoute,
        [this](const RouteConfig &route, const QByteArray &key, const QString &spanId,
            const ProviderTranslator *translator, const TranslatedRequest *translated) {
            UpstreamCall call
                = prepareCall(route, key, spanId, translator, translated, &m_params.body);
            if (m_capture) // the hedge's record is the newest
                m_capture->sent(int(m_trace.record().attempts.size()) - 1, route.name,
                    call.call.request, call.call.body);
            return call;
        },
        this);
    if (!m_hedge)
        return;
    connect(m_hedge, &HedgeAttempt::contentStarted, this, [this](bool complete) {
        hedgeWon();
        onContentStarted(complete);
    });
    connect(m_hedge, &HedgeAttempt::ended, this,
        [this](const AttemptEnd &end, const Classification &classification) {
            if (m_capture) // a whole answer, or an error: as the hedge's upstream wrote it
                m_capture->received(m_hedge->traceIndex(), end.outcome.httpStatus,
                    end.outcome.callerBody.isEmpty() ? end.outcome.body : end.outcome.callerBody);
            if (classification.failureClass != FailureClass::Ok) {
                HedgeAttempt *failed = std::exchange(m_hedge, nullptr);
                failed->settleFailure(classification); // the current attempt runs on
                failed->deleteLater();
                return;
            }
            hedgeWon(); // a whole answer, first
            m_head.answer = end.outcome;
            concludeAttempt(classification);
        });
}

RaceContext ProxyRequest::raceContext()
{
    return { &m_services, m_params.active.get(), &m_params.target, &m_params.analysis,
        m_params.endpoint, &m_trace };
}

void ProxyRequest::hedgeWon()
{
    const QString winner = m_hedge->route().name;
    dropAttempt();
    currentAttempt().decision = Decision::Fallback;
    settleCancelledAttempt(raceContext(), m_trace.currentIndex(),
        QStringLiteral("cancelled: the hedge on route '%1' had content first").arg(winner), true);
    adoptHedge();
}

void ProxyRequest::adoptHedge()
{
    HedgeAttempt *hedge = std::exchange(m_hedge, nullptr);
    hedge->deleteLater();
    HedgeAttempt::Route route = hedge->route();
    m_attemptRoute = route.name;
    m_currentTrial = route.trial;
    m_currentDrill = route.drill;
    m_translator = route.translator;
    m_translated = std::move(route.translated);
    m_keyLabel = route.keyLabel;
    m_keyValue = route.keyValue;
    m_retryIndex = 0;
    m_keyRotations = 0;
    m_trace.makeCurrent(hedge->traceIndex());
    m_attempt = hedge->takeAttempt(this);
    m_head = AnswerHead {};
    if (m_attempt->status() > 0)
        m_head = { m_attempt->status(), m_attempt->streaming(), m_attempt->passHeaders() };
    if (std::optional<StreamRelay> relay = hedge->takeRelay())
        m_stream->attach(m_attempt, std::move(*relay));
    wireAttempt();
    m_phase = Phase::Attempting;
}

void ProxyRequest::cancelHedge(const QString &why, bool lostRace)
{
    if (HedgeAttempt *hedge = std::exchange(m_hedge, nullptr)) {
        hedge->cancel(QStringLiteral("cancelled: ") + why, lostRace);
        hedge->deleteLater();
    }
}

void ProxyRequest::finishCompletedStream()
{
    // [DONE] has reached the caller: the answer is complete, whatever the upstream does next.
    if (UpstreamAttempt *attempt = m_attempt) {
        attempt->disconnect(this);
        attempt->release();
        attempt->deleteLater();
        m_attempt = nullptr;
    }
    endStreamCleanly();
}

void ProxyRequest::endStreamCleanly(const QByteArray &closing)
{
    const StreamRelay &relay = m_stream->relay();
    AttemptRecord &attempt = currentAttempt();
    attempt.decision = Decision::Return;
    attempt.tokensIn = qMax<qint64>(0, relay.tokensIn());
    attempt.tokensOut = qMax<qint64>(0, relay.tokensOut());
    attempt.cacheReadTokens = relay.cachedTokens().read;
    attempt.cacheWriteTokens = relay.cachedTokens().write;
    const Classification verdict = relay.usageVerdict();
    settleAttempt(verdict.failureClass, verdict.reason);
    m_stream->finish(closing);
    finish(m_streamStatus, verdict.failureClass);
}

void ProxyRequest::commitStream()
{
    m_trace.record().route = currentRoute().name;
    m_routeAnswered = true;
    m_streamStatus = m_head.status;
    m_stream->begin(routing(), m_head.status, m_head.passHeaders);
}

void ProxyRequest::onDeadline()
{
    if (m_phase == Phase::Done)
        return;
    const QString reason
        = QStringLiteral("lane deadline of %1 ms exceeded").arg(m_params.target.deadlineMs);
    cancelHedge(reason);
    dropAttempt();
    if (m_trace.attemptOpen()) {
        currentAttempt().decision = Decision::Return;
        settleAttempt(streamBegun() ? FailureClass::MidStream : FailureClass::Transient, reason);
    }
    if (streamBegun()) {
        endStreamWithError(reason, FailureClass::MidStream);
        return;
    }
    respondDeadlineExceeded();
}

void ProxyRequest::onClientGone()
{
    // A close right after a complete answer (HTTP/1.0 ends a stream so) is no cancellation.
    if (m_phase == Phase::Done || m_response.client().finished())
        return;
    cancelForClient(QStringLiteral("client went away; upstream call aborted"));
}

void ProxyRequest::cancelForClient(const QString &why)
{
    cancelHedge(why);
    dropAttempt();
    if (m_trace.attemptOpen()) {
        currentAttempt().decision = Decision::Return;
        settleAttempt(FailureClass::Cancelled, why);
    }
    finish(499, FailureClass::Cancelled);
}

void ProxyRequest::onAttemptEnded(const AttemptEnd &end)
{
    if (m_phase == Phase::Done)
        return;
    AttemptRecord &attempt = currentAttempt();
    if (attempt.httpStatus == 0 && m_attempt->status() > 0)
        m_trace.responseStarted(m_attempt->status()); // an answer refused for its head did arrive
    const bool streaming = m_attempt->streaming();
    m_head.answer = end.outcome;
    if (m_capture && !streaming && !m_currentDrill)
        m_capture->received(m_trace.currentIndex(), m_attempt->status(), m_attempt->body());
    dropAttempt();
    const UpstreamOutcome &outcome = end.outcome;
    StreamRelay::End streamEnd = streaming
        ? m_stream->judgeEnd(outcome.transport, outcome.transportDetail)
        : StreamRelay::End {};
    // After the first content there is no failing over, whatever broke: the stream is continued
    // by another route where the lane allows it, or ends with an error event.
    if (end.judged && streamEnd.kind == StreamRelay::End::Kind::Broken)
        streamEnd.reason = end.judged->reason;
    else if (end.judged) {
        concludeAttempt(*end.judged);
        return;
    }
    switch (streamEnd.kind) {
    case StreamRelay::End::Kind::Clean:
        currentAttempt().decision = Decision::Return;
        endStreamCleanly(streamEnd.closing);
        return;
    case StreamRelay::End::Kind::Broken:
        streamBroke(streamEnd.reason, true);
        return;
    case StreamRelay::End::Kind::BadStart:
        concludeAttempt(streamEnd.classification);
        return;
    case StreamRelay::End::Kind::Unjudged:
        break;
    }
    concludeAttempt(Classifier::classify(outcome, QDateTime::currentDateTimeUtc()));
}

void ProxyRequest::settleAttempt(FailureClass failureClass, const QString &reason, bool keyFailed)
{
    const StateLock::Held held = m_services.holdState();
    if (!m_trace.attemptOpen())
        return;
    const QString route = currentAttempt().route;
    SettledAttempt settled = m_trace.settle(failureClass, reason, m_plan.panicking(),
        *m_services.redactor, *m_params.active->config.routes.find(route));
    settled.keyFailed = keyFailed;
    m_services.routes->settleAttempt(settled);
}

bool ProxyRequest::settleKey(const Classification &classification)
{
    const StateLock::Held held = m_services.holdState();
    if (!m_trace.attemptOpen() || currentAttempt().drill || m_keyLabel.isEmpty())
        return false;
    const QString &provider = currentRoute().provider;
    return m_services.keys->settle(provider, m_params.active->providerKeys.value(provider),
        m_keyLabel, classification, m_params.active->config.limits.maxRetryAfterMs,
        m_services.redactor->redact(classification.reason));
}

void ProxyRequest::takeCall(RouteAdmission &admission)
{
    m_translator = admission.translator;
    m_translated = std::move(admission.translated);
    m_keyLabel = admission.keyLabel;
    m_keyValue = admission.keyValue;
}

bool ProxyRequest::takeKey(const RouteConfig &route)
{
    const StateLock::Held held = m_services.holdState();
    RouteAdmission admission;
    if (!chooseKey(route, admissionContext(), &admission)
        || !translateForRoute(route, *m_params.active, m_params.analysis, &admission).isEmpty())
        return false;
    takeCall(admission);
    return true;
}

bool ProxyRequest::retryWithAnotherKey(const QString &why)
{
    if (!takeKey(currentRoute()))
        return false;
    AttemptRecord &attempt = currentAttempt();
    attempt.decision = Decision::Retry;
    attempt.note = why;
    qCDebug(lcProxy) << m_trace.record().id << "retrying" << attempt.route << "with key"
                     << m_keyLabel << "at once:" << why;
    ++m_keyRotations;
    startAttempt();
    return true;
}

void ProxyRequest::concludeAttempt(const Classification &classification)
{
    const StateLock::Held held = m_services.holdState();
    dropAttempt();
    if (m_trace.attemptOpen())
        m_trace.recordUsage(classification);
    const QString failedKey = m_keyLabel;
    // Another key takes over at most once per other key of the pool on this route, and never
    // from a half-open trial, whose verdict is the route's.
    const bool anotherKey = settleKey(classification);
    const bool keyFailed = anotherKey && !m_currentTrial
        && m_keyRotations + 1
            < m_params.active->providerKeys.value(currentRoute().provider).keys.size();
    settleAttempt(classification.failureClass, classification.reason, keyFailed);
    AttemptRecord &attempt = currentAttempt();
    RouteState &state = m_services.routes->state(attempt.route);
    if (keyFailed) {
        const QString why = classification.failureClass == FailureClass::RateLimited
            ? QStringLiteral("key '%1' is rate-limited and cools down; another key of the "
                             "provider takes the call")
                  .arg(failedKey)
            : QStringLiteral("the upstream rejected key '%1'; another key of the provider takes "
                             "the call")
                  .arg(failedKey);
        // A hedge already running carries on where a fallback would go; otherwise the same
        // route goes again at once on another key, while the deadline allows.
        if (m_hedge) {
            attempt.decision = Decision::Fallback;
            attempt.note = why;
            adoptHedge();
            return;
        }
        if (remainingDeadlineMs() > 0 && retryWithAnotherKey(why))
            return;
    }

    AttemptFacts facts;
    facts.classification = classification;
    facts.retry = m_params.target.retry;
    if (m_hedge)
        facts.retry.maxRetries = 0; // the next route is already running
    facts.retriesDone = m_retryIndex;
    facts.remainingDeadlineMs = remainingDeadlineMs();
    facts.drill = attempt.drill;
    QStringList tried = m_trace.triedRoutes();
    if (m_hedge)
        tried.removeOne(m_hedge->route().name); // still running: its answer is still to come
    facts.policyFallbackLeft = !m_plan.untriedPolicyFallbacks(tried).isEmpty();
    facts.maxCooldownMs = m_params.active->config.limits.maxRetryAfterMs;
    facts.unitRandom = unitRandom();
    const AttemptVerdict verdict = decideForRoute(facts, state, now(), attempt.reason);
    if (verdict.action == AttemptVerdict::Action::PolicyFallback)
        m_plan.restrictToPolicyFallbacks(m_trace.triedRoutes());
    // The hedge is the next route already running: it carries on where a fallback would go.
    if (m_hedge
        && (verdict.action == AttemptVerdict::Action::Fallback
            || (verdict.action == AttemptVerdict::Action::PolicyFallback
                && m_params.target.policyFallbacks.contains(m_hedge->route().name)))) {
        attempt.decision = Decision::Fallback;
        adoptHedge();
        return;
    }
    const bool answered = verdict.action == AttemptVerdict::Action::Return;
    cancelHedge(answered
            ? QStringLiteral("route '%1' answered first").arg(attempt.route)
            : QStringLiteral("route '%1' failed (%2); the plan went on without the hedge")
                  .arg(attempt.route, failureClassName(classification.failureClass)),
        answered);

    switch (verdict.action) {
    case AttemptVerdict::Action::Return:
        attempt.decision = Decision::Return;
        respondWithUpstream(classification.failureClass);
        return;
    case AttemptVerdict::Action::Cancel:
        attempt.decision = Decision::Return;
        finish(499, FailureClass::Cancelled);
        return;
    case AttemptVerdict::Action::Retry:
        scheduleRetry(verdict.delayMs, failureClassName(classification.failureClass));
        return;
    case AttemptVerdict::Action::PolicyFallback:
        fallBack();
        return;
    case AttemptVerdict::Action::Fallback:
        fallBack();
        return;
    }
}

void ProxyRequest::scheduleRetry(qint64 delayMs, const QString &why)
{
    AttemptRecord &attempt = currentAttempt();
    attempt.decision = Decision::Retry;
    qCDebug(lcProxy) << m_trace.record().id << "retrying" << attempt.route << "after" << delayMs
                     << "ms:" << why;
    ++m_retryIndex;
    m_currentTrial = false;
    m_phase = Phase::Backoff;
    m_backoffTimer.start(int(delayMs));
}

void ProxyRequest::fallBack()
{
    currentAttempt().decision = Decision::Fallback;
    tryNextRoute();
}

GatewayResponse::Routing ProxyRequest::routing() const
{
    const TraceRecord &trace = m_trace.record();
    const QString &route = trace.route;
    GatewayResponse::Routing routing;
    routing.requestId = trace.id;
    routing.lane = trace.lane;
    routing.route = route;
    routing.upstreamAttempts = m_trace.upstreamAttempts();
    routing.fallback = !route.isEmpty() && route != m_plan.firstChoice();
    routing.degraded = m_routeAnswered && !route.isEmpty() && !m_plan.inChain()
        && route == m_params.target.degraded && !m_plan.policyRestricted();
    return routing;
}

void ProxyRequest::streamBroke(const QString &upstreamReason, bool mayContinue)
{
    const StateLock::Held held = m_services.holdState();
    dropAttempt();
    // The reason reaches the caller: an upstream's words may echo a key.
    const QString reason = m_services.redactor->redact(upstreamReason);
    const StreamTranscript *sent = m_stream->transcript();
    // The lane may let the next route continue what the caller already has.
    const bool continuing = mayContinue && sent && sent->continuable();
    currentAttempt().decision = continuing ? Decision::Fallback : Decision::Return;
    // A continuation that does not fit on says nothing against its route.
    settleAttempt(mayContinue ? FailureClass::MidStream : FailureClass::Incompatible, reason);
    if (continuing) {
        m_streamBreak = QStringLiteral("route '%1': %2").arg(currentAttempt().route, reason);
        tryNextRoute();
        return;
    }
    endStreamWithError(m_streamBreak.isEmpty()
            ? QStringLiteral("The upstream stream of route '%1' failed after the first byte: %2")
                  .arg(currentAttempt().route, reason)
            : QStringLiteral("The stream broke (%1), and route '%2' could not continue it: %3")
                  .arg(m_streamBreak, currentAttempt().route, reason),
        FailureClass::MidStream);
}

void ProxyRequest::respondWithUpstream(FailureClass finalClass)
{
    const StateLock::Held held = m_services.holdState();
    if (streamBegun()) { // a continuation answered with an error of its own
        streamBroke(currentAttempt().reason, false);
        return;
    }
    m_trace.record().route = currentRoute().name;
    m_routeAnswered = true;
    if (m_head.streaming) {
        // The upstream's own error event, passed on as the stream it was.
        commitStream();
        m_stream->finish();
    } else {
        m_response.sendUpstream(
            routing(), m_head.status, m_head.answer, m_head.passHeaders, *m_services.redactor);
    }
    finish(m_head.status, finalClass);
}

void ProxyRequest::respondAllFailed()
{
    const StateLock::Held held = m_services.holdState();
    TraceRecord &trace = m_trace.record();
    const AttemptRecord *final = m_trace.finalRecord();
    if (final)
        trace.route = final->route;
    // Every route held back by its breaker: the caller learns when the first lets a call through.
    const qint64 soonestRetry = m_services.routes->soonestRateLimitEndMs(m_plan.routes());
    const qint64 breakersReopen = m_plan.everyRouteHeldByBreaker(m_trace.upstreamAttempts())
        ? m_services.routes->soonestBreakerReopenMs(m_plan.heldByBreaker())
        : 0;
    const GatewayResponse::AllFailed answer = GatewayResponse::allRoutesFailed(
        trace, m_trace.upstreamAttempts(), soonestRetry, breakersReopen);
    m_response.sendAllFailed(routing(), answer);
    finish(answer.status, final ? final->failureClass : FailureClass::Transient);
}

void ProxyRequest::respondDeadlineExceeded()
{
    if (const AttemptRecord *final = m_trace.finalRecord())
        m_trace.record().route = final->route;
    m_response.sendDeadlineExceeded(
        routing(), m_params.target.deadlineMs, m_trace.upstreamAttempts());
    finish(504, FailureClass::Transient);
}

void ProxyRequest::endStreamWithError(const QString &message, FailureClass failureClass)
{
    m_stream->fail(message);
    finish(m_streamStatus, failureClass);
}

void ProxyRequest::finish(int status, FailureClass finalClass)
{
    if (m_phase == Phase::Done)
        return;
    m_phase = Phase::Done;
    for (OneShotTimer *timer : { &m_deadlineTimer, &m_backoffTimer, &m_hedgeTimer })
        timer->stop();
    cancelHedge(QStringLiteral("the request was over"));
    if (m_stream)
        m_stream->stop();
    TraceRecord &trace = m_trace.record();
    trace.conclude(status, finalClass, elapsed(), m_plan.firstChoice(), routing().degraded);
    if (m_capture && m_capture->wants(trace) && m_services.recordBodies) {
        const StateLock::Held held = m_services.holdState(); // the redactor's secrets
        m_services.recordBodies(m_capture->takeUnredacted(
            trace, *m_services.redactor, m_params.active->captureRedactions));
    }
    qCInfo(lcProxy).noquote() << trace.summary();
    Q_EMIT finished(trace);
    deleteLater();
}

} // namespace Switchyard
