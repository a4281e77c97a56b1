#include "upstream/http1responseparser.h"

#include <QTest>

using namespace Switchyard;
using Step = Http1ResponseParser::Step;

namespace {

struct Parsed {
    Step step = Step::More;
    QByteArray body;
    Http1ResponseParser::Head head;
    QString error;
    bool unparsed = false;
};

// Feeds `bytes` in pieces of `piece` bytes (the whole at once when 0), as a socket might hand
// them over, and parses after each piece as Http1Reply does.
Parsed parse(const QByteArray &bytes, qsizetype piece = 0)
{
    Http1ResponseParser parser;
    Parsed parsed;
    bool inBody = false;
    for (qsizetype at = 0; at < bytes.size(); at += piece ? piece : bytes.size()) {
        parser.feed(bytes.mid(at, piece ? piece : bytes.size()));
        if (!inBody) {
            parsed.step = parser.parseHead();
            if (parsed.step == Step::Failed)
                break;
            if (parsed.step != Step::HeadDone)
                continue;
            inBody = true;
            parsed.head = parser.head();
        }
        parsed.step = parser.parseBody(&parsed.body);
        if (parsed.step != Step::More)
            break;
    }
    if (parsed.step == Step::Failed)
        parsed.error = parser.error();
    parsed.unparsed = parser.hasUnparsedInput();
    return parsed;
}

} // namespace

