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
            continue;
        }
        if (m_partialLine.size() + (i - lineStart) + m_current.data.size() > m_maxEventBytes) {
            overflow();
            return {};
        }
        m_partialLine.append(bytes.sliced(lineStart, i - lineStart));
        takeLine(m_partialLine, completed);
        m_partialLine.clear();
        if (c == '\r' && i + 1 < bytes.size() && bytes.at(i + 1) == '\n')
            ++i;
        m_lastWasCarriageReturn = (c == '\r' && i == bytes.size() - 1);
        lineStart = i + 1;
    }
    if (lineStart < bytes.size()) {
        if (m_partialLine.size() + (bytes.size() - lineStart) + m_current.data.size()
            > m_maxEventBytes) {
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

void SseScanner::overflow()
{
    m_overflowed = true;
    // Give the memory back now, not when the request ends.
    m_partialLine = QByteArray();
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
