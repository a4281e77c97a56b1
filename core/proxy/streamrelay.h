#pragma once

#include "http/ssescanner.h"
#include "routing/classifier.h"
#include "translate/providertranslator.h"

#include <QByteArray>
#include <QString>

#include <memory>

namespace Switchyard {

// One attempt's event stream on its way to the caller: split into events, translated (or passed
// through byte for byte), its usage read, and every event before the first checked so that a bad
// start can still fail over. Holds only the unfinished event and, before the commit, the events
// not yet sent; both are bounded by limits.max_event_bytes. No network and no timers: the
// ProxyRequest feeds it bytes and acts on each Step.
class StreamRelay final {
public:
    struct Options {
        qint64 maxEventBytes = 1024 * 1024;
        // Null: the provider speaks OpenAI and its events pass through.
        std::unique_ptr<StreamTranslator> translator;
        // We asked for usage the caller did not: the usage-only chunk is taken out again.
        bool stripInjectedUsage = false;
    };

    // What the bytes just fed mean for the attempt.
    struct Step {
        enum class Kind {
            Continue, // nothing decided; send `bytes` if committed
            Commit, // the first real event arrived: commit the stream, then send pending()
            Overflow, // an event beyond max_event_bytes; `reason` says so
            BadStart, // the stream began with an error or a malformed event; see `classification`
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
            Clean, // the stream's end went through, and no error event: the answer is whole
            Broken, // it failed after the commit: the caller gets a final error event
            BadStart, // it ended before any real event: see `classification`
            Unjudged, // a transport failure before the commit: classified like any other
        };
        Kind kind = Kind::Unjudged;
        QString reason;
        Classification classification;
    };

    explicit StreamRelay(Options options);

    Step feed(const QByteArray &data);
    // The events held back before the commit; taken once.
    QByteArray takePending() { return std::exchange(m_pending, {}); }
    void markCommitted() { m_committed = true; }
    bool committed() const { return m_committed; }

    bool complete() const;
    // `transport` and `transportDetail` say how the call ended (None: the upstream closed it).
    End judgeEnd(TransportError transport, const QString &transportDetail) const;
    bool sawDone() const { return m_scanner.sawDone(); }
    bool errorEventSent() const { return m_errorEventSent; }
    // Usage as the stream reported it; -1 until it does.
    qint64 tokensIn() const { return m_tokensIn; }
    qint64 tokensOut() const { return m_tokensOut; }
    // A usage figure that no honest upstream sends (negative, fractional, absurd).
    bool usageInvalid() const { return m_usageInvalid; }

private:
    QByteArray forwardable(const QByteArray &data, const QList<SseScanner::Event> &events);

    Options m_options;
    SseScanner m_scanner;
    QByteArray m_rawPending; // the unfinished event of a passed-through stream
    QByteArray m_pending; // before the commit: what the caller will get first
    bool m_committed = false;
    bool m_sawContent = false;
    bool m_errorEventSent = false;
    bool m_usageInvalid = false;
    qint64 m_tokensIn = -1;
    qint64 m_tokensOut = -1;
};

} // namespace Switchyard
