// libFuzzer target: the config loader, as `switchyard check-config` and /admin/config read it.
#include "config/configloader.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray json(reinterpret_cast<const char *>(data), qsizetype(size));
    const Switchyard::ConfigResult result = Switchyard::ConfigLoader::fromJson(json);
    // Whatever the input, a verdict: errors, or a config that names its listen address.
    if (result.isValid() && result.config.listenAddress().isEmpty())
        __builtin_trap();
    return 0;
}
