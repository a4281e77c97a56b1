#pragma once

#include "observe/trace.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QPair>
#include <QString>

#include <array>

namespace Switchyard {

// Prometheus counters, gauges and the latency histogram of SPEC §8, fed by finished traces.
// Probes never reach it: they are not user traffic.
class Metrics final {
public:
    static constexpr std::array<double, 14> DurationBuckets { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
        0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0 };

    void record(const TraceRecord &trace);
    // A request refused before routing (bad JSON, unknown lane or endpoint, ...), by status.
    void recordRefusal(int status) { ++m_refused[QString::number(status)]; }
    // Traces, and spend records, that could not be written to the trace store (or were dropped
    // for want of room).
    void recordWriteErrors(qint64 lostTraces, qint64 lostSpend)
    {
        m_traceWriteErrors += quint64(qMax<qint64>(0, lostTraces));
        m_spendWriteErrors += quint64(qMax<qint64>(0, lostSpend));
    }
    // Text exposition format 0.0.4; `breakerStates` pairs a route with its breakerStateCode().
    QByteArray render(const QList<QPair<QString, int>> &breakerStates) const;

    static QByteArray escapeLabel(const QString &value);

private:
    struct Histogram {
        std::array<quint64, DurationBuckets.size()> buckets {};
        double sum = 0.0;
        quint64 count = 0;
    };

    // Keys are label values joined by '\x1f'; QMap keeps the output in a stable order.
    QMap<QString, quint64> m_requests;
    QMap<QString, quint64> m_requestsByApi; // by the caller's API and final class
    QMap<QString, quint64> m_attempts;
    QMap<QString, quint64> m_fallbacks;
    QMap<QString, quint64> m_retries;
    QMap<QString, quint64> m_hedges; // by lane and result
    QMap<QString, double> m_cost;
    QMap<QString, quint64> m_tokens;
    QMap<QString, Histogram> m_duration;
    QMap<QString, quint64> m_refused;
    quint64 m_traceWriteErrors = 0;
    quint64 m_spendWriteErrors = 0;
};

} // namespace Switchyard
