#include "observe/otlpexporter.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcessEnvironment>

#include <cmath>

namespace Switchyard {

Q_LOGGING_CATEGORY(lcTelemetry, "switchyard.telemetry", QtInfoMsg)

namespace {

// Each attribute keeps one type whatever its value: a cost of 0 is still a double.
QJsonObject typedAttribute(const QString &key, const char *type, const QJsonValue &value)
{
    return { { QStringLiteral("key"), key },
        { QStringLiteral("value"), QJsonObject { { QLatin1String(type), value } } } };
}

QJsonObject attribute(const QString &key, const QString &value)
{
    return typedAttribute(key, "stringValue", value);
}

QJsonObject attribute(const QString &key, bool value)
{
    return typedAttribute(key, "boolValue", value);
}

// OTLP's JSON carries 64-bit integers as strings.
QJsonObject attribute(const QString &key, qint64 value)
{
    return typedAttribute(key, "intValue", QString::number(value));
}

QJsonObject attribute(const QString &key, int value)
{
    return attribute(key, qint64(value));
}

QJsonObject attribute(const QString &key, double value)
{
    return typedAttribute(key, "doubleValue", std::isfinite(value) ? value : 0.0);
}

QString nanos(qint64 ms)
{
    return QString::number(ms) + QStringLiteral("000000");
}

QString operationOf(const TraceRecord &trace)
{
    return trace.endpoint.contains(QLatin1String("embeddings")) ? QStringLiteral("embeddings")
                                                                : QStringLiteral("chat");
}

// OTLP's span kinds and status codes.
constexpr int ServerKind = 2;
constexpr int ClientKind = 3;
constexpr int ErrorStatus = 2;

QJsonObject errorStatus(const QString &message)
{
    return { { QStringLiteral("code"), ErrorStatus }, { QStringLiteral("message"), message } };
}

// "name=value,name2=value2" with percent-encoded values (OTEL_EXPORTER_OTLP_HEADERS).
QList<QPair<QByteArray, QByteArray>> parseHeaderList(const QString &text)
{
    QList<QPair<QByteArray, QByteArray>> headers;
    for (const QString &item : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const qsizetype equals = item.indexOf(QLatin1Char('='));
        if (equals <= 0)
            continue;
        headers.append({ item.left(equals).trimmed().toLatin1(),
            QByteArray::fromPercentEncoding(item.mid(equals + 1).trimmed().toUtf8()) });
    }
    return headers;
}

} // namespace

OtlpExporter::Settings OtlpExporter::settingsFrom(const TelemetrySettings &telemetry,
    const QList<QByteArray> &headerValues, const QProcessEnvironment &environment, QString *error)
{
    Settings settings;
    if (environment.value(QStringLiteral("OTEL_SDK_DISABLED")).trimmed().toLower()
        == QLatin1String("true"))
        return settings;
    QUrl url = telemetry.endpoint;
    bool signalSpecific = false;
    if (url.isEmpty()) {
        const QString traces
            = environment.value(QStringLiteral("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"));
        signalSpecific = !traces.isEmpty();
        url = QUrl(signalSpecific
                ? traces
                : environment.value(QStringLiteral("OTEL_EXPORTER_OTLP_ENDPOINT")),
            QUrl::StrictMode);
        if (!url.isEmpty()
            && (!url.isValid() || url.host().isEmpty() || !url.userInfo().isEmpty()
                || (url.scheme() != QLatin1String("http")
                    && url.scheme() != QLatin1String("https")))) {
            if (error)
                *error = QStringLiteral("OTEL_EXPORTER_OTLP_ENDPOINT is not an http(s) URL "
                                        "without a user or password; no spans are sent");
            return settings;
        }
    }
    if (url.isEmpty())
        return settings;
    // A base URL gets the traces path; a URL that names it already is taken as it is.
    if (!signalSpecific && !url.path().endsWith(QLatin1String("/v1/traces"))) {
        QString path = url.path();
        while (path.endsWith(QLatin1Char('/')))
            path.chop(1);
        url.setPath(path + QStringLiteral("/v1/traces"));
    }
    settings.tracesUrl = url;
    settings.headers
        = parseHeaderList(environment.value(QStringLiteral("OTEL_EXPORTER_OTLP_HEADERS")));
    settings.headers
        += parseHeaderList(environment.value(QStringLiteral("OTEL_EXPORTER_OTLP_TRACES_HEADERS")));
    for (qsizetype i = 0; i < telemetry.headers.size() && i < headerValues.size(); ++i)
        settings.headers.append({ telemetry.headers.at(i).first.toLatin1(), headerValues.at(i) });
    if (telemetry.sampleRatio >= 0.0) {
        settings.sampleRatio = telemetry.sampleRatio;
    } else if (environment.value(QStringLiteral("OTEL_TRACES_SAMPLER"))
                   .contains(QLatin1String("traceidratio"))) {
        bool ok = false;
        const double ratio
            = environment.value(QStringLiteral("OTEL_TRACES_SAMPLER_ARG")).toDouble(&ok);
        if (ok && ratio >= 0.0 && ratio <= 1.0)
            settings.sampleRatio = ratio;
    }
    return settings;
}

OtlpExporter::OtlpExporter(QObject *parent)
    : QObject(parent)
{
    m_flushTimer.setInterval(FlushIntervalMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &OtlpExporter::flush);
}

void OtlpExporter::configure(const Settings &settings)
{
    const bool moved = settings.tracesUrl != m_settings.tracesUrl;
    m_settings = settings;
    if (!settings.enabled()) {
        m_dropped += quint64(m_queue.size());
        m_queue = QJsonArray();
        m_flushTimer.stop();
        return;
    }
    if (moved)
        qCInfo(lcTelemetry).noquote()
            << QStringLiteral("sending OpenTelemetry spans to %1")
                   .arg(settings.tracesUrl.toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery));
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void OtlpExporter::add(const TraceRecord &trace, const ActiveConfig &active)
{
    if (!m_settings.enabled() || trace.traceId.isEmpty())
        return;
    const QJsonArray spans = spansOf(trace, active);
    for (const QJsonValue &span : spans) {
        if (m_queue.size() >= MaxQueuedSpans) {
            ++m_dropped; // a collector that cannot keep up loses spans, not memory
            continue;
        }
        m_queue.append(span);
    }
    if (m_queue.size() >= SpansPerPost)
        flush();
}

QJsonArray OtlpExporter::spansOf(const TraceRecord &trace, const ActiveConfig &active)
{
    const QString operation = operationOf(trace);
    QJsonArray spans;
    QJsonArray attributes { attribute(QStringLiteral("gen_ai.operation.name"), operation),
        attribute(QStringLiteral("switchyard.request.id"), trace.id),
        attribute(QStringLiteral("switchyard.api"), trace.endpoint),
        attribute(QStringLiteral("switchyard.lane"), trace.lane),
        attribute(QStringLiteral("switchyard.route"), trace.route),
        attribute(QStringLiteral("switchyard.failure_class"), failureClassName(trace.finalClass)),
        attribute(QStringLiteral("switchyard.fallback"), trace.fallback),
        attribute(QStringLiteral("switchyard.upstream_attempts"), trace.upstreamAttempts()),
        attribute(QStringLiteral("http.response.status_code"), trace.status),
        attribute(QStringLiteral("gen_ai.usage.input_tokens"), trace.tokensIn),
        attribute(QStringLiteral("gen_ai.usage.output_tokens"), trace.tokensOut),
        attribute(QStringLiteral("switchyard.cost_usd"), trace.costUsd) };
    if (trace.failed())
        attributes.append(
            attribute(QStringLiteral("error.type"), failureClassName(trace.finalClass)));
    QJsonArray events;
    for (const AttemptRecord &attempt : trace.attempts) {
        if (!attempt.skipped)
            continue;
        events.append(QJsonObject { { QStringLiteral("name"), QStringLiteral("route skipped") },
            { QStringLiteral("timeUnixNano"), nanos(trace.startedAtUtcMs + attempt.startMs) },
            { QStringLiteral("attributes"),
                QJsonArray { attribute(QStringLiteral("switchyard.route"), attempt.route),
                    attribute(QStringLiteral("switchyard.skip"), attempt.skip),
                    attribute(QStringLiteral("switchyard.reason"), attempt.reason) } } });
    }
    QJsonObject request { { QStringLiteral("traceId"), trace.traceId },
        { QStringLiteral("spanId"), trace.spanId },
        { QStringLiteral("name"), QStringLiteral("%1 %2").arg(operation, trace.lane) },
        { QStringLiteral("kind"), ServerKind },
        { QStringLiteral("startTimeUnixNano"), nanos(trace.startedAtUtcMs) },
        { QStringLiteral("endTimeUnixNano"), nanos(trace.startedAtUtcMs + trace.durationMs) },
        { QStringLiteral("attributes"), attributes } };
    if (!trace.parentSpanId.isEmpty())
        request.insert(QStringLiteral("parentSpanId"), trace.parentSpanId);
    if (!events.isEmpty())
        request.insert(QStringLiteral("events"), events);
    if (trace.failed())
        request.insert(QStringLiteral("status"), errorStatus(failureClassName(trace.finalClass)));
    spans.append(request);

    for (const AttemptRecord &attempt : trace.attempts) {
        if (attempt.skipped || attempt.spanId.isEmpty())
            continue;
        const auto route = active.config.routes.constFind(attempt.route);
        const QString model = route != active.config.routes.cend() ? route->model : QString();
        const QString provider = route != active.config.routes.cend()
            ? active.config.providers.value(route->provider).kind
            : QString();
        QJsonArray attemptAttributes { attribute(
                                           QStringLiteral("gen_ai.operation.name"), operation),
            attribute(QStringLiteral("gen_ai.provider.name"), provider),
            attribute(QStringLiteral("gen_ai.request.model"), model),
            attribute(QStringLiteral("switchyard.route"), attempt.route),
            attribute(
                QStringLiteral("switchyard.failure_class"), failureClassName(attempt.failureClass)),
            attribute(QStringLiteral("switchyard.decision"), decisionName(attempt.decision)),
            attribute(QStringLiteral("http.response.status_code"), attempt.httpStatus),
            attribute(QStringLiteral("gen_ai.usage.input_tokens"), attempt.tokensIn),
            attribute(QStringLiteral("gen_ai.usage.output_tokens"), attempt.tokensOut),
            attribute(QStringLiteral("switchyard.cost_usd"), attempt.costUsd) };
        if (!attempt.key.isEmpty())
            attemptAttributes.append(attribute(QStringLiteral("switchyard.key"), attempt.key));
        if (attempt.hedge)
            attemptAttributes.append(attribute(QStringLiteral("switchyard.hedge"), true));
        if (attempt.firstTokenMs >= 0)
            attemptAttributes.append(attribute(QStringLiteral("switchyard.first_token_ms"),
                attempt.firstTokenMs - attempt.startMs));
        const bool ok = attempt.failureClass == FailureClass::Ok;
        if (!ok)
            attemptAttributes.append(
                attribute(QStringLiteral("error.type"), failureClassName(attempt.failureClass)));
        QJsonObject span { { QStringLiteral("traceId"), trace.traceId },
            { QStringLiteral("spanId"), attempt.spanId },
            { QStringLiteral("parentSpanId"), trace.spanId },
            { QStringLiteral("name"),
                model.isEmpty() ? operation : QStringLiteral("%1 %2").arg(operation, model) },
            { QStringLiteral("kind"), ClientKind },
            { QStringLiteral("startTimeUnixNano"), nanos(trace.startedAtUtcMs + attempt.startMs) },
            { QStringLiteral("endTimeUnixNano"),
                nanos(trace.startedAtUtcMs + qMax(attempt.startMs, attempt.endMs)) },
            { QStringLiteral("attributes"), attemptAttributes } };
        if (!ok)
            span.insert(QStringLiteral("status"), errorStatus(attempt.reason));
        spans.append(span);
    }
    return spans;
}

QByteArray OtlpExporter::body(const QJsonArray &spans) const
{
    QJsonArray resource { attribute(QStringLiteral("service.name"), QStringLiteral("switchyard")),
        attribute(QStringLiteral("service.version"), QCoreApplication::applicationVersion()) };
    if (!m_settings.serviceInstance.isEmpty())
        resource.append(
            attribute(QStringLiteral("service.instance.id"), m_settings.serviceInstance));
    const QJsonObject scope { { QStringLiteral("name"), QStringLiteral("switchyard") },
        { QStringLiteral("version"), QCoreApplication::applicationVersion() } };
    const QJsonObject root { { QStringLiteral("resourceSpans"),
        QJsonArray { QJsonObject { { QStringLiteral("resource"),
                                       QJsonObject { { QStringLiteral("attributes"), resource } } },
            { QStringLiteral("scopeSpans"),
                QJsonArray { QJsonObject { { QStringLiteral("scope"), scope },
                    { QStringLiteral("spans"), spans } } } } } } } };
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

void OtlpExporter::flush()
{
    if (m_inFlight || m_queue.isEmpty() || !m_settings.enabled())
        return;
    QJsonArray batch;
    while (!m_queue.isEmpty() && batch.size() < SpansPerPost) {
        batch.append(m_queue.first());
        m_queue.removeFirst();
    }
    if (!m_network)
        m_network = new QNetworkAccessManager(this);
    QNetworkRequest request(m_settings.tracesUrl);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    for (const auto &[name, value] : std::as_const(m_settings.headers))
        request.setRawHeader(name, value);
    request.setTransferTimeout(PostTimeoutMs);
    request.setAttribute(
        QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    const quint64 count = quint64(batch.size());
    m_inFlight = m_network->post(request, body(batch));
    // Only the status matters: a collector that answers with a body without end fills this
    // buffer, stops being read, and is cut off by the transfer timeout, not held in memory.
    m_inFlight->setReadBufferSize(ReplyBufferBytes);
    connect(m_inFlight, &QNetworkReply::finished, this, [this, count] {
        QNetworkReply *reply = std::exchange(m_inFlight, nullptr);
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const bool ok = reply->error() == QNetworkReply::NoError && status >= 200 && status < 300;
        if (ok) {
            m_exported += count;
        } else {
            m_dropped += count; // not sent again: the next batch is already waiting
        }
        // The collector's host only: its headers may carry a token.
        if (!ok && !m_failing)
            qCWarning(lcTelemetry).noquote()
                << QStringLiteral("spans could not be sent to %1 (%2); they are dropped until it "
                                  "answers")
                       .arg(m_settings.tracesUrl.host(),
                           status > 0 ? QStringLiteral("HTTP %1").arg(status)
                                      : reply->errorString());
        else if (ok && m_failing)
            qCInfo(lcTelemetry).noquote()
                << QStringLiteral("spans reach %1 again").arg(m_settings.tracesUrl.host());
        m_failing = !ok;
        Q_EMIT posted(ok);
        if (m_queue.size() >= SpansPerPost)
            flush();
    });
}

QByteArray OtlpExporter::metricsText() const
{
    return "# HELP switchyard_otlp_spans_exported_total Spans an OpenTelemetry collector took.\n"
           "# TYPE switchyard_otlp_spans_exported_total counter\n"
           "switchyard_otlp_spans_exported_total "
        + QByteArray::number(m_exported)
        + "\n# HELP switchyard_otlp_spans_dropped_total Spans lost to a collector that was down, "
          "refused them or could not keep up.\n"
          "# TYPE switchyard_otlp_spans_dropped_total counter\n"
          "switchyard_otlp_spans_dropped_total "
        + QByteArray::number(m_dropped) + "\n";
}

} // namespace Switchyard
