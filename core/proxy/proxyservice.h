#pragma once

#include <QObject>

class QHttpServerRequest;
class QTcpSocket;

namespace Switchyard {

class AdminService;
class Engine;

// The HTTP surface of the gateway (SPEC §5): dispatches each request to its endpoint,
// refuses bad input with OpenAI-shaped errors, and hands proxied calls to a ProxyRequest.
class ProxyService final : public QObject {
    Q_OBJECT
public:
    explicit ProxyService(Engine *engine);

    void handle(const QHttpServerRequest &request, QTcpSocket *socket);

private:
    Engine *m_engine;
    AdminService *m_admin;
};

QString newRequestId();

} // namespace Switchyard
