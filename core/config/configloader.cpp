#include "config/configloader.h"

#include "secrets/secretstore.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QRegularExpression>
#include <QSet>

#include <cmath>

namespace Switchyard {

namespace {

QString describeType(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

QString join(const QString &path, const QString &key)
{
    return path.isEmpty() ? key : path + QLatin1Char('.') + key;
}

// Reads typed values out of JSON objects, collecting every error with its JSON path
// instead of stopping at the first one.
class Reader {
public:
    QStringList errors;
    QStringList warnings;

    void error(const QString &path, const QString &message)
    {
        errors.append(QStringLiteral("%1: %2").arg(path, message));
    }

    void warnUnknownKeys(
        const QJsonObject &object, const QString &path, std::initializer_list<const char *> known)
    {
        QSet<QString> knownKeys;
        for (const char *key : known)
            knownKeys.insert(QString::fromLatin1(key));
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (!knownKeys.contains(it.key()))
                warnings.append(
                    QStringLiteral("%1: unknown key, kept but ignored").arg(join(path, it.key())));
        }
    }

    QJsonObject object(const QJsonObject &parent, const QString &key, const QString &path)
    {
        const QJsonValue value = parent.value(key);
        if (value.isUndefined())
            return {};
        if (!value.isObject()) {
            error(join(path, key),
                QStringLiteral("must be an object, not %1").arg(describeType(value)));
            return {};
        }
        return value.toObject();
    }

    QString string(const QJsonObject &parent, const QString &key, const QString &path,
        const QString &fallback, bool required = false)
    {
        const QJsonValue value = parent.value(key);
        if (value.isUndefined()) {
            if (required)
                error(join(path, key), QStringLiteral("is required"));
            return fallback;
        }
        if (!value.isString()) {
            error(join(path, key),
                QStringLiteral("must be a string, not %1").arg(describeType(value)));
            return fallback;
        }
        if (required && value.toString().isEmpty())
            error(join(path, key), QStringLiteral("must not be empty"));
        return value.toString();
    }

    qint64 integer(const QJsonObject &parent, const QString &key, const QString &path,
        qint64 fallback, qint64 minimum, qint64 maximum = std::numeric_limits<int>::max())
    {
        const QJsonValue value = parent.value(key);
        if (value.isUndefined())
            return fallback;
        const double number = value.toDouble(std::nan(""));
        if (!value.isDouble() || std::floor(number) != number) {
            error(join(path, key),
                QStringLiteral("must be a whole number, not %1").arg(describeType(value)));
            return fallback;
        }
        if (number < double(minimum)) {
            error(join(path, key), QStringLiteral("must be ≥ %1").arg(minimum));
            return fallback;
        }
        if (number > double(maximum)) {
            error(join(path, key), QStringLiteral("must be ≤ %1").arg(maximum));
            return fallback;
        }
        return qint64(number);
    }

    double number(const QJsonObject &parent, const QString &key, const QString &path,
        double fallback, double minimum, double maximum)
    {
        const QJsonValue value = parent.value(key);
        if (value.isUndefined())
            return fallback;
        if (!value.isDouble()) {
            error(join(path, key),
                QStringLiteral("must be a number, not %1").arg(describeType(value)));
            return fallback;
        }
        const double result = value.toDouble();
        if (result < minimum) {
            error(join(path, key), QStringLiteral("must be ≥ %1").arg(minimum));
            return fallback;
        }
        if (result > maximum) {
            error(join(path, key), QStringLiteral("must be ≤ %1").arg(maximum));
            return fallback;
        }
        return result;
    }

    QStringList stringList(const QJsonObject &parent, const QString &key, const QString &path)
    {
        const QJsonValue value = parent.value(key);
        if (value.isUndefined())
            return {};
        if (!value.isArray()) {
            error(join(path, key),
                QStringLiteral("must be an array of strings, not %1").arg(describeType(value)));
            return {};
        }
        QStringList result;
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (!array.at(i).isString()) {
                error(QStringLiteral("%1[%2]").arg(join(path, key)).arg(i),
                    QStringLiteral("must be a string, not %1").arg(describeType(array.at(i))));
                continue;
            }
            result.append(array.at(i).toString());
        }
        return result;
    }

