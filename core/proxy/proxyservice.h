#pragma once

#include "proxy/httpconnection.h"

#include <QObject>

#include <optional>

namespace Switchyard {

class AdminService;
class ClientResponse;
class Engine;
struct HttpRequest;

// The HTTP surface of the gateway (SPEC §5): dispatches each request to its endpoint,
// refuses bad input with OpenAI-shaped errors, and hands proxied calls to a ProxyRequest.
class ProxyService final : public QObject {
    Q_OBJECT
public:
    explicit ProxyService(Engine *engine);

    void handle(const HttpRequest &request, ClientResponse response);
    // The request guard on a head alone (for the listener): a request it refuses is refused
    // before its body is read.
    std::optional<HeadRefusal> checkHead(const HttpRequest &head, bool hasBody) const;

private:
    Engine *m_engine;
    AdminService *m_admin;
};

QString newRequestId();

} // namespace Switchyard
