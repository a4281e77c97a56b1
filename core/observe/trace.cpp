#include "observe/trace.h"

#include <algorithm>

namespace Switchyard {

int TraceRecord::upstreamAttempts() const
{
    return int(std::count_if(
        attempts.cbegin(), attempts.cend(), [](const AttemptRecord &a) { return !a.skipped; }));
}

} // namespace Switchyard