    SecretRef secret(const QJsonObject &parent, const QString &key, const QString &path)
    {
        const QJsonValue value = parent.value(key);
        const QString where = join(path, key);
        if (value.isUndefined() || value.isNull())
            return {};
        if (value.isString()) {
            error(where,
                QStringLiteral("literal secrets are refused; use {\"keychain\": NAME} "
                               "or {\"env\": VARIABLE}"));
            return {};
        }
        if (!value.isObject()) {
            error(where,
                QStringLiteral("must be {\"keychain\": NAME} or {\"env\": VARIABLE}, not %1")
                    .arg(describeType(value)));
            return {};
        }
        const QJsonObject object = value.toObject();
        const bool hasKeychain = object.contains(QLatin1String("keychain"));
        const bool hasEnv = object.contains(QLatin1String("env"));
        if (object.size() != 1 || hasKeychain == hasEnv) {
            error(where, QStringLiteral("must have exactly one of \"keychain\" or \"env\""));
            return {};
        }
        SecretRef ref;
        ref.source = hasKeychain ? SecretRef::Source::Keychain : SecretRef::Source::Environment;
        ref.name = string(object, hasKeychain ? QStringLiteral("keychain") : QStringLiteral("env"),
            where, QString(), true);
        if (ref.name.isEmpty())
            return {};
        const QString namePath
            = join(where, hasKeychain ? QStringLiteral("keychain") : QStringLiteral("env"));
        // A key pasted where its name belongs would end up in the file, the UI and the logs.
        if (looksLikeAKey(ref.name)) {
            error(namePath,
                QStringLiteral("looks like a key itself; give the name of a keychain entry or "
                               "environment variable, and store the key with `switchyard keys "
                               "set NAME` or in the environment"));
            return {};
        }
        static const QRegularExpression variable(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
        if (hasKeychain && !SecretStore::isValidName(ref.name)) {
            error(namePath, QStringLiteral("must be 1 to 64 letters, digits, '.', '_' or '-'"));
            return {};
        }
        if (!hasKeychain && !variable.match(ref.name).hasMatch()) {
            error(namePath, QStringLiteral("is not an environment variable name"));
            return {};
        }
        return ref;
    }

    static bool looksLikeAKey(const QString &name)
    {
        static const QRegularExpression prefix(
            QStringLiteral("^(sk|pk|rk|gsk|xai|csk|nvapi|hf|key)[-_]"),
            QRegularExpression::CaseInsensitiveOption);
        if (prefix.match(name).hasMatch() || name.startsWith(QLatin1String("AIza")))
            return true;
        // Long, and a mix of letters and digits: a token, not a name anyone would pick.
        int digits = 0;
        int letters = 0;
        for (const QChar c : name) {
            digits += c.isDigit();
            letters += c.isLetter();
        }
        return name.size() >= 32 && digits >= 4 && letters >= 8;
    }
};

void readTimeouts(Reader &reader, const QJsonObject &route, const QString &path, Timeouts &timeouts)
{
    const QString here = join(path, QStringLiteral("timeouts_ms"));
    const QJsonObject object = reader.object(route, QStringLiteral("timeouts_ms"), path);
    reader.warnUnknownKeys(object, here, { "connect", "first_byte", "idle", "total" });
    timeouts.connectMs
        = int(reader.integer(object, QStringLiteral("connect"), here, timeouts.connectMs, 1));
    timeouts.firstByteMs
        = int(reader.integer(object, QStringLiteral("first_byte"), here, timeouts.firstByteMs, 1));
    timeouts.idleMs = int(reader.integer(object, QStringLiteral("idle"), here, timeouts.idleMs, 1));
    timeouts.totalMs
        = int(reader.integer(object, QStringLiteral("total"), here, timeouts.totalMs, 1));
}

void readBreaker(
    Reader &reader, const QJsonObject &route, const QString &path, BreakerSettings &breaker)
{
    const QString here = join(path, QStringLiteral("breaker"));
    const QJsonObject object = reader.object(route, QStringLiteral("breaker"), path);
    reader.warnUnknownKeys(object, here,
        { "window", "min_calls", "failure_rate", "consecutive_failures", "slow_call_ms",
            "slow_call_rate", "cooldown_ms", "max_cooldown_ms", "half_open_calls" });
    breaker.window
        = int(reader.integer(object, QStringLiteral("window"), here, breaker.window, 1, 10000));
    breaker.minCalls = int(
        reader.integer(object, QStringLiteral("min_calls"), here, breaker.minCalls, 1, 10000));
    breaker.failureRate = reader.number(
        object, QStringLiteral("failure_rate"), here, breaker.failureRate, 0.0, 1.0);
    breaker.consecutiveFailures = int(reader.integer(
        object, QStringLiteral("consecutive_failures"), here, breaker.consecutiveFailures, 1));
    breaker.slowCallMs
        = int(reader.integer(object, QStringLiteral("slow_call_ms"), here, breaker.slowCallMs, 1));
    breaker.slowCallRate = reader.number(
        object, QStringLiteral("slow_call_rate"), here, breaker.slowCallRate, 0.0, 1.0);
    breaker.cooldownMs
        = int(reader.integer(object, QStringLiteral("cooldown_ms"), here, breaker.cooldownMs, 1));
    breaker.maxCooldownMs = int(
        reader.integer(object, QStringLiteral("max_cooldown_ms"), here, breaker.maxCooldownMs, 1));
    breaker.halfOpenCalls = int(reader.integer(
        object, QStringLiteral("half_open_calls"), here, breaker.halfOpenCalls, 1, 1000));
    if (breaker.maxCooldownMs < breaker.cooldownMs)
        reader.error(
            join(here, QStringLiteral("max_cooldown_ms")), QStringLiteral("must be ≥ cooldown_ms"));
    if (breaker.minCalls > breaker.window)
        reader.error(join(here, QStringLiteral("min_calls")), QStringLiteral("must be ≤ window"));
}

void readRecovery(
    Reader &reader, const QJsonObject &route, const QString &path, RecoverySettings &recovery)
{
    const QString here = join(path, QStringLiteral("recovery"));
    const QJsonObject object = reader.object(route, QStringLiteral("recovery"), path);
    reader.warnUnknownKeys(object, here, { "steps", "step_ms" });
    recovery.stepMs
        = int(reader.integer(object, QStringLiteral("step_ms"), here, recovery.stepMs, 1));
    const QJsonValue steps = object.value(QLatin1String("steps"));
    if (steps.isUndefined())
        return;
    const QString stepsPath = join(here, QStringLiteral("steps"));
    if (!steps.isArray() || steps.toArray().isEmpty()) {
        reader.error(stepsPath, QStringLiteral("must be a non-empty array of fractions"));
        return;
    }
    QList<double> values;
    double previous = 0.0;
    const QJsonArray array = steps.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString itemPath = QStringLiteral("%1[%2]").arg(stepsPath).arg(i);
        const double value = array.at(i).toDouble(-1.0);
        if (!array.at(i).isDouble() || value <= 0.0 || value > 1.0) {
            reader.error(itemPath, QStringLiteral("must be a number in (0, 1]"));
            return;
        }
        if (value <= previous) {
            reader.error(itemPath, QStringLiteral("must be larger than the step before it"));
            return;
        }
        previous = value;
        values.append(value);
    }
    if (values.constLast() != 1.0)
        reader.error(stepsPath, QStringLiteral("must end with 1.0 (the full share)"));
    recovery.steps = values;
}

void readProbe(Reader &reader, const QJsonObject &route, const QString &path, ProbeSettings &probe)
{
    const QString here = join(path, QStringLiteral("probe"));
    const QJsonObject object = reader.object(route, QStringLiteral("probe"), path);
    reader.warnUnknownKeys(object, here, { "kind", "interval_ms", "timeout_ms" });
    probe.kind = reader.string(object, QStringLiteral("kind"), here, probe.kind);
    if (probe.kind != QLatin1String("models") && probe.kind != QLatin1String("completion"))
        reader.error(join(here, QStringLiteral("kind")),
            QStringLiteral("must be \"models\" or \"completion\""));
    probe.intervalMs
        = int(reader.integer(object, QStringLiteral("interval_ms"), here, probe.intervalMs, 100));
    probe.timeoutMs
        = int(reader.integer(object, QStringLiteral("timeout_ms"), here, probe.timeoutMs, 1));
}

void readSimulation(Reader &reader, const QJsonObject &provider, const QString &path,
    SimulationSettings &simulation)
{
    const QString here = join(path, QStringLiteral("simulation"));
    const QJsonObject object = reader.object(provider, QStringLiteral("simulation"), path);
    reader.warnUnknownKeys(object, here,
        { "latency_ms", "jitter_ms", "error_rate", "tokens_out", "stream_chunks", "cycle_s",
            "incidents" });
    simulation.latencyMs = int(reader.integer(
        object, QStringLiteral("latency_ms"), here, simulation.latencyMs, 0, 600000));
    simulation.jitterMs = int(
        reader.integer(object, QStringLiteral("jitter_ms"), here, simulation.jitterMs, 0, 600000));
    simulation.errorRate
        = reader.number(object, QStringLiteral("error_rate"), here, simulation.errorRate, 0.0, 1.0);
    simulation.tokensOut = int(reader.integer(
        object, QStringLiteral("tokens_out"), here, simulation.tokensOut, 1, 100000));
    simulation.streamChunks = int(reader.integer(
        object, QStringLiteral("stream_chunks"), here, simulation.streamChunks, 1, 1000));
    simulation.cycleS
        = int(reader.integer(object, QStringLiteral("cycle_s"), here, simulation.cycleS, 0, 86400));
    const QJsonValue incidents = object.value(QLatin1String("incidents"));
    if (incidents.isUndefined())
        return;
    if (!incidents.isArray()) {
        reader.error(join(here, QStringLiteral("incidents")), QStringLiteral("must be an array"));
        return;
    }
    static const QStringList faults { QStringLiteral("503"), QStringLiteral("429"),
        QStringLiteral("500"), QStringLiteral("timeout"), QStringLiteral("refused"),
        QStringLiteral("slow") };
    const QJsonArray array = incidents.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString itemPath = QStringLiteral("%1.incidents[%2]").arg(here).arg(i);
        const QJsonObject item = array.at(i).toObject();
        reader.warnUnknownKeys(
            item, itemPath, { "start_s", "end_s", "fault", "rate", "latency_ms" });
        SimulatedIncident incident;
        incident.startS
            = int(reader.integer(item, QStringLiteral("start_s"), itemPath, 0, 0, 86400));
        incident.endS = int(reader.integer(item, QStringLiteral("end_s"), itemPath, 0, 0, 86400));
        incident.fault = reader.string(item, QStringLiteral("fault"), itemPath, QString(), true);
        incident.rate = reader.number(item, QStringLiteral("rate"), itemPath, 1.0, 0.0, 1.0);
        incident.latencyMs
            = int(reader.integer(item, QStringLiteral("latency_ms"), itemPath, 0, 0, 600000));
        if (!incident.fault.isEmpty() && !faults.contains(incident.fault))
            reader.error(join(itemPath, QStringLiteral("fault")),
                QStringLiteral("must be one of %1").arg(faults.join(QLatin1String(", "))));
        if (incident.endS <= incident.startS)
            reader.error(
                join(itemPath, QStringLiteral("end_s")), QStringLiteral("must be after start_s"));
        simulation.incidents.append(incident);
    }
}

