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
    return 0;
}
