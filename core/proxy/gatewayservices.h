#pragma once

#include "config/activeconfig.h"
#include "proxy/statelock.h"

#include <QByteArray>

#include <functional>
#include <memory>

namespace Switchyard {

class Clock;
struct UnredactedCapture;
class CostLedger;
class KeyPools;
class Redactor;
class RouteRegistry;
struct TraceRecord;
class UpstreamPool;

// What the request path needs from the gateway around it, handed over instead of the engine.
// Each member does one job, is owned by the engine and outlives every request. The engine thread
// has a set without a lock; each I/O thread has its own set, with its own upstreams, the engine's
// state behind `stateLock`, and the record functions passing the engine what to keep.
struct GatewayServices {
    // Held (holdState()) while the routes, keys, ledger or redactor are read or changed; null on
    // a gateway of one thread, where the engine thread is alone with them.
    StateLock *stateLock = nullptr;
    [[nodiscard]] StateLock::Held holdState() const { return StateLock::hold(stateLock); }

    const Clock *clock = nullptr;
    RouteRegistry *routes = nullptr;
    KeyPools *keys = nullptr; // which of a provider's keys a call sends, and how each fares
    UpstreamPool *upstreams = nullptr;
    const CostLedger *ledger = nullptr; // today's spend, for the caps
    const Redactor *redactor = nullptr; // the keys in use, kept out of traces and answers
    // The config new requests start on (taking the state lock itself).
    std::function<std::shared_ptr<const ActiveConfig>()> activeConfig;
    // Where a finished request's trace goes; a refused request's goes to recordRefusal, which
    // counts every one and keeps only a sample.
    std::function<void(const TraceRecord &)> recordTrace;
    std::function<void(const TraceRecord &)> recordRefusal;
    // Where a finished request's bodies go, when capture.bodies keeps them: redacted and written
    // off this thread.
    std::function<void(UnredactedCapture &&)> recordBodies;
};

} // namespace Switchyard
