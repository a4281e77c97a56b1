#pragma once

#include "config/config.h"
#include "observe/trace.h"
#include "observe/tracestore.h"
#include "routing/routecommand.h"
#include "routing/routesnapshot.h"

#include <QList>
#include <QString>

#include <functional>
#include <optional>

namespace Switchyard {

// What the admin API may ask of the gateway beyond the request path's services: the picture of
// its routes, operator commands, stored traces and config swaps. The engine implements it.
// Engine thread only.
class GatewayControl {
public:
    virtual ~GatewayControl() = default;

    virtual QList<RouteSnapshot> routeSnapshots() const = 0;
    virtual QList<StateEvent> recentEvents() const = 0;
    virtual bool execute(const RouteCommand &command, QString *error) = 0;
    // Stored traces are read off the engine thread; the answer comes later, in it.
    using TracesRead = std::function<void(const QList<TraceRecord> &traces)>;
    using TraceFound = std::function<void(const std::optional<TraceRecord> &trace)>;
    virtual void queryTraces(const TraceQuery &query, TracesRead done) = 0;
    virtual void findTrace(const QString &id, TraceFound done) = 0;
    // Runs `config` once its keys are read: `done` gets an empty text when it runs, or why it
    // was refused (and then nothing changed).
    virtual void applyConfig(const Config &config, std::function<void(const QString &error)> done)
        = 0;
};

} // namespace Switchyard
