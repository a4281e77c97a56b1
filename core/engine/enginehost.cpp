#include "engine/enginehost.h"

#include "engine/engine.h"
#include "engine/epolleventdispatcher.h"

#include <memory>

namespace Switchyard {

EngineHost::EngineHost(QObject *parent)
    : EngineHost(SteadyClock::instance(), parent)
{
}

EngineHost::EngineHost(const Clock &clock, QObject *parent)
    : QObject(parent)
{
    m_thread.setObjectName(QStringLiteral("switchyard-engine"));
    if (QAbstractEventDispatcher *dispatcher = ioEventDispatcher())
        m_thread.setEventDispatcher(dispatcher);
    m_engine = new Engine(clock);
    m_engine->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_engine, &QObject::deleteLater);
    m_thread.start();
}

EngineHost::~EngineHost()
{
    QMetaObject::invokeMethod(m_engine, &Engine::stop, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

} // namespace Switchyard
