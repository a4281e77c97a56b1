#pragma once

#include "http/httpconnection.h"

#include <QObject>

#include <optional>

namespace Switchyard {

class AdminService;
class ClientResponse;
class GatewayControl;
struct GatewayServices;
struct HttpRequest;

// The HTTP surface of the gateway (SPEC §5): dispatches each request to its endpoint,
// refuses bad input with OpenAI-shaped errors, and hands proxied calls to a ProxyRequest.
class ProxyService final : public QObject {
    Q_OBJECT
public:
    ProxyService(const GatewayServices &services, GatewayControl &control, QObject *parent);

    // What the listener calls: handle(), checkHead(), and refusals in OpenAI's error shape.
    HttpHandlers listenerHandlers();
    AdminService *admin() const { return m_admin; }

    void handle(const HttpRequest &request, ClientResponse response);
    // The request guard on a head alone (for the listener): a request it refuses is refused
    // before its body is read.
    std::optional<HeadRefusal> checkHead(const HttpRequest &head, bool hasBody) const;

private:
    const GatewayServices &m_services;
    GatewayControl &m_control;
    AdminService *m_admin;
};

// A request's id, also its trace's: "req_", the time in milliseconds since the epoch and 48
// random bits, in hex (24 digits), so that ids sort by time.
QString newRequestId();
QString requestIdAt(qint64 wallNowMs);

} // namespace Switchyard