class Http1ResponseParserTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Each framing gives the same head and body however the bytes are cut.
    void framingsInAnyPieces_data()
    {
        QTest::addColumn<QByteArray>("response");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("keepAlive");
        QTest::newRow("length") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
                                              "X-A: 1\r\n\r\nhello")
                                << QByteArray("hello") << true;
        QTest::newRow("informational first")
            << QByteArray("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\n"
                          "Content-Length: 2\r\n\r\nok")
            << QByteArray("ok") << true;
        QTest::newRow("chunked, extension and trailer")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "5;name=value\r\nhello\r\n1\r\n!\r\n0\r\nX-Trailer: t\r\n\r\n")
            << QByteArray("hello!") << true;
        QTest::newRow("chunked and a length: used once")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: "
                          "chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n")
            << QByteArray("hi") << false;
        QTest::newRow("Connection: close")
            << QByteArray("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx")
            << QByteArray("x") << false;
        QTest::newRow("HTTP/1.0") << QByteArray("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx")
                                  << QByteArray("x") << false;
        QTest::newRow("204 ignores its length")
            << QByteArray("HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n") << QByteArray()
            << true;
    }
    void framingsInAnyPieces()
    {
        QFETCH(QByteArray, response);
        QFETCH(QByteArray, body);
        QFETCH(bool, keepAlive);
        for (qsizetype piece : { qsizetype(0), qsizetype(1), qsizetype(2), qsizetype(7) }) {
            const Parsed parsed = parse(response, piece);
            QCOMPARE(parsed.step, Step::Complete);
            QCOMPARE(parsed.body, body);
            QCOMPARE(parsed.head.keepAlive, keepAlive);
            QVERIFY(!parsed.unparsed);
        }
        const Parsed whole = parse(response);
        QVERIFY(whole.head.status >= 200 && whole.head.status < 300);
        QCOMPARE(whole.head.headers.constFirst().first.isEmpty(), false);
    }

    void headKeepsStatusReasonAndHeadersInOrder()
    {
        const Parsed parsed = parse("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3\r\n"
                                    "X-Two: a\r\nx-two: b\r\nContent-Length: 0\r\n\r\n");
        QCOMPARE(parsed.step, Step::Complete);
        QCOMPARE(parsed.head.status, 429);
        QCOMPARE(parsed.head.reason, QByteArray("Too Many Requests"));
        QCOMPARE(parsed.head.headers.size(), 4);
        QCOMPARE(parsed.head.headers.at(1), std::make_pair(QByteArray("X-Two"), QByteArray("a")));
        QCOMPARE(parsed.head.headers.at(2), std::make_pair(QByteArray("x-two"), QByteArray("b")));
    }

    // A body framed by the connection's end is whole only when the connection ends; a body
    // framed otherwise is cut short by it.
    void untilTheConnectionEnds()
    {
        Http1ResponseParser parser;
        parser.feed("HTTP/1.1 200 OK\r\n\r\npart one, ");
        QCOMPARE(parser.parseHead(), Step::HeadDone);
        QVERIFY(parser.readsUntilClose());
        QVERIFY(!parser.head().keepAlive);
        QByteArray body;
        QCOMPARE(parser.parseBody(&body), Step::More);
        parser.feed("part two");
        QCOMPARE(parser.endOfInput(&body), Step::Complete);
        QCOMPARE(body, QByteArray("part one, part two"));

        Http1ResponseParser framed;
        framed.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort");
        QCOMPARE(framed.parseHead(), Step::HeadDone);
        QByteArray cut;
        QCOMPARE(framed.parseBody(&cut), Step::More);
        QCOMPARE(framed.endOfInput(&cut), Step::Failed);
        QVERIFY(!framed.error().isEmpty());
    }

    void bytesAfterTheEndAreNoticed()
    {
        const Parsed parsed = parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200");
        QCOMPARE(parsed.step, Step::Complete);
        QCOMPARE(parsed.body, QByteArray("ok"));
        QVERIFY(parsed.unparsed); // the connection must not be reused
    }

    // The worst an upstream can send: each is refused with a reason, and what the parser holds
    // meanwhile stays bounded.
    void refusesWhatCannotBeRelayed_data()
    {
        QTest::addColumn<QByteArray>("response");
        QTest::addColumn<QString>("why");
        QTest::newRow("bare CR in a header")
            << QByteArray("HTTP/1.1 200 OK\r\nX-A: one\rSet-Cookie: two\r\n\r\n")
            << QStringLiteral("control character");
        QTest::newRow("NUL in a header") << QByteArray("HTTP/1.1 200 OK\r\nX-A: o\0ne\r\n\r\n", 30)
                                         << QStringLiteral("control character");
        QTest::newRow("no status")
            << QByteArray("HTTP/1.1 OK\r\n\r\n") << QStringLiteral("status line");
        QTest::newRow("not HTTP") << QByteArray("SSH-2.0-OpenSSH\r\n\r\n")
                                  << QStringLiteral("status line");
        QTest::newRow("negative length")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n")
            << QStringLiteral("Content-Length");
        QTest::newRow("length not a number")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 1e3\r\n\r\n")
            << QStringLiteral("Content-Length");
        QTest::newRow("chunk size not hex")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
            << QStringLiteral("chunk");
        QTest::newRow("chunk size negative")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\n")
            << QStringLiteral("chunk");
        QTest::newRow("chunk data overruns")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n")
            << QStringLiteral("chunk");
        QTest::newRow("endless chunk-size line")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                + QByteArray(2000, '0')
            << QStringLiteral("chunk");
        QTest::newRow("endless head")
            << QByteArray("HTTP/1.1 200 OK\r\n") + QByteArray(70 * 1024, 'a')
            << QStringLiteral("64 KiB");
        QTest::newRow("endless trailers")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n")
                + QByteArray(70 * 1024, 'a')
            << QStringLiteral("64 KiB");
    }
    void refusesWhatCannotBeRelayed()
    {
        QFETCH(QByteArray, response);
        QFETCH(QString, why);
        for (qsizetype piece : { qsizetype(0), qsizetype(1), qsizetype(4096) }) {
            const Parsed parsed = parse(response, piece);
            QCOMPARE(parsed.step, Step::Failed);
            QVERIFY2(parsed.error.contains(why), qPrintable(parsed.error));
            QVERIFY(!parsed.unparsed); // nothing kept after a failure
        }
    }

    // A parser that failed stays failed, whatever comes after.
    void aFailureIsFinal()
    {
        Http1ResponseParser parser;
        parser.feed("HTTP/1.1 OK\r\n\r\n");
        QCOMPARE(parser.parseHead(), Step::Failed);
        parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        QCOMPARE(parser.parseHead(), Step::Failed);
        QByteArray body;
        QCOMPARE(parser.parseBody(&body), Step::Failed);
        QVERIFY(!parser.hasUnparsedInput());
    }

    // A chunk announced as huge is taken as it comes, never reserved up front.
    void aHugeChunkIsReadAsItComes()
    {
        Http1ResponseParser parser;
        parser.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7fffffffffffffff\r\nab");
        QCOMPARE(parser.parseHead(), Step::HeadDone);
        QByteArray body;
        QCOMPARE(parser.parseBody(&body), Step::More);
        QCOMPARE(body, QByteArray("ab"));
        QVERIFY(!parser.hasUnparsedInput());
    }
};

QTEST_GUILESS_MAIN(Http1ResponseParserTest)
#include "tst_http1responseparser.moc"
