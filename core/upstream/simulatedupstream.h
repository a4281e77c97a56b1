#pragma once

#include "config/config.h"
#include "http/httplistener.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QUrl>

#include <memory>

namespace Switchyard {

class Clock;

// Serves the providers of kind "simulated" over real HTTP on 127.0.0.1, so that a demo (or
// anyone without an API key) sees the whole gateway at work: latency, scripted incidents,
// streams, probes. Nothing leaves the machine. Served by the gateway's own listener code.
class SimulatedUpstream final : public QObject {
    Q_OBJECT
public:
    explicit SimulatedUpstream(const Clock &clock, QObject *parent = nullptr);

    bool listen();
    QUrl baseUrlFor(const QString &provider) const;
    void setProviders(const QHash<QString, SimulationSettings> &providers);
    // What one request may bring: at least what the gateway forwards (its own limits).
    void setLimits(const ListenerLimits &limits) { m_listener->setLimits(limits); }
    // The fault the script applies to `provider` now, or an empty string.
    QString activeFault(
        const QString &provider, double *rate = nullptr, int *latencyMs = nullptr) const;

private:
    // Shared: an answer may be given later, from a timer.
    using Answer = std::shared_ptr<ClientResponse>;

    void answer(const QByteArray &path, const QByteArray &body, Answer response);
    void respond(const Answer &response, int status, const QByteArray &contentType,
        const QByteArray &body, const HeaderList &extraHeaders = {});
    void hold(const Answer &response);
    void streamAnswer(const Answer &response, const QString &model, int chunks, int intervalMs,
        bool usage, int tokensIn, int tokensOut);

    const Clock &m_clock;
    HttpListener *m_listener = nullptr;
    quint16 m_port = 0;
    qint64 m_startMs;
    QHash<QString, SimulationSettings> m_providers;
    QList<Answer> m_held; // requests a timeout fault leaves unanswered
};

} // namespace Switchyard
