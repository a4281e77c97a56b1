#pragma once

#include <QAbstractHttpServer>

#include <functional>

namespace Switchyard {

// Qt's HTTP server with one handler for every request: the proxy dispatches by itself and
// writes responses straight to the socket (see ClientResponse).
class HttpListener final : public QAbstractHttpServer {
    Q_OBJECT
public:
    using Handler = std::function<void(const QHttpServerRequest &, QTcpSocket *)>;

    explicit HttpListener(Handler handler, QObject *parent = nullptr);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    Handler m_handler;
};

} // namespace Switchyard