ProviderConfig readProvider(Reader &reader, const QString &name, const QJsonValue &value)
{
    const QString path = QStringLiteral("providers.") + name;
    ProviderConfig provider;
    provider.name = name;
    if (!value.isObject()) {
        reader.error(path, QStringLiteral("must be an object"));
        return provider;
    }
    const QJsonObject object = value.toObject();
    reader.warnUnknownKeys(object, path, { "kind", "base_url", "api_key", "simulation" });
    provider.kind = reader.string(object, QStringLiteral("kind"), path, provider.kind);
    const bool simulated = provider.kind == QLatin1String("simulated");
    if (provider.kind != QLatin1String("openai") && provider.kind != QLatin1String("anthropic")
        && !simulated)
        reader.error(join(path, QStringLiteral("kind")),
            QStringLiteral("unsupported provider kind '%1' (this build supports: openai, "
                           "anthropic, simulated)")
                .arg(provider.kind));
    if (simulated)
        readSimulation(reader, object, path, provider.simulation);
    // A simulated provider is served in-process; the engine gives it its address.
    const QString baseUrl
        = reader.string(object, QStringLiteral("base_url"), path, QString(), !simulated);
    if (!baseUrl.isEmpty()) {
        const QUrl url(baseUrl, QUrl::StrictMode);
        if (!url.isValid()
            || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))
            || url.host().isEmpty())
            reader.error(join(path, QStringLiteral("base_url")),
                QStringLiteral("must be an http:// or https:// URL"));
        else
            provider.baseUrl = url;
    }
    provider.apiKey = reader.secret(object, QStringLiteral("api_key"), path);
    return provider;
}

