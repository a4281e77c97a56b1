#pragma once

namespace Switchyard {

// A short report on stderr when the process crashes: which signal, which version, and a
// backtrace of function names and addresses. It never prints what the process was holding
// (requests, traces, keys), so it is safe to paste into a bug report.
void installCrashReport();

} // namespace Switchyard
