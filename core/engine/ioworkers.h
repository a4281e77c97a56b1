#pragma once

#include "http/httpconnection.h"
#include "proxy/gatewayservices.h"

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QSslConfiguration>

#include <memory>
#include <optional>
#include <vector>

namespace Switchyard {

class AdminEvents;
class GatewayControl;
class IoThread;

// The I/O threads of a gateway with more than one worker (the `workers` setting). Each has its
// own event loop (an EpollEventDispatcher), its own listening socket on the gateway's one port
// (SO_REUSEPORT: the kernel spreads new clients over them), its own upstream connections, and
// serves its clients' requests whole: admission, attempts, fallbacks, streams. What they share
// is the engine's state behind the StateLock, taken at each decision; the engine thread keeps
// the rest — timers, probes, traces, the console's snapshots — and the admin API's commands
// reach it through each thread's WorkerControl.
//
// Engine thread only; start() and stop() block until the threads have done what they say.
class IoWorkers final {
public:
    // `services`: what each thread's requests use, less the upstreams (each has its own).
    // `engine` is the engine's object (where questions go) and `control` its admin answers.
    IoWorkers(int count, const GatewayServices &services, GatewayControl &control, QObject *engine);
    ~IoWorkers(); // stop()s

    int count() const { return int(m_threads.size()); }

    // Opens a listening socket per thread on `address`:`port` (0: an ephemeral port, the same for
    // all) and has each thread serve on its own; `tls` makes them HTTPS. The port, or 0 and why.
    quint16 listen(const QHostAddress &address, quint16 port,
        const std::optional<QSslConfiguration> &tls, const ListenerLimits &limits, QString *error);
    // For the connections accepted from now on.
    void setLimits(const ListenerLimits &limits);
    void setTls(const QSslConfiguration &tls);

    // Each thread's admin event stream (/admin/events), for the engine to publish to.
    QList<AdminEvents *> events() const;
    // How many clients each thread has accepted, in thread order.
    QList<quint64> connectionsAccepted() const;

    // Each thread closes its listener and its requests and ends; answers of the engine's still on
    // their way to it are dropped. Call without holding the StateLock.
    void stop();

private:
    std::vector<std::unique_ptr<IoThread>> m_threads;
};

} // namespace Switchyard