Capabilities readCapabilities(Reader &reader, const QJsonObject &object, const QString &path)
{
    if (!object.contains(QLatin1String("capabilities")))
        return unsigned(Capability::Tools) | unsigned(Capability::Json)
            | unsigned(Capability::Vision) | unsigned(Capability::Stream);
    Capabilities capabilities = 0;
    const QStringList names = reader.stringList(object, QStringLiteral("capabilities"), path);
    for (qsizetype i = 0; i < names.size(); ++i) {
        bool known = false;
        for (Capability capability : allCapabilities()) {
            if (capabilityName(capability) == names.at(i)) {
                capabilities |= unsigned(capability);
                known = true;
            }
        }
        if (!known)
            reader.error(QStringLiteral("%1.capabilities[%2]").arg(path).arg(i),
                QStringLiteral("unknown capability '%1' (known: %2)")
                    .arg(names.at(i), capabilityNames(~0u).join(QLatin1String(", "))));
    }
    return capabilities;
}

RouteConfig readRoute(Reader &reader, const QString &name, const QJsonValue &value)
{
    const QString path = QStringLiteral("routes.") + name;
    RouteConfig route;
    route.name = name;
    if (!value.isObject()) {
        reader.error(path, QStringLiteral("must be an object"));
        return route;
    }
    const QJsonObject object = value.toObject();
    reader.warnUnknownKeys(object, path,
        { "provider", "model", "capabilities", "context_window", "price", "timeouts_ms", "breaker",
            "recovery", "probe", "budget_usd_per_day", "max_tokens" });
    route.provider = reader.string(object, QStringLiteral("provider"), path, QString(), true);
    route.model = reader.string(object, QStringLiteral("model"), path, QString(), true);
    route.capabilities = readCapabilities(reader, object, path);
    route.contextWindow = reader.integer(object, QStringLiteral("context_window"), path, 0, 1,
        std::numeric_limits<qint64>::max() / 2);
    const QString pricePath = join(path, QStringLiteral("price"));
    const QJsonObject price = reader.object(object, QStringLiteral("price"), path);
    reader.warnUnknownKeys(price, pricePath, { "input_per_mtok", "output_per_mtok" });
    route.price.inputPerMTok
        = reader.number(price, QStringLiteral("input_per_mtok"), pricePath, 0.0, 0.0, 1e6);
    route.price.outputPerMTok
        = reader.number(price, QStringLiteral("output_per_mtok"), pricePath, 0.0, 0.0, 1e6);
    route.maxTokens
        = reader.integer(object, QStringLiteral("max_tokens"), path, route.maxTokens, 1, 10000000);
    readTimeouts(reader, object, path, route.timeouts);
    readBreaker(reader, object, path, route.breaker);
    readRecovery(reader, object, path, route.recovery);
    readProbe(reader, object, path, route.probe);
    route.budgetUsdPerDay
        = reader.number(object, QStringLiteral("budget_usd_per_day"), path, 0.0, 0.0, 1e9);
    return route;
}

