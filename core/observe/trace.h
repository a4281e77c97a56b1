#pragma once

#include "routing/failureclass.h"

#include <QList>
#include <QMetaType>
#include <QString>

namespace Switchyard {

// One upstream attempt of a request, or one route the request skipped and why.
struct AttemptRecord {
    QString route;
    bool skipped = false;
    // Why a route was skipped without a call: incompatible, misconfigured, cooling_down,
    // breaker_open, drained, half_open_busy, recovering_share.
    QString skip;
    bool drill = false; // the outcome was injected by an operator's drill
    bool trial = false; // a half-open trial call
    FailureClass failureClass = FailureClass::Ok;
    Decision decision = Decision::Return;
    int httpStatus = 0;
    QString reason;
    qint64 startMs = 0; // monotonic engine time
    qint64 connectedMs = 0; // request written upstream; 0 if never
    qint64 firstByteMs = 0; // 0 if never
    qint64 endMs = 0;
    qint64 bytes = 0;
};

// Everything the gateway knows about one request once it has ended.
struct TraceRecord {
    QString id;
    QString lane;
    QString route; // the route that produced the response or the final error
    QString endpoint;
    bool stream = false;
    bool fallback = false;
    bool degraded = false;
    bool panic = false; // every route's breaker was open; the one cooling down soonest was tried
    int status = 0;
    FailureClass finalClass = FailureClass::Ok;
    qint64 startMs = 0;
    qint64 endMs = 0;
    QList<AttemptRecord> attempts;

    int upstreamAttempts() const;
};

} // namespace Switchyard

Q_DECLARE_METATYPE(Switchyard::TraceRecord)
