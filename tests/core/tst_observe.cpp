#include "observe/costledger.h"
#include "observe/incidentreport.h"
#include "observe/metrics.h"
#include "observe/otlpexporter.h"
#include "observe/redactor.h"
#include "observe/statehistory.h"
#include "observe/statusfigures.h"
#include "observe/tracecontext.h"
#include "observe/tracestore.h"
#include "observe/tracewriter.h"
#include "proxy/adminjson.h"
#include "proxy/proxyservice.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include "prometheuscheck.h"

using namespace Switchyard;

// The store answers reads later, in its thread; these wait for the answer in the event loop.
QList<TraceRecord> queried(TraceStore &store, const TraceQuery &query)
{
    std::optional<QList<TraceRecord>> answer;
    store.query(query, [&answer](const QList<TraceRecord> &traces) { answer = traces; });
    [[maybe_unused]] const bool answered
        = QTest::qWaitFor([&] { return answer.has_value(); }, 10000);
    return answer.value_or(QList<TraceRecord> {});
}

std::optional<TraceRecord> found(TraceStore &store, const QString &id)
{
    bool answered = false;
    std::optional<TraceRecord> answer;
    store.find(id, [&](const std::optional<TraceRecord> &trace) {
        answer = trace;
        answered = true;
    });
    [[maybe_unused]] const bool done = QTest::qWaitFor([&] { return answered; }, 10000);
    return answer;
}

std::pair<QList<StateEvent>, QList<CostPoint>> history(TraceStore &store, int events, qint64 since)
{
    std::optional<std::pair<QList<StateEvent>, QList<CostPoint>>> answer;
    store.readHistory(events, since, [&](const QList<StateEvent> &e, const QList<CostPoint> &c) {
        answer = std::make_pair(e, c);
    });
    [[maybe_unused]] const bool answered
        = QTest::qWaitFor([&] { return answer.has_value(); }, 10000);
    return answer.value_or(std::pair<QList<StateEvent>, QList<CostPoint>> {});
}
using Switchyard::Testing::prometheusProblem;

namespace {

TraceRecord makeTrace(const QString &id, const QString &lane, const QString &route,
    FailureClass finalClass, qint64 startedAt = 0)
{
    TraceRecord trace;
    trace.id = id;
    trace.lane = lane;
    trace.route = route;
    trace.finalClass = finalClass;
    trace.status = finalClass == FailureClass::Ok ? 200 : 502;
    trace.startedAtUtcMs = startedAt ? startedAt : QDateTime::currentMSecsSinceEpoch();
    trace.durationMs = 42;
    AttemptRecord attempt;
    attempt.route = route;
    attempt.failureClass = finalClass;
    attempt.httpStatus = trace.status;
    attempt.endMs = 42;
    trace.attempts.append(attempt);
    return trace;
}

// Opens `store` in `directory`, writing plain successes at `ratio` (traces.success_sample_ratio).
bool openSampling(TraceStore &store, const QString &directory, double ratio)
{
    QString error;
    if (!store.open(directory, &error)) {
        qWarning().noquote() << "the trace store does not open:" << error;
        return false;
    }
    TraceRetention retention;
    retention.successSampleRatio = ratio;
    store.setRetention(retention);
    return true;
}

qint64 at(int hour, int minute, int second)
{
    return QDateTime(QDate(2026, 11, 30), QTime(hour, minute, second), Qt::UTC).toMSecsSinceEpoch();
}

StateEvent routeEvent(qint64 atMs, const QString &route, BreakerState from, BreakerState to,
    const QString &reason, bool byOperator = false)
{
    return StateEvent { QDateTime::fromMSecsSinceEpoch(atMs, Qt::UTC), route, from, to, reason,
        byOperator };
}

// An attempt of a scripted request: ok, failed, or skipped.
AttemptRecord attemptOn(const QString &route, FailureClass failureClass, const QString &reason,
    int status = 200, const QString &skip = QString())
{
    AttemptRecord attempt;
    attempt.route = route;
    attempt.failureClass = failureClass;
    attempt.reason = reason;
    attempt.httpStatus = status;
    attempt.skipped = !skip.isEmpty();
    attempt.skip = skip;
    return attempt;
}

// The scripted incident the golden report tells: "primary" fails at 14:00:05 and opens, the
// operator drains it, then restores it in stages; "backup" serves meanwhile at a higher price.
struct ScriptedIncident {
    Config config;
    QList<StateEvent> events;
    QList<TraceRecord> traces;

    ScriptedIncident()
    {
        for (const auto &[name, in, out] : { std::tuple(QStringLiteral("primary"), 2.5, 10.0),
                 std::tuple(QStringLiteral("backup"), 3.0, 15.0) }) {
            RouteConfig route;
            route.name = name;
            route.price.inputPerMTok = in;
            route.price.outputPerMTok = out;
            config.routes.insert(name, route);
        }
        LaneConfig chat;
        chat.name = QStringLiteral("chat");
        chat.chain = { QStringLiteral("primary"), QStringLiteral("backup") };
        config.lanes.insert(chat.name, chat);

        StateEvent edit;
        edit.time = QDateTime::fromMSecsSinceEpoch(at(13, 50, 0), Qt::UTC);
        edit.kind = StateEvent::Kind::Config;
        edit.reason = QStringLiteral("Applied an edit from the console");
        events = { edit,
            routeEvent(at(14, 0, 5), QStringLiteral("primary"), BreakerState::Closed,
                BreakerState::Open, QStringLiteral("transient: HTTP 503 | overloaded")),
            routeEvent(at(14, 0, 35), QStringLiteral("primary"), BreakerState::Open,
                BreakerState::HalfOpen, QStringLiteral("cooldown over")),
            routeEvent(at(14, 0, 36), QStringLiteral("primary"), BreakerState::HalfOpen,
                BreakerState::Open, QStringLiteral("trial failed: HTTP 503")),
            routeEvent(at(14, 1, 0), QStringLiteral("primary"), BreakerState::Open,
                BreakerState::Drained, QStringLiteral("drained by operator"), true),
            routeEvent(at(14, 5, 0), QStringLiteral("primary"), BreakerState::Drained,
                BreakerState::Recovering, QStringLiteral("restored in stages by operator"), true),
            routeEvent(at(14, 7, 0), QStringLiteral("primary"), BreakerState::Recovering,
                BreakerState::Closed, QStringLiteral("recovery complete")) };

        const auto request = [this](const QString &id, qint64 startedAt) {
            TraceRecord trace;
            trace.id = id;
            trace.lane = QStringLiteral("chat");
            trace.startedAtUtcMs = startedAt;
            trace.durationMs = 800;
            trace.tokensIn = 1000;
            trace.tokensOut = 200;
            return trace;
        };
        // Before the incident: the primary answers.
        TraceRecord before = request(QStringLiteral("req_before"), at(13, 59, 0));
        before.route = QStringLiteral("primary");
        before.status = 200;
        before.attempts = { attemptOn(QStringLiteral("primary"), FailureClass::Ok, QString()) };
        before.costUsd = 0.0045;
        traces.append(before);
        // Its failure, retried on the backup.
        TraceRecord failover = request(QStringLiteral("req_failover"), at(14, 0, 5));
        failover.route = QStringLiteral("backup");
        failover.status = 200;
        failover.fallback = true;
        failover.attempts = { attemptOn(QStringLiteral("primary"), FailureClass::Transient,
                                  QStringLiteral("HTTP 503: overloaded"), 503),
            attemptOn(QStringLiteral("backup"), FailureClass::Ok, QString()) };
        failover.costUsd = failover.fallbackCostUsd = 0.006;
        traces.append(failover);
        // Three more on the backup while the primary is open: skipped, not failed.
        for (int i = 0; i < 3; ++i) {
            TraceRecord skipped = request(QStringLiteral("req_open_%1").arg(i), at(14, 2, 10 * i));
            skipped.route = QStringLiteral("backup");
            skipped.status = 200;
            skipped.fallback = true;
            skipped.attempts = { attemptOn(QStringLiteral("primary"), FailureClass::Transient,
                                     QStringLiteral("breaker open"), 0, QStringLiteral("drained")),
                attemptOn(QStringLiteral("backup"), FailureClass::Ok, QString()) };
            skipped.costUsd = skipped.fallbackCostUsd = 0.006;
            traces.append(skipped);
        }
        // One the backup failed too: the caller saw an error.
        TraceRecord lost = request(QStringLiteral("req_lost"), at(14, 3, 0));
        lost.route = QStringLiteral("backup");
        lost.status = 502;
        lost.finalClass = FailureClass::Transient;
        lost.fallback = true;
        lost.attempts = { attemptOn(QStringLiteral("primary"), FailureClass::Transient,
                              QStringLiteral("breaker open"), 0, QStringLiteral("drained")),
            attemptOn(QStringLiteral("backup"), FailureClass::Transient,
                QStringLiteral("HTTP 500: upstream error"), 500) };
        lost.tokensIn = lost.tokensOut = 0;
        traces.append(lost);
        // A caller's own mistake is not an error of the gateway's.
        TraceRecord mistake = request(QStringLiteral("req_mistake"), at(14, 4, 0));
        mistake.route = QStringLiteral("backup");
        mistake.status = 400;
        mistake.finalClass = FailureClass::CallerError;
        mistake.attempts = { attemptOn(QStringLiteral("backup"), FailureClass::CallerError,
            QStringLiteral("HTTP 400: bad request"), 400) };
        mistake.tokensIn = mistake.tokensOut = 0;
        traces.append(mistake);
    }
};

// `text` against the golden file `name`; with SWITCHYARD_UPDATE_GOLDEN=1, `text` becomes it.
bool matchesGolden(const QString &name, const QString &text, QString *problem)
{
    const QString path = QStringLiteral(SWITCHYARD_GOLDEN "/") + name;
    QFile file(path);
    if (qEnvironmentVariableIntValue("SWITCHYARD_UPDATE_GOLDEN") == 1) {
        if (!file.open(QIODevice::WriteOnly))
            return false;
        file.write(text.toUtf8());
        return true;
    }
    if (!file.open(QIODevice::ReadOnly)) {
        *problem = path + QStringLiteral(" is missing");
        return false;
    }
    const QStringList expected = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'));
    const QStringList actual = text.split(QLatin1Char('\n'));
    for (int i = 0; i < qMax(expected.size(), actual.size()); ++i) {
        if (expected.value(i) != actual.value(i)) {
            *problem = QStringLiteral("%1 line %2:\n  expected: %3\n  actual:   %4")
                           .arg(name)
                           .arg(i + 1)
                           .arg(expected.value(i), actual.value(i));
            return false;
        }
    }
    return true;
}

} // namespace

class ObserveTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void traceparentIsReadAsTheSpecificationSays_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<bool>("sampled");
        const QByteArray trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        const QByteArray span = "00f067aa0ba902b7";
        QTest::newRow("sampled") << "00-" + trace + "-" + span + "-01" << true << true;
        QTest::newRow("not sampled") << "00-" + trace + "-" + span + "-00" << true << false;
        QTest::newRow("other flags kept apart")
            << "00-" + trace + "-" + span + "-03" << true << true;
        QTest::newRow("surrounding spaces") << " 00-" + trace + "-" + span + "-01 " << true << true;
        QTest::newRow("a later version's extra field")
            << "01-" + trace + "-" + span + "-01-extra" << true << true;
        QTest::newRow("version 00 with more")
            << "00-" + trace + "-" + span + "-01-x" << false << false;
        QTest::newRow("version ff") << "ff-" + trace + "-" + span + "-01" << false << false;
        QTest::newRow("upper case")
            << "00-" + trace.toUpper() + "-" + span + "-01" << false << false;
        QTest::newRow("trace of zeros")
            << "00-" + QByteArray(32, '0') + "-" + span + "-01" << false << false;
        QTest::newRow("span of zeros")
            << "00-" + trace + "-" + QByteArray(16, '0') + "-01" << false << false;
        QTest::newRow("short") << "00-" + trace.left(31) + "-" + span + "-01" << false << false;
        QTest::newRow("not hex") << "00-" + trace.left(31) + "g-" + span + "-01" << false << false;
        QTest::newRow("empty") << QByteArray() << false << false;
    }

    void traceparentIsReadAsTheSpecificationSays()
    {
        QFETCH(QByteArray, header);
        QFETCH(bool, valid);
        QFETCH(bool, sampled);
        const std::optional<TraceContext> context = TraceContext::fromTraceparent(header);
        QCOMPARE(context.has_value(), valid);
        if (!valid) {
            // A new trace begins instead.
            const TraceContext fresh = TraceContext::begin(header, 1.0);
            QCOMPARE(fresh.traceId.size(), 32);
            QVERIFY(fresh.parentSpanId.isEmpty());
            return;
        }
        QCOMPARE(context->traceId, QStringLiteral("4bf92f3577b34da6a3ce929d0e0e4736"));
        QCOMPARE(context->parentSpanId, QStringLiteral("00f067aa0ba902b7"));
        QCOMPARE(context->sampled, sampled);
        QCOMPARE(context->traceparentFor(QStringLiteral("1111111111111111")),
            QByteArray("00-4bf92f3577b34da6a3ce929d0e0e4736-1111111111111111-")
                + (sampled ? "01" : "00"));
    }

    void aNewTraceIsSampledAtTheRatio()
    {
        int sampled = 0;
        for (int i = 0; i < 4000; ++i)
            sampled += TraceContext::begin({}, 0.25).sampled;
        QVERIFY2(sampled > 850 && sampled < 1150, qPrintable(QString::number(sampled)));
        QVERIFY(!TraceContext::begin({}, 0.0).sampled);
        QVERIFY(TraceContext::begin({}, 1.0).sampled);
        QVERIFY(TraceContext::newSpanId() != TraceContext::newSpanId());
    }

    void telemetrySettingsComeFromTheFileAndTheEnvironment()
    {
        QProcessEnvironment environment;
        TelemetrySettings none;
        QString error;
        QVERIFY(!OtlpExporter::settingsFrom(none, {}, environment, &error).enabled());

        environment.insert(QStringLiteral("OTEL_EXPORTER_OTLP_ENDPOINT"),
            QStringLiteral("http://collector:4318/"));
        environment.insert(QStringLiteral("OTEL_EXPORTER_OTLP_HEADERS"),
            QStringLiteral("api-key=abc%3D%3D, x-team = blue"));
        environment.insert(
            QStringLiteral("OTEL_TRACES_SAMPLER"), QStringLiteral("parentbased_traceidratio"));
        environment.insert(QStringLiteral("OTEL_TRACES_SAMPLER_ARG"), QStringLiteral("0.1"));
        OtlpExporter::Settings settings = OtlpExporter::settingsFrom(none, {}, environment, &error);
        QCOMPARE(settings.tracesUrl, QUrl(QStringLiteral("http://collector:4318/v1/traces")));
        QCOMPARE(settings.headers,
            (QList<QPair<QByteArray, QByteArray>> {
                { "api-key", "abc==" }, { "x-team", "blue" } }));
        QCOMPARE(settings.sampleRatio, 0.1);

        // The signal's own variable is taken as it is.
        environment.insert(QStringLiteral("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
            QStringLiteral("https://traces.example/ingest"));
        QCOMPARE(OtlpExporter::settingsFrom(none, {}, environment, &error).tracesUrl,
            QUrl(QStringLiteral("https://traces.example/ingest")));

        // The file wins where it speaks; its headers come after the environment's.
        TelemetrySettings file;
        file.endpoint = QUrl(QStringLiteral("http://127.0.0.1:4318"));
        file.headers = { { QStringLiteral("x-token"),
            { SecretRef::Source::Environment, QStringLiteral("T") } } };
        file.sampleRatio = 0.5;
        settings = OtlpExporter::settingsFrom(file, { "secret" }, environment, &error);
        QCOMPARE(settings.tracesUrl, QUrl(QStringLiteral("http://127.0.0.1:4318/v1/traces")));
        QCOMPARE(
            settings.headers.constLast(), (QPair<QByteArray, QByteArray> { "x-token", "secret" }));
        QCOMPARE(settings.sampleRatio, 0.5);

        environment.insert(QStringLiteral("OTEL_SDK_DISABLED"), QStringLiteral("true"));
        QVERIFY(!OtlpExporter::settingsFrom(file, { "secret" }, environment, &error).enabled());

        QProcessEnvironment bad;
        bad.insert(QStringLiteral("OTEL_EXPORTER_OTLP_ENDPOINT"), QStringLiteral("collector"));
        QVERIFY(!OtlpExporter::settingsFrom(none, {}, bad, &error).enabled());
        QVERIFY(error.contains(QStringLiteral("OTEL_EXPORTER_OTLP_ENDPOINT")));
    }

    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void incidentReportMatchesTheGoldenOne()
    {
        const ScriptedIncident incident;
        const auto [from, to] = IncidentReport::defaultRange(incident.events, at(14, 10, 0));
        QCOMPARE(from, at(13, 59, 5)); // a minute before the first breaker that opened
        QCOMPARE(to, at(14, 10, 0));
        IncidentReportBuilder builder(from, to, incident.config);
        for (const TraceRecord &trace : incident.traces)
            builder.addTrace(trace);
        for (const StateEvent &event : incident.events)
            builder.addEvent(event);
        const IncidentReport report = builder.finish();
        QCOMPARE(report.requests, 6); // the one before 14:00:05 is not in it
        QCOMPARE(report.failed, 1);
        QCOMPARE(report.fellBack, 5);
        QCOMPARE(report.operatorActions(), 2);
        QCOMPARE(report.events.size(), 6); // the edit at 13:50 is before the range
        QCOMPARE(report.reasons.size(), 2); // skipped routes are not failures
        QCOMPARE(report.errors.size(), 1);
        QCOMPARE(report.errors.first().id, QStringLiteral("req_lost"));
        // Each fallback answer cost 0.006 where the primary would have cost 0.0045.
        QVERIFY(qAbs(report.extraUsd - 4 * 0.0015) < 1e-9);

        QString problem;
        QVERIFY2(matchesGolden(QStringLiteral("incident.md"), report.toMarkdown(), &problem),
            qPrintable(problem));
        QVERIFY2(matchesGolden(QStringLiteral("incident.html"), report.toHtml(), &problem),
            qPrintable(problem));
    }

    void incidentReportReadsTheStoreAndMemoryOnce()
    {
        // Half the requests written to the database before a restart, half still in memory: each
        // is counted once, and the events come from both.
        const ScriptedIncident incident;
        QTemporaryDir dir;
        {
            TraceStore store;
            QString error;
            QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
            for (int i = 0; i < 4; ++i)
                store.append(incident.traces.at(i), {});
            for (int i = 0; i < 3; ++i)
                store.appendEvent(incident.events.at(i));
            store.flush();
        }
        TraceStore store;
        QString error;
        QVERIFY(store.open(dir.path(), &error));
        for (int i = 2; i < incident.traces.size(); ++i) // two of them again: the memory's copy
            store.append(incident.traces.at(i), {});
        std::optional<IncidentReport> report;
        store.readIncident(at(14, 0, 0), at(14, 10, 0), incident.config, incident.events.mid(3),
            [&report](const IncidentReport &read) { report = read; });
        QTRY_VERIFY(report.has_value());
        QCOMPARE(report->requests, 6);
        QCOMPARE(report->fellBack, 5);
        QVERIFY(!report->estimated); // nothing sampled
        QCOMPARE(report->events.size(), 6);
        QCOMPARE(report->events.first().to, BreakerState::Open);
        QCOMPARE(report->events.last().to, BreakerState::Closed);

        // A range with nothing in it.
        report.reset();
        store.readIncident(at(10, 0, 0), at(11, 0, 0), incident.config, {},
            [&report](const IncidentReport &read) { report = read; });
        QTRY_VERIFY(report.has_value());
        QCOMPARE(report->requests, 0);
        QVERIFY(report->toMarkdown().contains(QStringLiteral("No requests in this range.")));
    }

    void incidentReportStaysBounded()
    {
        // Thousands of distinct reasons and events: the report keeps what it shows.
        IncidentReportBuilder builder(0, std::numeric_limits<qint64>::max(), Config());
        for (int i = 0; i < 5000; ++i) {
            TraceRecord trace;
            trace.id = QStringLiteral("r%1").arg(i);
            trace.startedAtUtcMs = i + 1;
            trace.finalClass = FailureClass::Transient;
            trace.attempts = { attemptOn(QStringLiteral("x"), FailureClass::Transient,
                QStringLiteral("error %1").arg(i), 500) };
            builder.addTrace(trace);
            builder.addEvent(routeEvent(i + 1, QStringLiteral("x"), BreakerState::Closed,
                BreakerState::Open, QStringLiteral("e")));
        }
        const IncidentReport report = builder.finish();
        QCOMPARE(report.requests, 5000);
        QCOMPARE(report.errors.size(), IncidentReport::MaxErrors);
        QCOMPARE(report.reasons.size(), IncidentReport::MaxReasons);
        QCOMPARE(report.events.size(), IncidentReport::MaxEvents);
        QCOMPARE(report.eventsLeftOut, 5000 - IncidentReport::MaxEvents);
    }

    void stateHistoryDrawsWhatIsKnown()
    {
        StateHistory history;
        RouteSnapshot a;
        a.name = QStringLiteral("a");
        RouteSnapshot b;
        b.name = QStringLiteral("b");
        // The console saw the routes first at 14:00; a opened at 14:02 and closed at 14:05.
        history.setRoutes({ a, b }, at(14, 0, 0));
        history.addEvent(routeEvent(
            at(14, 2, 0), QStringLiteral("a"), BreakerState::Closed, BreakerState::Open, {}));
        history.addEvent(routeEvent(
            at(14, 5, 0), QStringLiteral("a"), BreakerState::Open, BreakerState::Closed, {}));
        // b's key refused from 14:03 until 14:04.
        b.misconfigured = QStringLiteral("no key");
        history.setRoutes({ a, b }, at(14, 3, 0));
        b.misconfigured.clear();
        history.setRoutes({ a, b }, at(14, 4, 0));

        const QList<StateHistory::RouteHistory> routes
            = history.routes(at(13, 58, 0), at(14, 10, 0));
        QCOMPARE(routes.size(), 2);
        using Segment = StateHistory::Segment;
        QCOMPARE(routes.at(0).segments,
            (QList<Segment> { { at(13, 58, 0), at(14, 0, 0), BreakerState::Closed, false, false },
                { at(14, 0, 0), at(14, 2, 0), BreakerState::Closed, false, true },
                { at(14, 2, 0), at(14, 5, 0), BreakerState::Open, false, true },
                { at(14, 5, 0), at(14, 10, 0), BreakerState::Closed, false, true } }));
        QCOMPARE(routes.at(1).segments,
            (QList<Segment> { { at(13, 58, 0), at(14, 0, 0), BreakerState::Closed, false, false },
                { at(14, 0, 0), at(14, 3, 0), BreakerState::Closed, false, true },
                { at(14, 3, 0), at(14, 4, 0), BreakerState::Closed, true, true },
                { at(14, 4, 0), at(14, 10, 0), BreakerState::Closed, false, true } }));
        // A range inside the open spell starts open.
        QCOMPARE(history.routes(at(14, 3, 0), at(14, 4, 0)).at(0).segments.first().state,
            BreakerState::Open);

        // Requests in 10-second buckets, summed into wider ones; a panic request is marked.
        TraceRecord ok = makeTrace(QStringLiteral("1"), QStringLiteral("l"), QStringLiteral("a"),
            FailureClass::Ok, at(14, 2, 1));
        TraceRecord failed = makeTrace(QStringLiteral("2"), QStringLiteral("l"),
            QStringLiteral("a"), FailureClass::Transient, at(14, 2, 15));
        failed.panic = true;
        history.addRequest(ok);
        history.addRequest(failed);
        // Known since the console watched (14:00), not only since the first request.
        QCOMPARE(history.trafficKnownSinceMs(), at(14, 0, 0));
        // One from the far future is not taken: it would push every real one out.
        TraceRecord future = ok;
        future.startedAtUtcMs = at(14, 4, 0) + qint64(48) * 3600 * 1000;
        history.addRequest(future);
        QCOMPARE(history.traffic(at(14, 2, 0), at(14, 3, 0), 30000).at(0).requests, 2);
        const QList<StateHistory::Traffic> traffic
            = history.traffic(at(14, 2, 0), at(14, 3, 0), 30000);
        QCOMPARE(traffic.size(), 2);
        QCOMPARE(traffic.at(0), (StateHistory::Traffic { at(14, 2, 0), 2, 1 }));
        QCOMPARE(traffic.at(1), (StateHistory::Traffic { at(14, 2, 30), 0, 0 }));
        QCOMPARE(history.routes(at(14, 0, 0), at(14, 10, 0)).at(0).panics,
            QList<qint64> { at(14, 2, 15) });

        // Bounded: a day of requests keeps 25 hours of buckets.
        for (int hour = 0; hour < 30; ++hour) {
            const qint64 now = at(14, 3, 0) + qint64(hour) * 3600000;
            history.setRoutes({ a, b }, now);
            history.addRequest(makeTrace(QStringLiteral("h"), QStringLiteral("l"),
                QStringLiteral("a"), FailureClass::Ok, now));
        }
        QVERIFY(history.traffic(at(14, 2, 0), at(14, 3, 0), 30000).at(0).requests == 0);
    }

    void incidentReportDefaultRange()
    {
        // No breaker opened: the last hour.
        QCOMPARE(IncidentReport::defaultRange({}, at(14, 0, 0)).first, at(13, 0, 0));
        // Two incidents: the second one's start, not the first's.
        const QList<StateEvent> events {
            routeEvent(
                at(12, 0, 0), QStringLiteral("a"), BreakerState::Closed, BreakerState::Open, {}),
            routeEvent(
                at(12, 1, 0), QStringLiteral("a"), BreakerState::Open, BreakerState::HalfOpen, {}),
            routeEvent(at(12, 2, 0), QStringLiteral("a"), BreakerState::HalfOpen,
                BreakerState::Closed, {}),
            routeEvent(at(12, 30, 0), QStringLiteral("b"), BreakerState::Closed,
                BreakerState::Drained, {}, true),
            routeEvent(
                at(13, 0, 0), QStringLiteral("a"), BreakerState::Closed, BreakerState::Open, {}),
            routeEvent(
                at(13, 0, 30), QStringLiteral("c"), BreakerState::Closed, BreakerState::Open, {}),
        };
        QCOMPARE(IncidentReport::defaultRange(events, at(14, 0, 0)).first, at(12, 59, 0));
    }

    void whatCountsAsAFailedRequest_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("failureClass");
        QTest::addColumn<bool>("failed");
        QTest::addColumn<bool>("endedInError");
        QTest::newRow("whole answer") << 200 << "ok" << false << false;
        QTest::newRow("stream broke after it started") << 200 << "mid_stream" << true << true;
        QTest::newRow("every route failed") << 502 << "transient" << true << true;
        QTest::newRow("rate limited") << 429 << "rate_limited" << true << true;
        QTest::newRow("spend cap") << 429 << "budget" << true << true;
        QTest::newRow("caller's own mistake") << 400 << "caller_error" << false << true;
        QTest::newRow("caller went away") << 200 << "cancelled" << false << true;
    }

    void whatCountsAsAFailedRequest()
    {
        QFETCH(int, status);
        QFETCH(QString, failureClass);
        QFETCH(bool, failed);
        QFETCH(bool, endedInError);
        TraceRecord trace;
        trace.status = status;
        trace.finalClass = parseFailureClass(failureClass).value();
        QCOMPARE(trace.failed(), failed);
        QCOMPARE(trace.endedInError(), endedInError);
    }

    void statusFiguresDecayWithTime()
    {
        StatusFigures figures;
        const qint64 t0 = 1'700'000'000'000;
        auto ended = [](qint64 atMs, FailureClass failureClass, bool panic = false) {
            TraceRecord trace;
            trace.startedAtUtcMs = atMs - 100;
            trace.durationMs = 100;
            trace.status
                = failureClass == FailureClass::Ok || failureClass == FailureClass::MidStream ? 200
                                                                                              : 502;
            trace.finalClass = failureClass;
            trace.panic = panic;
            return trace;
        };
        for (int i = 0; i < 8; ++i)
            figures.addRequest(ended(t0 - 20000 + i, FailureClass::Transient));
        figures.addRequest(ended(t0 - 1000, FailureClass::MidStream, true));
        figures.addRequest(ended(t0 - 500, FailureClass::Ok));
        // Out of order by a little: still counted where it belongs.
        figures.addRequest(ended(t0 - 30000, FailureClass::Ok));

        StatusFigures::Traffic now = figures.trafficAt(t0);
        QCOMPARE(now.requests, 11);
        QCOMPARE(now.failed, 9);
        QCOMPARE(now.panics, 1);
        QCOMPARE(now.requestsPerSecond, 0.2); // two in the last 10 s
        // Traffic stops: 45 s later the burst of failures is still in the minute...
        QCOMPARE(figures.trafficAt(t0 + 35000).failed, 9);
        QCOMPARE(figures.trafficAt(t0 + 35000).requestsPerSecond, 0.0);
        // ...a minute after it, it is gone, and nothing is claimed at all.
        now = figures.trafficAt(t0 + 59000);
        QCOMPARE(now.requests, 2);
        QCOMPARE(now.failed, 1);
        now = figures.trafficAt(t0 + 61000);
        QCOMPARE(now.requests, 0);
        QCOMPARE(now.errorShare(), 0.0);
    }

    void statusFiguresNameEveryRouteThatCannotServe()
    {
        auto route
            = [](const QString &name, BreakerState state, const QString &misconfigured = {}) {
                  RouteSnapshot snapshot;
                  snapshot.name = name;
                  snapshot.state = state;
                  snapshot.misconfigured = misconfigured;
                  return snapshot;
              };
        StatusFigures figures;
        figures.setRoutes({ route(QStringLiteral("fine"), BreakerState::Closed),
            route(QStringLiteral("nokey"), BreakerState::Closed, QStringLiteral("key missing")),
            route(QStringLiteral("nokey2"), BreakerState::Drilling, QStringLiteral("key missing")),
            route(QStringLiteral("down"), BreakerState::Open),
            route(QStringLiteral("back"), BreakerState::Recovering),
            route(QStringLiteral("trial"), BreakerState::HalfOpen),
            route(QStringLiteral("off"), BreakerState::Drained) });
        const QList<StatusFigures::Troubled> troubles = figures.troubles();
        QCOMPARE(troubles.size(), 5);
        QCOMPARE(troubles.at(0).trouble, StatusFigures::Trouble::Open);
        QCOMPARE(troubles.at(0).routes, QStringList { QStringLiteral("down") });
        QCOMPARE(troubles.at(1).trouble, StatusFigures::Trouble::HalfOpen);
        QCOMPARE(troubles.at(2).trouble, StatusFigures::Trouble::Misconfigured);
        QCOMPARE(troubles.at(2).routes,
            QStringList({ QStringLiteral("nokey"), QStringLiteral("nokey2") }));
        QCOMPARE(troubles.at(3).trouble, StatusFigures::Trouble::Recovering);
        QCOMPARE(troubles.at(4).trouble, StatusFigures::Trouble::Drained);
        figures.setRoutes({ route(QStringLiteral("fine"), BreakerState::Closed) });
        QVERIFY(figures.troubles().isEmpty());
    }

    void costArithmetic_data()
    {
        QTest::addColumn<qint64>("tokensIn");
        QTest::addColumn<qint64>("tokensOut");
        QTest::addColumn<double>("inputPerMTok");
        QTest::addColumn<double>("outputPerMTok");
        QTest::addColumn<double>("expected");
        QTest::newRow("gpt-4o prices") << qint64(1000) << qint64(500) << 2.50 << 10.00 << 0.0075;
        QTest::newRow("a million in") << qint64(1000000) << qint64(0) << 0.15 << 0.60 << 0.15;
        QTest::newRow("free local model") << qint64(5000) << qint64(5000) << 0.0 << 0.0 << 0.0;
        QTest::newRow("no tokens") << qint64(0) << qint64(0) << 3.0 << 15.0 << 0.0;
    }

    void costArithmetic()
    {
        // The proxy computes attempt.costUsd this way; the ledger adds it up per route and lane.
        QFETCH(qint64, tokensIn);
        QFETCH(qint64, tokensOut);
        QFETCH(double, inputPerMTok);
        QFETCH(double, outputPerMTok);
        QFETCH(double, expected);
        const double cost
            = (double(tokensIn) * inputPerMTok + double(tokensOut) * outputPerMTok) / 1e6;
        QVERIFY(qAbs(cost - expected) < 1e-12);
    }

    void ledgerSplitsFallbackSpend()
    {
        TraceRecord trace = makeTrace(QStringLiteral("t1"), QStringLiteral("main"),
            QStringLiteral("backup"), FailureClass::Ok, 1700000000000);
        trace.attempts.clear();
        AttemptRecord primary;
        primary.route = QStringLiteral("primary");
        primary.failureClass = FailureClass::MidStream;
        primary.tokensIn = 100;
        primary.costUsd = 0.25; // billed although it failed mid-stream
        AttemptRecord backup;
        backup.route = QStringLiteral("backup");
        backup.byFallback = true;
        backup.tokensIn = 100;
        backup.tokensOut = 50;
        backup.costUsd = 0.5;
        trace.attempts = { primary, backup };

        const QList<CostPoint> points = CostLedger::pointsOf(trace);
        QCOMPARE(points.size(), 2);
        CostLedger ledger;
        ledger.add(points);
        ledger.add(points);
        QCOMPARE(ledger.routeSpendOnDay(QStringLiteral("primary"), 1700000000000), 0.5);
        QCOMPARE(ledger.routeSpendOnDay(QStringLiteral("backup"), 1700000000000), 1.0);
        QCOMPARE(ledger.laneSpendOnDay(QStringLiteral("main"), 1700000000000), 1.5);
        const QList<CostPoint> minute = ledger.pointsSince(0);
        double fallback = 0;
        int requests = 0;
        for (const CostPoint &point : minute) {
            fallback += point.fallbackCostUsd;
            requests += point.requests;
            QCOMPARE(point.minuteUtcMs % CostLedger::MinuteMs, qint64(0));
        }
        QCOMPARE(fallback, 1.0);
        QCOMPARE(requests, 2); // counted once per request, for the serving route
    }

    void dailyCapsResetAtUtcMidnight()
    {
        const qint64 lateToday
            = QDateTime(QDate(2026, 11, 23), QTime(23, 59, 0), Qt::UTC).toMSecsSinceEpoch();
        const qint64 tomorrow
            = QDateTime(QDate(2026, 11, 24), QTime(0, 0, 30), Qt::UTC).toMSecsSinceEpoch();
        CostLedger ledger;
        ledger.add({ CostPoint { lateToday - lateToday % CostLedger::MinuteMs, QStringLiteral("l"),
            QStringLiteral("r"), 3.0 } });
        QCOMPARE(ledger.routeSpendOnDay(QStringLiteral("r"), lateToday), 3.0);
        QCOMPARE(ledger.routeSpendOnDay(QStringLiteral("r"), tomorrow), 0.0);
        // The engine keeps 25 hours of minutes: today's total stays whole.
        const qint64 earlyToday
            = QDateTime(QDate(2026, 11, 23), QTime(0, 10, 0), Qt::UTC).toMSecsSinceEpoch();
        ledger.add({ CostPoint { earlyToday - earlyToday % CostLedger::MinuteMs,
            QStringLiteral("l"), QStringLiteral("r"), 0.5 } });
        ledger.prune(lateToday - qint64(25) * 3600 * 1000);
        QCOMPARE(ledger.routeSpendOnDay(QStringLiteral("r"), lateToday), 3.5);
        QCOMPARE(ledger.laneSpendOnDay(QStringLiteral("l"), lateToday), 3.5);
        ledger.prune(tomorrow);
        QVERIFY(ledger.pointsSince(0).isEmpty());
        QCOMPARE(ledger.routeSpendOnDay(QStringLiteral("r"), lateToday), 0.0);
    }

    void storeRoundTripsAndFilters()
    {
        QTemporaryDir dir;
        {
            TraceStore store;
            QString error;
            QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
            store.append(makeTrace(QStringLiteral("a"), QStringLiteral("fast"),
                             QStringLiteral("r1"), FailureClass::Ok),
                {});
            store.append(makeTrace(QStringLiteral("b"), QStringLiteral("fast"),
                             QStringLiteral("r2"), FailureClass::Transient),
                {});
            store.append(makeTrace(QStringLiteral("c"), QStringLiteral("strong"),
                             QStringLiteral("r1"), FailureClass::Ok),
                {});
            StateEvent event { QDateTime::currentDateTimeUtc(), QStringLiteral("r2"),
                BreakerState::Closed, BreakerState::Open, QStringLiteral("5 consecutive failures"),
                false };
            store.appendEvent(event);
            store.append(makeTrace(QStringLiteral("d"), QStringLiteral("fast"),
                             QStringLiteral("r1"), FailureClass::Ok),
                { CostPoint { 60000, QStringLiteral("fast"), QStringLiteral("r1"), 0.5, 0.1, 10, 20,
                    1, 6, 2 } });
            store.flush();
            QCOMPARE(store.storedCount(), qint64(4));
        }
        TraceStore reopened; // nothing in memory: everything comes from the database
        QString error;
        QVERIFY(reopened.open(dir.path(), &error));
        QCOMPARE(queried(reopened, TraceQuery { 10 }).size(), 4);
        QCOMPARE(queried(reopened, TraceQuery { 10, QStringLiteral("fast") }).size(), 3);
        QCOMPARE(queried(reopened, TraceQuery { 10, QString(), QStringLiteral("r1") }).size(), 3);
        QCOMPARE(
            queried(reopened, TraceQuery { 10, QString(), QString(), QStringLiteral("transient") })
                .size(),
            1);
        QCOMPARE(queried(reopened, TraceQuery { 2 }).size(), 2);
        const std::optional<TraceRecord> b = found(reopened, QStringLiteral("b"));
        QVERIFY(b.has_value());
        QCOMPARE(b->route, QStringLiteral("r2"));
        QCOMPARE(b->attempts.size(), 1);
        QCOMPARE(b->attempts.first().failureClass, FailureClass::Transient);
        QVERIFY(!found(reopened, QStringLiteral("zzz")).has_value());
        const QList<StateEvent> events = history(reopened, 10, 0).first;
        QCOMPARE(events.size(), 1);
        QCOMPARE(events.first().to, BreakerState::Open);
        QCOMPARE(events.first().reason, QStringLiteral("5 consecutive failures"));
        const QList<CostPoint> spend = history(reopened, 0, 0).second;
        QCOMPARE(spend.size(), 1);
        QCOMPARE(spend.first().costUsd, 0.5);
        QCOMPARE(spend.first().tokensOut, qint64(20));
        QCOMPARE(spend.first().cacheReadTokens, qint64(6));
        QCOMPARE(spend.first().cacheWriteTokens, qint64(2));
    }

    // A request's id is its trace's key in the store: ids sort by the time they were made (so
    // the store's index grows at one end) and many of one millisecond are still all different.
    void requestIdsSortByTimeAndNeverMeet()
    {
        static const QRegularExpression shape(QStringLiteral("^req_[0-9a-f]{24}$"));
        const qint64 now = 1764547200123;
        QSet<QString> seen;
        for (int i = 0; i < 100000; ++i) {
            const QString id = requestIdAt(now);
            QVERIFY2(shape.match(id).hasMatch(), qPrintable(id));
            seen.insert(id);
        }
        QCOMPARE(seen.size(), 100000);
        for (const qint64 later : { now + 1, now + 1000, now + qint64(86400) * 1000 * 365 * 50 })
            QVERIFY(requestIdAt(now) < requestIdAt(later));
        QVERIFY(shape.match(newRequestId()).hasMatch());
    }

    // The store keeps every field a trace has, in the form it writes (CBOR) and in the JSON text
    // that earlier versions wrote; a damaged record reads as what survives of it, never a crash.
    void aStoredTraceKeepsEveryField()
    {
        TraceRecord trace = makeTrace(QStringLiteral("req_every"), QStringLiteral("fast"),
            QStringLiteral("r2"), FailureClass::Ok, 1764547200123);
        trace.endpoint = QStringLiteral("/v1/messages");
        trace.stream = trace.fallback = trace.degraded = trace.panic = true;
        trace.needs = unsigned(Capability::Tools) | unsigned(Capability::Vision);
        trace.estimatedTokens = 123456789012;
        trace.tokensIn = 7;
        trace.tokensOut = 9;
        trace.cacheReadTokens = 3;
        trace.cacheWriteTokens = 2;
        trace.costUsd = 0.1234567;
        trace.fallbackCostUsd = 0.000001;
        trace.traceId = QStringLiteral("4bf92f3577b34da6a3ce929d0e0e4736");
        trace.spanId = QStringLiteral("00f067aa0ba902b7");
        trace.parentSpanId = QStringLiteral("a3ce929d0e0e4736");
        AttemptRecord skipped
            = AttemptRecord::skippedRoute(QStringLiteral("r1"), FailureClass::Transient,
                QStringLiteral("breaker_open"), QStringLiteral("überlastet — 过载 \"quoted\""), 1);
        skipped.note = QStringLiteral("no hedge: budget");
        skipped.drill = true;
        AttemptRecord &answered = trace.attempts.first();
        answered.continuation = QStringLiteral("prefill");
        answered.hedge = answered.trial = answered.byFallback = true;
        answered.key = QStringLiteral("team-b");
        answered.spanId = QStringLiteral("b7ad6b7169203331");
        answered.connectedMs = 2;
        answered.firstByteMs = 30;
        answered.firstTokenMs = 31;
        answered.bytes = 4096;
        answered.tokensIn = 7;
        answered.tokensOut = 9;
        answered.cacheReadTokens = 3;
        answered.cacheWriteTokens = 2;
        answered.costUsd = 0.1234567;
        trace.attempts.prepend(skipped);
        const QJsonObject whole = trace.toJson();
        QCOMPARE(whole.value(QLatin1String("attempts")).toArray().size(), 2);

        QCOMPARE(TraceRecord::fromStoredForm(trace.storedForm()).toJson(), whole);
        QCOMPARE(TraceRecord::fromStoredForm(QJsonDocument(whole).toJson()).toJson(), whole);
        QTemporaryDir dir;
        {
            TraceStore store;
            QString error;
            QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
            store.append(trace, {});
            store.flush();
        }
        TraceStore reopened;
        QString error;
        QVERIFY(reopened.open(dir.path(), &error));
        const std::optional<TraceRecord> read = found(reopened, trace.id);
        QVERIFY(read.has_value());
        QCOMPARE(read->toJson(), whole);

        const QByteArray stored = trace.storedForm();
        for (qsizetype length = 0; length < stored.size(); ++length)
            QVERIFY(TraceRecord::fromStoredForm(stored.left(length)).attempts.size() <= 2);
        QVERIFY(TraceRecord::fromStoredForm(QByteArray("\xff\x00garbage", 9)).id.isEmpty());
    }

    // The store leaves out what a field's absence means anyway (no cache, no cost, a moment
    // that never came), and reads it back the same: an answer that connected at its very start
    // (0 ms) is not taken for one that never connected (-1).
    void aStoredTraceLeavesOutItsDefaults()
    {
        TraceRecord plain = makeTrace(QStringLiteral("req_plain"), QStringLiteral("main"),
            QStringLiteral("live"), FailureClass::Ok, 1764547200123);
        AttemptRecord &answered = plain.attempts.first();
        answered.connectedMs = 0;
        answered.firstByteMs = 0;
        QCOMPARE(answered.firstTokenMs, qint64(-1));
        AttemptRecord refused = AttemptRecord::skippedRoute(QStringLiteral("down"),
            FailureClass::Transient, QStringLiteral("breaker_open"), QString(), 0);
        plain.attempts.prepend(refused);
        QCOMPARE(plain.attempts.first().connectedMs, qint64(-1));

        const QByteArray stored = plain.storedForm();
        const TraceRecord read = TraceRecord::fromStoredForm(stored);
        QCOMPARE(read.toJson(), plain.toJson());
        QCOMPARE(read.attempts.at(1).connectedMs, qint64(0));
        QCOMPARE(read.attempts.at(1).firstTokenMs, qint64(-1));
        QCOMPARE(read.attempts.at(0).connectedMs, qint64(-1));
        for (const char *absent : { "cache_read_tokens", "cost_usd", "fallback_cost_usd", "reason",
                 "first_token_ms", "needs", "panic" })
            QVERIFY2(!stored.contains(absent), absent);
        QVERIFY(stored.contains("connected_ms"));
        // 248 bytes; with every field written, as before, it took more than twice as many.
        QVERIFY2(stored.size() < 300, QByteArray::number(stored.size()));
    }

    // traces.success_sample_ratio leaves out plain successes only, decided by the id; every
    // request's spend is written all the same.
    void plainSuccessesAreSampledTheRestAlwaysWritten()
    {
        TraceRecord retried = makeTrace(QStringLiteral("req_retried"), QStringLiteral("main"),
            QStringLiteral("live"), FailureClass::Ok);
        AttemptRecord first = retried.attempts.first();
        first.failureClass = FailureClass::Transient;
        retried.attempts.prepend(first);
        TraceRecord fellBack = makeTrace(QStringLiteral("req_fellback"), QStringLiteral("main"),
            QStringLiteral("spare"), FailureClass::Ok);
        fellBack.fallback = true;
        TraceRecord failed = makeTrace(QStringLiteral("req_failed"), QStringLiteral("main"),
            QStringLiteral("live"), FailureClass::Transient);
        TraceRecord degraded = makeTrace(QStringLiteral("req_degraded"), QStringLiteral("main"),
            QStringLiteral("live"), FailureClass::Ok);
        degraded.degraded = true;
        TraceRecord noted = makeTrace(QStringLiteral("req_noted"), QStringLiteral("main"),
            QStringLiteral("live"), FailureClass::Ok);
        noted.attempts.first().note = QStringLiteral("no hedge: the retry budget is spent");
        TraceRecord trial = makeTrace(QStringLiteral("req_trial"), QStringLiteral("main"),
            QStringLiteral("live"), FailureClass::Ok);
        trial.attempts.first().trial = true;
        for (const TraceRecord &kept : { retried, fellBack, failed, degraded, noted, trial }) {
            QVERIFY2(!kept.isPlainSuccess(), qPrintable(kept.id));
            QVERIFY(!TraceStore::sampled(kept.id, 0.0));
        }
        const TraceRecord plain = makeTrace(QStringLiteral("req_plain"), QStringLiteral("main"),
            QStringLiteral("live"), FailureClass::Ok);
        QVERIFY(plain.isPlainSuccess());

        int sampledOfThousand = 0;
        for (int i = 0; i < 1000; ++i) {
            const QString id = requestIdAt(1764547200000 + i);
            QCOMPARE(TraceStore::sampled(id, 0.25), TraceStore::sampled(id, 0.25));
            QVERIFY(TraceStore::sampled(id, 1.0));
            QVERIFY(!TraceStore::sampled(id, 0.0));
            sampledOfThousand += TraceStore::sampled(id, 0.25) ? 1 : 0;
        }
        QVERIFY2(sampledOfThousand > 150 && sampledOfThousand < 350,
            qPrintable(QString::number(sampledOfThousand)));

        QTemporaryDir dir;
        const qint64 minute = (QDateTime::currentMSecsSinceEpoch() / 60000) * 60000;
        const auto costing = [minute](const TraceRecord &trace) {
            CostPoint point;
            point.minuteUtcMs = minute;
            point.lane = trace.lane;
            point.route = trace.route;
            point.costUsd = 0.5;
            point.requests = 1;
            return QList<CostPoint> { point };
        };
        {
            TraceStore store;
            QVERIFY(openSampling(store, dir.path(), 0.0));
            for (const TraceRecord &trace : { plain, retried, fellBack, failed, degraded })
                store.append(trace, costing(trace));
            store.flush();
            QCOMPARE(store.storedCount(), qint64(4));
        }
        TraceStore reopened;
        QString error;
        QVERIFY(reopened.open(dir.path(), &error));
        QVERIFY(!found(reopened, plain.id).has_value());
        QVERIFY(found(reopened, failed.id).has_value());
        QVERIFY(found(reopened, retried.id).has_value());
        double spent = 0;
        int requests = 0;
        for (const CostPoint &point : history(reopened, 10, minute - 1).second) {
            spent += point.costUsd;
            requests += point.requests;
        }
        QCOMPARE(requests, 5); // the plain success's spend too
        QCOMPARE(spent, 2.5);
    }

    void anIncidentReportCountsWhatEachSampledSuccessStandsFor()
    {
        // Written at 0.25 and read back after a restart (nothing in memory): each plain success
        // kept stands for four, every failure for itself.
        QTemporaryDir dir;
        const qint64 start = at(14, 0, 0);
        int kept = 0;
        {
            TraceStore store;
            QVERIFY(openSampling(store, dir.path(), 0.25));
            for (int i = 0; i < 1000; ++i) {
                TraceRecord plain = makeTrace(requestIdAt(start + i), QStringLiteral("main"),
                    QStringLiteral("live"), FailureClass::Ok, start + i);
                plain.costUsd = 0.01;
                kept += TraceStore::sampled(plain.id, 0.25) ? 1 : 0;
                store.append(plain, {});
            }
            for (int i = 0; i < 10; ++i)
                store.append(
                    makeTrace(QStringLiteral("req_failed%1").arg(i), QStringLiteral("main"),
                        QStringLiteral("live"), FailureClass::Transient, start + 2000 + i),
                    {});
            store.flush();
            QCOMPARE(store.storedCount(), qint64(kept + 10));
        }
        TraceStore reopened;
        QString error;
        QVERIFY(reopened.open(dir.path(), &error));
        std::optional<IncidentReport> report;
        reopened.readIncident(start, start + 3000, Config(), {},
            [&report](const IncidentReport &read) { report = read; });
        QTRY_VERIFY(report.has_value());
        QCOMPARE(report->requests, 4 * kept + 10);
        QVERIFY2(report->requests > 800 && report->requests < 1250,
            qPrintable(QString::number(report->requests)));
        QCOMPARE(report->failed, 10);
        QCOMPARE(report->lanes.size(), 1);
        QCOMPARE(report->lanes.first().requests, report->requests);
        QVERIFY(qAbs(report->spendUsd - 4 * kept * 0.01) < 1e-9);
        QVERIFY(report->estimated);
        QVERIFY(report->toMarkdown().contains(QStringLiteral("only as a sample")));
        // And so it says through the admin API, to an attached console.
        QVERIFY(AdminJson::toIncident(AdminJson::fromIncident(*report)).estimated);

        // A weight on anything but a plain success (a damaged or forged row) is not believed.
        IncidentReportBuilder builder(0, std::numeric_limits<qint64>::max(), Config());
        TraceRecord forged = makeTrace(QStringLiteral("req_forged"), QStringLiteral("main"),
            QStringLiteral("live"), FailureClass::Transient, start);
        forged.sampleWeight = 50;
        builder.addTrace(forged);
        QCOMPARE(builder.finish().requests, 1);

        // Lanes of weighed counts add up to the total: three successes standing for 2.5 each are
        // 8 requests, and the lanes 3, 3 and 2 (each rounded alone, 3 + 3 + 3).
        IncidentReportBuilder lanes(0, std::numeric_limits<qint64>::max(), Config());
        for (const QString &lane :
            { QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c") }) {
            TraceRecord sampledSuccess = makeTrace(QStringLiteral("req_") + lane, lane,
                QStringLiteral("live"), FailureClass::Ok, start);
            sampledSuccess.sampleWeight = 2.5;
            lanes.addTrace(sampledSuccess);
        }
        const IncidentReport weighed = lanes.finish();
        QCOMPARE(weighed.requests, 8);
        int laneSum = 0;
        for (const IncidentReport::LaneFigures &lane : weighed.lanes)
            laneSum += lane.requests;
        QCOMPARE(laneSum, 8);

        // With no success kept in the stored part of the range (the ratio at 0), the report
        // still says its figures are estimates.
        {
            QTemporaryDir emptyDir;
            TraceStore none;
            QVERIFY(openSampling(none, emptyDir.path(), 0.0));
            none.append(makeTrace(QStringLiteral("req_x"), QStringLiteral("main"),
                            QStringLiteral("live"), FailureClass::Transient, start + 5000),
                {});
            std::optional<IncidentReport> failuresOnly;
            none.readIncident(start, start + 3000, Config(), {},
                [&failuresOnly](const IncidentReport &read) { failuresOnly = read; });
            QTRY_VERIFY(failuresOnly.has_value());
            QCOMPARE(failuresOnly->requests, 0);
            QVERIFY(failuresOnly->estimated); // before the store opened: memory cannot hold it
        }

        // Memory is complete only after the latest start it dropped: a long stream that outstays
        // shorter requests begun after it does not make the range before them look whole.
        {
            QTemporaryDir memoryDir;
            TraceStore store;
            QVERIFY(openSampling(store, memoryDir.path(), 0.5));
            const qint64 later = QDateTime::currentMSecsSinceEpoch() + 3600 * 1000;
            for (int i = 1; i <= TraceStore::RecentKept; ++i)
                store.append(makeTrace(QStringLiteral("req_short%1").arg(i), QStringLiteral("main"),
                                 QStringLiteral("live"), FailureClass::Transient, later + i),
                    {});
            store.append(makeTrace(QStringLiteral("req_long"), QStringLiteral("main"),
                             QStringLiteral("live"), FailureClass::Transient, later),
                {}); // drops the one that started at later + 1
            const auto estimatedFrom = [&store](qint64 from) {
                std::optional<IncidentReport> read;
                store.readIncident(from, from + 10000, Config(), {},
                    [&read](const IncidentReport &report) { read = report; });
                return QTest::qWaitFor([&read] { return read.has_value(); }) && read->estimated;
            };
            QVERIFY(estimatedFrom(later + 1)); // its successes may have been sampled out
            QVERIFY(!estimatedFrom(later + 2)); // every request since is in memory
        }

        // What a stored trace says it stands for is read back within bounds, whatever it says.
        TraceRecord sample = makeTrace(QStringLiteral("req_s"), QStringLiteral("main"),
            QStringLiteral("live"), FailureClass::Ok);
        sample.sampleWeight = 4;
        QCOMPARE(TraceRecord::fromStoredForm(sample.storedForm()).sampleWeight, 4.0);
        QCOMPARE(TraceRecord::fromStoredForm(TraceRecord().storedForm()).sampleWeight, 1.0);
        for (const double hostile : { -5.0, 0.0, 1e300, std::nan("") }) {
            QJsonObject json = sample.toJson();
            json.insert(QStringLiteral("sample_weight"), hostile);
            const double read = TraceRecord::fromJson(json).sampleWeight;
            QVERIFY2(read >= 1.0 && read <= TraceRecord::MaxSampleWeight,
                qPrintable(QString::number(read)));
        }
    }

    void retentionByCountAndAge()
    {
        QTemporaryDir dir;
        TraceStore store;
        QString error;
        QVERIFY(store.open(dir.path(), &error));
        store.setRetention(TraceRetention { qint64(3600) * 1000, 100 });
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        store.append(makeTrace(QStringLiteral("ancient"), QStringLiteral("l"), QStringLiteral("r"),
                         FailureClass::Ok, now - qint64(7200) * 1000),
            {});
        for (int i = 0; i < 250; ++i)
            store.append(makeTrace(QStringLiteral("t%1").arg(i), QStringLiteral("l"),
                             QStringLiteral("r"), FailureClass::Ok),
                {});
        store.flush(); // the overflow past 110% triggers retention at once
        QCOMPARE(store.storedCount(), qint64(100));
        TraceStore reader;
        QVERIFY(reader.open(dir.path(), &error));
        QVERIFY(!found(reader, QStringLiteral("ancient")).has_value());
        QVERIFY(!found(reader, QStringLiteral("t0")).has_value());
        QVERIFY(found(reader, QStringLiteral("t249")).has_value());
    }

    // Requests refused before routing (no lane) are kept apart from routed ones, the newest
    // TraceWriter::RefusedKept of them: a flood of refusals cannot push real traces out, and
    // the count of routed ones is what the retention says.
    void refusedRequestsAreKeptApart()
    {
        QTemporaryDir dir;
        TraceStore store;
        QString error;
        QVERIFY(store.open(dir.path(), &error));
        store.setRetention(TraceRetention { qint64(3600) * 1000, 100 });
        const auto routed = [](const QString &id) {
            return makeTrace(id, QStringLiteral("l"), QStringLiteral("r"), FailureClass::Ok);
        };
        for (int i = 0; i < 75; ++i)
            store.append(routed(QStringLiteral("early%1").arg(i)), {});
        const int refusals = TraceWriter::RefusedKept + 500;
        for (int i = 0; i < refusals; ++i)
            store.append(makeTrace(QStringLiteral("refused%1").arg(i), QString(), QString(),
                             FailureClass::CallerError),
                {});
        for (int i = 0; i < 75; ++i)
            store.append(routed(QStringLiteral("late%1").arg(i)), {});
        store.flush();
        QCOMPARE(store.storedCount(), qint64(100 + TraceWriter::RefusedKept));
        TraceStore reader;
        QVERIFY(reader.open(dir.path(), &error));
        QVERIFY(!found(reader, QStringLiteral("early49")).has_value());
        QVERIFY(found(reader, QStringLiteral("early50")).has_value());
        QVERIFY(found(reader, QStringLiteral("late74")).has_value());
        QVERIFY(!found(reader, QStringLiteral("refused499")).has_value());
        QVERIFY(found(reader, QStringLiteral("refused500")).has_value());
        QCOMPARE(queried(reader, TraceQuery { 1000, QStringLiteral("l") }).size(), 100);
    }

    // The journal's name comes from a configuration path, which may hold anything a file name
    // can: it stays one plain file in the traces folder, named so a person can find it, and two
    // paths never share one.
    void aJournalIsNamedSafelyAfterItsConfiguration_data()
    {
        QTest::addColumn<QString>("path");
        QTest::newRow("plain") << QStringLiteral("/etc/switchyard/work.json");
        QTest::newRow("climbing out") << QStringLiteral("/tmp/../../etc/passwd");
        QTest::newRow("spaces and quotes") << QStringLiteral("/home/a b/my \"team\" config.json");
        QTest::newRow("not latin") << QStringLiteral("/srv/конфиг/设置.json");
        QTest::newRow("a very long name") << QStringLiteral("/x/") + QString(5000, u'n');
        QTest::newRow("only a dot") << QStringLiteral("/x/.json");
        QTest::newRow("a folder") << QStringLiteral("/tmp/");
    }

    void aJournalIsNamedSafelyAfterItsConfiguration()
    {
        QFETCH(QString, path);
        const QString name = TraceStore::fileNameFor(path);
        static const QRegularExpression safe(
            QStringLiteral("^[A-Za-z0-9_-]{0,40}-[0-9a-f]{8}\\.sqlite$"));
        QVERIFY2(safe.match(name).hasMatch(), qPrintable(name));
        QVERIFY(name != TraceStore::fileNameFor(path + QStringLiteral("x")));
        QCOMPARE(TraceStore::fileNameFor(QString()), QStringLiteral("demo.sqlite"));
    }

    // A journal that moves to another file sets the retention before it opens the store: the
    // store keeps it for the writer it makes.
    void retentionSetBeforeOpeningApplies()
    {
        QTemporaryDir dir;
        TraceStore store;
        store.setRetention(TraceRetention { qint64(3600) * 1000, 100 });
        QString error;
        QVERIFY(store.open(dir.path(), &error, QStringLiteral("own-0123abcd.sqlite")));
        for (int i = 0; i < 250; ++i)
            store.append(makeTrace(QStringLiteral("t%1").arg(i), QStringLiteral("l"),
                             QStringLiteral("r"), FailureClass::Ok),
                {});
        store.flush();
        QCOMPARE(store.storedCount(), qint64(100));
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral("own-0123abcd.sqlite"))));
    }

    // Reads still out when the store is retired are answered, in this thread, before it goes.
    void aRetiredStoreAnswersTheReadsItWasAsked()
    {
        QTemporaryDir dir;
        auto *store = new TraceStore;
        QString error;
        QVERIFY(store->open(dir.path(), &error));
        store->append(makeTrace(QStringLiteral("kept"), QStringLiteral("l"), QStringLiteral("r"),
                          FailureClass::Ok),
            {});
        store->flush();
        QPointer<TraceStore> watched(store);
        int answered = 0;
        Qt::HANDLE answeredOn = nullptr;
        for (int i = 0; i < 3; ++i)
            store->find(QStringLiteral("kept"), [&](const std::optional<TraceRecord> &trace) {
                answered += trace.has_value() ? 1 : 0;
                answeredOn = QThread::currentThreadId();
            });
        store->deleteWhenIdle();
        QVERIFY(watched); // not while reads are out
        QTRY_COMPARE(answered, 3);
        QCOMPARE(answeredOn, QThread::currentThreadId());
        QTRY_VERIFY(!watched);
    }

    void olderSchemaIsMigrated()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("traces.sqlite"));
        {
            // A database as the first release wrote it: schema version 1, one trace.
            QSqlDatabase db
                = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("v1"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery query(db);
            QVERIFY(query.exec(
                QStringLiteral("CREATE TABLE traces (id TEXT PRIMARY KEY, started_at INTEGER NOT "
                               "NULL, lane TEXT, route TEXT, class TEXT, "
                               "status INTEGER, fallback INTEGER, duration_ms INTEGER, cost_usd "
                               "REAL, fallback_cost_usd REAL, "
                               "tokens_in INTEGER, tokens_out INTEGER, detail TEXT NOT NULL)")));
            QVERIFY(
                query.exec(QStringLiteral("CREATE INDEX traces_started_at ON traces(started_at)")));
            QVERIFY(query.exec(QStringLiteral(
                "INSERT INTO traces (id, started_at, lane, route, class, detail) VALUES "
                "('old', 1, 'l', 'r', 'ok', '{\"id\":\"old\",\"route\":\"r\"}')")));
            // A refused request as early versions may have kept it: no lane at all.
            QVERIFY(query.exec(QStringLiteral(
                "INSERT INTO traces (id, started_at, lane, route, class, detail) VALUES "
                "('refused', 2, NULL, NULL, 'caller_error', '{\"id\":\"refused\"}')")));
            QVERIFY(query.exec(QStringLiteral("PRAGMA user_version = 1")));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("v1"));

        TraceStore store;
        QString error;
        QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
        QCOMPARE(found(store, QStringLiteral("old"))->route, QStringLiteral("r"));
        store.appendEvent(
            StateEvent { QDateTime::currentDateTimeUtc(), QStringLiteral("r"), BreakerState::Closed,
                BreakerState::Drained, QStringLiteral("drained by operator"), true });
        store.flush();
        QCOMPARE(history(store, 5, 0).first.size(), 1); // the table version 2 added
        {
            QSqlDatabase db
                = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("after"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery query(db);
            QVERIFY(query.exec(QStringLiteral("PRAGMA user_version")) && query.next());
            QCOMPARE(query.value(0).toInt(), TraceStore::SchemaVersion);
            // Version 5: refused requests have an empty lane, as the retention finds them.
            QVERIFY(query.exec(QStringLiteral("SELECT COUNT(*) FROM traces WHERE lane = ''"))
                && query.next());
            QCOMPARE(query.value(0).toInt(), 1);
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("after"));
    }

    void newerSchemaIsRefused()
    {
        QTemporaryDir dir;
        {
            QSqlDatabase db
                = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("future"));
            db.setDatabaseName(dir.filePath(QStringLiteral("traces.sqlite")));
            QVERIFY(db.open());
            QSqlQuery(db).exec(QStringLiteral("PRAGMA user_version = 99"));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("future"));
        TraceStore store;
        QString error;
        QVERIFY(!store.open(dir.path(), &error));
        QVERIFY(error.contains(QStringLiteral("newer")));
        // Still usable, in memory.
        store.append(makeTrace(QStringLiteral("m"), QStringLiteral("l"), QStringLiteral("r"),
                         FailureClass::Ok),
            {});
        QVERIFY(found(store, QStringLiteral("m")).has_value());
    }

    void metricsAreValidExposition()
    {
        Metrics metrics;
        QByteArray empty = metrics.render({});
        QHash<QString, double> samples;
        QCOMPARE(prometheusProblem(empty, &samples), QString());

        TraceRecord fellBack = makeTrace(
            QStringLiteral("1"), QStringLiteral("main"), QStringLiteral("b"), FailureClass::Ok);
        fellBack.fallback = true;
        fellBack.durationMs = 300;
        AttemptRecord failed;
        failed.route = QStringLiteral("a");
        failed.failureClass = FailureClass::Transient;
        failed.decision = Decision::Retry;
        fellBack.attempts.prepend(failed);
        AttemptRecord limited = failed; // on another key of a pool
        limited.failureClass = FailureClass::RateLimited;
        limited.key = QStringLiteral("team-b");
        limited.decision = Decision::Fallback;
        fellBack.attempts.prepend(limited);
        fellBack.attempts.last().tokensIn = 7;
        fellBack.attempts.last().cacheReadTokens = 4;
        fellBack.attempts.last().cacheWriteTokens = 1;
        fellBack.attempts.last().costUsd = 0.002;
        metrics.record(fellBack);
        metrics.record(makeTrace(QStringLiteral("2"), QStringLiteral("we\"ird\\lane"),
            QStringLiteral("a"), FailureClass::Ok));

        const QByteArray text
            = metrics.render({ { QStringLiteral("a"), 1 }, { QStringLiteral("b"), 0 } });
        QCOMPARE(prometheusProblem(text, &samples), QString());
        QCOMPARE(samples.value(QStringLiteral(
                     "switchyard_requests_total{lane=\"main\",route=\"b\",class=\"ok\"}")),
            1.0);
        QCOMPARE(samples.value(QStringLiteral(
                     "switchyard_attempts_total{route=\"a\",class=\"transient\",key=\"\"}")),
            1.0);
        QCOMPARE(samples.value(QStringLiteral("switchyard_attempts_total{route=\"a\","
                                              "class=\"rate_limited\",key=\"team-b\"}")),
            1.0);
        QCOMPARE(samples.value(QStringLiteral("switchyard_fallbacks_total{lane=\"main\"}")), 1.0);
        QCOMPARE(samples.value(QStringLiteral("switchyard_retries_total{route=\"a\"}")), 1.0);
        QCOMPARE(samples.value(QStringLiteral("switchyard_breaker_state{route=\"a\"}")), 1.0);
        // The prompt's tokens by how the cache took them: 2 uncached, 4 read, 1 written.
        const auto tokens = [&](const char *direction, const char *kind) {
            return samples.value(
                QStringLiteral("switchyard_tokens_total{route=\"b\",direction=\"%1\","
                               "kind=\"%2\"}")
                    .arg(QLatin1String(direction), QLatin1String(kind)));
        };
        QCOMPARE(tokens("in", "uncached"), 2.0);
        QCOMPARE(tokens("in", "cache_read"), 4.0);
        QCOMPARE(tokens("in", "cache_write"), 1.0);
        QCOMPARE(tokens("out", "output"), 0.0);
        QCOMPARE(samples.value(QStringLiteral("switchyard_cost_usd_total{route=\"b\"}")), 0.002);
        QCOMPARE(samples.value(QStringLiteral(
                     "switchyard_request_duration_seconds_bucket{lane=\"main\",le=\"0.25\"}")),
            0.0);
        QCOMPARE(samples.value(QStringLiteral(
                     "switchyard_request_duration_seconds_bucket{lane=\"main\",le=\"0.5\"}")),
            1.0);
        QCOMPARE(samples.value(QStringLiteral(
                     "switchyard_request_duration_seconds_bucket{lane=\"main\",le=\"+Inf\"}")),
            1.0);
        QCOMPARE(samples.value(
                     QStringLiteral("switchyard_request_duration_seconds_count{lane=\"main\"}")),
            1.0);
        QVERIFY(text.contains("lane=\"we\\\"ird\\\\lane\""));
    }

    void redaction_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("mustNotContain");
        QTest::newRow("configured key")
            << QStringLiteral("Incorrect API key provided: my-configured-key-123.")
            << QStringLiteral("my-configured-key-123");
        QTest::newRow("authorization header")
            << QStringLiteral("sent Authorization: Bearer abcdef123456 upstream")
            << QStringLiteral("abcdef123456");
        QTest::newRow("x-api-key") << QStringLiteral("{\"x-api-key\": \"ant-secret-value-9\"}")
                                   << QStringLiteral("ant-secret-value-9");
        QTest::newRow("api-key=") << QStringLiteral("api-key=azure0123456789")
                                  << QStringLiteral("azure0123456789");
        QTest::newRow("sk- shaped") << QStringLiteral("key sk-proj-AbCdEf0123456789 is invalid")
                                    << QStringLiteral("AbCdEf0123456789");
    }

    void redaction()
    {
        QFETCH(QString, text);
        QFETCH(QString, mustNotContain);
        Redactor redactor;
        redactor.setSecrets({ QByteArrayLiteral("my-configured-key-123") });
        const QString redacted = redactor.redact(text);
        QVERIFY2(!redacted.contains(mustNotContain), qPrintable(redacted));
        QVERIFY(redacted.contains(QStringLiteral("[redacted]")));
    }

    void redactionLeavesOrdinaryTextAlone()
    {
        Redactor redactor;
        redactor.setSecrets({ QByteArrayLiteral("k"), QByteArrayLiteral("long-enough-secret") });
        QCOMPARE(redactor.redact(QStringLiteral("HTTP 503: the kitchen is overloaded")),
            QStringLiteral("HTTP 503: the kitchen is overloaded"));
        QCOMPARE(redactor.redactKnownSecrets("{\"error\":\"bad key long-enough-secret\"}"),
            QByteArray("{\"error\":\"bad key [redacted]\"}"));
    }
};

QTEST_GUILESS_MAIN(ObserveTest)
#include "tst_observe.moc"
