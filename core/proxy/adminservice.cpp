#include "proxy/adminservice.h"

#include "config/configloader.h"
#include "config/secretdestinations.h"
#include "http/clientresponse.h"
#include "observe/costledger.h"
#include "observe/tracestore.h"
#include "proxy/adminevents.h"
#include "proxy/adminjson.h"
#include "proxy/gatewaycontrol.h"
#include "proxy/gatewayservices.h"
#include "routing/routeregistry.h"
#include "translate/openaierror.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QUrlQuery>

namespace Switchyard {

namespace {

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// Compares in time independent of where the first difference is, so the token cannot be guessed
// byte by byte.
bool sameSecret(const QByteArray &a, const QByteArray &b)
{
    const QByteArray ha = QCryptographicHash::hash(a, QCryptographicHash::Sha256);
    const QByteArray hb = QCryptographicHash::hash(b, QCryptographicHash::Sha256);
    unsigned char difference = 0;
    for (qsizetype i = 0; i < ha.size(); ++i)
        difference |= uchar(ha.at(i) ^ hb.at(i));
    return difference == 0;
}

void sendError(ClientResponse &response, int status, const QString &message, const QString &type,
    const QString &code = QString())
{
    response.sendJson(status, {}, openAiError(message, type, code));
}

} // namespace

AdminService::AdminService(
    const GatewayServices &services, GatewayControl &control, QObject *parent)
    : QObject(parent)
    , m_services(services)
    , m_control(control)
    , m_events(new AdminEvents(control, this))
{
}

AdminService::~AdminService() = default;

bool AdminService::authorized(const HttpRequest &request, QString *why) const
{
    // Always, on loopback too: any local process or web page can reach a loopback port
    // (issue 14). The token is the config's admin_token or the one generated in the data folder.
    const std::shared_ptr<const ActiveConfig> active = m_services.activeConfig();
    if (!active->adminToken.ok) {
        *why = QStringLiteral("The admin token cannot be read: %1.").arg(active->adminToken.error);
        return false;
    }
    const QByteArray header = request.value("authorization").trimmed();
    const bool bearer = header.size() > 7 && header.left(7).toLower() == "bearer ";
    if (!bearer || !sameSecret(header.mid(7).trimmed(), active->adminToken.value)) {
        *why = QStringLiteral("This call needs 'Authorization: Bearer <admin token>'; "
                              "`switchyard admin-token` prints it.");
        return false;
    }
    return true;
}

void AdminService::handle(const HttpRequest &request, ClientResponse response)
{
    QString why;
    if (!authorized(request, &why)) {
        sendError(response, 401, why, QStringLiteral("unauthorized"));
        return;
    }
    const QString path = request.url.path();
    const bool isGet = request.method == "GET";
    const bool isPost = request.method == "POST";

    if (path == QLatin1String("/admin/state") && isGet) {
        auto pending = std::make_shared<ClientResponse>(std::move(response));
        m_control.readState([self = QPointer<AdminService>(this), pending](
                                const GatewayControl::StatePicture &state) {
            if (self)
                pending->sendJson(200, {}, self->stateDocument(state));
        });
        return;
    }
    if (path == QLatin1String("/admin/events") && isGet) {
        const QString view = QUrlQuery(request.url).queryItemValue(QStringLiteral("view"));
        m_events->subscribe(std::move(response), view == QLatin1String("console"));
        return;
    }
    if (path == QLatin1String("/admin/config") && isGet) {
        // The document as it runs, unknown keys included; secrets are references, never values.
        response.sendJson(200, {}, compact(m_services.activeConfig()->config.source));
        return;
    }
    if (path == QLatin1String("/admin/history") && isGet) {
        auto pending = std::make_shared<ClientResponse>(std::move(response));
        m_control.readHistory({}, [pending](const GatewayControl::History &history) {
            pending->sendJson(200, {}, compact(AdminJson::fromHistory(history)));
        });
        return;
    }
    if (path == QLatin1String("/admin/providers") && isGet) {
        auto pending = std::make_shared<ClientResponse>(std::move(response));
        m_control.readProviders([pending](const QList<ProviderSnapshot> &providers) {
            pending->sendJson(200, {},
                compact({ { QStringLiteral("providers"),
                    AdminJson::arrayOf(providers, AdminJson::fromProvider) } }));
        });
        return;
    }
    if (path == QLatin1String("/admin/keys/reload") && isPost) {
        m_control.rereadSecrets();
        response.sendJson(
            202, {}, compact({ { QStringLiteral("status"), QStringLiteral("reading") } }));
        return;
    }
    static const QString providersPrefix = QStringLiteral("/admin/providers/");
    if (path.startsWith(providersPrefix) && path.endsWith(QLatin1String("/test"))
        && path.size() > providersPrefix.size() + 5 && isPost) {
        const QString provider
            = path.mid(providersPrefix.size(), path.size() - providersPrefix.size() - 5);
        if (!m_services.activeConfig()->config.providers.contains(provider)) {
            sendError(response, 404, QStringLiteral("There is no provider '%1'.").arg(provider),
                QStringLiteral("invalid_request_error"), QStringLiteral("provider_not_found"));
            return;
        }
        m_control.runProviderTest(provider);
        response.sendJson(202, {},
            compact({ { QStringLiteral("provider"), provider },
                { QStringLiteral("test"), QStringLiteral("running") } }));
        return;
    }
    if (path == QLatin1String("/admin/traces") && isGet) {
        const QUrlQuery query(request.url);
        TraceQuery filter;
        bool limitOk = true;
        if (query.hasQueryItem(QStringLiteral("limit")))
            filter.limit = query.queryItemValue(QStringLiteral("limit")).toInt(&limitOk);
        if (!limitOk || filter.limit < 1 || filter.limit > 1000) {
            sendError(response, 400,
                QStringLiteral("'limit' must be a whole number from 1 to 1000."),
                QStringLiteral("invalid_request_error"));
            return;
        }
        filter.lane = query.queryItemValue(QStringLiteral("lane"), QUrl::FullyDecoded);
        filter.route = query.queryItemValue(QStringLiteral("route"), QUrl::FullyDecoded);
        filter.failureClass = query.queryItemValue(QStringLiteral("class"), QUrl::FullyDecoded);
        // Answered when the store's reader has it; the engine thread serves on meanwhile.
        auto pending = std::make_shared<ClientResponse>(std::move(response));
        m_control.queryTraces(filter, [pending](const QList<TraceRecord> &found) {
            QJsonArray traces;
            for (const TraceRecord &trace : found)
                traces.append(trace.toJson());
            pending->sendJson(200, {}, compact({ { QStringLiteral("traces"), traces } }));
        });
        return;
    }
    if (path == QLatin1String("/admin/incident") && isGet) {
        // from and to in ms since the epoch, each optional: the default range is the current (or
        // last) incident's, from its first breaker opening to now.
        const QUrlQuery query(request.url);
        qint64 bounds[2] = { -1, -1 };
        const QString names[2] = { QStringLiteral("from"), QStringLiteral("to") };
        for (int i = 0; i < 2; ++i) {
            if (!query.hasQueryItem(names[i]))
                continue;
            bool ok = false;
            bounds[i] = query.queryItemValue(names[i]).toLongLong(&ok);
            if (!ok || bounds[i] < 0) {
                sendError(response, 400,
                    QStringLiteral("'%1' must be a time in milliseconds since 1970 (UTC).")
                        .arg(names[i]),
                    QStringLiteral("invalid_request_error"));
                return;
            }
        }
        if (bounds[0] >= 0 && bounds[1] >= 0 && bounds[0] > bounds[1]) {
            sendError(response, 400, QStringLiteral("'from' must not be after 'to'."),
                QStringLiteral("invalid_request_error"));
            return;
        }
        auto pending = std::make_shared<ClientResponse>(std::move(response));
        m_control.readIncident(bounds[0], bounds[1], [pending](const IncidentReport &report) {
            pending->sendJson(200, {}, compact(AdminJson::fromIncident(report)));
        });
        return;
    }
    static const QString tracePrefix = QStringLiteral("/admin/traces/");
    if (path.startsWith(tracePrefix) && path.count(QLatin1Char('/')) == 4) {
        const QStringList parts = path.mid(tracePrefix.size()).split(QLatin1Char('/'));
        if (parts.at(1) == QLatin1String("bodies") && isGet) {
            readBodies(parts.at(0), std::move(response));
            return;
        }
        if (parts.at(1) == QLatin1String("replay") && isPost) {
            replay(parts.at(0), request.body, std::move(response));
            return;
        }
    }
    if (path.startsWith(tracePrefix) && isGet) {
        const QString id = path.mid(tracePrefix.size());
        auto pending = std::make_shared<ClientResponse>(std::move(response));
        const double ratio = m_services.activeConfig()->config.traceSuccessSampleRatio;
        m_control.findTrace(id, [pending, id, ratio](const std::optional<TraceRecord> &trace) {
            if (!trace) {
                QString message = QStringLiteral("No trace with id '%1'.").arg(id);
                // An operator holding an id from a caller's log must not take a success that
                // was not written for one that never came.
                if (!TraceStore::sampled(id, ratio))
                    message += QStringLiteral(
                        " Plain successes are written only as a sample "
                        "(traces.success_sample_ratio is %1 now), and this id is not among those "
                        "the sample keeps: if its request was answered at the first try, it may "
                        "not have been kept.")
                                   .arg(ratio);
                sendError(*pending, 404, message, QStringLiteral("invalid_request_error"),
                    QStringLiteral("trace_not_found"));
                return;
            }
            pending->sendJson(200, {}, compact(trace->toJson()));
        });
        return;
    }
    if (path == QLatin1String("/admin/config") && isPost) {
        handleConfig(request.body, std::move(response));
        return;
    }
    static const QString routesPrefix = QStringLiteral("/admin/routes/");
    if (path.startsWith(routesPrefix)) {
        const QStringList parts = path.mid(routesPrefix.size()).split(QLatin1Char('/'));
        if (parts.size() == 2 && isPost) {
            handleRouteAction(parts.at(0), parts.at(1), request.body, std::move(response));
            return;
        }
    }
    sendError(response, 404,
        QStringLiteral("Unknown admin endpoint %1 %2.")
            .arg(isGet       ? QStringLiteral("GET")
                    : isPost ? QStringLiteral("POST")
                             : QStringLiteral("?"),
                path),
        QStringLiteral("invalid_request_error"), QStringLiteral("not_found"));
}

void AdminService::readBodies(const QString &traceId, ClientResponse response)
{
    auto pending = std::make_shared<ClientResponse>(std::move(response));
    m_control.readBodies(traceId, [pending, traceId](const std::optional<CapturedBodies> &bodies) {
        if (!bodies) {
            sendError(*pending, 404,
                QStringLiteral("No bodies were kept of trace '%1' (capture.bodies keeps them).")
                    .arg(traceId.left(128)),
                QStringLiteral("invalid_request_error"), QStringLiteral("bodies_not_found"));
            return;
        }
        pending->sendJson(200, {}, compact(bodies->toJson()));
    });
}

void AdminService::replay(const QString &traceId, const QByteArray &body, ClientResponse response)
{
    const QJsonValue route = QJsonDocument::fromJson(body).object().value(QLatin1String("route"));
    if (!route.isString() || !m_services.activeConfig()->config.routes.contains(route.toString())) {
        sendError(response, 400,
            route.isString()
                ? QStringLiteral("There is no route '%1'.").arg(route.toString().left(128))
                : QStringLiteral("A replay needs {\"route\": NAME}."),
            QStringLiteral("invalid_request_error"), QStringLiteral("route_not_found"));
        return;
    }
    auto pending = std::make_shared<ClientResponse>(std::move(response));
    m_control.replay(traceId, route.toString(), [pending](const ReplayResult &result) {
        if (!result.sent) {
            sendError(*pending, result.noBodies ? 404 : 409, result.error,
                QStringLiteral("invalid_request_error"),
                result.noBodies ? QStringLiteral("bodies_not_found")
                                : QStringLiteral("replay_refused"));
            return;
        }
        pending->sendJson(200, {}, compact(result.toJson()));
    });
}

void AdminService::handleRouteAction(
    const QString &route, const QString &action, const QByteArray &body, ClientResponse response)
{
    if (!m_services.activeConfig()->config.routes.contains(route)) {
        sendError(response, 404, QStringLiteral("There is no route '%1'.").arg(route),
            QStringLiteral("invalid_request_error"), QStringLiteral("route_not_found"));
        return;
    }
    const QJsonObject arguments = QJsonDocument::fromJson(body).object();
    RouteCommand command;
    command.route = route;
    if (action == QLatin1String("drain")) {
        command.action = RouteCommand::Action::Drain;
    } else if (action == QLatin1String("restore")) {
        const QJsonValue staged = arguments.value(QLatin1String("staged"));
        if (!staged.isUndefined() && !staged.isBool()) {
            sendError(response, 400, QStringLiteral("'staged' must be true or false."),
                QStringLiteral("invalid_request_error"));
            return;
        }
        command.action
            = staged.toBool() ? RouteCommand::Action::RestoreStaged : RouteCommand::Action::Restore;
    } else if (action == QLatin1String("stage")) {
        command.action = RouteCommand::Action::StageRecovery;
    } else if (action == QLatin1String("probe")) {
        command.action = RouteCommand::Action::ProbeNow;
    } else if (action == QLatin1String("drill")) {
        command.action = RouteCommand::Action::Drill;
        const QJsonValue seconds = arguments.value(QLatin1String("seconds"));
        if (!parseDrillFault(arguments.value(QLatin1String("fault")).toString(), &command.fault)
            || !seconds.isDouble()) {
            sendError(response, 400,
                QStringLiteral("A drill needs {\"fault\": \"503|429|timeout|refused|malformed\", "
                               "\"seconds\": N}."),
                QStringLiteral("invalid_request_error"));
            return;
        }
        command.seconds = seconds.toInt();
    } else {
        sendError(response, 404,
            QStringLiteral("Unknown route action '%1' (drain, restore, stage, probe, drill).")
                .arg(action),
            QStringLiteral("invalid_request_error"), QStringLiteral("not_found"));
        return;
    }
    auto pending = std::make_shared<ClientResponse>(std::move(response));
    m_control.runCommand(command,
        [self = QPointer<AdminService>(this), pending, route, action](const QString &refused) {
            if (!refused.isEmpty()) {
                sendError(*pending, 400, refused, QStringLiteral("invalid_request_error"));
                return;
            }
            if (!self)
                return;
            BreakerState now = BreakerState::Closed;
            {
                const StateLock::Held held = self->m_services.holdState();
                if (const RouteState *state = self->m_services.routes->find(route))
                    now = state->breaker.state();
            }
            pending->sendJson(200, {},
                compact({ { QStringLiteral("route"), route }, { QStringLiteral("action"), action },
                    { QStringLiteral("state"), breakerStateName(now) } }));
        });
}

void AdminService::handleConfig(const QByteArray &body, ClientResponse response)
{
    QJsonParseError parseError;
    QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    QJsonObject root = document.object();
    // The confirmation travels with the config but is not part of it.
    const bool confirmed = root.take(QLatin1String("confirm_secret_destinations")).toBool(false);
    const ConfigResult result = parseError.error == QJsonParseError::NoError && document.isObject()
        ? ConfigLoader::fromObject(root)
        : ConfigLoader::fromJson(body);
    if (!result.isValid()) {
        QJsonObject error = openAiErrorObject(
            QStringLiteral("The configuration has %1 error(s); nothing was applied.")
                .arg(result.errors.size()),
            QStringLiteral("invalid_request_error"), QStringLiteral("invalid_config"));
        error.insert(QStringLiteral("details"), QJsonArray::fromStringList(result.errors));
        response.sendJson(400, {}, compact({ { QStringLiteral("error"), error } }));
        return;
    }
    const QList<SecretDestinationChange> moved
        = secretDestinationChanges(m_services.activeConfig()->config, result.config);
    if (!moved.isEmpty() && !confirmed) {
        QStringList details;
        for (const SecretDestinationChange &change : moved)
            details.append(change.describe());
        QJsonObject error = openAiErrorObject(
            QStringLiteral("This configuration sends keys to new destinations; nothing was "
                           "applied. Check them and send it again with "
                           "\"confirm_secret_destinations\": true."),
            QStringLiteral("invalid_request_error"),
            QStringLiteral("secret_destinations_unconfirmed"));
        error.insert(QStringLiteral("details"), QJsonArray::fromStringList(details));
        response.sendJson(409, {}, compact({ { QStringLiteral("error"), error } }));
        return;
    }
    // Answered once the engine has read the keys and runs it, or with why it would not.
    auto pending = std::make_shared<ClientResponse>(std::move(response));
    m_control.proposeConfig(root, result.config,
        [pending, warnings = result.warnings](const GatewayControl::ConfigAnswer &answer) {
            if (!answer.refused.isEmpty()) {
                pending->sendJson(409, {},
                    compact({ { QStringLiteral("error"),
                        openAiErrorObject(answer.refused, QStringLiteral("invalid_request_error"),
                            QStringLiteral("config_refused")) } }));
                return;
            }
            QJsonObject body { { QStringLiteral("status"), QStringLiteral("applied") },
                { QStringLiteral("saved"), answer.saved },
                { QStringLiteral("warnings"), QJsonArray::fromStringList(warnings) } };
            if (!answer.notSaved.isEmpty())
                body.insert(QStringLiteral("not_saved"), answer.notSaved);
            pending->sendJson(200, {}, compact(body));
        });
}

QJsonObject AdminService::fleetJson(const FleetStatus &fleet) const
{
    QJsonObject json = AdminJson::fromFleet(fleet);
    if (!fleet.enabled)
        return json;
    // What the caps compare against: this instance's spend and the others', as last heard.
    QJsonObject laneSpend;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const std::shared_ptr<const ActiveConfig> active = m_services.activeConfig();
    const StateLock::Held held = m_services.holdState();
    for (const LaneConfig &lane : active->config.lanes)
        laneSpend.insert(lane.name, m_services.ledger->laneSpendOnDay(lane.name, now));
    json.insert(QStringLiteral("lane_spend_today_usd"), laneSpend);
    return json;
}

QByteArray AdminService::stateDocument(const GatewayControl::StatePicture &state) const
{
    const std::shared_ptr<const ActiveConfig> active = m_services.activeConfig();
    QJsonObject lanes;
    for (const LaneConfig &lane : active->config.lanes) {
        lanes.insert(lane.name,
            QJsonObject { { QStringLiteral("chain"), QJsonArray::fromStringList(lane.chain) },
                { QStringLiteral("degraded"), lane.degraded },
                { QStringLiteral("policy_fallbacks"),
                    QJsonArray::fromStringList(lane.policyFallbacks) },
                { QStringLiteral("deadline_ms"), lane.deadlineMs } });
    }
    QJsonObject routes;
    for (const RouteSnapshot &snapshot : state.routes)
        routes.insert(snapshot.name, AdminJson::fromRoute(snapshot));
    QJsonArray events;
    const QList<StateEvent> &recent = state.recentEvents;
    for (qsizetype i = qMax<qsizetype>(0, recent.size() - 50); i < recent.size(); ++i)
        events.append(AdminJson::fromEvent(recent.at(i)));
    return compact({ { QStringLiteral("listen"), active->config.listenAddress() },
        { QStringLiteral("default_lane"), active->config.defaultLane },
        { QStringLiteral("lanes"), lanes }, { QStringLiteral("routes"), routes },
        { QStringLiteral("recent_events"), events },
        { QStringLiteral("fleet"), fleetJson(state.fleet) } });
}

} // namespace Switchyard
