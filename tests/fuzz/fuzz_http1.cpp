// libFuzzer target: the upstream HTTP/1.1 client's response parser (status line, headers,
// Content-Length, chunked and close-delimited bodies), fed in pieces. The first bytes say where the
// pieces end.
#include "upstream/http1reply.h"

#include <QCoreApplication>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const size_t cuts = qMin<size_t>(data[0] % 16, size - 1);
    const QByteArrayView cutBytes(reinterpret_cast<const char *>(data) + 1, qsizetype(cuts));
    const QByteArrayView response(
        reinterpret_cast<const char *>(data) + 1 + cuts, qsizetype(size - 1 - cuts));
    Switchyard::Http1Reply::parseForFuzzing(response, cutBytes);
    return 0;
}
