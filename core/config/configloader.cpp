#include "config/configloader.h"

#include "config/configschema.h"
#include "config/configsections.h"
#include "config/jsonreader.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QRegularExpression>
#include <QSet>
#include <QUrl>

#include <optional>

namespace Switchyard {

namespace {

void checkReferences(JsonReader &reader, Config &config)
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
    QHash<QString, QString> listedBy; // a lane's `models` entry, and the lane
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
        for (qsizetype i = 0; i < lane.models.size(); ++i) {
            const QString &model = lane.models.at(i).text();
            const QString itemPath = QStringLiteral("%1.models[%2]").arg(path).arg(i);
            // A lane's or route's own name already picks it: listed here it would never apply.
            if (config.lanes.contains(model) || config.routes.contains(model))
                reader.error(itemPath,
                    QStringLiteral("'%1' is the name of a %2, which a request's model selects "
                                   "already")
                        .arg(model,
                            config.lanes.contains(model) ? QStringLiteral("lane")
                                                         : QStringLiteral("route")));
            else if (const QString other = listedBy.value(model); !other.isEmpty())
                reader.error(itemPath,
                    QStringLiteral("'%1' is listed by lane '%2' too; a model must pick one lane")
                        .arg(model, other));
            listedBy.insert(model, lane.name);
        }
        for (qsizetype i = 0; i < lane.policyFallbacks.size(); ++i) {
            if (!config.routes.contains(lane.policyFallbacks.at(i)))
                reader.error(QStringLiteral("%1.policy_fallbacks[%2]").arg(path).arg(i),
                    QStringLiteral("unknown route '%1'").arg(lane.policyFallbacks.at(i)));
        }
    }
}

