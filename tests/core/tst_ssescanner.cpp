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

    void rawEventsAddUpToTheBytesFedWhateverTheSplit()
    {
        // A pass-through forwards these: nothing may be lost, added or reordered, keep-alives and
        // stray blank lines included.
        const QByteArray bytes = stream() + "\r\n: ping\r\r\ndata: {\"c\":3}\r";
        for (qsizetype split = 0; split <= bytes.size(); ++split) {
            SseScanner scanner;
            scanner.setKeepRaw(true);
            QList<SseScanner::Event> events = scanner.feed(bytes.first(split));
            events += scanner.feed(bytes.sliced(split));
            events += scanner.feed("\n\n");
            QByteArray joined;
            int comments = 0;
            QList<QByteArray> data;
            for (const SseScanner::Event &event : events) {
                joined += event.raw;
                if (event.comment)
                    ++comments;
                else
                    data.append(event.data);
            }
            QCOMPARE(joined, bytes + "\n\n");
            QCOMPARE(
                data, (QList<QByteArray> { "{\"a\":1}", "{\"b\":\n2}", "[DONE]", "{\"c\":3}" }));
            QVERIFY(comments >= 2); // the keep-alive and the ping
        }
    }

    void rawEventsAreBoundedLikeEvents()
    {
        SseScanner scanner;
        scanner.setKeepRaw(true);
        scanner.setMaxEventBytes(100);
        // Many short comment lines in one block: no data, but bytes held all the same.
        for (int i = 0; i < 20 && !scanner.overflowed(); ++i)
            scanner.feed(": tick\n");
        QVERIFY(scanner.overflowed());
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
