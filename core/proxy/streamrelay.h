#pragma once

#include "http/ssescanner.h"
#include "routing/classifier.h"
#include "translate/providertranslator.h"

#include <QByteArray>
#include <QString>

#include <memory>
#include <optional>

namespace Switchyard {

// One attempt's event stream on its way to the caller: split into events on the scanner's
// boundaries, translated (an OpenAI-speaking provider's pass-through is one more translator), its
// usage read. Nothing goes out before the first content: a role alone, an error event, a malformed
// event or an end before any content can still fail over. Holds only the unfinished event and,
// before the commit, what is held back; both are bounded by limits.max_event_bytes. No network
// and no timers: the ProxyRequest feeds it bytes and acts on each Step.
class StreamRelay final {
public:
    struct Options {
        qint64 maxEventBytes = 1024 * 1024;
        // Null: the provider speaks OpenAI and its events pass through untouched.
        std::unique_ptr<StreamTranslator> translator;
        // After the commit an upstream error event is held back and reported (ErrorEvent), so
        // that another route can continue the stream; otherwise it goes to the caller as sent.
        bool holdErrorEvents = false;
    };

    // What the bytes just fed mean for the attempt.
    struct Step {
        enum class Kind {
            Continue, // nothing decided; send `bytes` if committed
            Commit, // the first content arrived: commit the stream, then send takePending()
            Overflow, // an event beyond max_event_bytes; `reason` says so
            // An error event, a malformed event or the stream's end before any content; see
            // `classification`
            BadStart,
            // After the commit, with holdErrorEvents: the upstream sent an error event; `bytes`
            // holds what came before it, `classification` the error
            ErrorEvent,
        };
        Kind kind = Kind::Continue;
        QByteArray bytes; // for the caller, once committed
        bool complete = false; // the stream's end ([DONE] or its equivalent) went through
        bool upstreamErrorEvent = false; // an error event mid-stream, passed on as it came
        QString reason;
        Classification classification;
    };

    // How the attempt's call ended, as far as the stream is concerned.
    struct End {
        enum class Kind {
            // The stream's end went through, or the body ended cleanly after the final chunk,
            // and no error event: the answer is whole
            Clean,
            Broken, // it failed after the commit: the caller gets a final error event
            BadStart, // it ended before any content: see `classification`
            Unjudged, // a transport failure before the commit: classified like any other
        };
        Kind kind = Kind::Unjudged;
        QString reason;
        Classification classification;
        // Clean without the upstream's end: what closes the caller's stream ([DONE] and usage).
        QByteArray closing;
    };

    explicit StreamRelay(Options options);

    Step feed(const QByteArray &data);
    // The events held back before the commit; taken once.
    QByteArray takePending() { return std::exchange(m_pending, {}); }
    void markCommitted() { m_committed = true; }
    bool committed() const { return m_committed; }

    bool complete() const { return m_translator->complete(); }
    // `transport` and `transportDetail` say how the call ended (None: the upstream closed it).
    // Judging a clean end may complete the stream (End::closing); judged once.
    End judgeEnd(TransportError transport, const QString &transportDetail);
    bool sawDone() const { return m_scanner.sawDone(); }
    // The caller's last event when the stream fails after its first content, in its API's shape.
    QByteArray failureEvent(const QString &message) { return m_translator->failureEvent(message); }
    bool errorEventSent() const { return m_errorEventSent; }
    // Usage as the stream reported it; -1 until it does.
    qint64 tokensIn() const { return m_translator->tokensIn(); }
    qint64 tokensOut() const { return m_translator->tokensOut(); }
    CachedTokens cachedTokens() const { return m_translator->cachedTokens(); }
    // A usage figure that no honest upstream sends (negative, fractional, absurd).
    bool usageInvalid() const { return m_translator->usageInvalid(); }
    // A whole stream's verdict on the route: ok, or a contract violation for an impossible usage
    // figure (the caller has the whole answer either way, and it costs nothing).
    Classification usageVerdict() const;

private:
    // The first bad event before the commit, if any.
    static std::optional<Classification> badStart(const QList<SseScanner::Event> &events);

    qint64 m_maxEventBytes;
    bool m_holdErrorEvents;
    std::unique_ptr<StreamTranslator> m_translator;
    SseScanner m_scanner;
    QByteArray m_pending; // before the commit: what the caller will get first
    bool m_committed = false;
    bool m_errorEventSent = false;
};

} // namespace Switchyard