LaneConfig readLane(Reader &reader, const QString &name, const QJsonValue &value)
{
    const QString path = QStringLiteral("lanes.") + name;
    LaneConfig lane;
    lane.name = name;
    if (!value.isObject()) {
        reader.error(path, QStringLiteral("must be an object"));
        return lane;
    }
    const QJsonObject object = value.toObject();
    reader.warnUnknownKeys(object, path,
        { "chain", "degraded", "policy_fallbacks", "retry", "deadline_ms", "budget_usd_per_day" });
    if (!object.contains(QLatin1String("chain")))
        reader.error(join(path, QStringLiteral("chain")), QStringLiteral("is required"));
    lane.chain = reader.stringList(object, QStringLiteral("chain"), path);
    if (object.value(QLatin1String("chain")).isArray() && lane.chain.isEmpty())
        reader.error(
            join(path, QStringLiteral("chain")), QStringLiteral("must name at least one route"));
    lane.degraded = reader.string(object, QStringLiteral("degraded"), path, QString());
    lane.policyFallbacks = reader.stringList(object, QStringLiteral("policy_fallbacks"), path);
    lane.deadlineMs
        = int(reader.integer(object, QStringLiteral("deadline_ms"), path, lane.deadlineMs, 1));
    lane.budgetUsdPerDay
        = reader.number(object, QStringLiteral("budget_usd_per_day"), path, 0.0, 0.0, 1e9);

    const QString retryPath = join(path, QStringLiteral("retry"));
    const QJsonObject retry = reader.object(object, QStringLiteral("retry"), path);
    reader.warnUnknownKeys(retry, retryPath,
        { "max_retries", "base_ms", "max_ms", "max_retry_after_ms", "budget_ratio",
            "budget_min_retries" });
    RetryPolicy &policy = lane.retry;
    policy.maxRetries = int(
        reader.integer(retry, QStringLiteral("max_retries"), retryPath, policy.maxRetries, 0, 10));
    policy.baseMs
        = int(reader.integer(retry, QStringLiteral("base_ms"), retryPath, policy.baseMs, 0));
    policy.maxMs = int(reader.integer(retry, QStringLiteral("max_ms"), retryPath, policy.maxMs, 0));
    policy.maxRetryAfterMs = int(reader.integer(
        retry, QStringLiteral("max_retry_after_ms"), retryPath, policy.maxRetryAfterMs, 0));
    policy.budgetRatio = reader.number(
        retry, QStringLiteral("budget_ratio"), retryPath, policy.budgetRatio, 0.0, 1.0);
    policy.budgetMinRetries = int(reader.integer(retry, QStringLiteral("budget_min_retries"),
        retryPath, policy.budgetMinRetries, 0, 100000));
    if (policy.maxMs < policy.baseMs)
        reader.error(
            join(retryPath, QStringLiteral("max_ms")), QStringLiteral("must be ≥ base_ms"));
    return lane;
}

