#include "proxy/statelock.h"

namespace Switchyard {

namespace {

// How deep this thread holds a StateLock (there is one per gateway, and a thread serves one).
thread_local int t_held = 0;

} // namespace

StateLock::Held::Held(StateLock *lock)
    : m_lock(lock)
{
    if (m_lock)
        m_lock->lock();
}

StateLock::Held::~Held()
{
    if (m_lock)
        m_lock->unlock();
}

StateLock::Released::Released(StateLock *lock)
    : m_lock(lock)
    , m_depth(lock ? t_held : 0)
{
    // Between events a thread holds it once (its dispatcher's hold): deeper, it is in the middle
    // of work of its own that holds it for a reason (a nested event loop would bring it here).
    Q_ASSERT(m_depth <= 1);
    for (int i = 0; i < m_depth; ++i)
        m_lock->unlock();
}

StateLock::Released::~Released()
{
    for (int i = 0; i < m_depth; ++i)
        m_lock->lock();
}

void StateLock::lock()
{
    m_mutex.lock();
    ++t_held;
}

void StateLock::unlock()
{
    --t_held;
    m_mutex.unlock();
}

bool StateLock::heldHere()
{
    return t_held > 0;
}

} // namespace Switchyard
