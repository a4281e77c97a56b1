#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <utility>

namespace Switchyard {

// Reads an HTTP/1.1 response as an upstream sends it, in whatever pieces the socket hands over:
// the head (informational answers skipped), then the body by its framing (a length, chunks, or the
// connection's end). No socket, no Qt object: Http1Reply feeds it, and the fuzzer does too.
// Everything it holds is bounded: a head or a trailer section by 64 KiB, a chunk-size line by
// 1 KiB; body bytes are handed out as they are parsed.
// Written by hand, not on Node's http_parser as the listener's request parsing is: Debian builds
// that library lenient (HTTP_PARSER_STRICT=0), and so it takes any two bytes after a chunk's data
// for its CRLF. A kept-alive upstream connection read that way can be thrown out of step by one
// broken answer and misread the next; here a malformed chunk fails the answer and its connection
// (tst_http1's malformedChunkFails failed on the library).
class Http1ResponseParser final {
public:
    enum class Step {
        More, // nothing more can be parsed until more bytes arrive
        HeadDone, // head() is the final answer's head; the body follows
        Complete, // the body has ended; any bytes after it are the server's mistake
        Failed, // error() says why; the connection must not be used again
    };

    struct Head {
        int status = 0;
        QByteArray reason;
        QList<std::pair<QByteArray, QByteArray>> headers; // as sent, names not folded
        // Whether the connection may carry another exchange once this one is complete.
        bool keepAlive = false;
    };

    // Bytes after a failure are dropped: a parser that failed stays failed.
    void feed(const QByteArray &bytes)
    {
        if (!failed())
            m_input += bytes;
    }
    // Until HeadDone (or Failed). Responses 1xx before the real one are read and dropped.
    Step parseHead();
    // After HeadDone: appends the body bytes parsed so far to *body.
    Step parseBody(QByteArray *body);
    // The connection ended: a body framed by it is complete with what came.
    Step endOfInput(QByteArray *body);

    const Head &head() const { return m_head; }
    const QString &error() const { return m_error; }
    bool readsUntilClose() const { return m_framing == Framing::UntilClose; }
    // Bytes after the end of the response (a kept-alive connection must then not be reused).
    bool hasUnparsedInput() const { return !m_input.isEmpty(); }

private:
    enum class Framing { Length, Chunked, UntilClose };
    enum class ChunkPart { Size, Data, DataEnd, Trailer };

    Step fail(const QString &why);
    bool failed() const { return !m_error.isEmpty(); }
    Step parseChunked(QByteArray *body);
    // Moves the body bytes still due (m_remaining) that have arrived to *body; true once none are.
    bool takeDue(QByteArray *body);
    // Where the terminator starts in what was fed, or -1; searched where the last search ended.
    qsizetype findFrom(QByteArrayView terminator);

    QByteArray m_input; // bytes fed, not yet parsed
    Head m_head;
    Framing m_framing = Framing::UntilClose;
    ChunkPart m_chunkPart = ChunkPart::Size;
    qint64 m_remaining = 0; // body bytes still due (Length) or in this chunk (Chunked)
    qsizetype m_searched = 0; // how much of m_input holds no terminator the parser waits for
    QString m_error;
};

} // namespace Switchyard
