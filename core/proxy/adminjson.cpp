#include "proxy/adminjson.h"

#include <QDateTime>
#include <QSet>

namespace Switchyard::AdminJson {

namespace {

QString str(const QJsonObject &json, QLatin1StringView key)
{
    return json.value(key).toString();
}

qint64 whole(const QJsonObject &json, QLatin1StringView key, qint64 otherwise = 0)
{
    // From a gateway elsewhere: a number beyond qint64 (1e300) is no number, not undefined
    // behaviour.
    const QJsonValue value = json.value(key);
    const double number = value.toDouble();
    constexpr double Limit = 9.0e18;
    return value.isDouble() && qIsFinite(number) && number > -Limit && number < Limit
        ? qint64(number)
        : otherwise;
}

QString testName(ProviderSnapshot::Test test)
{
    switch (test) {
    case ProviderSnapshot::Test::NotRun:
        return QStringLiteral("not_run");
    case ProviderSnapshot::Test::Running:
        return QStringLiteral("running");
    case ProviderSnapshot::Test::Passed:
        return QStringLiteral("passed");
    case ProviderSnapshot::Test::Failed:
        return QStringLiteral("failed");
    }
    return QStringLiteral("not_run");
}

ProviderSnapshot::Test parseTest(const QString &name)
{
    if (name == QLatin1String("running"))
        return ProviderSnapshot::Test::Running;
    if (name == QLatin1String("passed"))
        return ProviderSnapshot::Test::Passed;
    if (name == QLatin1String("failed"))
        return ProviderSnapshot::Test::Failed;
    return ProviderSnapshot::Test::NotRun;
}

KeyState parseKeyState(const QString &name)
{
    for (KeyState state : { KeyState::NotNeeded, KeyState::Reading, KeyState::Set,
             KeyState::Missing, KeyState::Unreadable, KeyState::Rejected, KeyState::CoolingDown }) {
        if (keyStateName(state) == name)
            return state;
    }
    return KeyState::Unreadable;
}

QString sourceName(SecretRef::Source source)
{
    switch (source) {
    case SecretRef::Source::Environment:
        return QStringLiteral("env");
    case SecretRef::Source::Keychain:
        return QStringLiteral("keychain");
    case SecretRef::Source::None:
        break;
    }
    return QString();
}

// Where a key is read from, as "source" and "name" in `json` (nothing for no reference).
void insertRef(QJsonObject &json, const SecretRef &ref)
{
    if (!ref.isSet())
        return;
    json.insert(QStringLiteral("source"), sourceName(ref.source));
    json.insert(QStringLiteral("name"), ref.name);
}

SecretRef refFrom(const QJsonObject &json)
{
    const QString source = str(json, QLatin1StringView("source"));
    SecretRef ref;
    ref.source = source == QLatin1String("env") ? SecretRef::Source::Environment
        : source == QLatin1String("keychain")   ? SecretRef::Source::Keychain
                                                : SecretRef::Source::None;
    ref.name = ref.isSet() ? str(json, QLatin1StringView("name")) : QString();
    return ref;
}

QStringList strings(const QJsonValue &value)
{
    QStringList list;
    for (const QJsonValue &item : value.toArray())
        list.append(item.toString());
    return list;
}

} // namespace

QJsonObject fromRoute(const RouteSnapshot &route)
{
    QJsonObject json { { QStringLiteral("provider"), route.provider },
        { QStringLiteral("model"), route.model },
        { QStringLiteral("state"), breakerStateName(route.state) },
        { QStringLiteral("cooldown_remaining_ms"), route.cooldownRemainingMs },
        { QStringLiteral("rate_limited_remaining_ms"), route.rateLimitedRemainingMs },
        { QStringLiteral("recovery_step"), route.recoveryStep + 1 },
        { QStringLiteral("recovery_steps"), route.recoveryStepCount },
        { QStringLiteral("traffic_share"), route.trafficShare },
        { QStringLiteral("step_remaining_ms"), route.stepRemainingMs },
        { QStringLiteral("failure_rate"), route.failureRate },
        { QStringLiteral("calls_in_window"), route.callsInWindow },
        { QStringLiteral("consecutive_failures"), route.consecutiveFailures },
        { QStringLiteral("p50_ms"), route.p50Ms }, { QStringLiteral("p95_ms"), route.p95Ms },
        { QStringLiteral("requests_per_second"), route.requestsPerSecond },
        { QStringLiteral("in_flight"), route.inFlight },
        { QStringLiteral("last_error"), route.lastError },
        { QStringLiteral("last_error_at_ms"), double(route.lastErrorAtUtcMs) },
        { QStringLiteral("state_since_ms"), double(route.stateSinceUtcMs) },
        { QStringLiteral("misconfigured"), route.misconfigured },
        { QStringLiteral("last_probe_ok"), route.lastProbeOk },
        { QStringLiteral("last_probe"), route.lastProbeResult },
        { QStringLiteral("lanes"), QJsonArray::fromStringList(route.lanes) } };
    if (!route.drillFault.isEmpty())
        json.insert(QStringLiteral("drill"),
            QJsonObject { { QStringLiteral("fault"), route.drillFault },
                { QStringLiteral("remaining_ms"), route.drillRemainingMs } });
    return json;
}

RouteSnapshot toRoute(const QString &name, const QJsonObject &json)
{
    RouteSnapshot route;
    route.name = name;
    route.provider = str(json, QLatin1StringView("provider"));
    route.model = str(json, QLatin1StringView("model"));
    route.state
        = parseBreakerState(str(json, QLatin1StringView("state"))).value_or(BreakerState::Closed);
    route.cooldownRemainingMs = whole(json, QLatin1StringView("cooldown_remaining_ms"));
    route.rateLimitedRemainingMs = whole(json, QLatin1StringView("rate_limited_remaining_ms"));
    route.recoveryStep = int(qMax<qint64>(0, whole(json, QLatin1StringView("recovery_step")) - 1));
    route.recoveryStepCount = int(whole(json, QLatin1StringView("recovery_steps")));
    route.trafficShare = json.value(QLatin1StringView("traffic_share")).toDouble(1.0);
    route.stepRemainingMs = whole(json, QLatin1StringView("step_remaining_ms"));
    route.failureRate = json.value(QLatin1StringView("failure_rate")).toDouble();
    route.callsInWindow = int(whole(json, QLatin1StringView("calls_in_window")));
    route.consecutiveFailures = int(whole(json, QLatin1StringView("consecutive_failures")));
    route.p50Ms = whole(json, QLatin1StringView("p50_ms"), -1);
    route.p95Ms = whole(json, QLatin1StringView("p95_ms"), -1);
    route.requestsPerSecond = json.value(QLatin1StringView("requests_per_second")).toDouble();
    route.inFlight = int(whole(json, QLatin1StringView("in_flight")));
    route.lastError = str(json, QLatin1StringView("last_error"));
    route.lastErrorAtUtcMs = whole(json, QLatin1StringView("last_error_at_ms"));
    route.stateSinceUtcMs = whole(json, QLatin1StringView("state_since_ms"));
    route.misconfigured = str(json, QLatin1StringView("misconfigured"));
    route.lastProbeOk = json.value(QLatin1StringView("last_probe_ok")).toBool(true);
    route.lastProbeResult = str(json, QLatin1StringView("last_probe"));
    route.lanes = strings(json.value(QLatin1StringView("lanes")));
    const QJsonObject drill = json.value(QLatin1StringView("drill")).toObject();
    route.drillFault = str(drill, QLatin1StringView("fault"));
    route.drillRemainingMs = whole(drill, QLatin1StringView("remaining_ms"));
    return route;
}

QJsonArray fromRoutes(const QList<RouteSnapshot> &routes)
{
    return arrayOf(routes, [](const RouteSnapshot &route) {
        QJsonObject json = fromRoute(route);
        json.insert(QStringLiteral("name"), route.name);
        return json;
    });
}

QList<RouteSnapshot> toRoutes(const QJsonArray &json)
{
    return listOf<RouteSnapshot>(json, [](const QJsonObject &route) {
        return toRoute(str(route, QLatin1StringView("name")), route);
    });
}

QJsonObject fromEvent(const StateEvent &event)
{
    const QString by = event.byOperator ? QStringLiteral("operator") : QStringLiteral("automatic");
    const QString time = event.time.toString(Qt::ISODateWithMs);
    if (!event.isRoute())
        return QJsonObject { { QStringLiteral("time"), time },
            { QStringLiteral("kind"), event.kindName() },
            { QStringLiteral("reason"), event.reason }, { QStringLiteral("by"), by } };
    return QJsonObject { { QStringLiteral("time"), time },
        { QStringLiteral("kind"), QStringLiteral("route") },
        { QStringLiteral("route"), event.route },
        { QStringLiteral("from"), breakerStateName(event.from) },
        { QStringLiteral("to"), breakerStateName(event.to) },
        { QStringLiteral("reason"), event.reason }, { QStringLiteral("by"), by } };
}

StateEvent toEvent(const QJsonObject &json)
{
    StateEvent event;
    event.time = QDateTime::fromString(str(json, QLatin1StringView("time")), Qt::ISODateWithMs);
    event.kind = StateEvent::kindNamed(str(json, QLatin1StringView("kind")));
    event.route = str(json, QLatin1StringView("route"));
    event.from
        = parseBreakerState(str(json, QLatin1StringView("from"))).value_or(BreakerState::Closed);
    event.to = parseBreakerState(str(json, QLatin1StringView("to"))).value_or(BreakerState::Closed);
    event.reason = str(json, QLatin1StringView("reason"));
    event.byOperator = str(json, QLatin1StringView("by")) == QLatin1String("operator");
    return event;
}

QJsonObject fromCost(const CostPoint &point)
{
    return QJsonObject { { QStringLiteral("minute"), point.minuteUtcMs },
        { QStringLiteral("lane"), point.lane }, { QStringLiteral("route"), point.route },
        { QStringLiteral("cost_usd"), point.costUsd },
        { QStringLiteral("fallback_cost_usd"), point.fallbackCostUsd },
        { QStringLiteral("tokens_in"), point.tokensIn },
        { QStringLiteral("tokens_out"), point.tokensOut },
        { QStringLiteral("requests"), point.requests },
        { QStringLiteral("cache_read_tokens"), point.cacheReadTokens },
        { QStringLiteral("cache_write_tokens"), point.cacheWriteTokens } };
}

CostPoint toCost(const QJsonObject &json)
{
    CostPoint point;
    point.minuteUtcMs = whole(json, QLatin1StringView("minute"));
    point.lane = str(json, QLatin1StringView("lane"));
    point.route = str(json, QLatin1StringView("route"));
    point.costUsd = json.value(QLatin1StringView("cost_usd")).toDouble();
    point.fallbackCostUsd = json.value(QLatin1StringView("fallback_cost_usd")).toDouble();
    point.tokensIn = whole(json, QLatin1StringView("tokens_in"));
    point.tokensOut = whole(json, QLatin1StringView("tokens_out"));
    point.requests = int(whole(json, QLatin1StringView("requests")));
    point.cacheReadTokens = whole(json, QLatin1StringView("cache_read_tokens"));
    point.cacheWriteTokens = whole(json, QLatin1StringView("cache_write_tokens"));
    return point;
}

QJsonObject fromFleet(const FleetStatus &fleet)
{
    if (!fleet.enabled)
        return { { QStringLiteral("enabled"), false } };
    QJsonArray members;
    for (const FleetMember &member : fleet.members)
        members.append(member.toJson());
    return { { QStringLiteral("enabled"), true }, { QStringLiteral("instance"), fleet.instance },
        { QStringLiteral("connected"), fleet.connected },
        { QStringLiteral("problem"), fleet.problem },
        { QStringLiteral("instances"), QJsonArray::fromStringList(fleet.instances) },
        { QStringLiteral("members"), members } };
}

FleetStatus toFleet(const QJsonObject &json)
{
    FleetStatus fleet;
    fleet.enabled = json.value(QLatin1StringView("enabled")).toBool();
    if (!fleet.enabled)
        return fleet;
    fleet.instance = str(json, QLatin1StringView("instance"));
    fleet.connected = json.value(QLatin1StringView("connected")).toBool();
    fleet.problem = str(json, QLatin1StringView("problem"));
    // A gateway's own fleet is bounded (Redis reads of at most 64 others); a broken one's is cut
    // to that here, once per name.
    constexpr qsizetype MaxMembers = 100;
    fleet.instances = strings(json.value(QLatin1StringView("instances"))).mid(0, MaxMembers);
    const QJsonArray members = json.value(QLatin1StringView("members")).toArray();
    QSet<QString> named;
    for (qsizetype i = 0; i < members.size() && fleet.members.size() < MaxMembers; ++i) {
        FleetMember member = FleetMember::fromJson(members.at(i).toObject());
        if (!named.contains(member.instance)) {
            named.insert(member.instance);
            fleet.members.append(std::move(member));
        }
    }
    return fleet;
}

QJsonObject fromProvider(const ProviderSnapshot &provider)
{
    QJsonObject key { { QStringLiteral("state"), keyStateName(provider.keyState) },
        { QStringLiteral("detail"), provider.keyDetail } };
    insertRef(key, provider.key);
    QJsonArray keys;
    for (const KeySnapshot &each : provider.keys) {
        QJsonObject item { { QStringLiteral("label"), each.label },
            { QStringLiteral("weight"), each.weight },
            { QStringLiteral("state"), keyStateName(each.state) },
            { QStringLiteral("detail"), each.detail },
            { QStringLiteral("cooling_remaining_ms"), each.coolingRemainingMs },
            { QStringLiteral("calls"), qint64(each.calls) },
            { QStringLiteral("rate_limited"), qint64(each.rateLimited) },
            { QStringLiteral("rejections"), qint64(each.rejections) } };
        insertRef(item, each.ref);
        keys.append(item);
    }
    return QJsonObject { { QStringLiteral("name"), provider.name },
        { QStringLiteral("kind"), provider.kind }, { QStringLiteral("base_url"), provider.baseUrl },
        { QStringLiteral("key"), key }, { QStringLiteral("keys"), keys },
        { QStringLiteral("routes"), QJsonArray::fromStringList(provider.routes) },
        { QStringLiteral("test"),
            QJsonObject { { QStringLiteral("state"), testName(provider.test) },
                { QStringLiteral("result"), provider.testResult },
                { QStringLiteral("at_ms"), provider.testedAtMs } } } };
}

ProviderSnapshot toProvider(const QJsonObject &json)
{
    ProviderSnapshot provider;
    provider.name = str(json, QLatin1StringView("name"));
    provider.kind = str(json, QLatin1StringView("kind"));
    provider.baseUrl = str(json, QLatin1StringView("base_url"));
    const QJsonObject key = json.value(QLatin1StringView("key")).toObject();
    provider.key = refFrom(key);
    provider.keyState = parseKeyState(str(key, QLatin1StringView("state")));
    provider.keyDetail = str(key, QLatin1StringView("detail"));
    const QJsonArray keys = json.value(QLatin1StringView("keys")).toArray();
    for (qsizetype i = 0; i < keys.size() && i < MaxKeysPerProvider; ++i) {
        const QJsonObject item = keys.at(i).toObject();
        KeySnapshot each;
        each.label = str(item, QLatin1StringView("label"));
        each.weight = item.value(QLatin1StringView("weight")).toDouble(1.0);
        each.state = parseKeyState(str(item, QLatin1StringView("state")));
        each.detail = str(item, QLatin1StringView("detail"));
        each.coolingRemainingMs = whole(item, QLatin1StringView("cooling_remaining_ms"));
        each.calls = quint64(qMax<qint64>(0, whole(item, QLatin1StringView("calls"))));
        each.rateLimited = quint64(qMax<qint64>(0, whole(item, QLatin1StringView("rate_limited"))));
        each.rejections = quint64(qMax<qint64>(0, whole(item, QLatin1StringView("rejections"))));
        each.ref = refFrom(item);
        provider.keys.append(each);
    }
    provider.routes = strings(json.value(QLatin1StringView("routes")));
    const QJsonObject test = json.value(QLatin1StringView("test")).toObject();
    provider.test = parseTest(str(test, QLatin1StringView("state")));
    provider.testResult = str(test, QLatin1StringView("result"));
    provider.testedAtMs = whole(test, QLatin1StringView("at_ms"));
    return provider;
}

QJsonObject fromHistory(const GatewayControl::History &history)
{
    return { { QStringLiteral("traces"),
                 arrayOf(history.traces, [](const TraceRecord &t) { return t.toJson(); }) },
        { QStringLiteral("events"), arrayOf(history.events, fromEvent) },
        { QStringLiteral("cost"), arrayOf(history.cost, fromCost) },
        { QStringLiteral("routes"), fromRoutes(history.routes) },
        { QStringLiteral("providers"), arrayOf(history.providers, fromProvider) },
        { QStringLiteral("fleet"), fromFleet(history.fleet) } };
}

QJsonObject fromIncident(const IncidentReport &report)
{
    const auto lane = [](const IncidentReport::LaneFigures &figures) {
        return QJsonObject { { QStringLiteral("lane"), figures.lane },
            { QStringLiteral("requests"), figures.requests },
            { QStringLiteral("failed"), figures.failed },
            { QStringLiteral("fell_back"), figures.fellBack },
            { QStringLiteral("spend_usd"), figures.spendUsd },
            { QStringLiteral("extra_usd"), figures.extraUsd } };
    };
    const auto reason = [](const IncidentReport::Reason &reason) {
        return QJsonObject { { QStringLiteral("route"), reason.route },
            { QStringLiteral("class"), failureClassName(reason.failureClass) },
            { QStringLiteral("reason"), reason.reason },
            { QStringLiteral("count"), reason.count } };
    };
    const auto error = [](const IncidentReport::CallerError &error) {
        return QJsonObject { { QStringLiteral("at_ms"), error.atMs },
            { QStringLiteral("id"), error.id }, { QStringLiteral("lane"), error.lane },
            { QStringLiteral("route"), error.route }, { QStringLiteral("status"), error.status },
            { QStringLiteral("class"), failureClassName(error.failureClass) },
            { QStringLiteral("reason"), error.reason } };
    };
    return QJsonObject { { QStringLiteral("from_ms"), report.fromMs },
        { QStringLiteral("to_ms"), report.toMs },
        { QStringLiteral("events"), arrayOf(report.events, fromEvent) },
        { QStringLiteral("events_left_out"), report.eventsLeftOut },
        { QStringLiteral("requests"), report.requests },
        { QStringLiteral("failed"), report.failed },
        { QStringLiteral("fell_back"), report.fellBack },
        { QStringLiteral("degraded"), report.degraded },
        { QStringLiteral("panics"), report.panics },
        { QStringLiteral("spend_usd"), report.spendUsd },
        { QStringLiteral("fallback_spend_usd"), report.fallbackSpendUsd },
        { QStringLiteral("extra_usd"), report.extraUsd },
        { QStringLiteral("lanes"), arrayOf(report.lanes, lane) },
        { QStringLiteral("reasons"), arrayOf(report.reasons, reason) },
        { QStringLiteral("errors"), arrayOf(report.errors, error) },
        { QStringLiteral("truncated"), report.truncated },
        { QStringLiteral("estimated"), report.estimated } };
}

IncidentReport toIncident(const QJsonObject &json)
{
    // From a gateway elsewhere: lists no longer than the gateway itself would send.
    const auto bounded = [&json](QLatin1StringView key, int most) {
        const QJsonArray array = json.value(key).toArray();
        return array.size() <= most ? array : QJsonArray();
    };
    const auto number = [](const QJsonObject &object, QLatin1StringView key) {
        const double value = object.value(key).toDouble();
        return qIsFinite(value) ? value : 0.0;
    };
    const auto failureClass = [](const QJsonObject &object) {
        return parseFailureClass(object.value(QLatin1StringView("class")).toString())
            .value_or(FailureClass::Transient);
    };
    IncidentReport report;
    report.fromMs = whole(json, QLatin1StringView("from_ms"));
    report.toMs = whole(json, QLatin1StringView("to_ms"));
    report.events = listOf<StateEvent>(
        bounded(QLatin1StringView("events"), IncidentReport::MaxEvents), toEvent);
    report.eventsLeftOut = int(whole(json, QLatin1StringView("events_left_out")));
    report.requests = int(whole(json, QLatin1StringView("requests")));
    report.failed = int(whole(json, QLatin1StringView("failed")));
    report.fellBack = int(whole(json, QLatin1StringView("fell_back")));
    report.degraded = int(whole(json, QLatin1StringView("degraded")));
    report.panics = int(whole(json, QLatin1StringView("panics")));
    report.spendUsd = number(json, QLatin1StringView("spend_usd"));
    report.fallbackSpendUsd = number(json, QLatin1StringView("fallback_spend_usd"));
    report.extraUsd = number(json, QLatin1StringView("extra_usd"));
    for (const QJsonValue &value : bounded(QLatin1StringView("lanes"), 1000)) {
        const QJsonObject lane = value.toObject();
        report.lanes.append(
            { str(lane, QLatin1StringView("lane")), int(whole(lane, QLatin1StringView("requests"))),
                int(whole(lane, QLatin1StringView("failed"))),
                int(whole(lane, QLatin1StringView("fell_back"))),
                number(lane, QLatin1StringView("spend_usd")),
                number(lane, QLatin1StringView("extra_usd")) });
    }
    for (const QJsonValue &value :
        bounded(QLatin1StringView("reasons"), IncidentReport::MaxReasons)) {
        const QJsonObject reason = value.toObject();
        report.reasons.append({ str(reason, QLatin1StringView("route")), failureClass(reason),
            str(reason, QLatin1StringView("reason")),
            int(whole(reason, QLatin1StringView("count"))) });
    }
    for (const QJsonValue &value :
        bounded(QLatin1StringView("errors"), IncidentReport::MaxErrors)) {
        const QJsonObject error = value.toObject();
        report.errors.append({ whole(error, QLatin1StringView("at_ms")),
            str(error, QLatin1StringView("id")), str(error, QLatin1StringView("lane")),
            str(error, QLatin1StringView("route")), int(whole(error, QLatin1StringView("status"))),
            failureClass(error), str(error, QLatin1StringView("reason")) });
    }
    report.truncated = json.value(QLatin1StringView("truncated")).toBool();
    report.estimated = json.value(QLatin1StringView("estimated")).toBool();
    return report;
}

} // namespace Switchyard::AdminJson
