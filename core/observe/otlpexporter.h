#pragma once

#include "config/activeconfig.h"
#include "observe/trace.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QTimer>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;
class QProcessEnvironment;

namespace Switchyard {

// Sends the gateway's requests as OpenTelemetry spans to a collector over OTLP/HTTP (JSON): a
// server span per request and a client span per upstream attempt, with the GenAI semantic
// conventions' attributes where they exist (switchyard.* where they do not). Batched off the
// request path, one post at a time; a collector that is down or slow loses spans (counted),
// never a request. Hand-written over QNetworkAccessManager: Debian packages no OpenTelemetry
// C++ SDK, and OTLP's JSON form needs nothing else. Engine thread only.
class OtlpExporter final : public QObject {
    Q_OBJECT
public:
    static constexpr int FlushIntervalMs = 1000;
    static constexpr int SpansPerPost = 512;
    static constexpr int MaxQueuedSpans = 8192;
    static constexpr int PostTimeoutMs = 10000;
    static constexpr qint64 ReplyBufferBytes = 64 * 1024;

    struct Settings {
        QUrl tracesUrl; // where spans are posted (…/v1/traces); empty: export is off
        QList<QPair<QByteArray, QByteArray>> headers;
        double sampleRatio = 1.0;
        QString serviceInstance; // how the resource names this gateway

        bool enabled() const { return !tracesUrl.isEmpty(); }
    };

    // The file's settings (`telemetry`, its header values as read from their references in
    // `headerValues`) with the standard variables filling in what it leaves out:
    // OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (as is) or OTEL_EXPORTER_OTLP_ENDPOINT (+ /v1/traces),
    // OTEL_EXPORTER_OTLP_HEADERS and …_TRACES_HEADERS ("name=value,…"), OTEL_TRACES_SAMPLER_ARG
    // for a ratio sampler; OTEL_SDK_DISABLED=true turns export off. `error` says what is wrong.
    static Settings settingsFrom(const TelemetrySettings &telemetry,
        const QList<QByteArray> &headerValues, const QProcessEnvironment &environment,
        QString *error);

    explicit OtlpExporter(QObject *parent = nullptr);

    void configure(const Settings &settings);
    const Settings &settings() const { return m_settings; }

    // Queues the spans of a finished, sampled request; `active` names its routes' models and
    // providers.
    void add(const TraceRecord &trace, const ActiveConfig &active);
    // The spans of `trace` in OTLP's JSON form (resource and scope left to the post).
    static QJsonArray spansOf(const TraceRecord &trace, const ActiveConfig &active);

    quint64 exportedSpans() const { return m_exported; }
    quint64 droppedSpans() const { return m_dropped; }
    // Prometheus lines for the two counters.
    QByteArray metricsText() const;

Q_SIGNALS:
    // A post ended: taken by the collector (2xx) or not.
    void posted(bool ok);

private:
    void flush();
    QByteArray body(const QJsonArray &spans) const;

    Settings m_settings;
    QNetworkAccessManager *m_network = nullptr; // made with the first export, on this thread
    QNetworkReply *m_inFlight = nullptr;
    QJsonArray m_queue;
    QTimer m_flushTimer;
    quint64 m_exported = 0;
    quint64 m_dropped = 0;
    bool m_failing = false; // logged once when posts start failing, once when they work again
};

} // namespace Switchyard
