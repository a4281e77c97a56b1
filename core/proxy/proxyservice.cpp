#include "proxy/proxyservice.h"

#include "http/clientresponse.h"
#include "proxy/adminservice.h"
#include "proxy/gatewaycontrol.h"
#include "proxy/gatewayresponse.h"
#include "proxy/gatewayservices.h"
#include "proxy/proxyrequest.h"
#include "proxy/readiness.h"
#include "proxy/requestguard.h"
#include "proxy/tokencounter.h"
#include "routing/keypools.h"
#include "translate/callerprotocol.h"
#include "translate/openaierror.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTcpSocket>

namespace Switchyard {

QString requestIdAt(qint64 wallNowMs)
{
    // The time first, then 48 random bits: two ids of one millisecond never meet in practice, and
    // a newer request's id sorts after an older one's. So the trace store's index of ids grows at
    // its end; random ids had each batch of traces rewrite it across its whole width (at the
    // default retention, 100,000 traces, an insert cost three times as much).
    // Written digit by digit: QString::asprintf took a percent of a short request's CPU.
    constexpr int Digits = 12; // 48 bits each
    const quint64 halves[] = { quint64(wallNowMs), QRandomGenerator::global()->generate64() };
    QString id(4 + 2 * Digits, Qt::Uninitialized);
    QChar *out = id.data();
    for (const char c : { 'r', 'e', 'q', '_' })
        *out++ = QLatin1Char(c);
    for (const quint64 half : halves) {
        for (int shift = 4 * (Digits - 1); shift >= 0; shift -= 4)
            *out++ = QLatin1Char("0123456789abcdef"[(half >> shift) & 0xf]);
    }
    return id;
}

QString newRequestId()
{
    return requestIdAt(QDateTime::currentMSecsSinceEpoch());
}

namespace {

// Every response carries the X-Switchyard headers; before routing, lane and route are empty.
// An answer that was never routed says only which request it was: a lane, a route or attempts
// would be empty or zero, which a client could take for an answer.
HeaderList idHeaders(const QString &requestId)
{
    return { { QByteArrayLiteral("X-Switchyard-Request-Id"), requestId.toUtf8() } };
}

// A request refused before routing, in its caller's API's error shape (OpenAI's for chat
// completions and everything else).
QByteArray refusalBody(const CallerProtocol *protocol, int status, const QString &message,
    const QString &type, const QString &code = QString(), const QString &param = QString())
{
    return protocol ? protocol->errorBody(status, message, code.isEmpty() ? type : code, param)
                    : openAiError(message, type, code, param);
}

QJsonObject modelObject(const QString &id, const QString &ownedBy)
{
    return QJsonObject { { QStringLiteral("id"), id },
        { QStringLiteral("object"), QStringLiteral("model") }, { QStringLiteral("created"), 0 },
        { QStringLiteral("owned_by"), ownedBy } };
}

QByteArray modelList(const Config &config)
{
    QJsonArray data;
    for (const LaneConfig &lane : config.lanes)
        data.append(modelObject(lane.name, QStringLiteral("switchyard-lane")));
    for (const RouteConfig &route : config.routes)
        data.append(modelObject(route.name, QStringLiteral("switchyard-route")));
    return QJsonDocument(QJsonObject { { QStringLiteral("object"), QStringLiteral("list") },
                             { QStringLiteral("data"), data } })
        .toJson(QJsonDocument::Compact);
}

// `GET /v1/models/{id}` (the OpenAI SDKs' models.retrieve): a lane, a route, or a model name a
// lane lists — whatever a request may name without falling to the default lane.
std::optional<QJsonObject> modelById(const Config &config, const QString &id)
{
    if (!namesATarget(config, id))
        return std::nullopt;
    return modelObject(id,
        config.routes.contains(id) ? QStringLiteral("switchyard-route")
                                   : QStringLiteral("switchyard-lane"));
}

// Which conversation a request belongs to, for the key of a provider's pool that serves it: what
// the caller names (OpenAI's prompt_cache_key, a session header, Anthropic's metadata.user_id,
// OpenAI's user), else how the conversation began (its instructions and first message), which
// every later turn repeats.
quint64 conversationAffinity(const QJsonObject &request, const HttpRequest &http)
{
    QString named = request.value(QLatin1String("prompt_cache_key")).toString();
    for (const char *header : { "x-session-id", "session_id", "x-claude-code-session-id" }) {
        if (named.isEmpty())
            named = QString::fromUtf8(http.value(header));
    }
    if (named.isEmpty())
        named = request.value(QLatin1String("metadata"))
                    .toObject()
                    .value(QLatin1String("user_id"))
                    .toString();
    if (named.isEmpty())
        named = request.value(QLatin1String("user")).toString();
    if (!named.isEmpty())
        return KeyPools::affinityOf(named, {});
    QJsonObject opening;
    for (const QLatin1String key : { QLatin1String("system"), QLatin1String("instructions") }) {
        if (request.contains(key))
            opening.insert(key, request.value(key));
    }
    const QJsonValue turns = request.contains(QLatin1String("messages"))
        ? request.value(QLatin1String("messages"))
        : request.value(QLatin1String("input"));
    const QJsonArray list = turns.toArray();
    QJsonArray first;
    for (const QJsonValue &turn : list) {
        first.append(turn);
        const QString role = turn.toObject().value(QLatin1String("role")).toString();
        if (role != QLatin1String("system") && role != QLatin1String("developer"))
            break;
    }
    opening.insert(QStringLiteral("first"), turns.isString() ? turns : QJsonValue(first));
    return KeyPools::affinityOf({}, QJsonDocument(opening).toJson(QJsonDocument::Compact));
}

} // namespace

ProxyService::ProxyService(
    const GatewayServices &services, GatewayControl &control, QObject *parent)
    : QObject(parent)
    , m_services(services)
    , m_control(control)
    , m_admin(new AdminService(services, control, this))
{
}

HttpHandlers ProxyService::listenerHandlers()
{
    HttpHandlers handlers;
    handlers.handle = [this](const HttpRequest &request, ClientResponse response) {
        handle(request, std::move(response));
    };
    handlers.checkHead
        = [this](const HttpRequest &head, bool hasBody) { return checkHead(head, hasBody); };
    handlers.errorBody
        = [](int status, const QString &message, const QString &code, const QString &path) {
              return refusalBody(CallerProtocol::forPath(path), status, message,
                  status == 413 ? QStringLiteral("payload_too_large")
                                : QStringLiteral("invalid_request_error"),
                  code);
          };
    return handlers;
}

std::optional<HeadRefusal> ProxyService::checkHead(const HttpRequest &head, bool hasBody) const
{
    const GuardVerdict verdict = RequestGuard::check(
        RequestGuard::inputOf(head, hasBody ? 1 : 0), m_services.activeConfig()->config);
    if (verdict.kind != GuardVerdict::Kind::Refuse)
        return std::nullopt;
    return HeadRefusal { verdict.status, verdict.message, verdict.code };
}

void ProxyService::handle(const HttpRequest &request, ClientResponse response)
{
    const QString path = request.url.path();
    const bool isGet = request.method == "GET";
    const bool isPost = request.method == "POST";
    const QString requestId = newRequestId();
    const std::shared_ptr<const ActiveConfig> active = m_services.activeConfig();
    const bool countTokens = path == QLatin1String("/v1/messages/count_tokens");
    // The caller's API, when it is not chat completions: every answer speaks it.
    const CallerProtocol *protocol = CallerProtocol::forPath(path);

    const GuardVerdict verdict
        = RequestGuard::check(RequestGuard::inputOf(request, request.body.size()), active->config);
    if (verdict.kind == GuardVerdict::Kind::Refuse) {
        // Not traced: what a web page or a rebinding attack sends is noise, not traffic.
        response.sendJson(verdict.status, idHeaders(requestId),
            refusalBody(protocol, verdict.status, verdict.message,
                QStringLiteral("invalid_request_error"), verdict.code));
        return;
    }
    if (verdict.kind == GuardVerdict::Kind::Preflight) {
        response.send(204,
            RequestGuard::preflightHeaders(
                verdict.allowOrigin, request.value("access-control-request-headers")),
            QByteArray());
        return;
    }
    response.setExtraHeaders(RequestGuard::corsHeaders(verdict.allowOrigin));

    auto refuse = [&](int status, const QString &message, const QString &type,
                      const QString &param = QString()) {
        // Refused requests are traced too: an operator sees bad input as well as bad upstreams.
        TraceRecord trace;
        trace.id = requestId;
        trace.endpoint = CallerProtocol::apiName(path);
        trace.status = status;
        trace.finalClass = FailureClass::CallerError;
        trace.startedAtUtcMs = QDateTime::currentMSecsSinceEpoch();
        m_services.recordRefusal(trace);
        response.sendJson(
            status, idHeaders(requestId), refusalBody(protocol, status, message, type, {}, param));
    };

    if (path == QLatin1String("/healthz") && isGet) {
        // Names the service, so that a console whose address is taken can tell a Switchyard
        // already running there (and offer to attach) from some other program.
        response.sendJson(200, idHeaders(requestId),
            QJsonDocument(
                QJsonObject { { QStringLiteral("status"), QStringLiteral("ok") },
                    { QStringLiteral("service"), QStringLiteral("switchyard") },
                    { QStringLiteral("version"), QCoreApplication::applicationVersion() } })
                .toJson(QJsonDocument::Compact));
        return;
    }
    if (path == QLatin1String("/readyz") && isGet) {
        auto pending = std::make_shared<ClientResponse>(std::move(response));
        m_control.readRoutes(
            [pending, active, headers = idHeaders(requestId)](const QList<RouteSnapshot> &routes) {
                const Readiness readiness = readinessOf(active->config, routes);
                pending->sendJson(readiness.ready() ? 200 : 503, headers, readiness.toJson());
            });
        return;
    }
    if (path == QLatin1String("/metrics") && isGet) {
        auto pending = std::make_shared<ClientResponse>(std::move(response));
        m_control.readMetrics([pending](const QByteArray &text) {
            pending->send(200,
                { { QByteArrayLiteral("Content-Type"),
                    QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8") } },
                text);
        });
        return;
    }
    if (path.startsWith(QLatin1String("/admin/"))) {
        m_admin->handle(request, std::move(response));
        return;
    }
    if (path == QLatin1String("/v1/models") && isGet) {
        response.sendJson(200, idHeaders(requestId), modelList(active->config));
        return;
    }
    if (path.startsWith(QLatin1String("/v1/models/")) && isGet) {
        const QString id = request.url.path(QUrl::FullyDecoded).mid(11);
        if (const std::optional<QJsonObject> model = modelById(active->config, id))
            response.sendJson(
                200, idHeaders(requestId), QJsonDocument(*model).toJson(QJsonDocument::Compact));
        else
            response.sendJson(404, idHeaders(requestId),
                openAiError(QStringLiteral("The model '%1' does not exist.").arg(id),
                    QStringLiteral("invalid_request_error"), QStringLiteral("model_not_found"),
                    QStringLiteral("model")));
        return;
    }
    Endpoint endpoint = Endpoint::ChatCompletions;
    if (protocol || path == QLatin1String("/v1/chat/completions"))
        endpoint = Endpoint::ChatCompletions;
    else if (path == QLatin1String("/v1/embeddings"))
        endpoint = Endpoint::Embeddings;
    else
        return refuse(404, QStringLiteral("Unknown endpoint %1.").arg(path),
            QStringLiteral("invalid_request_error"));
    if (!isPost)
        return refuse(405, QStringLiteral("%1 accepts POST only.").arg(path),
            QStringLiteral("invalid_request_error"));

    const QByteArray &body = request.body;
    if (body.size() > active->config.maxRequestBytes)
        return refuse(413,
            QStringLiteral("The request body is %1 bytes; this gateway accepts at most %2.")
                .arg(body.size())
                .arg(active->config.maxRequestBytes),
            QStringLiteral("payload_too_large"));

    ProxyRequest::Params params;
    params.endpoint = endpoint;
    params.api = CallerProtocol::apiName(path);
    params.body = body;
    QJsonObject nativeRoot; // another API's request, as the caller sent it
    if (protocol) {
        // Read as chat completions, which the routing, the classifier and every translator
        // speak; the caller's own body goes to the routes that speak its API.
        QJsonObject &root = nativeRoot;
        const RequestAnalysis parsed = RequestAnalysis::parseObject(body, &root);
        if (!parsed.valid)
            return refuse(
                400, parsed.error, QStringLiteral("invalid_request_error"), parsed.errorParam);
        // count_tokens takes a Messages request without max_tokens; the translation wants one.
        if (countTokens && !root.contains(QLatin1String("max_tokens")))
            root.insert(QStringLiteral("max_tokens"), 1);
        const CallerRequest asChat = protocol->toChat(root);
        if (!asChat.error.isEmpty())
            return refuse(
                400, asChat.error, QStringLiteral("invalid_request_error"), asChat.errorParam);
        params.body = QJsonDocument(asChat.chat).toJson(QJsonDocument::Compact);
        params.analysis = RequestAnalysis::analyze(endpoint, params.body);
        // Agents name their own model's most output tokens (Messages requires a figure): a
        // ceiling, not what the answer needs, so a route's context window is weighed against the
        // prompt alone, and a translated request is capped by the route (prepareUpstreamCall).
        params.analysis.estimatedTokens = params.analysis.promptTokens;
        params.analysis.protocol = protocol;
        params.analysis.nativeBody = body;
        params.analysis.untranslatable = asChat.untranslatable;
        params.analysis.dropped = asChat.dropped;
        for (const QByteArray &name : protocol->forwardedHeaders()) {
            const QByteArray value = request.value(name);
            if (!value.isEmpty())
                params.analysis.nativeHeaders.append({ name, value });
        }
    } else {
        params.analysis = RequestAnalysis::analyze(endpoint, body);
    }
    if (!params.analysis.valid)
        return refuse(400, params.analysis.error, QStringLiteral("invalid_request_error"),
            params.analysis.errorParam);
    if (active->anyKeyPool)
        params.analysis.keyAffinity
            = conversationAffinity(protocol ? nativeRoot : params.analysis.document, request);
    params.target = resolveTarget(active->config, params.analysis.model,
        QString::fromUtf8(request.value("x-switchyard-lane")));
    if (!params.target.found)
        return refuse(404, params.target.notFoundMessage, QStringLiteral("lane_not_found"),
            QStringLiteral("model"));
    if (countTokens) {
        TokenCounter::Request count;
        count.body = body;
        count.anthropicHeaders = params.analysis.nativeHeaders;
        count.estimate = params.analysis.promptTokens;
        count.target = params.target;
        GatewayResponse::Routing routing;
        routing.requestId = requestId;
        routing.lane = params.target.lane;
        count.answerHeaders = GatewayResponse::routingHeaders(routing);
        count.active = active;
        count.keyAffinity = params.analysis.keyAffinity;
        const StateLock::Held held = m_services.holdState(); // which routes and keys may count
        TokenCounter::count(std::move(count), std::move(response), *m_services.routes,
            *m_services.keys, *m_services.upstreams, this);
        return;
    }

    // A continuation splices chat completion chunks; another API's stream ends with its error
    // event instead.
    if (protocol)
        params.target.continuation = Continuation::Off;
    params.requestId = requestId;
    params.active = active;
    if (active->tracing)
        params.trace = TraceContext::begin(request.value("traceparent"), active->sampleRatio);
    auto *proxied = new ProxyRequest(m_services, std::move(response), std::move(params), this);
    connect(proxied, &ProxyRequest::finished, this,
        [this](const TraceRecord &trace) { m_services.recordTrace(trace); });
    proxied->start();
}

} // namespace Switchyard
