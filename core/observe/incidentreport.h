#pragma once

#include "config/config.h"
#include "observe/trace.h"
#include "routing/breaker.h"

#include <QCoreApplication>
#include <QHash>
#include <QList>
#include <QMetaType>
#include <QString>

#include <utility>

namespace Switchyard {

// What happened over a stretch of time, for the post-mortem (issue 19): the routes' state changes
// and the operators' actions, the requests that fell back, the errors callers saw, the spend
// fallback caused and the most frequent reasons for failed attempts. Built by the gateway from
// its trace store; shown by the console and saved as Markdown, HTML or PDF.
struct IncidentReport {
    Q_DECLARE_TR_FUNCTIONS(IncidentReport)
public:
    // Bounds: a long range still gives a report of a readable size in bounded memory.
    static constexpr int MaxEvents = 2000;
    static constexpr int MaxErrors = 100;
    static constexpr int MaxReasons = 10;
    static constexpr qint64 MaxTracesRead = 200000;

    struct LaneFigures {
        QString lane;
        int requests = 0;
        int failed = 0;
        int fellBack = 0;
        double spendUsd = 0.0;
        double extraUsd = 0.0;
        bool operator==(const LaneFigures &other) const = default;
    };
    // Failed attempts grouped by route, failure class and reason.
    struct Reason {
        QString route;
        FailureClass failureClass = FailureClass::Transient;
        QString reason;
        int count = 0;
        bool operator==(const Reason &other) const = default;
    };
    // A request whose caller got an error, or a stream that broke.
    struct CallerError {
        qint64 atMs = 0;
        QString id;
        QString lane;
        QString route;
        int status = 0;
        FailureClass failureClass = FailureClass::Transient;
        QString reason;
        bool operator==(const CallerError &other) const = default;
    };

    qint64 fromMs = 0;
    qint64 toMs = 0;
    QList<StateEvent> events; // oldest first, at most MaxEvents
    int eventsLeftOut = 0;
    int requests = 0;
    int failed = 0;
    int fellBack = 0;
    int degraded = 0;
    int panics = 0;
    double spendUsd = 0.0;
    double fallbackSpendUsd = 0.0; // spent on routes other than each request's first choice
    double extraUsd = 0.0; // of it, beyond what the first choices would have cost
    QList<LaneFigures> lanes; // by name
    QList<Reason> reasons; // most frequent first, at most MaxReasons
    QList<CallerError> errors; // oldest first, at most MaxErrors
    // More requests started in the range than were read (MaxTracesRead): the figures cover the
    // first ones only.
    bool truncated = false;
    // Some of the range's plain successes were stored as a sample (traces.success_sample_ratio):
    // request counts and spend count each sampled one for those it stands for.
    bool estimated = false;

    int operatorActions() const;
    QString toMarkdown() const;
    QString toHtml() const;

    // The range a report covers by default: from a minute (LeadUpMs) before the first breaker
    // that opened in the current incident (the last time every route was well before it) to
    // `nowMs`; the last hour when no breaker opened in `events` (oldest first).
    static constexpr qint64 LeadUpMs = 60 * 1000;
    static std::pair<qint64, qint64> defaultRange(const QList<StateEvent> &events, qint64 nowMs);
};

// Adds requests and events up into an IncidentReport, keeping only what the report shows.
class IncidentReportBuilder final {
public:
    IncidentReportBuilder(qint64 fromMs, qint64 toMs, Config config);

    // False once MaxTracesRead requests are in (the report then says it is truncated).
    bool addTrace(const TraceRecord &trace);
    void addEvent(const StateEvent &event);
    // The store wrote plain successes as a sample over part of the range: the figures are
    // estimates even where no success was kept.
    void markSampled() { m_report.estimated = true; }
    bool covers(qint64 atMs) const { return atMs >= m_report.fromMs && atMs <= m_report.toMs; }
    qint64 fromMs() const { return m_report.fromMs; }
    qint64 toMs() const { return m_report.toMs; }
    IncidentReport finish();

private:
    IncidentReport m_report;
    Config m_config;
    qint64 m_read = 0;
    // Requests, weighed by what each trace stands for; rounded into the report at finish().
    double m_requests = 0;
    QHash<QString, double> m_laneRequests;
    QHash<QString, IncidentReport::LaneFigures> m_lanes;
    QHash<QString, IncidentReport::Reason> m_reasons;
};

} // namespace Switchyard

Q_DECLARE_METATYPE(Switchyard::IncidentReport)
