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
        // With setKeepRaw(true) only: the event's bytes exactly as they came, its end included;
        // and blocks without data (comments, keep-alives) are reported too, as `comment`s.
        QByteArray raw;
        bool comment = false;
    };

    QList<Event> feed(QByteArrayView bytes);
    bool sawDone() const { return m_sawDone; }
    // The most one unfinished event may hold; beyond it the scanner stops and says so, so that an
    // upstream sending bytes without newlines, or data lines without an end, cannot grow memory.
    void setMaxEventBytes(qsizetype bytes) { m_maxEventBytes = bytes; }
    // Keep each event's raw bytes, for a pass-through that must forward them untouched; the
    // raw events, comments included, add up to exactly the bytes fed.
    void setKeepRaw(bool keep) { m_keepRaw = keep; }
    bool overflowed() const { return m_overflowed; }
    int eventCount() const { return m_eventCount; }

private:
    void takeLine(QByteArrayView line, QList<Event> &completed);
    void overflow();

    qsizetype held(qsizetype more) const;

    QByteArray m_partialLine;
    QByteArray m_raw; // the current block's complete lines, with setKeepRaw(true)
    Event m_current;
    bool m_hasData = false;
    bool m_lastWasCarriageReturn = false;
    bool m_sawDone = false;
    int m_eventCount = 0;
    qsizetype m_maxEventBytes = 1024 * 1024;
    bool m_overflowed = false;
    bool m_keepRaw = false;
};

} // namespace Switchyard
