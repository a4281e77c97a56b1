#include "crashreport.h"

#include <array>
#include <csignal>
#include <cstring>
#include <execinfo.h>
#include <unistd.h>

namespace Switchyard {

namespace {

struct FatalSignal {
    int number;
    const char *description;
};

constexpr std::array fatalSignals {
    FatalSignal { SIGSEGV, "SIGSEGV, invalid memory access" },
    FatalSignal { SIGBUS, "SIGBUS, bus error" },
    FatalSignal { SIGILL, "SIGILL, illegal instruction" },
    FatalSignal { SIGFPE, "SIGFPE, arithmetic error" },
    FatalSignal { SIGABRT, "SIGABRT, aborted" },
};

// Only async-signal-safe calls from here on: write(2), backtrace into a preloaded unwinder, raise.
void say(const char *text)
{
    size_t left = std::strlen(text);
    while (left > 0) {
        const ssize_t written = ::write(STDERR_FILENO, text, left);
        if (written <= 0)
            return;
        text += written;
        left -= size_t(written);
    }
}

void reportCrash(int signalNumber)
{
    const char *description = "a fatal signal";
    for (const FatalSignal &fatal : fatalSignals) {
        if (fatal.number == signalNumber)
            description = fatal.description;
    }
    say("\nswitchyard " SWITCHYARD_VERSION " crashed: ");
    say(description);
    say(".\nBacktrace (function names and addresses only; no request, trace or key is "
        "printed):\n");
    std::array<void *, 64> frames {};
    const int depth = ::backtrace(frames.data(), int(frames.size()));
    ::backtrace_symbols_fd(frames.data(), depth, STDERR_FILENO);
    say("Please include these lines when you report the crash. `addr2line -f -C -e "
        "$(command -v switchyard) OFFSET` turns a +0x offset into a source line.\n");
    // SA_RESETHAND put the default action back: the exit status and any core dump stay as
    // they would be without this report.
    ::raise(signalNumber);
}

} // namespace

void installCrashReport()
{
    // A stack overflow on the main thread leaves no stack to report on, so the handler gets its
    // own.
    static std::array<char, 64 * 1024> alternateStack {};
    stack_t stack {};
    stack.ss_sp = alternateStack.data();
    stack.ss_size = alternateStack.size();
    ::sigaltstack(&stack, nullptr);
    // The first backtrace() loads the unwinder, which allocates: never inside the handler.
    std::array<void *, 1> warmUp {};
    ::backtrace(warmUp.data(), 1);

    struct sigaction action { };
    action.sa_handler = reportCrash;
    action.sa_flags = SA_RESETHAND | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    for (const FatalSignal &fatal : fatalSignals)
        ::sigaction(fatal.number, &action, nullptr);
}

} // namespace Switchyard