void checkReferences(Reader &reader, Config &config)
{
    for (const RouteConfig &route : std::as_const(config.routes)) {
        if (!route.provider.isEmpty() && !config.providers.contains(route.provider))
            reader.error(QStringLiteral("routes.%1.provider").arg(route.name),
                QStringLiteral("unknown provider '%1'").arg(route.provider));
        if (config.lanes.contains(route.name))
            reader.error(QStringLiteral("routes.%1").arg(route.name),
                QStringLiteral(
                    "a lane has the same name; a request's model must pick one or the other"));
    }
    for (const LaneConfig &lane : std::as_const(config.lanes)) {
        const QString path = QStringLiteral("lanes.") + lane.name;
        QSet<QString> seen;
        for (qsizetype i = 0; i < lane.chain.size(); ++i) {
            const QString &route = lane.chain.at(i);
            const QString itemPath = QStringLiteral("%1.chain[%2]").arg(path).arg(i);
            if (!config.routes.contains(route))
                reader.error(itemPath, QStringLiteral("unknown route '%1'").arg(route));
            else if (seen.contains(route))
                reader.error(
                    itemPath, QStringLiteral("route '%1' is already in the chain").arg(route));
            seen.insert(route);
        }
        if (!lane.degraded.isEmpty() && !config.routes.contains(lane.degraded))
            reader.error(path + QStringLiteral(".degraded"),
                QStringLiteral("unknown route '%1'").arg(lane.degraded));
        for (qsizetype i = 0; i < lane.policyFallbacks.size(); ++i) {
            if (!config.routes.contains(lane.policyFallbacks.at(i)))
                reader.error(QStringLiteral("%1.policy_fallbacks[%2]").arg(path).arg(i),
                    QStringLiteral("unknown route '%1'").arg(lane.policyFallbacks.at(i)));
        }
    }
}

} // namespace

