#pragma once

#include <QRecursiveMutex>

namespace Switchyard {

// The lock over what the gateway's threads share: the route registry (breakers, retry budgets,
// drains, figures), the key pools, the ledger, the redactor's secrets and the running config.
//
// The engine thread holds it whenever it is not waiting for events (its dispatcher takes it on
// waking and gives it back before it waits), so the engine's own code — timers, probes, admin
// commands, reloads — reads and writes that state as if it were alone. An I/O thread takes it
// only for the moment a request consults or changes that state: an admission, the start and the
// verdict of an attempt, a key's turn. A chunk of a stream never takes it. So a breaker that one
// thread opens is what the next admission on any thread sees.
//
// Recursive: a decision that leads straight into the next (a failed attempt, then a fallback's
// admission) holds it once throughout.
class StateLock final {
public:
    class Held final {
    public:
        explicit Held(StateLock *lock);
        ~Held();
        Held(const Held &) = delete;
        Held &operator=(const Held &) = delete;

    private:
        StateLock *m_lock;
    };

    // Held while in scope; a null lock (a gateway of one thread) holds nothing.
    [[nodiscard]] static Held hold(StateLock *lock) { return Held(lock); }

    // Given back while in scope and taken again after: for work of the engine's own between
    // events (held once, by its dispatcher), which would otherwise keep every I/O thread waiting
    // (see EngineInbox). Nothing may rely on the state staying put across it.
    class Released final {
    public:
        explicit Released(StateLock *lock);
        ~Released();
        Released(const Released &) = delete;
        Released &operator=(const Released &) = delete;

    private:
        StateLock *m_lock;
        int m_depth = 0;
    };

    void lock();
    void unlock();
    // Whether this thread holds it: a thread that does must not wait for another one.
    static bool heldHere();

private:
    QRecursiveMutex m_mutex;
};

} // namespace Switchyard
