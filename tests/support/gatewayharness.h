#pragma once

#include "config/config.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QObject>
#include <QPointer>
#include <QTemporaryDir>

#include <memory>

namespace Switchyard {
class EngineHost;
}

namespace Switchyard::Testing {

// A call to the gateway as a client sees it, filled in as bytes arrive.
class ClientCall final : public QObject {
    Q_OBJECT
public:
    int status = 0;
    QHash<QByteArray, QByteArray> headers; // names in lower case
    QByteArray body;
    QList<QByteArray> arrivals; // each readyRead's bytes, in order
    bool done = false;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;

    QJsonObject json() const;
    // A chat completion's first choice's text.
    QString answerText() const;
    QByteArray header(const QByteArray &name) const { return headers.value(name.toLower()); }
    void abort();

Q_SIGNALS:
    void dataArrived();
    void finished();

private:
    friend class GatewayClient;
    QNetworkAccessManager m_manager; // one each: a shared manager would cap us at six connections
    QPointer<QNetworkReply> m_reply;
};

// Talks HTTP to the gateway over loopback.
class GatewayClient final : public QObject {
    Q_OBJECT
public:
    explicit GatewayClient(QString baseUrl, QObject *parent = nullptr);

    ClientCall *post(const QString &path, const QByteArray &body,
        const QList<QPair<QByteArray, QByteArray>> &headers = {});
    ClientCall *get(const QString &path, const QList<QPair<QByteArray, QByteArray>> &headers = {});
    // Posts and waits (in the event loop, never sleeping) until the answer is complete.
    ClientCall *postAndWait(const QString &path, const QByteArray &body,
        const QList<QPair<QByteArray, QByteArray>> &headers = {}, int timeoutMs = 15000);
    static bool waitFor(ClientCall *call, int timeoutMs = 15000);
    // Sent as the bearer token on /admin calls that name no Authorization of their own; empty:
    // none (an anonymous caller).
    void setAdminToken(const QByteArray &token) { m_adminToken = token; }
    QByteArray adminToken() const { return m_adminToken; }

private:
    void authorize(QNetworkRequest &request, const QString &path,
        const QList<QPair<QByteArray, QByteArray>> &headers) const;
    ClientCall *track(ClientCall *call);
    QString m_baseUrl;
    QByteArray m_adminToken;
};

// An engine in its own thread, started on a config given as JSON text, listening on an ephemeral
// port.
class GatewayUnderTest final {
public:
    // `dataDirectory`: where traces are kept; a fresh temporary one when empty.
    explicit GatewayUnderTest(const QString &dataDirectory = QString());
    ~GatewayUnderTest();

    bool start(const QByteArray &configJson, QString *error = nullptr,
        const QString &listen = QStringLiteral("127.0.0.1:0"));
    QString baseUrl() const { return m_baseUrl; }
    QString dataDirectory() const { return m_dataDirectory; }
    EngineHost &host() { return *m_host; }
    GatewayClient &client() { return *m_client; }
    // The newest request's trace, as GET /admin/traces gives it.
    QJsonObject lastTrace();

private:
    std::unique_ptr<EngineHost> m_host;
    std::unique_ptr<GatewayClient> m_client;
    std::unique_ptr<QTemporaryDir> m_ownDataDirectory;
    QString m_dataDirectory;
    QString m_baseUrl;
};

QByteArray chatBody(const QString &model, bool stream = false, const QJsonObject &extra = {});

// Runs `script` with Node.js in `directory` (the pinned official SDKs), its SWITCHYARD_BASE_URL
// set to `baseUrl`, while this thread's event loop keeps running. Empty `error`: it ran, and
// `exitCode` and `output` (stdout, then stderr) say how.
struct NodeRun {
    QString error;
    int exitCode = -1;
    QByteArray output;
    QByteArray errorOutput; // runNpmProgram only: stderr
};
NodeRun runNodeScript(const QString &directory, const QString &script, const QString &baseUrl);
// Runs one of the pinned npm packages' programs (node_modules/.bin/`program`) in `directory` with
// `environment` added to this one's, the same way; stdout and stderr are kept apart.
NodeRun runNpmProgram(const QString &directory, const QString &program,
    const QStringList &arguments, const QList<QPair<QString, QString>> &environment,
    int timeoutMs = 90000);

} // namespace Switchyard::Testing
