#pragma once

#include "observe/trace.h"
#include "routing/breaker.h"

#include <QObject>
#include <QTimer>

#include <memory>
#include <vector>

namespace Switchyard {

struct HttpRequest;
class ClientResponse;
class Engine;

// The admin API (SPEC §9) on the gateway's listener: state, a live event stream, operator
// actions on routes, and atomic config swaps. Guarded by the admin token where one is required.
class AdminService final : public QObject {
    Q_OBJECT
public:
    explicit AdminService(Engine *engine);
    ~AdminService() override;

    void handle(const HttpRequest &request, ClientResponse response);

private:
    bool authorized(const HttpRequest &request, QString *why) const;
    void handleRouteAction(const QString &route, const QString &action, const QByteArray &body,
        ClientResponse &response);
    void handleConfig(const QByteArray &body, ClientResponse &response);
    QByteArray stateDocument();
    void subscribe(ClientResponse response);
    void broadcast(const QByteArray &event);
    void onStateEvent(const StateEvent &event);
    void onTrace(const TraceRecord &trace);

    Engine *m_engine;
    std::vector<std::unique_ptr<ClientResponse>> m_subscribers;
    QTimer m_keepAlive;
};

} // namespace Switchyard
