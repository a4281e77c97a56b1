#pragma once

#include <QObject>
#include <QThread>

namespace Switchyard {

class Clock;
class Engine;

// Owns the engine's worker thread: creates the engine, moves it there, and stops both in one place.
class EngineHost final : public QObject {
    Q_OBJECT
public:
    explicit EngineHost(QObject *parent = nullptr);
    EngineHost(const Clock &clock, QObject *parent = nullptr);
    ~EngineHost() override;

    // For connecting to its signals and calling its self-queuing methods; never touch its state.
    Engine *engine() const { return m_engine; }

private:
    QThread m_thread;
    Engine *m_engine = nullptr;
};

} // namespace Switchyard
