#pragma once

#include "config/config.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTcpServer>
#include <QUrl>

class QTcpSocket;

namespace Switchyard {

class Clock;

// Serves the providers of kind "simulated" over real HTTP on 127.0.0.1, so that a demo (or
// anyone without an API key) sees the whole gateway at work: latency, scripted incidents,
// streams, probes. Nothing leaves the machine.
class SimulatedUpstream final : public QObject {
    Q_OBJECT
public:
    explicit SimulatedUpstream(const Clock &clock, QObject *parent = nullptr);

    bool listen();
    QUrl baseUrlFor(const QString &provider) const;
    void setProviders(const QHash<QString, SimulationSettings> &providers);
    // The fault the script applies to `provider` now, or an empty string.
    QString activeFault(
        const QString &provider, double *rate = nullptr, int *latencyMs = nullptr) const;

private:
    struct Connection;
    void onNewConnection();
    void onReadyRead(Connection *connection);
    void answer(Connection *connection, const QByteArray &path, const QByteArray &body);
    void writeResponse(Connection *connection, int status, const QByteArray &contentType,
        const QByteArray &body, const QByteArray &extraHeaders = QByteArray());
    void streamAnswer(Connection *connection, const QString &model, int chunks, int intervalMs,
        bool usage, int tokensIn, int tokensOut);

    const Clock &m_clock;
    QTcpServer m_server;
    qint64 m_startMs;
    QHash<QString, SimulationSettings> m_providers;
};

} // namespace Switchyard
