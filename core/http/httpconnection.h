#pragma once

#include "http/clientresponse.h"
#include "http/httpmessage.h"
#include "http/oneshottimer.h"

#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>

#include <http_parser.h>

class QTcpSocket;

namespace Switchyard {

// Why a request is refused as soon as its head is read, before its body is.
struct HeadRefusal {
    int status = 0;
    QString message;
    QString code;
};

// What one client connection may send before it is refused or cut off (issue 14).
struct ListenerLimits {
    qint64 maxHeadBytes = 64 * 1024; // request line and headers
    qint64 maxBodyBytes = 32 * 1024 * 1024;
    int readTimeoutMs = 30000; // a request begun must arrive whole within this (else 408)
    int idleTimeoutMs = 120000; // a kept-alive connection with no request is closed after this
};

// What the listener's owner decides: how to answer a request, whether to refuse one by its head
// alone, and how a refusal's body reads in the callers' protocol (a generic JSON error if unset).
struct HttpHandlers {
    std::function<void(const HttpRequest &, ClientResponse)> handle;
    std::function<std::optional<HeadRefusal>(const HttpRequest &, bool hasBody)> checkHead;
    // `path`: the refused request's, once its head was read (empty before): each API has its
    // own error shape.
    std::function<QByteArray(
        int status, const QString &message, const QString &code, const QString &path)>
        errorBody;
};

// One client connection of the listener: reads requests with Node's http-parser (Debian's
// libhttp-parser), one at a time, and hands each to the handler with the response it must send.
// The next pipelined request is read only when that response is complete, so answers go out in
// the order asked. Heads and bodies are bounded before they are buffered, slow senders time
// out, and an HTTP/1.0 caller gets HTTP/1.0 framing. Deletes itself when the client is gone.
//
// Written here rather than taken from QHttpServer: Qt 6.4's server reads every body whole before
// any check, answers pipelined requests out of order, has no timeouts, and offers no hook to
// refuse a request before its body arrives.
class HttpConnection final : public QObject {
    Q_OBJECT
public:
    // The most headers one request may have, and what each costs beyond its bytes (a header line
    // of four bytes still takes a list entry).
    static constexpr int MaxHeaders = 100;
    static constexpr qint64 HeaderOverheadBytes = 64;
    // Answers waiting to be sent, beyond which the next pipelined request is not read.
    static constexpr qint64 MaxQueuedAnswerBytes = 256 * 1024;

    // `handlers.checkHead` sees a request's head before its body is read (`hasBody` says whether
    // one follows), so that a request that will be refused is not read whole first.
    HttpConnection(QTcpSocket *socket, const ListenerLimits &limits,
        std::shared_ptr<const HttpHandlers> handlers, QObject *parent = nullptr);
    ~HttpConnection() override;

    // From the ClientResponse handed out with a request.
    void responseFinished(bool closing);
    void responseAbandoned();

Q_SIGNALS:
    void closed();

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    // Draining: answered, but the client has not taken the answer yet; the next request waits.
    enum class Stage { Idle, Reading, Answering, Draining, Lingering, Closing };

    static int onMessageBegin(http_parser *parser);
    static int onUrl(http_parser *parser, const char *at, size_t length);
    static int onHeaderField(http_parser *parser, const char *at, size_t length);
    static int onHeaderValue(http_parser *parser, const char *at, size_t length);
    static int onHeadersComplete(http_parser *parser);
    static int onBody(http_parser *parser, const char *at, size_t length);
    static int onMessageComplete(http_parser *parser);
    static const http_parser_settings &settings();

    void onReadyRead();
    void parse();
    bool countHead(size_t length);
    void dispatch();
    void refuse(int status, const QString &message, const QString &code);
    QByteArray errorBody(
        int status, const QString &message, const QString &code, const QString &path) const;
    void onTimeout();
    void onBytesWritten();
    void close();
    void readNext();

    QTcpSocket *m_socket;
    ListenerLimits m_limits;
    std::shared_ptr<const HttpHandlers> m_handlers;
    QString m_localAddress;
    http_parser m_parser {};
    Stage m_stage = Stage::Idle;
    QByteArray m_unparsed; // read from the socket, not yet given to the parser
    HttpRequest m_request;
    QByteArray m_url;
    QByteArray m_field;
    bool m_inValue = false;
    bool m_headersDone = false; // fields after this are a chunked body's trailers: ignored
    bool m_bodyExpected = false;
    qint64 m_lingerRemaining = -1; // body bytes still due after a refusal; -1: unknown
    qint64 m_headBytes = 0;
    bool m_complete = false; // a whole request waits for dispatch
    bool m_keepAlive = true;
    // Why the parser was stopped from a callback, answered once it returns.
    int m_refuseStatus = 0;
    QString m_refuseMessage;
    QString m_refuseCode;
    OneShotTimer m_timer { this, Qt::CoarseTimer };
};

} // namespace Switchyard
