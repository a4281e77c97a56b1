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
    int eventCount() const { return m_eventCount; }

private:
    void takeLine(QByteArrayView line, QList<Event> &completed);

    QByteArray m_partialLine;
    Event m_current;
    bool m_hasData = false;
    bool m_lastWasCarriageReturn = false;
    bool m_sawDone = false;
    int m_eventCount = 0;
};

} // namespace Switchyard
