#include "http/ssescanner.h"

namespace Switchyard {

QList<SseScanner::Event> SseScanner::feed(QByteArrayView bytes)
{
    QList<Event> completed;
    if (m_overflowed)
        return completed;
    qsizetype lineStart = 0;
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        const char c = bytes.at(i);
        if (c != '\n' && c != '\r')
            continue;
        // "\r\n" split across two feeds: the '\n' ends nothing new.
        if (c == '\n' && i == 0 && m_lastWasCarriageReturn && m_partialLine.isEmpty()) {
            lineStart = 1;
            m_lastWasCarriageReturn = false;
            if (m_keepRaw)
                m_raw.append('\n');
            continue;
        }
        if (held(i - lineStart) > m_maxEventBytes) {
            overflow();
            return {};
        }
        m_partialLine.append(bytes.sliced(lineStart, i - lineStart));
        const qsizetype lineEnd = i;
        if (c == '\r' && i + 1 < bytes.size() && bytes.at(i + 1) == '\n')
            ++i;
        if (m_keepRaw) {
            m_raw.append(m_partialLine);
            m_raw.append(bytes.sliced(lineEnd, i + 1 - lineEnd));
        }
        takeLine(m_partialLine, completed);
        m_partialLine.clear();
        m_lastWasCarriageReturn = (c == '\r' && i == bytes.size() - 1);
        lineStart = i + 1;
    }
    if (lineStart < bytes.size()) {
        if (held(bytes.size() - lineStart) > m_maxEventBytes) {
            overflow();
            return completed;
        }
        m_partialLine.append(bytes.sliced(lineStart));
        m_lastWasCarriageReturn = false;
    }
    if (m_overflowed)
        completed.clear();
    return completed;
}

qsizetype SseScanner::held(qsizetype more) const
{
    // The raw lines hold at least the data; counting both would halve the bound.
    return m_partialLine.size() + more + (m_keepRaw ? m_raw.size() : m_current.data.size());
}

void SseScanner::overflow()
{
    m_overflowed = true;
    // Give the memory back now, not when the request ends.
    m_partialLine = QByteArray();
    m_raw = QByteArray();
    m_current = Event {};
    m_hasData = false;
}

void SseScanner::takeLine(QByteArrayView line, QList<Event> &completed)
{
    if (line.isEmpty()) {
        if (m_hasData) {
            if (m_current.data == "[DONE]")
                m_sawDone = true;
            ++m_eventCount;
            m_current.raw = std::exchange(m_raw, {});
            completed.append(m_current);
        } else if (m_keepRaw) {
            m_current.raw = std::exchange(m_raw, {});
            m_current.comment = true;
            m_current.data.clear();
            completed.append(m_current);
        }
        m_current = Event {};
        m_hasData = false;
        return;
    }
    if (line.startsWith(':'))
        return; // comment, often a keep-alive
    const qsizetype colon = line.indexOf(':');
    const QByteArrayView field = colon < 0 ? line : line.first(colon);
    QByteArrayView value = colon < 0 ? QByteArrayView() : line.sliced(colon + 1);
    if (value.startsWith(' '))
        value = value.sliced(1);
    if (field == "data") {
        if (m_hasData)
            m_current.data.append('\n');
        m_current.data.append(value);
        m_hasData = true;
    } else if (field == "event") {
        m_current.event = value.toByteArray();
    }
}

} // namespace Switchyard
