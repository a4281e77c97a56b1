#pragma once

#include "proxy/gatewayresponse.h"
#include "proxy/streamcontinuation.h"
#include "proxy/streamrelay.h"

#include <QObject>
#include <QPointer>

#include <optional>

namespace Switchyard {

class ClientBackpressure;
class UpstreamAttempt;
struct Limits;

// The caller's side of a streamed answer: the relay of the attempt now streaming, what it lets
// through once the first content has arrived, backpressure against a caller that reads slowly
// (the attempt is paused, not buffered), and how the caller's stream ends. It judges no route:
// what an attempt's bytes mean is signalled, and the request decides.
class CallerStream final : public QObject {
    Q_OBJECT
public:
    CallerStream(GatewayResponse &response, const Limits &limits, QObject *parent);

    // Keep a transcript of what the caller gets, so that another route can continue it.
    void keepTranscript() { m_transcript.emplace(m_maxEventBytes); }
    // Null without keepTranscript().
    const StreamTranscript *transcript() const { return m_transcript ? &*m_transcript : nullptr; }
    // The attempt whose stream feeds the caller now, with the relay for its bytes; `splice` when
    // it continues a stream another attempt broke off.
    void attach(UpstreamAttempt *attempt, StreamRelay relay,
        std::optional<StreamSplice> splice = std::nullopt);
    // No attempt streams (it ended, or failed before its first content).
    void detach();
    // An attempt's bytes; what they mean is signalled, at most one signal per call.
    void feed(const QByteArray &data);
    // How the attempt's call ended, as far as its stream goes.
    StreamRelay::End judgeEnd(TransportError transport, const QString &detail);
    const StreamRelay &relay() const { return *m_relay; }
    // The caller's stream has begun: its status and headers are out.
    bool begun() const { return m_begun; }

    // Begins the caller's stream with what the attempt held back until its first content.
    void begin(const GatewayResponse::Routing &routing, int status, const HeaderList &headers);
    // A continuation's first content: the caller's stream goes on, after a comment saying which
    // route continues it, how ("prefill" or "restart"), and after what break (already redacted).
    // False when the continuation did not fit on (continuationDiverged was signalled).
    bool resume(const QString &route, const QString &mode, const QString &afterBreak);
    qint64 maxEventBytes() const { return m_maxEventBytes; }
    // The answer is whole: `closing` (a [DONE] the upstream did not send) and the end.
    void finish(const QByteArray &closing = {});
    // After the first byte there is no status left to change: the failure is the last event.
    void fail(const QString &message);
    void stop(); // the request is over: no more signals, whatever is still on the stack

Q_SIGNALS:
    // The first content arrived: the request begins the caller's stream (begin()).
    void contentStarted(bool complete);
    // The upstream's end went through to the caller.
    void completed();
    // Before the first content: an error event, a malformed event, an end without content, or an
    // event beyond limits.max_event_bytes. Nothing has reached the caller.
    void failedBeforeContent(const Switchyard::Classification &classification);
    // After it: an event too large; the attempt must be aborted.
    void overflowed(const QString &reason);
    // After it: the upstream's own error event went to the caller as it was sent.
    void upstreamErrorEventSent();
    // After it, with the relay holding error events back: the stream broke with one.
    void brokeAfterContent(const Switchyard::Classification &classification);
    // A restarted continuation's answer did not repeat what the caller already has.
    void continuationDiverged(const QString &reason);
    // The caller read nothing for limits.stalled_client_ms while the attempt was paused for it;
    // its connection is dropped.
    void clientStalled(const QString &reason);

private:
    // Writes what an attempt lets through: spliced when it continues, and transcribed. False
    // once a continuation has diverged (signalled once; nothing more is written).
    bool write(const QByteArray &bytes);

    GatewayResponse &m_response;
    qint64 m_maxEventBytes;
    std::optional<StreamTranscript> m_transcript;
    std::optional<StreamSplice> m_splice;
    ClientBackpressure *m_backpressure;
    QPointer<UpstreamAttempt> m_attempt;
    std::optional<StreamRelay> m_relay;
    bool m_begun = false;
};

} // namespace Switchyard
