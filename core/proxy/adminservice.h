#pragma once

#include "observe/trace.h"
#include "proxy/gatewaycontrol.h"
#include "routing/breaker.h"

#include <QJsonObject>
#include <QObject>

namespace Switchyard {

struct HttpRequest;
class AdminEvents;
class ClientResponse;
struct GatewayServices;

// The admin API (SPEC §9) on the gateway's listener: state, history and a live event stream,
// operator actions on routes and providers, and config reads and atomic swaps. Guarded by the admin
// token where one is required.
class AdminService final : public QObject {
    Q_OBJECT
public:
    AdminService(const GatewayServices &services, GatewayControl &control, QObject *parent);
    ~AdminService() override;

    void handle(const HttpRequest &request, ClientResponse response);

    // What /admin/events subscribers are told as it happens.
    AdminEvents *events() const { return m_events; }

private:
    // GET /admin/traces/ID/bodies, POST /admin/traces/ID/replay {"route": NAME}.
    void readBodies(const QString &traceId, ClientResponse response);
    void replay(const QString &traceId, const QByteArray &body, ClientResponse response);
    bool authorized(const HttpRequest &request, QString *why) const;
    void handleRouteAction(const QString &route, const QString &action, const QByteArray &body,
        ClientResponse response);
    void handleConfig(const QByteArray &body, ClientResponse response);
    QByteArray stateDocument(const GatewayControl::StatePicture &state) const;
    QJsonObject fleetJson(const FleetStatus &fleet) const;

    const GatewayServices &m_services;
    GatewayControl &m_control;
    AdminEvents *m_events;
};

} // namespace Switchyard
