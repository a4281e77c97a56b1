#pragma once

#include "observe/trace.h"
#include "routing/classifier.h"
#include "routing/routeregistry.h"

#include <QStringList>

namespace Switchyard {

class Clock;
class Redactor;
struct RouteConfig;

// The trace of one request as it is made: a record per attempt and per skipped route, timed from
// the request's start; each attempt settled once, its reason cleared of keys and its cost priced,
// and handed back as what the route's registry must hear.
class RequestTrace final {
public:
    RequestTrace(const Clock &clock, const QString &id, const QString &lane, const QString &api,
        bool stream);

    void start();
    qint64 elapsed() const; // ms since start()
    TraceRecord &record() { return m_record; }
    const TraceRecord &record() const { return m_record; }

    void skip(const QString &route, FailureClass failureClass, const QString &skip,
        const QString &reason);
    AttemptRecord &beginAttempt(const QString &route, bool trial, int trialEpoch, bool drill);
    // An attempt started beside the current one (a hedge): its index, for at() and settleAt().
    int beginHedge(const QString &route, bool trial, int trialEpoch, bool drill);
    // Drops the records from `count` on (a walk of the plan that came to nothing).
    void truncate(qsizetype count) { m_record.attempts.resize(count); }
    // The hedge at `index` becomes the current attempt (open, since it is running).
    void makeCurrent(int index);
    AttemptRecord &current() { return m_record.attempts[m_current]; }
    AttemptRecord &at(int index) { return m_record.attempts[index]; }
    int currentIndex() const { return m_current; }
    // The record that speaks for a request no route answered: the last one, leaving out hedges
    // that ran beside the attempt that became the request's; null with no record at all.
    const AttemptRecord *finalRecord() const;
    // The current attempt is begun and not yet settled.
    bool attemptOpen() const { return m_attemptOpen; }
    int upstreamAttempts() const { return m_upstreamAttempts; }
    // Routes called so far (skipped ones left out).
    QStringList triedRoutes() const;

    // The phases of the attempt at `index` (the current one by default).
    void connected(int index = -1);
    void responseStarted(int status, int index = -1);
    void firstToken(int index = -1);
    // The usage an answer reported (`classification` from a 2xx body), when it reported any.
    void recordUsage(const Classification &classification, int index = -1);

    // Settles the current attempt: `reason` is kept unless one was recorded, prefixed when the
    // attempt was the panic attempt, and redacted; the cost is priced by `route`.
    SettledAttempt settle(FailureClass failureClass, const QString &reason, bool panic,
        const Redactor &redactor, const RouteConfig &route);
    // Settles the attempt at `index` as settle() does the current one.
    SettledAttempt settleAt(int index, FailureClass failureClass, const QString &reason, bool panic,
        const Redactor &redactor, const RouteConfig &route);

private:
    const Clock &m_clock;
    TraceRecord m_record;
    qint64 m_startMs = 0;
    int m_current = -1;
    bool m_attemptOpen = false;
    int m_upstreamAttempts = 0;
};

} // namespace Switchyard
