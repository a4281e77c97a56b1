#include "http/ssescanner.h"

#include <QTest>

using namespace Switchyard;

class SseScannerTest final : public QObject {
    Q_OBJECT

private:
    static const QByteArray &stream()
    {
        static const QByteArray bytes = ": keep-alive\n\n"
                                        "data: {\"a\":1}\n\n"
                                        "event: message\r\ndata: {\"b\":\r\ndata: 2}\r\n\r\n"
                                        "data: [DONE]\n\n";
        return bytes;
    }

private Q_SLOTS:
    void wholeStream()
    {
        SseScanner scanner;
        const QList<SseScanner::Event> events = scanner.feed(stream());
        QCOMPARE(events.size(), 3);
        QCOMPARE(events.at(0).data, QByteArray("{\"a\":1}"));
        QCOMPARE(events.at(1).event, QByteArray("message"));
        QCOMPARE(events.at(1).data, QByteArray("{\"b\":\n2}"));
        QCOMPARE(events.at(2).data, QByteArray("[DONE]"));
        QVERIFY(scanner.sawDone());
    }

    void everySplitPointGivesTheSameEvents()
    {
        // Upstream bytes arrive cut anywhere, "\r\n" included.
        for (qsizetype split = 0; split <= stream().size(); ++split) {
            for (qsizetype second = split; second <= stream().size(); second += 7) {
                SseScanner scanner;
                QList<SseScanner::Event> events = scanner.feed(stream().first(split));
                events += scanner.feed(stream().sliced(split, second - split));
                events += scanner.feed(stream().sliced(second));
                QCOMPARE(events.size(), 3);
                QCOMPARE(events.at(1).data, QByteArray("{\"b\":\n2}"));
                QVERIFY(scanner.sawDone());
            }
        }
    }

    void noDoneWithoutDone()
    {
        SseScanner scanner;
        scanner.feed("data: {\"a\":1}\n\ndata: [DONE]"); // not terminated by a blank line yet
        QVERIFY(!scanner.sawDone());
        QCOMPARE(scanner.eventCount(), 1);
    }
};

QTEST_GUILESS_MAIN(SseScannerTest)
#include "tst_ssescanner.moc"
