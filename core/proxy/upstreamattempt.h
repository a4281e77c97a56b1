#pragma once

#include "config/config.h"
#include "http/httpmessage.h"
#include "routing/breaker.h"
#include "routing/classifier.h"

#include <QElapsedTimer>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include "http/oneshottimer.h"

#include <optional>

class QNetworkReply;

namespace Switchyard {

class CallerProtocol;
class ProviderTranslator;
class UpstreamPool;

// How one attempt ended, for the ProxyRequest to judge.
struct AttemptEnd {
    UpstreamOutcome outcome; // a non-streamed answer in OpenAI's shape, whatever the provider
    // Already judged here: the upstream broke HTTP (a bad chunk, CR or LF in a header) or its
    // API's shape. The ProxyRequest takes the class as it is.
    std::optional<Classification> judged;
};

// One call to one route (Envoy's UpstreamRequest): sends it, times its phases (connect, first
// byte, idle, total), reads the answer and reports what happened, deciding nothing. A stream's
// bytes are handed on as they arrive, and reading pauses while the caller falls behind.
class UpstreamAttempt final : public QObject {
    Q_OBJECT
public:
    struct Call {
        QNetworkRequest request;
        QByteArray body;
        Timeouts timeouts;
        qint64 deadlineMs = 0; // what is left of the lane's deadline; that timer is not ours
        Endpoint endpoint = Endpoint::ChatCompletions;
        bool streamWanted = false;
        bool jsonOutputRequested = false;
        const ProviderTranslator *translator = nullptr; // null: the provider speaks OpenAI
        // The route speaks the caller's API: its answer reaches the caller as it came.
        bool passThrough = false;
        // The caller's API, when not chat completions: a 2xx answer that cannot be written in it
        // fails the attempt like any malformed answer.
        const CallerProtocol *callerProtocol = nullptr;
    };

    UpstreamAttempt(UpstreamPool &upstreams, QObject *parent);
    ~UpstreamAttempt() override;

    void start(Call call);
    // An operator's drill: no call, the injected fault reported as the upstream would have sent
    // it, classified like a real one, and later, as a real answer would come.
    void startDrill(DrillFault fault, Endpoint endpoint);

    // Aborts the call and reports it as a transport failure with `reason` (ended, at once).
    void abort(TransportError error, const QString &reason);
    // Aborts the call and reports nothing: the request has already decided.
    void cancel();
    // The stream reached its end: the reply is left to finish by itself, so that its keep-alive
    // connection can be reused, and whatever else comes is read and dropped, up to a bound.
    void release();
    // The stream's first content arrived: the first-token timeout is done with.
    void contentArrived() { m_firstTokenTimer.stop(); }
    // Backpressure: no reading (and no idle timeout) while the caller has too much unread.
    void pause();
    void resume();

    bool active() const { return m_reply != nullptr; }
    bool streaming() const { return m_streaming; }
    int status() const { return m_status; }
    QByteArray contentType() const { return m_contentType; }
    // Upstream headers the caller gets too (Retry-After, the upstream's request id).
    HeaderList passHeaders() const { return m_passHeaders; }
    qint64 bytesRead() const { return m_bytesRead; }
    // A whole answer's body as it came (not a stream's, which is handed on as it arrives).
    const QByteArray &body() const { return m_body; }

    // What an operator's drill injects, as the upstream would have sent it.
    static UpstreamOutcome drillOutcome(DrillFault fault, Endpoint endpoint);

Q_SIGNALS:
    void connected();
    void responseStarted();
    void streamData(const QByteArray &data);
    void ended(const Switchyard::AttemptEnd &end);

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    enum class Phase { Idle, Connecting, WaitingFirstByte, Receiving, Done };

    void onRequestSent();
    void onMetaDataChanged();
    void onReadyRead();
    void onReplyFinished();
    void onPhaseTimeout();
    void onTotalTimeout();
    void onFirstTokenTimeout();
    // Aborts as abort() does; `silent`: the route said nothing in time (no byte, no token).
    void abortCall(TransportError error, const QString &reason, bool silent);
    void armPhase(Phase phase, int timeoutMs);
    void end(AttemptEnd end);
    void detachReply();

    UpstreamPool &m_upstreams;
    Call m_call;
    QPointer<QNetworkReply> m_reply;
    Phase m_phase = Phase::Idle;
    OneShotTimer m_phaseTimer { this };
    // Since the last data while receiving: a chunk only reads the clock, and the idle timer,
    // when it fires early, sleeps again for the rest (restarting a QTimer per chunk re-sorts the
    // thread's timer list each time).
    QElapsedTimer m_sinceData;
    OneShotTimer m_totalTimer { this };
    OneShotTimer m_firstTokenTimer {
        this
    }; // a stream's, from the request sent to its first content
    bool m_totalIsDeadline = false;
    bool m_paused = false;
    bool m_endedWhilePaused = false;
    TransportError m_abortError = TransportError::None;
    QString m_abortReason;
    bool m_abortSilent = false;
    int m_status = 0;
    QByteArray m_contentType;
    QByteArray m_body;
    HeaderList m_passHeaders;
    bool m_streaming = false;
    qint64 m_bytesRead = 0;
};

} // namespace Switchyard

Q_DECLARE_METATYPE(Switchyard::AttemptEnd)
