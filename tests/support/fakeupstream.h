#pragma once

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QQueue>
#include <QTcpServer>

#include <functional>
#include <optional>

class QTcpSocket;

namespace Switchyard::Testing {

// One scripted answer of the fake upstream.
struct FakeResponse {
    int status = 200;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    QList<QByteArray> chunks; // when set: a chunked stream, one chunk at a time
    int chunkIntervalMs = 0;
    int delayMs = 0; // before the status line
    bool hang = false; // read the request, never answer
    bool closeImmediately = false; // close the connection instead of answering
    int cutAfterChunks = -1; // close the connection after this many chunks, mid-stream
    int holdAfterChunks = -1; // pause after this many chunks until release()
    bool holdUntilReleased = false; // answer only after release()
    QByteArray raw; // when set: these bytes as they are, then the connection closes

    static FakeResponse completion(
        const QString &text, int promptTokens = 10, int completionTokens = 5);
    static FakeResponse error(int status, const QString &type, const QString &code = QString(),
        const QString &message = QStringLiteral("scripted failure"));
    static FakeResponse stream(const QStringList &pieces, bool withDone = true);
    // A stream that ends with OpenAI's usage-only chunk, as sent when include_usage was asked for.
    // `cachedTokens`: of the prompt's, read from the provider's prompt cache.
    static FakeResponse streamWithUsage(
        const QStringList &pieces, int promptTokens, int completionTokens, int cachedTokens = 0);
    static FakeResponse embeddings();
    FakeResponse &withHeader(const QByteArray &name, const QByteArray &value);
};

struct ReceivedRequest {
    QByteArray method;
    QByteArray path;
    QHash<QByteArray, QByteArray> headers; // names in lower case
    QByteArray body;

    QJsonObject json() const;
};

// An OpenAI-compatible upstream on 127.0.0.1 whose every answer a test scripts.
// It counts what it received and how many requests wait for an answer at once.
class FakeUpstream final : public QObject {
    Q_OBJECT
public:
    explicit FakeUpstream(QObject *parent = nullptr);
    ~FakeUpstream() override;

    bool listen();
    quint16 port() const { return m_server.serverPort(); }
    QString baseUrl() const;

    void enqueue(const FakeResponse &response);
    void setDefaultResponse(const FakeResponse &response) { m_default = response; }
    // Answers by what was asked (a rate limit per key, say) before the queue and the default
    // are consulted; nullopt leaves the request to them.
    using Responder = std::function<std::optional<FakeResponse>(const ReceivedRequest &request)>;
    void setResponder(Responder responder) { m_responder = std::move(responder); }
    void release(); // lets every held answer go on

    int requestCount() const { return int(m_requests.size()); }
    // Requests to one endpoint, e.g. completions only, leaving out health probes.
    int requestCount(const QByteArray &method, const QByteArray &path) const;
    const QList<ReceivedRequest> &requests() const { return m_requests; }
    int pendingCount() const { return m_pending; }
    int maxPending() const { return m_maxPending; }
    int clientsGoneWhilePending() const { return m_clientsGoneWhilePending; }
    int chunksSent() const { return m_chunksSent; }
    // When each stream chunk was written, in steady-clock nanoseconds (for benchmarks).
    QList<qint64> chunkSentNs() const { return m_chunkSentNs; }

    // A port on 127.0.0.1 on which nothing listens: connections to it are refused.
    static quint16 closedPort();

Q_SIGNALS:
    void requestReceived();
    void released();

private:
    struct Connection;
    void onNewConnection();
    void onReadyRead(Connection *connection);
    void respond(Connection *connection, const FakeResponse &response);
    void writeHead(Connection *connection, const FakeResponse &response, bool chunked);
    void sendChunks(Connection *connection, FakeResponse response, int next);
    void finishPending(Connection *connection);

    QTcpServer m_server;
    QQueue<FakeResponse> m_queue;
    FakeResponse m_default;
    Responder m_responder;
    QList<ReceivedRequest> m_requests;
    QList<Connection *> m_connections;
    int m_pending = 0;
    int m_maxPending = 0;
    int m_clientsGoneWhilePending = 0;
    int m_chunksSent = 0;
    QList<qint64> m_chunkSentNs;
};

} // namespace Switchyard::Testing
