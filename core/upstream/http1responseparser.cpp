#include "upstream/http1responseparser.h"

namespace Switchyard {

namespace {

constexpr qsizetype MaxHeadBytes = 64 * 1024;
constexpr qsizetype MaxLineBytes = 1024;

} // namespace

Http1ResponseParser::Step Http1ResponseParser::fail(const QString &why)
{
    m_error = why;
    m_input.clear();
    m_searched = 0;
    return Step::Failed;
}

qsizetype Http1ResponseParser::findFrom(QByteArrayView terminator)
{
    // Bytes are only ever appended behind what was searched, so the search goes on where the last
    // one stopped: a head sent a byte at a time is read once, not once a byte (which made 64 KiB
    // of head two billion comparisons).
    const qsizetype at
        = m_input.indexOf(terminator, qMax<qsizetype>(0, m_searched - (terminator.size() - 1)));
    m_searched = at < 0 ? m_input.size() : 0; // once found, what follows it is searched afresh
    return at;
}

bool Http1ResponseParser::takeDue(QByteArray *body)
{
    const qsizetype count = qsizetype(qMin<qint64>(m_remaining, m_input.size()));
    body->append(m_input.constData(), count);
    m_input.remove(0, count);
    m_remaining -= count;
    return m_remaining == 0;
}

Http1ResponseParser::Step Http1ResponseParser::parseHead()
{
    if (failed())
        return Step::Failed;
    for (;;) {
        const qsizetype end = findFrom(QByteArrayView("\r\n\r\n"));
        if (end < 0) {
            if (m_input.size() > MaxHeadBytes)
                return fail(QStringLiteral("upstream response head larger than 64 KiB"));
            return Step::More;
        }
        const QByteArray head = m_input.left(end);
        // A CR that ends no line, or a NUL, would be relayed inside a header value: refuse the
        // answer rather than carry a response-splitting attempt any further.
        for (qsizetype i = 0; i < head.size(); ++i) {
            const char c = head.at(i);
            if (c == '\0' || (c == '\r' && (i + 1 >= head.size() || head.at(i + 1) != '\n')))
                return fail(
                    QStringLiteral("upstream response head holds a control character (CR or NUL)"));
        }
        const QList<QByteArray> lines = head.split('\n');
        m_input.remove(0, end + 4);
        const QByteArray statusLine = lines.constFirst().trimmed();
        // "HTTP/1.1 200 OK"
        const QList<QByteArray> parts = statusLine.split(' ');
        bool numeric = false;
        const int status = parts.value(1).toInt(&numeric);
        if (!statusLine.startsWith("HTTP/1.") || !numeric)
            return fail(QStringLiteral("malformed upstream status line"));
        if (status >= 100 && status < 200)
            continue; // 100 Continue and friends precede the real answer
        m_head = Head();
        m_head.status = status;
        const qsizetype reasonStart = statusLine.indexOf(' ', statusLine.indexOf(' ') + 1);
        m_head.reason = reasonStart < 0 ? QByteArray() : statusLine.mid(reasonStart + 1);
        m_head.keepAlive = statusLine.startsWith("HTTP/1.1");
        m_framing = Framing::UntilClose;
        bool sawLength = false;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray &line = lines.at(i);
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0)
                continue;
            const QByteArray name = line.left(colon).trimmed();
            const QByteArray value = line.mid(colon + 1).trimmed();
            m_head.headers.append({ name, value });
            if (name.compare("Content-Length", Qt::CaseInsensitive) == 0) {
                bool ok = false;
                const qint64 length = value.toLongLong(&ok);
                if (!ok || length < 0)
                    return fail(QStringLiteral("malformed Content-Length from upstream"));
                sawLength = true;
                if (m_framing != Framing::Chunked) {
                    m_framing = Framing::Length;
                    m_remaining = length;
                }
            } else if (name.compare("Transfer-Encoding", Qt::CaseInsensitive) == 0
                && value.toLower().contains("chunked")) {
                m_framing = Framing::Chunked;
            } else if (name.compare("Connection", Qt::CaseInsensitive) == 0) {
                m_head.keepAlive = !value.toLower().contains("close");
            }
        }
        // These carry no body whatever their headers say.
        if (status == 204 || status == 304) {
            m_framing = Framing::Length;
            m_remaining = 0;
        }
        if (m_framing == Framing::UntilClose)
            m_head.keepAlive = false;
        // Both framings at once is how request smuggling starts: use this connection once.
        if (m_framing == Framing::Chunked && sawLength)
            m_head.keepAlive = false;
        return Step::HeadDone;
    }
}

Http1ResponseParser::Step Http1ResponseParser::parseBody(QByteArray *body)
{
    if (failed())
        return Step::Failed;
    Step step = Step::More;
    switch (m_framing) {
    case Framing::UntilClose:
        body->append(std::exchange(m_input, {}));
        break;
    case Framing::Length:
        if (takeDue(body))
            step = Step::Complete;
        break;
    case Framing::Chunked:
        step = parseChunked(body);
        break;
    }
    if (m_input.isEmpty())
        m_input = QByteArray(); // a stream's parser lives long; no capacity between its events
    return step;
}

Http1ResponseParser::Step Http1ResponseParser::endOfInput(QByteArray *body)
{
    if (failed())
        return Step::Failed;
    if (m_framing != Framing::UntilClose)
        return fail(QStringLiteral("upstream closed the connection before the response ended"));
    body->append(std::exchange(m_input, {}));
    return Step::Complete;
}

Http1ResponseParser::Step Http1ResponseParser::parseChunked(QByteArray *body)
{
    for (;;) {
        switch (m_chunkPart) {
        case ChunkPart::Size: {
            const qsizetype lineEnd = findFrom(QByteArrayView("\r\n"));
            if (lineEnd < 0) {
                if (m_input.size() > MaxLineBytes)
                    return fail(QStringLiteral("malformed chunk in upstream response"));
                return Step::More;
            }
            QByteArray size = m_input.left(lineEnd);
            m_input.remove(0, lineEnd + 2);
            const qsizetype extension = size.indexOf(';');
            if (extension >= 0)
                size.truncate(extension);
            bool ok = false;
            m_remaining = size.trimmed().toLongLong(&ok, 16);
            if (!ok || m_remaining < 0)
                return fail(QStringLiteral("malformed chunk in upstream response"));
            m_chunkPart = m_remaining == 0 ? ChunkPart::Trailer : ChunkPart::Data;
            break;
        }
        case ChunkPart::Data: {
            if (m_input.isEmpty())
                return Step::More;
            if (takeDue(body))
                m_chunkPart = ChunkPart::DataEnd;
            break;
        }
        case ChunkPart::DataEnd:
            if (m_input.size() < 2)
                return Step::More;
            if (!m_input.startsWith("\r\n"))
                return fail(QStringLiteral("malformed chunk in upstream response"));
            m_input.remove(0, 2);
            m_chunkPart = ChunkPart::Size;
            break;
        case ChunkPart::Trailer: {
            const qsizetype lineEnd = findFrom(QByteArrayView("\r\n"));
            if (lineEnd < 0) {
                if (m_input.size() > MaxHeadBytes)
                    return fail(QStringLiteral("upstream trailers larger than 64 KiB"));
                return Step::More;
            }
            m_input.remove(0, lineEnd + 2);
            if (lineEnd == 0)
                return Step::Complete; // the empty line after the last chunk
            break;
        }
        }
    }
}

} // namespace Switchyard
