#include "gatewayharness.h"

#include "config/configloader.h"
#include "engine/engine.h"
#include "engine/enginehost.h"
#include "secrets/admintokenfile.h"

#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QTest>

namespace Switchyard::Testing {

QJsonObject ClientCall::json() const
{
    return QJsonDocument::fromJson(body).object();
}

QString ClientCall::answerText() const
{
    return json()
        .value(QLatin1String("choices"))
        .toArray()
        .first()
        .toObject()
        .value(QLatin1String("message"))
        .toObject()
        .value(QLatin1String("content"))
        .toString();
}

void ClientCall::abort()
{
    if (m_reply)
        m_reply->abort();
}

GatewayClient::GatewayClient(QString baseUrl, QObject *parent)
    : QObject(parent)
    , m_baseUrl(std::move(baseUrl))
{
}

ClientCall *GatewayClient::track(ClientCall *call)
{
    QNetworkReply *reply = call->m_reply;
    connect(reply, &QNetworkReply::metaDataChanged, call, [call, reply] {
        call->status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        for (const auto &[name, value] : reply->rawHeaderPairs())
            call->headers.insert(name.toLower(), value);
    });
    connect(reply, &QNetworkReply::readyRead, call, [call, reply] {
        const QByteArray data = reply->readAll();
        call->body += data;
        call->arrivals.append(data);
        Q_EMIT call->dataArrived();
    });
    connect(reply, &QNetworkReply::finished, call, [call, reply] {
        call->status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        for (const auto &[name, value] : reply->rawHeaderPairs())
            call->headers.insert(name.toLower(), value);
        const QByteArray rest = reply->isOpen() ? reply->readAll() : QByteArray();
        if (!rest.isEmpty()) {
            call->body += rest;
            call->arrivals.append(rest);
        }
        call->error = reply->error();
        call->done = true;
        Q_EMIT call->finished();
    });
    return call;
}

void GatewayClient::authorize(QNetworkRequest &request, const QString &path,
    const QList<QPair<QByteArray, QByteArray>> &headers) const
{
    if (m_adminToken.isEmpty() || !path.startsWith(QLatin1String("/admin/")))
        return;
    for (const auto &[name, value] : headers) {
        if (name.compare("authorization", Qt::CaseInsensitive) == 0)
            return;
    }
    request.setRawHeader("Authorization", "Bearer " + m_adminToken);
}

ClientCall *GatewayClient::post(const QString &path, const QByteArray &body,
    const QList<QPair<QByteArray, QByteArray>> &headers)
{
    auto *call = new ClientCall;
    call->setParent(this);
    QNetworkRequest request(QUrl(m_baseUrl + path));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    authorize(request, path, headers);
    call->m_reply = call->m_manager.post(request, body);
    return track(call);
}

ClientCall *GatewayClient::get(
    const QString &path, const QList<QPair<QByteArray, QByteArray>> &headers)
{
    auto *call = new ClientCall;
    call->setParent(this);
    QNetworkRequest request(QUrl(m_baseUrl + path));
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    authorize(request, path, headers);
    call->m_reply = call->m_manager.get(request);
    return track(call);
}

bool GatewayClient::waitFor(ClientCall *call, int timeoutMs)
{
    if (call->done)
        return true;
    QSignalSpy spy(call, &ClientCall::finished);
    return spy.wait(timeoutMs) || call->done;
}

ClientCall *GatewayClient::postAndWait(const QString &path, const QByteArray &body,
    const QList<QPair<QByteArray, QByteArray>> &headers, int timeoutMs)
{
    ClientCall *call = post(path, body, headers);
    waitFor(call, timeoutMs);
    return call;
}

GatewayUnderTest::GatewayUnderTest(const QString &dataDirectory)
    : m_host(std::make_unique<EngineHost>())
{
    QString directory = dataDirectory;
    if (directory.isEmpty()) {
        m_ownDataDirectory = std::make_unique<QTemporaryDir>();
        directory = m_ownDataDirectory->path();
    }
    m_dataDirectory = directory;
    m_host->engine()->setDataDirectory(directory);
}

GatewayUnderTest::~GatewayUnderTest()
{
    m_client.reset();
    m_host.reset();
}

QJsonObject GatewayUnderTest::lastTrace()
{
    ClientCall *call = m_client->get(QStringLiteral("/admin/traces?limit=1"));
    GatewayClient::waitFor(call);
    return call->json().value(u"traces").toArray().first().toObject();
}

bool GatewayUnderTest::start(const QByteArray &configJson, QString *error, const QString &listen)
{
    const ConfigResult result = ConfigLoader::fromJson(configJson);
    if (!result.isValid()) {
        if (error)
            *error = result.errors.join(QLatin1Char('\n'));
        return false;
    }
    QSignalSpy started(m_host->engine(), &Engine::started);
    QSignalSpy failed(m_host->engine(), &Engine::startFailed);
    m_host->engine()->start(result.config, listen);
    // The engine thread may emit before a QSignalSpy::wait() would start counting; poll instead.
    [[maybe_unused]] const bool settled
        = QTest::qWaitFor([&] { return !started.isEmpty() || !failed.isEmpty(); }, 10000);
    if (started.isEmpty()) {
        if (error)
            *error = failed.isEmpty() ? QStringLiteral("engine did not start")
                                      : failed.first().first().toString();
        return false;
    }
    // A wildcard listener is still reached over loopback.
    m_baseUrl = QStringLiteral("http://")
        + started.first().first().toString().replace(
            QLatin1String("0.0.0.0:"), QLatin1String("127.0.0.1:"));
    m_client = std::make_unique<GatewayClient>(m_baseUrl);
    // A config that names no admin token runs on the generated one; tests call /admin with it as
    // the console and `switchyard admin-token` users do.
    QFile token(AdminTokenFile::pathIn(m_dataDirectory));
    if (!result.config.adminToken.isSet() && token.open(QIODevice::ReadOnly))
        m_client->setAdminToken(token.readAll().trimmed());
    return true;
}

QByteArray chatBody(const QString &model, bool stream, const QJsonObject &extra)
{
    QJsonObject root { { QStringLiteral("model"), model },
        { QStringLiteral("messages"),
            QJsonArray { QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                { QStringLiteral("content"), QStringLiteral("Say hello") } } } } };
    if (stream)
        root.insert(QStringLiteral("stream"), true);
    for (auto it = extra.begin(); it != extra.end(); ++it)
        root.insert(it.key(), it.value());
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

NodeRun runNpmProgram(const QString &directory, const QString &program,
    const QStringList &arguments, const QList<QPair<QString, QString>> &environment, int timeoutMs)
{
    NodeRun run;
    const QString executable = directory + QStringLiteral("/node_modules/.bin/") + program;
    if (!QFileInfo::exists(executable)) {
        run.error
            = QStringLiteral("%1 is missing: run `npm ci --prefix %2`").arg(program, directory);
        return run;
    }
    QProcess process;
    QProcessEnvironment processEnvironment = QProcessEnvironment::systemEnvironment();
    for (const auto &[name, value] : environment)
        processEnvironment.insert(name, value);
    process.setProcessEnvironment(processEnvironment);
    process.setWorkingDirectory(directory);
    process.setStandardInputFile(QProcess::nullDevice());
    process.start(executable, arguments);
    if (!process.waitForStarted(10000)) {
        run.error = QStringLiteral("%1 did not start: %2").arg(program, process.errorString());
        return run;
    }
    if (!QTest::qWaitFor(
            [&process] { return process.state() == QProcess::NotRunning; }, timeoutMs)) {
        process.kill();
        process.waitForFinished(5000);
        run.error
            = QStringLiteral("%1 did not finish within %2 s").arg(program).arg(timeoutMs / 1000);
    }
    run.exitCode = process.exitCode();
    run.output = process.readAllStandardOutput();
    run.errorOutput = process.readAllStandardError();
    return run;
}

NodeRun runNodeScript(const QString &directory, const QString &script, const QString &baseUrl)
{
    NodeRun run;
    if (!QFileInfo::exists(directory + QStringLiteral("/node_modules"))) {
        run.error = QStringLiteral("the pinned npm packages are missing: run `npm ci --prefix %1`")
                        .arg(directory);
        return run;
    }
    const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
    if (node.isEmpty()) {
        run.error = QStringLiteral("Node.js is not installed");
        return run;
    }
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("SWITCHYARD_BASE_URL"), baseUrl);
    process.setProcessEnvironment(environment);
    process.setWorkingDirectory(directory);
    process.start(node, { script });
    if (!process.waitForStarted(10000)) {
        run.error = QStringLiteral("node did not start: ") + process.errorString();
        return run;
    }
    // The gateway may live in this thread's event loop: wait without blocking it.
    if (!QTest::qWaitFor([&process] { return process.state() == QProcess::NotRunning; }, 60000)) {
        process.kill();
        process.waitForFinished(5000);
        run.error = QStringLiteral("%1 did not finish within 60 s").arg(script);
    }
    run.exitCode = process.exitCode();
    run.output = process.readAllStandardOutput() + process.readAllStandardError();
    return run;
}

} // namespace Switchyard::Testing
