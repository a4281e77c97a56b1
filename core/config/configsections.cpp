#include "config/configsections.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QSet>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace Switchyard {

namespace {

void readTimeouts(
    JsonReader &reader, const QJsonObject &route, const QString &path, Timeouts &timeouts)
{
    const QString here = join(path, QStringLiteral("timeouts_ms"));
    const QJsonObject object = reader.object(route, QStringLiteral("timeouts_ms"), path);
    reader.checkKeys(object, here, QStringLiteral("routes.NAME.timeouts_ms"));
    timeouts.connectMs
        = int(reader.integer(object, QStringLiteral("connect"), here, timeouts.connectMs, 1));
    timeouts.firstByteMs
        = int(reader.integer(object, QStringLiteral("first_byte"), here, timeouts.firstByteMs, 1));
    timeouts.firstTokenMs = int(
        reader.integer(object, QStringLiteral("first_token"), here, timeouts.firstTokenMs, 1));
    timeouts.idleMs = int(reader.integer(object, QStringLiteral("idle"), here, timeouts.idleMs, 1));
    timeouts.totalMs
        = int(reader.integer(object, QStringLiteral("total"), here, timeouts.totalMs, 1));
}

void readBreaker(
    JsonReader &reader, const QJsonObject &route, const QString &path, BreakerSettings &breaker)
{
    const QString here = join(path, QStringLiteral("breaker"));
    const QJsonObject object = reader.object(route, QStringLiteral("breaker"), path);
    reader.checkKeys(object, here, QStringLiteral("routes.NAME.breaker"));
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
    JsonReader &reader, const QJsonObject &route, const QString &path, RecoverySettings &recovery)
{
    const QString here = join(path, QStringLiteral("recovery"));
    const QJsonObject object = reader.object(route, QStringLiteral("recovery"), path);
    reader.checkKeys(object, here, QStringLiteral("routes.NAME.recovery"));
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

void readProbe(
    JsonReader &reader, const QJsonObject &route, const QString &path, ProbeSettings &probe)
{
    const QString here = join(path, QStringLiteral("probe"));
    const QJsonObject object = reader.object(route, QStringLiteral("probe"), path);
    reader.checkKeys(object, here, QStringLiteral("routes.NAME.probe"));
    probe.kind = reader.string(object, QStringLiteral("kind"), here, probe.kind);
    if (probe.kind != QLatin1String("auto") && probe.kind != QLatin1String("models")
        && probe.kind != QLatin1String("completion"))
        reader.error(join(here, QStringLiteral("kind")),
            QStringLiteral("must be \"auto\", \"models\" or \"completion\""));
    probe.intervalMs
        = int(reader.integer(object, QStringLiteral("interval_ms"), here, probe.intervalMs, 100));
    probe.openIntervalMs = int(reader.integer(
        object, QStringLiteral("open_interval_ms"), here, probe.openIntervalMs, 100));
    probe.timeoutMs
        = int(reader.integer(object, QStringLiteral("timeout_ms"), here, probe.timeoutMs, 1));
}

void readSimulation(JsonReader &reader, const QJsonObject &provider, const QString &path,
    SimulationSettings &simulation)
{
    const QString here = join(path, QStringLiteral("simulation"));
    const QJsonObject object = reader.object(provider, QStringLiteral("simulation"), path);
    reader.checkKeys(object, here, QStringLiteral("providers.NAME.simulation"));
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
        reader.checkKeys(item, itemPath, QStringLiteral("providers.NAME.simulation.incidents[]"));
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

Capabilities readCapabilities(JsonReader &reader, const QJsonObject &object, const QString &path)
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

} // namespace

namespace {

// "tls": {"ca_file": PATH}. The file is read here, once, so a bad one is a configuration error
// (check-config finds it) and no request waits on a disk.
void readProviderTls(
    JsonReader &reader, const QJsonObject &object, const QString &path, ProviderConfig &provider)
{
    if (!object.contains(QLatin1String("tls")))
        return;
    const QString tlsPath = join(path, QStringLiteral("tls"));
    const QJsonObject tls = reader.object(object, QStringLiteral("tls"), path);
    reader.checkKeys(tls, tlsPath, QStringLiteral("providers.NAME.tls"));
    const QString caPath = join(tlsPath, QStringLiteral("ca_file"));
    const QString caFile = reader.string(tls, QStringLiteral("ca_file"), tlsPath, QString(), true);
    if (caFile.isEmpty()) {
        if (tls.contains(QLatin1String("ca_file")))
            reader.error(caPath, QStringLiteral("must name a file"));
        return;
    }
    if (provider.baseUrl.isValid() && provider.baseUrl.scheme() != QLatin1String("https")) {
        reader.error(caPath, QStringLiteral("applies only to an https:// base_url"));
        return;
    }
    // Absolute: the gateway, a service's working directory and check-config would each read
    // a relative path from somewhere else.
    if (!QDir::isAbsolutePath(caFile)) {
        reader.error(caPath, QStringLiteral("must be an absolute path (%1 is not)").arg(caFile));
        return;
    }
    provider.tls.caFile = caFile;
    if (!reader.readsFiles)
        return;

    // Opened without blocking and checked on the open descriptor: a FIFO would block the load
    // until somebody wrote to it (and a check of the path before the open could be overtaken),
    // a device could be endless. No bigger than any bundle of authorities is (Debian's whole
    // ca-certificates.crt is about 200 KiB).
    constexpr qint64 MaxCaFileBytes = 4 * 1024 * 1024;
    const auto tooLarge = [&] {
        reader.error(caPath,
            QStringLiteral(
                "%1 is larger than 4 MiB, more than any bundle of certificate authorities")
                .arg(caFile));
    };
    const int fd = ::open(QFile::encodeName(caFile).constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        reader.error(caPath,
            QStringLiteral("%1 cannot be read: %2")
                .arg(caFile, QString::fromLocal8Bit(strerror(errno))));
        return;
    }
    QFile file;
    if (!file.open(fd, QIODevice::ReadOnly, QFileDevice::AutoCloseHandle)) {
        ::close(fd);
        reader.error(caPath, QStringLiteral("%1 cannot be read").arg(caFile));
        return;
    }
    struct stat status { };
    if (::fstat(fd, &status) != 0 || !S_ISREG(status.st_mode)) {
        reader.error(caPath, QStringLiteral("%1 is not a file").arg(caFile));
        return;
    }
    if (status.st_size > MaxCaFileBytes) {
        tooLarge();
        return;
    }
    // Bounded again while reading: a /proc file says 0 bytes, a growing file says less than it
    // holds by the time it is read.
    const QByteArray pem = file.read(MaxCaFileBytes + 1);
    if (pem.size() > MaxCaFileBytes) {
        tooLarge();
        return;
    }
    const QList<QSslCertificate> certificates = QSslCertificate::fromData(pem, QSsl::Pem);
    if (certificates.isEmpty()) {
        reader.error(caPath,
            QStringLiteral("%1 holds no PEM certificate (\"-----BEGIN CERTIFICATE-----\")")
                .arg(caFile));
        return;
    }
    provider.tls.caCertificates = certificates;
    provider.tls.caDigest = ProviderTls::digestOf(certificates);
}

} // namespace

namespace {

// "api_key": one secret reference, or a pool of them, each with an optional label and weight.
void readProviderKeys(
    JsonReader &reader, const QJsonObject &object, const QString &path, ProviderConfig &provider)
{
    const QString where = join(path, QStringLiteral("api_key"));
    const QJsonValue value = object.value(QLatin1String("api_key"));
    if (value.isUndefined() || value.isNull())
        return;
    if (!value.isArray()) {
        const SecretRef ref = reader.secretValue(value, where);
        if (ref.isSet())
            provider.keys.append({ ref, ref.name, 1.0 });
        return;
    }
    const QJsonArray pool = value.toArray();
    if (pool.isEmpty()) {
        reader.error(where,
            QStringLiteral("names no key; leave api_key out for a provider that "
                           "needs none"));
        return;
    }
    if (pool.size() > MaxKeysPerProvider) {
        reader.error(where,
            QStringLiteral("has %1 keys; at most %2").arg(pool.size()).arg(MaxKeysPerProvider));
        return;
    }
    static const QStringList entryKeys { QStringLiteral("label"), QStringLiteral("weight") };
    for (qsizetype i = 0; i < pool.size(); ++i) {
        const QString entryPath = QStringLiteral("%1[%2]").arg(where).arg(i);
        if (pool.at(i).isObject())
            reader.checkKeys(
                pool.at(i).toObject(), entryPath, QStringLiteral("providers.NAME.api_key[]"));
        const SecretRef ref = reader.secretValue(pool.at(i), entryPath, entryKeys);
        if (!ref.isSet())
            continue;
        const QJsonObject entry = pool.at(i).toObject();
        ProviderKey key { ref, ref.name, 1.0 };
        key.label = reader.string(entry, QStringLiteral("label"), entryPath, ref.name);
        const QString labelPath = join(entryPath, QStringLiteral("label"));
        // The label names the key in traces, metrics and the console, so it must never be one.
        if (key.label.isEmpty() || key.label.size() > 64
            || std::any_of(key.label.cbegin(), key.label.cend(),
                [](QChar c) { return c.category() == QChar::Other_Control; }))
            reader.error(labelPath, QStringLiteral("must be 1 to 64 printable characters"));
        else if (JsonReader::looksLikeAKey(key.label))
            reader.error(labelPath,
                QStringLiteral("looks like a key itself; a label is shown in traces and metrics"));
        key.weight = reader.number(entry, QStringLiteral("weight"), entryPath, 1.0, 0.001, 1000.0);
        const auto same = std::find_if(provider.keys.cbegin(), provider.keys.cend(),
            [&key](const ProviderKey &other) { return other.label == key.label; });
        if (same != provider.keys.cend())
            reader.error(labelPath,
                QStringLiteral("'%1' names another key of this provider too; labels must differ")
                    .arg(key.label));
        else if (std::any_of(provider.keys.cbegin(), provider.keys.cend(),
                     [&key](const ProviderKey &other) { return other.ref == key.ref; }))
            reader.error(
                entryPath, QStringLiteral("%1 is already in this pool").arg(key.ref.describe()));
        else
            provider.keys.append(key);
    }
}

} // namespace

ProviderConfig readProvider(JsonReader &reader, const QString &name, const QJsonValue &value)
{
    const QString path = QStringLiteral("providers.") + name;
    ProviderConfig provider;
    provider.name = name;
    if (!value.isObject()) {
        reader.error(path, QStringLiteral("must be an object"));
        return provider;
    }
    const QJsonObject object = value.toObject();
    reader.checkKeys(object, path, QStringLiteral("providers.NAME"));
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
    else if (object.contains(QLatin1String("simulation")))
        reader.error(join(path, QStringLiteral("simulation")),
            QStringLiteral("applies only to \"kind\": \"simulated\" (this provider is %1)")
                .arg(provider.kind));
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
    readProviderKeys(reader, object, path, provider);
    readProviderTls(reader, object, path, provider);
    return provider;
}

RouteConfig readRoute(JsonReader &reader, const QString &name, const QJsonValue &value)
{
    const QString path = QStringLiteral("routes.") + name;
    RouteConfig route;
    route.name = name;
    if (!value.isObject()) {
        reader.error(path, QStringLiteral("must be an object"));
        return route;
    }
    const QJsonObject object = value.toObject();
    reader.checkKeys(object, path, QStringLiteral("routes.NAME"));
    route.provider = reader.string(object, QStringLiteral("provider"), path, QString(), true);
    route.model = reader.string(object, QStringLiteral("model"), path, QString(), true);
    route.capabilities = readCapabilities(reader, object, path);
    route.contextWindow = reader.integer(object, QStringLiteral("context_window"), path, 0, 1,
        std::numeric_limits<qint64>::max() / 2);
    const QString pricePath = join(path, QStringLiteral("price"));
    const QJsonObject price = reader.object(object, QStringLiteral("price"), path);
    reader.checkKeys(price, pricePath, QStringLiteral("routes.NAME.price"));
    route.price.inputPerMTok
        = reader.number(price, QStringLiteral("input_per_mtok"), pricePath, 0.0, 0.0, 1e6);
    route.price.outputPerMTok
        = reader.number(price, QStringLiteral("output_per_mtok"), pricePath, 0.0, 0.0, 1e6);
    route.price.cacheReadPerMTok
        = reader.number(price, QStringLiteral("cache_read_per_mtok"), pricePath, -1.0, 0.0, 1e6);
    route.price.cacheWritePerMTok
        = reader.number(price, QStringLiteral("cache_write_per_mtok"), pricePath, -1.0, 0.0, 1e6);
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

namespace {

void readHedge(
    JsonReader &reader, const QJsonObject &lane, const QString &lanePath, LaneConfig &config)
{
    const QString path = join(lanePath, QStringLiteral("hedge"));
    if (!lane.value(QLatin1String("hedge")).isObject()) {
        reader.error(path,
            QStringLiteral("must be an object such as {\"after_ms\": 2000} or "
                           "{\"percentile\": 95}"));
        return;
    }
    const QJsonObject hedge = lane.value(QLatin1String("hedge")).toObject();
    reader.checkKeys(hedge, path, QStringLiteral("lanes.NAME.hedge"));
    if (!hedge.contains(QLatin1String("after_ms")) && !hedge.contains(QLatin1String("percentile")))
        reader.error(path, QStringLiteral("needs \"after_ms\" or \"percentile\""));
    HedgeSettings &settings = config.hedge;
    // A percentile alone starts from two seconds until the route has figures of its own.
    settings.afterMs
        = int(reader.integer(hedge, QStringLiteral("after_ms"), path, 2000, 1, config.deadlineMs));
    settings.percentile = reader.number(hedge, QStringLiteral("percentile"), path, 0.0, 50.0, 99.9);
}

} // namespace

LaneConfig readLane(JsonReader &reader, const QString &name, const QJsonValue &value)
{
    const QString path = QStringLiteral("lanes.") + name;
    LaneConfig lane;
    lane.name = name;
    if (!value.isObject()) {
        reader.error(path, QStringLiteral("must be an object"));
        return lane;
    }
    const QJsonObject object = value.toObject();
    reader.checkKeys(object, path, QStringLiteral("lanes.NAME"));
    const QString continuation = reader.string(
        object, QStringLiteral("continuation"), path, continuationName(Continuation::Off));
    bool knownContinuation = false;
    for (Continuation candidate :
        { Continuation::Off, Continuation::Prefill, Continuation::Restart }) {
        if (continuationName(candidate) == continuation) {
            lane.continuation = candidate;
            knownContinuation = true;
        }
    }
    if (!knownContinuation)
        reader.error(join(path, QStringLiteral("continuation")),
            QStringLiteral("must be \"off\", \"prefill\" or \"restart\""));
    if (!object.contains(QLatin1String("chain")))
        reader.error(join(path, QStringLiteral("chain")), QStringLiteral("is required"));
    lane.chain = reader.stringList(object, QStringLiteral("chain"), path);
    if (object.value(QLatin1String("chain")).isArray() && lane.chain.isEmpty())
        reader.error(
            join(path, QStringLiteral("chain")), QStringLiteral("must name at least one route"));
    lane.degraded = reader.string(object, QStringLiteral("degraded"), path, QString());
    lane.policyFallbacks = reader.stringList(object, QStringLiteral("policy_fallbacks"), path);
    const QStringList models = reader.stringList(object, QStringLiteral("models"), path);
    for (qsizetype i = 0; i < models.size(); ++i) {
        QString error;
        if (std::optional<ModelPattern> pattern = ModelPattern::parse(models.at(i), &error))
            lane.models.append(*pattern);
        else
            reader.error(QStringLiteral("%1.models[%2]").arg(path).arg(i), error);
    }
    lane.deadlineMs
        = int(reader.integer(object, QStringLiteral("deadline_ms"), path, lane.deadlineMs, 1));
    lane.budgetUsdPerDay
        = reader.number(object, QStringLiteral("budget_usd_per_day"), path, 0.0, 0.0, 1e9);
    if (object.contains(QLatin1String("hedge")))
        readHedge(reader, object, path, lane);

    const QString retryPath = join(path, QStringLiteral("retry"));
    const QJsonObject retry = reader.object(object, QStringLiteral("retry"), path);
    reader.checkKeys(retry, retryPath, QStringLiteral("lanes.NAME.retry"));
    RetryPolicy &policy = lane.retry;
    policy.maxRetries = int(
        reader.integer(retry, QStringLiteral("max_retries"), retryPath, policy.maxRetries, 0, 10));
    policy.baseMs
        = int(reader.integer(retry, QStringLiteral("base_ms"), retryPath, policy.baseMs, 0));
    policy.maxMs = int(reader.integer(retry, QStringLiteral("max_ms"), retryPath, policy.maxMs, 0));
    policy.maxRetryAfterMs = int(reader.integer(
        retry, QStringLiteral("max_retry_after_ms"), retryPath, policy.maxRetryAfterMs, 0));
    policy.retrySilent
        = reader.boolean(retry, QStringLiteral("retry_silent"), retryPath, policy.retrySilent);
    policy.budgetRatio = reader.number(
        retry, QStringLiteral("budget_ratio"), retryPath, policy.budgetRatio, 0.0, 1.0);
    policy.budgetMinRetries = int(reader.integer(retry, QStringLiteral("budget_min_retries"),
        retryPath, policy.budgetMinRetries, 0, 100000));
    if (policy.maxMs < policy.baseMs)
        reader.error(
            join(retryPath, QStringLiteral("max_ms")), QStringLiteral("must be ≥ base_ms"));
    return lane;
}

} // namespace Switchyard
