#include "proxy/upstreamattempt.h"

#include "http/clientresponse.h"
#include "translate/callerprotocol.h"
#include "translate/openaierror.h"
#include "translate/providertranslator.h"
#include "upstream/upstreampool.h"

#include <QDateTime>
#include <QNetworkReply>

#include <memory>

namespace Switchyard {

namespace {

// Upstream bodies larger than this are not a completion; refuse to hold them in memory.
constexpr qsizetype MaxUpstreamBody = 64 * 1024 * 1024;
// What a stream's reply may hold unread while the caller is stalled.
constexpr qint64 StreamReadBufferBytes = 64 * 1024;
// After [DONE] an upstream has nothing more to say; more than this is drained no further.
constexpr qint64 MaxBytesAfterDone = 64 * 1024;
constexpr int DrainAfterDoneMs = 5000;

} // namespace

UpstreamAttempt::UpstreamAttempt(UpstreamPool &upstreams, QObject *parent)
    : QObject(parent)
    , m_upstreams(upstreams)
{
}

void UpstreamAttempt::timerEvent(QTimerEvent *event)
{
    if (m_phaseTimer.fired(event))
        onPhaseTimeout();
    else if (m_totalTimer.fired(event))
        onTotalTimeout();
    else if (m_firstTokenTimer.fired(event))
        onFirstTokenTimeout();
    else
        QObject::timerEvent(event);
}

UpstreamAttempt::~UpstreamAttempt()
{
    cancel();
}

void UpstreamAttempt::start(Call call)
{
    m_call = std::move(call);
    m_reply = m_upstreams.post(m_call.request, m_call.body);
    connect(m_reply, &QNetworkReply::requestSent, this, &UpstreamAttempt::onRequestSent);
    connect(m_reply, &QNetworkReply::metaDataChanged, this, &UpstreamAttempt::onMetaDataChanged);
    connect(m_reply, &QNetworkReply::readyRead, this, &UpstreamAttempt::onReadyRead);
    connect(m_reply, &QNetworkReply::finished, this, &UpstreamAttempt::onReplyFinished);
    armPhase(Phase::Connecting, m_call.timeouts.connectMs);
    const qint64 deadline = qMax<qint64>(1, m_call.deadlineMs);
    m_totalIsDeadline = deadline <= m_call.timeouts.totalMs;
    m_totalTimer.start(int(qMin<qint64>(m_call.timeouts.totalMs, deadline)));
}

void UpstreamAttempt::armPhase(Phase phase, int timeoutMs)
{
    m_phase = phase;
    m_phaseTimer.start(timeoutMs);
}

void UpstreamAttempt::detachReply()
{
    if (QNetworkReply *reply = m_reply) {
        reply->disconnect(this);
        reply->deleteLater();
        m_reply = nullptr;
    }
    m_phaseTimer.stop();
    m_totalTimer.stop();
    m_firstTokenTimer.stop();
    m_phase = Phase::Done;
}

void UpstreamAttempt::cancel()
{
    // Disconnected first: abort() emits finished, and the request has already decided.
    if (QNetworkReply *reply = m_reply) {
        reply->disconnect(this);
        reply->abort();
    }
    detachReply();
}

void UpstreamAttempt::abort(TransportError error, const QString &reason)
{
    abortCall(error, reason, false);
}

void UpstreamAttempt::abortCall(TransportError error, const QString &reason, bool silent)
{
    if (!m_reply)
        return;
    m_abortError = error;
    m_abortReason = reason;
    m_abortSilent = silent;
    m_reply->abort(); // emits finished synchronously; onReplyFinished reports it
}

void UpstreamAttempt::release()
{
    if (m_reply && m_reply->isFinished()) {
        detachReply(); // it ended while the caller was catching up: nothing left to drain
        return;
    }
    if (QNetworkReply *reply = m_reply) {
        reply->disconnect(this);
        connect(reply, &QNetworkReply::finished, reply, &QObject::deleteLater);
        // An upstream that floods after [DONE] loses its connection instead of filling memory.
        auto drained = std::make_shared<qint64>(0);
        connect(reply, &QNetworkReply::readyRead, reply, [reply, drained] {
            *drained += reply->skip(reply->bytesAvailable());
            if (*drained > MaxBytesAfterDone)
                reply->abort();
        });
        if (reply->bytesAvailable() > 0)
            *drained += reply->skip(reply->bytesAvailable());
        QTimer::singleShot(DrainAfterDoneMs, reply, &QNetworkReply::abort);
        m_reply = nullptr;
    }
    m_phaseTimer.stop();
    m_totalTimer.stop();
    m_firstTokenTimer.stop();
    m_phase = Phase::Done;
}

void UpstreamAttempt::pause()
{
    // The upstream is not to blame for the wait, so its idle timer rests.
    m_paused = true;
    m_phaseTimer.stop();
}

void UpstreamAttempt::resume()
{
    m_paused = false;
    if (!m_reply || m_phase == Phase::Done)
        return;
    m_sinceData.start();
    m_phaseTimer.start(m_call.timeouts.idleMs);
    if (m_reply->bytesAvailable() > 0)
        onReadyRead();
    if (m_endedWhilePaused && m_reply && !m_paused) {
        m_endedWhilePaused = false;
        onReplyFinished();
    }
}

void UpstreamAttempt::onRequestSent()
{
    if (m_phase != Phase::Connecting)
        return;
    Q_EMIT connected();
    armPhase(Phase::WaitingFirstByte, m_call.timeouts.firstByteMs);
    if (m_call.streamWanted)
        m_firstTokenTimer.start(m_call.timeouts.firstTokenMs);
}

void UpstreamAttempt::onMetaDataChanged()
{
    if (!m_reply || m_phase == Phase::Receiving || m_phase == Phase::Done)
        return;
    m_status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    m_contentType = m_reply->rawHeader(QByteArrayLiteral("Content-Type"));
    m_phase = Phase::Receiving;
    for (const auto &[name, value] : m_reply->rawHeaderPairs()) {
        if (!ClientResponse::isSafeHeader(name, value)) {
            cancel();
            end({ {},
                Classification { FailureClass::ContractViolation, -1,
                    QStringLiteral("upstream header '%1' holds CR, LF or NUL")
                        .arg(QString::fromLatin1(name.left(64))) } });
            return;
        }
    }
    m_streaming = m_call.streamWanted && m_status >= 200 && m_status < 300
        && m_contentType.startsWith("text/event-stream");
    // While the caller is not reading, what the upstream sends waits in the kernel, not here.
    if (m_streaming)
        m_reply->setReadBufferSize(StreamReadBufferBytes);
    else
        m_firstTokenTimer.stop(); // no stream, no tokens: the answer is judged whole
    for (const QByteArray &name :
        { QByteArrayLiteral("Retry-After"), QByteArrayLiteral("X-Request-Id") }) {
        if (m_reply->hasRawHeader(name))
            m_passHeaders.append(
                { name == "X-Request-Id" ? QByteArrayLiteral("X-Upstream-Request-Id") : name,
                    m_reply->rawHeader(name) });
    }
    m_sinceData.start();
    armPhase(Phase::Receiving, m_call.timeouts.idleMs);
    Q_EMIT responseStarted();
}

void UpstreamAttempt::onReadyRead()
{
    if (!m_reply || m_phase == Phase::Done || m_paused)
        return;
    if (m_phase != Phase::Receiving) {
        onMetaDataChanged();
        if (!m_reply || m_phase != Phase::Receiving)
            return;
    }
    // Exactly what is there: readAll() allocates at least 16 KiB for every event of a stream.
    const QByteArray data = m_reply->read(m_reply->bytesAvailable());
    m_bytesRead += data.size();
    m_sinceData.start();
    if (!m_phaseTimer.isActive()) // paused and resumed, say: idle counts from now
        m_phaseTimer.start(m_call.timeouts.idleMs);
    if (m_streaming) {
        Q_EMIT streamData(data);
        return;
    }
    if (m_body.size() + data.size() > MaxUpstreamBody) {
        abort(TransportError::OtherNetwork, QStringLiteral("upstream body larger than 64 MiB"));
        return;
    }
    m_body.append(data);
}

void UpstreamAttempt::onPhaseTimeout()
{
    const Timeouts &timeouts = m_call.timeouts;
    switch (m_phase) {
    case Phase::Connecting:
        abort(TransportError::Timeout,
            QStringLiteral("connect timeout after %1 ms").arg(timeouts.connectMs));
        break;
    case Phase::WaitingFirstByte:
        abortCall(TransportError::Timeout,
            QStringLiteral("first byte timeout after %1 ms").arg(timeouts.firstByteMs), true);
        break;
    case Phase::Receiving: {
        // Data came since the timer was armed: sleep for the rest of the idle time after it.
        const qint64 silentMs = m_sinceData.isValid() ? m_sinceData.elapsed() : timeouts.idleMs;
        if (silentMs < timeouts.idleMs) {
            m_phaseTimer.start(int(timeouts.idleMs - silentMs));
            break;
        }
        abort(TransportError::Timeout,
            QStringLiteral("idle timeout: no data for %1 ms").arg(timeouts.idleMs));
        break;
    }
    case Phase::Idle:
    case Phase::Done:
        break;
    }
}

void UpstreamAttempt::onTotalTimeout()
{
    if (m_totalIsDeadline)
        return; // the lane deadline fires on its own and answers the caller
    abort(TransportError::Timeout,
        QStringLiteral("total timeout after %1 ms").arg(m_call.timeouts.totalMs));
}

void UpstreamAttempt::onFirstTokenTimeout()
{
    abortCall(TransportError::Timeout,
        QStringLiteral("first token timeout after %1 ms").arg(m_call.timeouts.firstTokenMs), true);
}

void UpstreamAttempt::end(AttemptEnd end)
{
    m_phase = Phase::Done;
    Q_EMIT ended(end);
}

void UpstreamAttempt::onReplyFinished()
{
    QNetworkReply *reply = m_reply;
    if (!reply || m_phase == Phase::Done)
        return;
    if (m_streaming && m_abortError == TransportError::None && reply->bytesAvailable() > 0) {
        // The upstream is done but the caller has not taken everything yet (backpressure): relay
        // the rest first, and report the end once it has gone out.
        if (!m_paused)
            onReadyRead();
        if (!m_reply || m_phase == Phase::Done)
            return; // the stream's end settled it, or a cap did
        if (m_reply->bytesAvailable() > 0) {
            m_endedWhilePaused = true;
            return;
        }
    }
    const QNetworkReply::NetworkError error = reply->error();
    const QString errorString = reply->errorString();
    const QByteArray retryAfter = reply->rawHeader(QByteArrayLiteral("Retry-After"));
    const QByteArray retryAfterMs = reply->rawHeader(QByteArrayLiteral("retry-after-ms"));
    const bool closedOnReuse = UpstreamPool::closedOnReuse(reply);
    detachReply();

    AttemptEnd result;
    UpstreamOutcome &outcome = result.outcome;
    outcome.endpoint = m_call.endpoint;
    outcome.jsonOutputRequested = m_call.jsonOutputRequested;
    if (m_abortError != TransportError::None) {
        outcome.transport = m_abortError;
        outcome.transportDetail = m_abortReason;
        outcome.silent = m_abortSilent;
    } else if (error != QNetworkReply::NoError) {
        outcome.transport = UpstreamPool::transportError(error);
        outcome.transportDetail = errorString;
        outcome.closedOnReuse = closedOnReuse;
        // Cancelled, but not by us (an HTTP/2 stream reset, say): the client is still waiting.
        if (outcome.transport == TransportError::Cancelled)
            outcome.transport = TransportError::OtherNetwork;
    }
    // An upstream that broke HTTP itself (a bad chunk, a control character in a header) broke
    // its contract, whatever its status said.
    if (m_abortError == TransportError::None && error == QNetworkReply::ProtocolFailure) {
        result.judged = Classification { FailureClass::ContractViolation, -1,
            QStringLiteral("upstream broke HTTP: %1").arg(errorString) };
        end(result);
        return;
    }
    // An answer cut short (a reset after the headers, a body shorter than its Content-Length)
    // is a transport failure: the status it began with describes nothing that arrived. (QNAM's
    // errors from 100 on describe an HTTP status that did arrive, and are classified by it.)
    const bool cutShort = m_abortError != TransportError::None
        || (error != QNetworkReply::NoError && int(error) < 100);
    outcome.httpStatus = cutShort ? 0 : m_status;
    outcome.contentType = m_contentType;
    outcome.body = m_body;
    outcome.retryAfter = retryAfter;
    outcome.retryAfterMs = retryAfterMs;
    // An HTTP error status is a QNetworkReply error too (transport is set): an answer that
    // arrived whole is translated whatever its status.
    if (m_call.translator && !m_streaming && !cutShort && m_status > 0) {
        // The caller and the classifier both see OpenAI's shape, whatever the provider speaks.
        if (m_status >= 200 && m_status < 300) {
            QString translationError;
            const QByteArray translated
                = m_call.translator->translateResponse(m_body, &translationError);
            if (translated.isEmpty()) {
                result.judged
                    = Classification { FailureClass::ContractViolation, -1, translationError };
                end(result);
                return;
            }
            outcome.body = translated;
        } else {
            outcome.body = m_call.translator->translateError(m_body);
        }
        outcome.contentType = QByteArrayLiteral("application/json");
    }
    // An HTTP error status is a QNetworkReply error too: what arrived whole is what counts.
    const bool arrived = !cutShort && m_status > 0 && !m_streaming;
    const bool answered = arrived && m_status >= 200 && m_status < 300;
    if (arrived && m_call.passThrough) {
        outcome.callerBody = m_body; // an error too: its own API's words, as the provider said them
    } else if (answered && m_call.callerProtocol) {
        QString translationError;
        outcome.callerBody
            = m_call.callerProtocol->fromChatResponse(outcome.body, &translationError);
        if (outcome.callerBody.isEmpty()) {
            result.judged = Classification { FailureClass::ContractViolation, -1,
                QStringLiteral("the answer has no %1 form: %2")
                    .arg(m_call.callerProtocol->name(), translationError) };
        }
    }
    end(result);
}

void UpstreamAttempt::startDrill(DrillFault fault, Endpoint endpoint)
{
    const UpstreamOutcome outcome = drillOutcome(fault, endpoint);
    m_status = outcome.httpStatus;
    Classification classification = Classifier::classify(outcome, QDateTime::currentDateTimeUtc());
    classification.reason
        = QStringLiteral("drill (%1): %2").arg(drillFaultName(fault), classification.reason);
    m_phase = Phase::Receiving;
    // Later, so that a chain of drills cannot recurse.
    QTimer::singleShot(0, this, [this, outcome, classification] {
        if (m_phase != Phase::Done)
            end({ outcome, classification });
    });
}

UpstreamOutcome UpstreamAttempt::drillOutcome(DrillFault fault, Endpoint endpoint)
{
    UpstreamOutcome outcome;
    outcome.endpoint = endpoint;
    switch (fault) {
    case DrillFault::ServiceUnavailable:
        outcome.httpStatus = 503;
        outcome.body
            = openAiError(QStringLiteral("drill: injected 503"), QStringLiteral("server_error"));
        break;
    case DrillFault::RateLimited:
        outcome.httpStatus = 429;
        outcome.retryAfter = "1";
        outcome.body = openAiError(
            QStringLiteral("drill: injected 429"), QStringLiteral("rate_limit_error"));
        break;
    case DrillFault::Timeout:
        outcome.transport = TransportError::Timeout;
        outcome.transportDetail = QStringLiteral("first byte timeout");
        break;
    case DrillFault::ConnectionRefused:
        outcome.transport = TransportError::ConnectionRefused;
        break;
    case DrillFault::MalformedBody:
        outcome.httpStatus = 200;
        outcome.body = "{\"choices\": [ this is not JSON";
        break;
    }
    return outcome;
}

} // namespace Switchyard
