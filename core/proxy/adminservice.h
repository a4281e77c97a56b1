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
class GatewayControl;
struct GatewayServices;

// The admin API (SPEC §9) on the gateway's listener: state, a live event stream, operator
// actions on routes, and atomic config swaps. Guarded by the admin token where one is required.
class AdminService final : public QObject {
    Q_OBJECT
public:
    AdminService(const GatewayServices &services, GatewayControl &control, QObject *parent);
    ~AdminService() override;

    void handle(const HttpRequest &request, ClientResponse response);

    // What /admin/events subscribers are told as it happens.
    void publishStateEvent(const Switchyard::StateEvent &event);
    void publishTrace(const Switchyard::TraceRecord &trace);
    // `problem` is empty when traces are written again.
    void publishStorageProblem(const QString &problem);

private:
    bool authorized(const HttpRequest &request, QString *why) const;
    void handleRouteAction(const QString &route, const QString &action, const QByteArray &body,
        ClientResponse &response);
    void handleConfig(const QByteArray &body, ClientResponse response);
    QByteArray stateDocument();
    void subscribe(ClientResponse response);
    void broadcast(const QByteArray &event);

    const GatewayServices &m_services;
    GatewayControl &m_control;
    std::vector<std::unique_ptr<ClientResponse>> m_subscribers;
    QTimer m_keepAlive;
};

} // namespace Switchyard
