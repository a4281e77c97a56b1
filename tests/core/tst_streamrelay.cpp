#include "proxy/streamrelay.h"

#include <QTest>

using namespace Switchyard;

// A stream on its way to the caller, without a network: what passes through, when it commits,
// what fails over, and what it may hold.
class StreamRelayTest final : public QObject {
    Q_OBJECT

private:
    static StreamRelay passthrough(qint64 maxEventBytes = 1024 * 1024)
    {
        StreamRelay::Options options;
        options.maxEventBytes = maxEventBytes;
        return StreamRelay(std::move(options));
    }

private Q_SLOTS:
    void passesEventsThroughByteForByteWhatEverTheSplit()
    {
        const QByteArray stream = "data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\r\n\r\n"
                                  ": keep-alive\n\n"
                                  "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,"
                                  "\"completion_tokens\":5}}\n\n"
                                  "data: [DONE]\n\n";
        for (int cut = 1; cut < stream.size(); cut += 7) {
            StreamRelay relay = passthrough();
            QByteArray sent;
            for (const QByteArray &piece : { stream.left(cut), stream.mid(cut) }) {
                const StreamRelay::Step step = relay.feed(piece);
                QVERIFY(step.kind == StreamRelay::Step::Kind::Continue
                    || step.kind == StreamRelay::Step::Kind::Commit);
                if (step.kind == StreamRelay::Step::Kind::Commit) {
                    relay.markCommitted();
                    sent += relay.takePending();
                } else {
                    sent += step.bytes;
                }
            }
            QCOMPARE(sent, stream);
            QVERIFY(relay.complete());
            QCOMPARE(relay.tokensIn(), 3);
            QCOMPARE(relay.tokensOut(), 5);
            QVERIFY(!relay.usageInvalid());
        }
    }

    void anErrorBeforeTheFirstByteFailsOver()
    {
        StreamRelay relay = passthrough();
        const StreamRelay::Step step = relay.feed(
            "data: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}\n\n");
        QCOMPARE(step.kind, StreamRelay::Step::Kind::BadStart);
        QCOMPARE(step.classification.failureClass, FailureClass::Transient);

        StreamRelay garbled = passthrough();
        const StreamRelay::Step bad = garbled.feed("data: {not json\n\n");
        QCOMPARE(bad.kind, StreamRelay::Step::Kind::BadStart);
        QCOMPARE(bad.classification.failureClass, FailureClass::ContractViolation);
    }

    void aStreamOfOnlyDoneIsNoAnswer()
    {
        StreamRelay relay = passthrough();
        const StreamRelay::Step step = relay.feed("data: [DONE]\n\n");
        QCOMPARE(step.kind, StreamRelay::Step::Kind::Continue);
        QVERIFY(!relay.committed());
        QVERIFY(relay.sawDone());
    }

    void anErrorAfterTheCommitIsPassedOnAndNoted()
    {
        StreamRelay relay = passthrough();
        QCOMPARE(relay.feed("data: {\"choices\":[]}\n\n").kind, StreamRelay::Step::Kind::Commit);
        relay.markCommitted();
        const StreamRelay::Step step = relay.feed("data: {\"error\":{\"message\":\"x\"}}\n\n");
        QCOMPARE(step.kind, StreamRelay::Step::Kind::Continue);
        QVERIFY(step.upstreamErrorEvent);
        QVERIFY(relay.errorEventSent());
        QVERIFY(step.bytes.contains("\"error\""));
    }

    void holdsNoMoreThanOneEventsWorth()
    {
        StreamRelay endless = passthrough(1024);
        const StreamRelay::Step step = endless.feed(QByteArray(4096, 'x'));
        QCOMPARE(step.kind, StreamRelay::Step::Kind::Overflow);
        QVERIFY(step.reason.contains(QLatin1String("max_event_bytes")));

        // Keep-alives only, before any event: bounded too.
        StreamRelay chatter = passthrough(1024);
        StreamRelay::Step last;
        for (int i = 0; i < 200 && last.kind == StreamRelay::Step::Kind::Continue; ++i)
            last = chatter.feed(": keep-alive\n\n");
        QCOMPARE(last.kind, StreamRelay::Step::Kind::Overflow);
    }

    void theUsageWeAskedForIsTakenOutAgain()
    {
        StreamRelay::Options options;
        options.stripInjectedUsage = true;
        StreamRelay relay(std::move(options));
        QCOMPARE(relay.feed("data: {\"choices\":[{\"delta\":{}}],\"usage\":null}\n\n").kind,
            StreamRelay::Step::Kind::Commit);
        relay.markCommitted();
        QCOMPARE(relay.takePending(), QByteArray("data: {\"choices\":[{\"delta\":{}}]}\n\n"));
        const StreamRelay::Step usage = relay.feed(
            "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":4}}\n\n"
            "data: [DONE]\n\n");
        QCOMPARE(usage.bytes, QByteArray("data: [DONE]\n\n"));
        QVERIFY(usage.complete);
        QCOMPARE(relay.tokensOut(), 4);
    }

    void howAStreamEndedIsJudged()
    {
        using Kind = StreamRelay::End::Kind;
        StreamRelay whole = passthrough();
        whole.feed("data: {\"choices\":[]}\n\ndata: [DONE]\n\n");
        whole.markCommitted();
        QCOMPARE(whole.judgeEnd(TransportError::None, {}).kind, Kind::Clean);
        // Cut off after the first byte: the caller is told in a last event.
        const StreamRelay::End cut = whole.judgeEnd(TransportError::Timeout, "idle timeout");
        QCOMPARE(cut.kind, Kind::Broken);
        QCOMPARE(cut.reason, QStringLiteral("idle timeout"));

        StreamRelay unfinished = passthrough();
        unfinished.feed("data: {\"choices\":[]}\n\n");
        unfinished.markCommitted();
        QCOMPARE(unfinished.judgeEnd(TransportError::None, {}).reason,
            QStringLiteral("upstream closed the stream before [DONE]"));

        StreamRelay empty = passthrough();
        empty.feed("data: [DONE]\n\n");
        const StreamRelay::End nothing = empty.judgeEnd(TransportError::None, {});
        QCOMPARE(nothing.kind, Kind::BadStart);
        QCOMPARE(nothing.classification.failureClass, FailureClass::ContractViolation);
        // Before the commit a transport failure is classified like any other, and can fail over.
        QCOMPARE(empty.judgeEnd(TransportError::ConnectionRefused, {}).kind, Kind::Unjudged);
    }

    void anImpossibleUsageIsFlagged()
    {
        StreamRelay relay = passthrough();
        relay.feed("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":-3,"
                   "\"completion_tokens\":1e30}}\n\n");
        QVERIFY(relay.usageInvalid());
    }
};

QTEST_GUILESS_MAIN(StreamRelayTest)
#include "tst_streamrelay.moc"