// A route of `capabilities` ["embeddings"] answers only embedding requests; any other answers
// only chat. A chain that mixes the two sends each kind of request to routes that cannot answer.
void checkEndpoints(JsonReader &reader, const Config &config)
{
    const auto embeddingsOnly = [&config](const QString &name) {
        return config.routes.value(name).capabilities == unsigned(Capability::Embeddings);
    };
    for (const LaneConfig &lane : std::as_const(config.lanes)) {
        if (lane.chain.isEmpty() || !config.routes.contains(lane.chain.first()))
            continue;
        const QString &first = lane.chain.first();
        const bool embeddingLane = embeddingsOnly(first);
        QStringList members = lane.chain.mid(1);
        if (!lane.degraded.isEmpty())
            members.append(lane.degraded);
        for (qsizetype i = 0; i < members.size(); ++i) {
            const QString &name = members.at(i);
            if (!config.routes.contains(name) || embeddingsOnly(name) == embeddingLane)
                continue;
            const QString path = i < lane.chain.size() - 1
                ? QStringLiteral("lanes.%1.chain[%2]").arg(lane.name).arg(i + 1)
                : QStringLiteral("lanes.%1.degraded").arg(lane.name);
            reader.warnings.append(
                QStringLiteral("%1: route '%2' serves only %3 but the lane's first route, '%4', "
                               "serves %5: requests for one fail on the other")
                    .arg(path, name,
                        embeddingLane ? QStringLiteral("chat") : QStringLiteral("embeddings"),
                        first,
                        embeddingLane ? QStringLiteral("embeddings") : QStringLiteral("chat")));
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

namespace {

// A top-level section, its keys checked against the schema; nullopt when the file has none.
std::optional<QJsonObject> sectionOf(
    JsonReader &reader, const QJsonObject &root, const QString &name)
{
    if (!root.contains(name))
        return std::nullopt;
    const QJsonObject object = reader.object(root, name, QString());
    reader.checkKeys(object, name, name);
    return object;
}

// "alerts": {"webhook": {"env"|"keychain": NAME}, "on": ["breaker_opened", ...]}
void readAlerts(JsonReader &reader, const QJsonObject &root, AlertSettings *alerts)
{
    const std::optional<QJsonObject> section = sectionOf(reader, root, QStringLiteral("alerts"));
    if (!section)
        return;
    const QJsonObject &object = *section;
    if (object.value(QLatin1String("webhook")).isString()) {
        reader.error(QStringLiteral("alerts.webhook"),
            QStringLiteral("a webhook's URL carries its token: keep it in the environment or the "
                           "keychain, {\"env\": \"NAME\"} or {\"keychain\": \"NAME\"}"));
        return;
    }
    alerts->webhook = reader.secret(object, QStringLiteral("webhook"), QStringLiteral("alerts"));
    if (!alerts->webhook.isSet())
        reader.error(QStringLiteral("alerts.webhook"), QStringLiteral("is required"));
    const QStringList on
        = reader.stringList(object, QStringLiteral("on"), QStringLiteral("alerts"));
    for (qsizetype i = 0; i < on.size(); ++i) {
        const std::optional<AlertSettings::Event> event = AlertSettings::parseEvent(on.at(i));
        if (!event)
            reader.error(QStringLiteral("alerts.on[%1]").arg(i),
                QStringLiteral("unknown event '%1' (breaker_opened, lane_degraded, "
                               "lane_without_route, spend_cap)")
                    .arg(on.at(i).left(60)));
        else if (!alerts->on.contains(*event))
            alerts->on.append(*event);
    }
    if (on.isEmpty())
        alerts->on = { AlertSettings::Event::BreakerOpened, AlertSettings::Event::LaneDegraded,
            AlertSettings::Event::LaneWithoutRoute, AlertSettings::Event::SpendCap };
}

// "telemetry": {"otlp_endpoint": URL, "headers": {NAME: {"env"|"keychain": NAME}}, "sample_ratio":
// r}
void readTelemetry(JsonReader &reader, const QJsonObject &root, TelemetrySettings *telemetry)
{
    const QString path = QStringLiteral("telemetry");
    const std::optional<QJsonObject> section = sectionOf(reader, root, path);
    if (!section)
        return;
    const QJsonObject &object = *section;
    const QString endpoint
        = reader.string(object, QStringLiteral("otlp_endpoint"), path, QString());
    if (!endpoint.isEmpty()) {
        const QUrl url(endpoint, QUrl::StrictMode);
        if (!url.isValid() || url.host().isEmpty()
            || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
            reader.error(QStringLiteral("telemetry.otlp_endpoint"),
                QStringLiteral("must be an http:// or https:// URL, such as "
                               "http://127.0.0.1:4318"));
        else if (!url.userInfo().isEmpty())
            reader.error(QStringLiteral("telemetry.otlp_endpoint"),
                QStringLiteral("must not carry a user or password; give the collector's token in "
                               "telemetry.headers"));
        else
            telemetry->endpoint = url;
    }
    const QString headersPath = QStringLiteral("telemetry.headers");
    const QJsonObject headers = reader.object(object, QStringLiteral("headers"), path);
    static const QRegularExpression token(QStringLiteral("^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$"));
    constexpr int MaxHeaders = 32;
    int named = 0;
    for (auto it = headers.begin(); it != headers.end(); ++it) {
        // Only "//" notes: "x-…" is how many collectors name their token's header.
        if (it.key().startsWith(QLatin1String("//")))
            continue;
        if (!token.match(it.key()).hasMatch()) {
            reader.error(
                headersPath, QStringLiteral("'%1' is not a header name").arg(it.key().left(64)));
            continue;
        }
        if (it.value().isString()) {
            reader.error(QStringLiteral("%1.%2").arg(headersPath, it.key()),
                QStringLiteral("a collector's header may carry its token: keep the value in the "
                               "environment or the keychain, {\"env\": \"NAME\"} or "
                               "{\"keychain\": \"NAME\"}"));
            continue;
        }
        const SecretRef ref = reader.secret(headers, it.key(), headersPath);
        if (ref.isSet() && ++named <= MaxHeaders)
            telemetry->headers.append({ it.key(), ref });
    }
    if (named > MaxHeaders)
        reader.error(
            headersPath, QStringLiteral("names %1 headers; at most %2").arg(named).arg(MaxHeaders));
    telemetry->sampleRatio
        = reader.number(object, QStringLiteral("sample_ratio"), path, -1.0, 0.0, 1.0);
    if (!object.contains(QLatin1String("sample_ratio")))
        telemetry->sampleRatio = -1.0;
}

// "capture": {"bodies": "off"|"errors"|"all", "max_bytes": N, "retention_hours": H,
// "redact": [REGEX, ...]}
void readCapture(JsonReader &reader, const QJsonObject &root, CaptureSettings *capture)
{
    const QString path = QStringLiteral("capture");
    const std::optional<QJsonObject> section = sectionOf(reader, root, path);
    if (!section)
        return;
    const QJsonObject &object = *section;
    const QString bodies
        = reader.string(object, QStringLiteral("bodies"), path, captureModeName(CaptureMode::Off));
    bool known = false;
    for (CaptureMode mode : { CaptureMode::Off, CaptureMode::Errors, CaptureMode::All }) {
        if (bodies == captureModeName(mode)) {
            capture->bodies = mode;
            known = true;
        }
    }
    if (!known)
        reader.error(QStringLiteral("capture.bodies"),
            QStringLiteral("must be \"off\", \"errors\" or \"all\", not '%1'")
                .arg(bodies.left(64)));
    capture->maxBytes = reader.integer(object, QStringLiteral("max_bytes"), path,
        CaptureSettings::DefaultMaxBytes, 1024, CaptureSettings::MostMaxBytes);
    // A month at most: bodies are the most sensitive thing the gateway keeps.
    capture->retentionHours
        = int(reader.integer(object, QStringLiteral("retention_hours"), path, 24, 1, 24 * 31));
    const QStringList patterns = reader.stringList(object, QStringLiteral("redact"), path);
    if (patterns.size() > CaptureSettings::MaxRedactPatterns)
        reader.error(QStringLiteral("capture.redact"),
            QStringLiteral("names %1 patterns; at most %2")
                .arg(patterns.size())
                .arg(CaptureSettings::MaxRedactPatterns));
    for (qsizetype i = 0; i < patterns.size() && i < CaptureSettings::MaxRedactPatterns; ++i) {
        const QString where = QStringLiteral("capture.redact[%1]").arg(i);
        const QRegularExpression pattern(patterns.at(i));
        if (patterns.at(i).isEmpty() || patterns.at(i).size() > 1024)
            reader.error(
                where, QStringLiteral("must be a regular expression of 1 to 1024 characters"));
        else if (!pattern.isValid())
            reader.error(where,
                QStringLiteral("is not a regular expression: %1 at offset %2")
                    .arg(pattern.errorString())
                    .arg(pattern.patternErrorOffset()));
        else if (pattern.match(QString()).hasMatch())
            reader.error(where,
                QStringLiteral("matches the empty text, so it would blank nothing "
                               "or everything; make it match what is secret"));
        else
            capture->redactPatterns.append(patterns.at(i));
    }
}

// "cluster": {"redis": "redis://HOST:PORT/DB", "instance": NAME}
void readCluster(JsonReader &reader, const QJsonObject &root, ClusterSettings *cluster)
{
    const std::optional<QJsonObject> section = sectionOf(reader, root, QStringLiteral("cluster"));
    if (!section)
        return;
    const QJsonObject &object = *section;
    const QString text = reader.string(
        object, QStringLiteral("redis"), QStringLiteral("cluster"), QString(), true);
    cluster->instance
        = reader.string(object, QStringLiteral("instance"), QStringLiteral("cluster"), QString());
    if (cluster->instance.size() > 200
        || cluster->instance.contains(QRegularExpression(QStringLiteral("[\\s\\x00-\\x1f]"))))
        reader.error(QStringLiteral("cluster.instance"),
            QStringLiteral("must be a name of at most 200 characters without spaces"));
    if (text.isEmpty())
        return;
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || url.scheme() != QLatin1String("redis") || url.host().isEmpty()) {
        reader.error(QStringLiteral("cluster.redis"),
            QStringLiteral("must be redis://HOST:PORT/DB, such as redis://127.0.0.1:6379/0"));
        return;
    }
    if (!url.userInfo().isEmpty()) {
        // A password here would be a secret in the file, which the configuration never holds.
        reader.error(QStringLiteral("cluster.redis"),
            QStringLiteral("must not carry a user or password; secrets are never written in "
                           "the configuration (reach Redis on loopback or through a tunnel)"));
        return;
    }
    bool databaseOk = true;
    const QString path = url.path().mid(1);
    const int database = path.isEmpty() ? 0 : path.toInt(&databaseOk);
    if (!databaseOk || database < 0 || database > 15) {
        reader.error(QStringLiteral("cluster.redis"),
            QStringLiteral("the database after the port must be a number from 0 to 15"));
        return;
    }
    cluster->redisHost = url.host();
    cluster->redisPort = quint16(url.port(6379));
    cluster->redisDatabase = database;
}

// "tls": {"cert": PATH, "key": PATH}
void readTls(JsonReader &reader, const QJsonObject &root, TlsSettings *tls)
{
    const std::optional<QJsonObject> section = sectionOf(reader, root, QStringLiteral("tls"));
    if (!section)
        return;
    const QJsonObject &object = *section;
    const QString cert
        = reader.string(object, QStringLiteral("cert"), QStringLiteral("tls"), QString(), true);
    const QString key
        = reader.string(object, QStringLiteral("key"), QStringLiteral("tls"), QString(), true);
    if (cert.isEmpty() || key.isEmpty())
        return;
    bool ok = true;
    for (const auto &[name, path] :
        { std::pair { QStringLiteral("cert"), cert }, std::pair { QStringLiteral("key"), key } }) {
        if (reader.readsFiles && !QFileInfo(path).isReadable()) {
            reader.error(
                QStringLiteral("tls.") + name, QStringLiteral("%1 cannot be read").arg(path));
            ok = false;
        }
    }
    if (ok)
        *tls = TlsSettings { cert, key };
}

} // namespace

ConfigResult ConfigLoader::fromObject(const QJsonObject &root, Files files)
{
    JsonReader reader;
    reader.readsFiles = files == Files::Read;
    ConfigResult result;
    Config &config = result.config;
    config.source = root;

    reader.checkKeys(root, QString(), QString());

    const QString listen
        = reader.string(root, QStringLiteral("listen"), QString(), config.listenAddress());
    const bool listenParsed = parseListenAddress(listen, &config.listenHost, &config.listenPort);
    if (!listenParsed)
        reader.error(QStringLiteral("listen"),
            QStringLiteral("must be HOST:PORT with an IP address or localhost"));
    config.adminToken = reader.secret(root, QStringLiteral("admin_token"), QString());
    // The engine refuses such a start too (and a --listen that leads there); said here, a check
    // of the file finds it before the gateway does.
    if (listenParsed && config.exposesAdminWithoutToken())
        reader.error(QStringLiteral("admin_token"),
            QStringLiteral("is required when \"listen\" (%1) reaches beyond loopback: the admin "
                           "API drains routes and rewrites this file")
                .arg(config.listenAddress()));
    config.logLevel = reader.string(root, QStringLiteral("log_level"), QString(), QString());
    if (!config.logLevel.isEmpty() && !logLevelNames().contains(config.logLevel))
        reader.error(QStringLiteral("log_level"),
            QStringLiteral("must be one of %1").arg(logLevelNames().join(QLatin1String(", "))));
    config.maxRequestBytes = reader.integer(root, QStringLiteral("max_request_bytes"), QString(),
        config.maxRequestBytes, 1024, qint64(1) << 31);
    config.workers = int(reader.integer(
        root, QStringLiteral("workers"), QString(), config.workers, 0, Config::MaxWorkers));

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
    reader.checkKeys(limits, QStringLiteral("limits"), QStringLiteral("limits"));
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
    reader.checkKeys(traces, QStringLiteral("traces"), QStringLiteral("traces"));
    config.traceRetentionHours = int(reader.integer(traces, QStringLiteral("retention_hours"),
        QStringLiteral("traces"), config.traceRetentionHours, 1, 24 * 366));
    config.traceMaxCount = int(reader.integer(traces, QStringLiteral("max_count"),
        QStringLiteral("traces"), config.traceMaxCount, 100, 100000000));
    config.traceSuccessSampleRatio = reader.number(traces, QStringLiteral("success_sample_ratio"),
        QStringLiteral("traces"), config.traceSuccessSampleRatio, 0.0, 1.0);

    readCluster(reader, root, &config.cluster);
    readAlerts(reader, root, &config.alerts);
    readTelemetry(reader, root, &config.telemetry);
    readCapture(reader, root, &config.capture);
    readTls(reader, root, &config.tls);

    // Each of the three maps names its entries; a comment may stand among the names.
    const auto readNamed
        = [&reader, &root](const QString &map, const QString &what, auto read, auto *into) {
              const QJsonObject object = reader.object(root, map, QString());
              for (auto it = object.begin(); it != object.end(); ++it) {
                  if (!ConfigSchema::isNote(it.key()))
                      into->insert(it.key(), read(reader, it.key(), it.value()));
              }
              if (into->isEmpty())
                  reader.error(map, QStringLiteral("must define at least one %1").arg(what));
          };
    readNamed(
        QStringLiteral("providers"), QStringLiteral("provider"), readProvider, &config.providers);
    readNamed(QStringLiteral("routes"), QStringLiteral("route"), readRoute, &config.routes);
    readNamed(QStringLiteral("lanes"), QStringLiteral("lane"), readLane, &config.lanes);

    config.defaultLane = reader.string(root, QStringLiteral("default_lane"), QString(),
        config.lanes.size() == 1 ? config.lanes.firstKey() : QString());
    if (config.defaultLane.isEmpty() && config.lanes.size() > 1)
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
    checkEndpoints(reader, config);
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
