// libFuzzer target: the SSE scanner, fed an upstream's stream in pieces of every size. The first
// byte says how the rest is cut.
#include "http/ssescanner.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const qsizetype piece = 1 + data[0] % 64;
    const QByteArrayView stream(reinterpret_cast<const char *>(data) + 1, qsizetype(size) - 1);
    Switchyard::SseScanner scanner;
    scanner.setMaxEventBytes(4096);
    qsizetype events = 0;
    for (qsizetype at = 0; at < stream.size(); at += piece) {
        for (const Switchyard::SseScanner::Event &event :
            scanner.feed(stream.sliced(at, qMin(piece, stream.size() - at)))) {
            // The cap holds for every event that comes out.
            if (event.data.size() > 4096 + 1)
                __builtin_trap();
            ++events;
        }
    }
    if (events != scanner.eventCount() && !scanner.overflowed())
        __builtin_trap();

    // Keeping raw bytes (the OpenAI pass-through): the raw events, comments included, are the
    // bytes fed, in order, up to the last complete block; none holds more than the cap allows.
    Switchyard::SseScanner raw;
    raw.setMaxEventBytes(4096);
    raw.setKeepRaw(true);
    QByteArray joined;
    for (qsizetype at = 0; at < stream.size(); at += piece) {
        for (const Switchyard::SseScanner::Event &event :
            raw.feed(stream.sliced(at, qMin(piece, stream.size() - at)))) {
            if (event.raw.size() > 4096 + 4)
                __builtin_trap();
            joined += event.raw;
        }
    }
    if (!raw.overflowed() && !stream.startsWith(joined))
        __builtin_trap();
    return 0;
}
