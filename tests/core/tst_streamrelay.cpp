#include "proxy/streamrelay.h"
#include "translate/anthropicstream.h"
#include "translate/openaistream.h"

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
        QCOMPARE(step.kind, StreamRelay::Step::Kind::BadStart);
        QCOMPARE(step.classification.failureClass, FailureClass::ContractViolation);
        QVERIFY(!relay.committed());
    }

    void commitsOnTheFirstContentOnly_data()
    {
        QTest::addColumn<QByteArray>("event");
        QTest::addColumn<bool>("content");
        QTest::newRow("role only")
            << QByteArray("{\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}")
            << false;
        QTest::newRow("empty delta") << QByteArray("{\"choices\":[{\"delta\":{}}]}") << false;
        QTest::newRow("no choices") << QByteArray("{\"choices\":[]}") << false;
        QTest::newRow("null content")
            << QByteArray("{\"choices\":[{\"delta\":{\"content\":null}}]}") << false;
        QTest::newRow("text") << QByteArray("{\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}")
                              << true;
        QTest::newRow("tool call") << QByteArray("{\"choices\":[{\"delta\":{\"tool_calls\":[{"
                                                 "\"index\":0,\"id\":\"c1\"}]}}]}")
                                   << true;
        QTest::newRow("refusal") << QByteArray("{\"choices\":[{\"delta\":{\"refusal\":\"No.\"}}]}")
                                 << true;
        QTest::newRow("reasoning")
            << QByteArray("{\"choices\":[{\"delta\":{\"reasoning_content\":\"Hm\"}}]}") << true;
    }

    void commitsOnTheFirstContentOnly()
    {
        QFETCH(QByteArray, event);
        QFETCH(bool, content);
        StreamRelay relay = passthrough();
        const StreamRelay::Step step = relay.feed(": hello\n\ndata: " + event + "\n\n");
        QCOMPARE(step.kind,
            content ? StreamRelay::Step::Kind::Commit : StreamRelay::Step::Kind::Continue);
        // Held back, not lost: the caller gets the role chunk with the first content.
        relay.markCommitted();
        QCOMPARE(relay.takePending(), QByteArray(": hello\n\ndata: " + event + "\n\n"));
    }

    void anErrorAfterARoleChunkStillFailsOver()
    {
        // Anthropic's overloaded_error inside a 200 stream, after message_start.
        StreamRelay::Options options;
        options.translator = anthropicStreamTranslator(false);
        StreamRelay relay(std::move(options));
        QCOMPARE(relay
                     .feed("event: message_start\ndata: {\"type\":\"message_start\",\"message\":"
                           "{\"id\":\"msg_1\",\"model\":\"m\",\"usage\":{\"input_tokens\":3}}}\n\n")
                     .kind,
            StreamRelay::Step::Kind::Continue);
        const StreamRelay::Step step
            = relay.feed("event: error\ndata: {\"type\":\"error\",\"error\":"
                         "{\"type\":\"overloaded_error\",\"message\":"
                         "\"Overloaded\"}}\n\n");
        QCOMPARE(step.kind, StreamRelay::Step::Kind::BadStart);
        QCOMPARE(step.classification.failureClass, FailureClass::RateLimited);

        StreamRelay openAi = passthrough();
        openAi.feed("data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n");
        QCOMPARE(openAi.feed("data: {\"error\":{\"message\":\"overloaded\"}}\n\n").kind,
            StreamRelay::Step::Kind::BadStart);
    }

    void aCleanEndAfterTheFinalChunkIsAWholeAnswer()
    {
        // Several providers send no [DONE]: the caller gets one, and the usage counts.
        StreamRelay relay = passthrough();
        relay.feed("data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n");
        relay.markCommitted();
        relay.feed("data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                   "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":"
                   "2}}\n\n");
        QVERIFY(!relay.complete());
        const StreamRelay::End end = relay.judgeEnd(TransportError::None, {});
        QCOMPARE(end.kind, StreamRelay::End::Kind::Clean);
        QCOMPARE(end.closing, QByteArray("data: [DONE]\n\n"));
        QCOMPARE(relay.tokensOut(), 2);

        // Cut before the final chunk it is still broken.
        StreamRelay cut = passthrough();
        cut.feed("data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n");
        cut.markCommitted();
        QCOMPARE(cut.judgeEnd(TransportError::None, {}).kind, StreamRelay::End::Kind::Broken);

        // Anthropic's stream ending after message_delta, without message_stop.
        StreamRelay::Options options;
        options.translator = anthropicStreamTranslator(false);
        StreamRelay anthropic(std::move(options));
        anthropic.feed("data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
                       "\"text_delta\",\"text\":\"Hi\"}}\n\n");
        anthropic.markCommitted();
        anthropic.feed("data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
                       "\"usage\":{\"output_tokens\":7}}\n\n");
        const StreamRelay::End whole = anthropic.judgeEnd(TransportError::None, {});
        QCOMPARE(whole.kind, StreamRelay::End::Kind::Clean);
        QVERIFY(whole.closing.endsWith("data: [DONE]\n\n"));
        QCOMPARE(anthropic.tokensOut(), 7);
    }

    void aConnectionLostAfterTheFinalChunkIsStillAWholeAnswer()
    {
        StreamRelay relay = passthrough();
        relay.feed("data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"},\"finish_reason\":"
                   "\"stop\"}]}\n\n");
        relay.markCommitted();
        const StreamRelay::End end = relay.judgeEnd(TransportError::ConnectionReset, {});
        QCOMPARE(end.kind, StreamRelay::End::Kind::Clean);
        QCOMPARE(end.closing, QByteArray("data: [DONE]\n\n"));
    }

    void anErrorHeldBackAfterTheEndIsNoBreak()
    {
        StreamRelay::Options options;
        options.holdErrorEvents = true;
        StreamRelay relay(std::move(options));
        relay.feed("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n");
        relay.markCommitted();
        const StreamRelay::Step broke = relay.feed("data: {\"choices\":[{\"delta\":{\"content\":"
                                                   "\"b\"}}]}\n\ndata: {\"error\":{}}\n\n");
        QCOMPARE(broke.kind, StreamRelay::Step::Kind::ErrorEvent);
        QVERIFY(broke.bytes.contains("\"b\"")); // what came before it still goes out
        QVERIFY(!broke.bytes.contains("error"));

        StreamRelay done = passthrough();
        StreamRelay::Options holding;
        holding.holdErrorEvents = true;
        StreamRelay whole(std::move(holding));
        whole.feed("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n");
        whole.markCommitted();
        const StreamRelay::Step last
            = whole.feed("data: [DONE]\n\ndata: {\"error\":{\"message\":\"late\"}}\n\n");
        QCOMPARE(last.kind, StreamRelay::Step::Kind::Continue);
        QVERIFY(last.complete);
    }

    void anEndWithoutContentFailsOver()
    {
        StreamRelay relay = passthrough();
        relay.feed("data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"},\"finish_reason\":"
                   "\"stop\"}]}\n\n");
        const StreamRelay::End end = relay.judgeEnd(TransportError::None, {});
        QCOMPARE(end.kind, StreamRelay::End::Kind::BadStart);
        QCOMPARE(end.classification.reason, QStringLiteral("stream ended without any content"));
    }

    void anErrorAfterTheCommitIsPassedOnAndNoted()
    {
        StreamRelay relay = passthrough();
        QCOMPARE(relay.feed("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n").kind,
            StreamRelay::Step::Kind::Commit);
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
        options.translator = openAiStreamPassThrough(true);
        StreamRelay relay(std::move(options));
        QCOMPARE(relay
                     .feed("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"usage\":null}"
                           "\n\n")
                     .kind,
            StreamRelay::Step::Kind::Commit);
        relay.markCommitted();
        QCOMPARE(relay.takePending(),
            QByteArray("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"));
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
        whole.feed("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\ndata: [DONE]\n\n");
        whole.markCommitted();
        QCOMPARE(whole.judgeEnd(TransportError::None, {}).kind, Kind::Clean);
        // Cut off after the first byte: the caller is told in a last event.
        const StreamRelay::End cut = whole.judgeEnd(TransportError::Timeout, "idle timeout");
        QCOMPARE(cut.kind, Kind::Broken);
        QCOMPARE(cut.reason, QStringLiteral("idle timeout"));

        StreamRelay unfinished = passthrough();
        unfinished.feed("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n");
        unfinished.markCommitted();
        QCOMPARE(unfinished.judgeEnd(TransportError::None, {}).reason,
            QStringLiteral("upstream closed the stream before its final chunk"));

        StreamRelay empty = passthrough();
        empty.feed("data: {\"choices\":[]}\n\n");
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