ConfigResult ConfigLoader::fromJson(const QByteArray &json)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        ConfigResult result;
        // Offsets are what a person can act on: give line and column, not a byte index.
        const QByteArray upTo = json.left(parseError.offset);
        const qsizetype line = upTo.count('\n') + 1;
        const qsizetype column = parseError.offset - (upTo.lastIndexOf('\n') + 1) + 1;
        result.errors.append(QStringLiteral("(document): not valid JSON at line %1, column %2: %3")
                                 .arg(line)
                                 .arg(column)
                                 .arg(parseError.errorString()));
        return result;
    }
    if (!document.isObject()) {
        ConfigResult result;
        result.errors.append(QStringLiteral("(document): must be a JSON object"));
        return result;
    }
    return fromObject(document.object());
}

ConfigResult ConfigLoader::fromObject(const QJsonObject &root)
{
    Reader reader;
    ConfigResult result;
    Config &config = result.config;
    config.source = root;

    reader.warnUnknownKeys(root, QString(),
        { "listen", "admin_token", "providers", "routes", "lanes", "default_lane", "unknown_model",
            "max_request_bytes", "traces", "allowed_hosts", "allowed_origins", "limits",
            "$schema" });

    const QString listen
        = reader.string(root, QStringLiteral("listen"), QString(), config.listenAddress());
    if (!parseListenAddress(listen, &config.listenHost, &config.listenPort))
        reader.error(QStringLiteral("listen"),
            QStringLiteral("must be HOST:PORT with an IP address or localhost"));
    config.adminToken = reader.secret(root, QStringLiteral("admin_token"), QString());
    config.maxRequestBytes = reader.integer(root, QStringLiteral("max_request_bytes"), QString(),
        config.maxRequestBytes, 1024, qint64(1) << 31);

    config.allowedHosts = reader.stringList(root, QStringLiteral("allowed_hosts"), QString());
    for (qsizetype i = 0; i < config.allowedHosts.size(); ++i) {
        const QString &host = config.allowedHosts.at(i);
        if (host.isEmpty() || host.contains(QLatin1Char('/')) || host.contains(QLatin1Char(' ')))
            reader.error(QStringLiteral("allowed_hosts[%1]").arg(i),
                QStringLiteral("must be a host name such as \"gateway.internal\""));
    }
    config.allowedOrigins = reader.stringList(root, QStringLiteral("allowed_origins"), QString());
    for (qsizetype i = 0; i < config.allowedOrigins.size(); ++i) {
        const QUrl origin(config.allowedOrigins.at(i), QUrl::StrictMode);
        const bool plain = origin.isValid() && !origin.host().isEmpty()
            && (origin.scheme() == QLatin1String("http")
                || origin.scheme() == QLatin1String("https"))
            && origin.path().isEmpty() && !origin.hasQuery() && !origin.hasFragment()
            && origin.userInfo().isEmpty();
        if (!plain)
            reader.error(QStringLiteral("allowed_origins[%1]").arg(i),
                QStringLiteral("must be an origin such as \"http://localhost:3000\" (scheme, "
                               "host and port only)"));
    }

    const QJsonObject limits = reader.object(root, QStringLiteral("limits"), QString());
    reader.warnUnknownKeys(limits, QStringLiteral("limits"),
        { "max_event_bytes", "max_pending_stream_bytes", "stalled_client_ms", "max_retry_after_ms",
            "max_head_bytes", "client_read_timeout_ms", "client_idle_timeout_ms" });
    config.limits.maxHeadBytes = reader.integer(limits, QStringLiteral("max_head_bytes"),
        QStringLiteral("limits"), config.limits.maxHeadBytes, 1024, 1024 * 1024);
    config.limits.clientReadTimeoutMs
        = int(reader.integer(limits, QStringLiteral("client_read_timeout_ms"),
            QStringLiteral("limits"), config.limits.clientReadTimeoutMs, 100, 3600 * 1000));
    config.limits.clientIdleTimeoutMs
        = int(reader.integer(limits, QStringLiteral("client_idle_timeout_ms"),
            QStringLiteral("limits"), config.limits.clientIdleTimeoutMs, 100, 24 * 3600 * 1000));
    config.limits.maxEventBytes = reader.integer(limits, QStringLiteral("max_event_bytes"),
        QStringLiteral("limits"), config.limits.maxEventBytes, 1024, qint64(256) << 20);
    config.limits.maxPendingStreamBytes = reader.integer(limits,
        QStringLiteral("max_pending_stream_bytes"), QStringLiteral("limits"),
        config.limits.maxPendingStreamBytes, 16 * 1024, qint64(1) << 30);
    config.limits.stalledClientMs = int(reader.integer(limits, QStringLiteral("stalled_client_ms"),
        QStringLiteral("limits"), config.limits.stalledClientMs, 100, 3600 * 1000));
    config.limits.maxRetryAfterMs = int(reader.integer(limits, QStringLiteral("max_retry_after_ms"),
        QStringLiteral("limits"), config.limits.maxRetryAfterMs, 0, 24 * 3600 * 1000));

    const QJsonObject traces = reader.object(root, QStringLiteral("traces"), QString());
    reader.warnUnknownKeys(traces, QStringLiteral("traces"), { "retention_hours", "max_count" });
    config.traceRetentionHours = int(reader.integer(traces, QStringLiteral("retention_hours"),
        QStringLiteral("traces"), config.traceRetentionHours, 1, 24 * 366));
    config.traceMaxCount = int(reader.integer(traces, QStringLiteral("max_count"),
        QStringLiteral("traces"), config.traceMaxCount, 100, 100000000));

    const QJsonObject providers = reader.object(root, QStringLiteral("providers"), QString());
    for (auto it = providers.begin(); it != providers.end(); ++it)
        config.providers.insert(it.key(), readProvider(reader, it.key(), it.value()));
    if (providers.isEmpty())
        reader.error(
            QStringLiteral("providers"), QStringLiteral("must define at least one provider"));

    const QJsonObject routes = reader.object(root, QStringLiteral("routes"), QString());
    for (auto it = routes.begin(); it != routes.end(); ++it)
        config.routes.insert(it.key(), readRoute(reader, it.key(), it.value()));
    if (routes.isEmpty())
        reader.error(QStringLiteral("routes"), QStringLiteral("must define at least one route"));

    const QJsonObject lanes = reader.object(root, QStringLiteral("lanes"), QString());
    for (auto it = lanes.begin(); it != lanes.end(); ++it)
        config.lanes.insert(it.key(), readLane(reader, it.key(), it.value()));
    if (lanes.isEmpty())
        reader.error(QStringLiteral("lanes"), QStringLiteral("must define at least one lane"));

    config.defaultLane = reader.string(root, QStringLiteral("default_lane"), QString(),
        lanes.size() == 1 ? lanes.begin().key() : QString());
    if (config.defaultLane.isEmpty() && lanes.size() > 1)
        reader.error(QStringLiteral("default_lane"),
            QStringLiteral("is required when there is more than one lane"));
    else if (!config.defaultLane.isEmpty() && !config.lanes.contains(config.defaultLane))
        reader.error(QStringLiteral("default_lane"),
            QStringLiteral("unknown lane '%1'").arg(config.defaultLane));

    const QString unknownModel
        = reader.string(root, QStringLiteral("unknown_model"), QString(), QStringLiteral("reject"));
    if (unknownModel == QLatin1String("default_lane"))
        config.unknownModel = UnknownModelPolicy::DefaultLane;
    else if (unknownModel != QLatin1String("reject"))
        reader.error(QStringLiteral("unknown_model"),
            QStringLiteral("must be \"reject\" or \"default_lane\""));

    checkReferences(reader, config);
    result.errors = reader.errors;
    result.warnings = reader.warnings;
    return result;
}

bool ConfigLoader::readFile(const QString &path, QByteArray *bytes, ConfigResult *failure)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        failure->errors.append(
            QStringLiteral("(file): cannot read %1: %2").arg(path, file.errorString()));
        return false;
    }
    *bytes = file.readAll();
    return true;
}

ConfigResult ConfigLoader::fromFile(const QString &path)
{
    QByteArray bytes;
    ConfigResult failure;
    if (!readFile(path, &bytes, &failure))
        return failure;
    return fromJson(bytes);
}

} // namespace Switchyard
