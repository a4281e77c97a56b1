#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace Switchyard {

// Splits a server-sent event stream into events as bytes arrive, at any byte boundary,
// keeping only the unfinished event in memory.
class SseScanner final {
public:
    struct Event {
        QByteArray event; // the "event:" field, empty for the default type
        QByteArray data; // "data:" lines joined with '\n'
    };

    QList<Event> feed(QByteArrayView bytes);
    bool sawDone() const { return m_sawDone; }
    // The most one unfinished event may hold; beyond it the scanner stops and says so, so that an
    // upstream sending bytes without newlines, or data lines without an end, cannot grow memory.
    void setMaxEventBytes(qsizetype bytes) { m_maxEventBytes = bytes; }
    bool overflowed() const { return m_overflowed; }
    int eventCount() const { return m_eventCount; }

private:
    void takeLine(QByteArrayView line, QList<Event> &completed);
    void overflow();

    QByteArray m_partialLine;
    Event m_current;
    bool m_hasData = false;
    bool m_lastWasCarriageReturn = false;
    bool m_sawDone = false;
    int m_eventCount = 0;
    qsizetype m_maxEventBytes = 1024 * 1024;
    bool m_overflowed = false;
};

} // namespace Switchyard
