#include "proxy/gatewayresponse.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Switchyard;

// What a caller is told when every route of a lane failed: the status says what to do next.
class GatewayResponseTest final : public QObject {
    Q_OBJECT

private:
    static AttemptRecord tried(const QString &route, FailureClass failureClass, int status)
    {
        AttemptRecord attempt;
        attempt.route = route;
        attempt.failureClass = failureClass;
        attempt.decision = Decision::Fallback;
        attempt.httpStatus = status;
        attempt.reason = failureClassName(failureClass);
        return attempt;
    }
    static AttemptRecord skipped(const QString &route, FailureClass failureClass, const char *skip)
    {
        AttemptRecord attempt = tried(route, failureClass, 0);
        attempt.skipped = true;
        attempt.skip = QString::fromLatin1(skip);
        attempt.decision = Decision::Skip;
        return attempt;
    }
    static TraceRecord trace(const QList<AttemptRecord> &attempts)
    {
        TraceRecord trace;
        trace.lane = QStringLiteral("fast");
        trace.attempts = attempts;
        return trace;
    }
    static QJsonObject error(const QByteArray &body)
    {
        return QJsonDocument::fromJson(body).object().value(QLatin1String("error")).toObject();
    }

private Q_SLOTS:
    void theStatusSaysWhatToDoNext_data()
    {
        QTest::addColumn<QList<AttemptRecord>>("attempts");
        QTest::addColumn<int>("upstreamAttempts");
        QTest::addColumn<qint64>("soonestRetryMs");
        QTest::addColumn<qint64>("breakersReopenMs");
        QTest::addColumn<int>("status");
        QTest::addColumn<qint64>("retryAfterSeconds");

        QTest::newRow("every route failed: do not rely on us")
            << QList { tried(QStringLiteral("a"), FailureClass::Transient, 503),
                   tried(QStringLiteral("b"), FailureClass::ContractViolation, 200) }
            << 2 << qint64(-1) << qint64(0) << 502 << qint64(0);
        QTest::newRow("no route can take it: change the request")
            << QList { skipped(QStringLiteral("a"), FailureClass::Incompatible, "incompatible"),
                   skipped(QStringLiteral("b"), FailureClass::Incompatible, "incompatible") }
            << 0 << qint64(-1) << qint64(0) << 400 << qint64(0);
        QTest::newRow("every route rate limited: wait for the first cooldown")
            << QList { tried(QStringLiteral("a"), FailureClass::RateLimited, 429),
                   skipped(QStringLiteral("b"), FailureClass::RateLimited, "cooling_down") }
            << 1 << qint64(1500) << qint64(0) << 429 << qint64(2);
        QTest::newRow("spend cap reached")
            << QList { skipped(QStringLiteral("a"), FailureClass::Budget, "budget") } << 0
            << qint64(-1) << qint64(0) << 429 << qint64(0);
        QTest::newRow("nothing tried: come back later")
            << QList { skipped(QStringLiteral("a"), FailureClass::Transient, "breaker_open"),
                   skipped(QStringLiteral("b"), FailureClass::Transient, "drained") }
            << 0 << qint64(-1) << qint64(0) << 503 << qint64(0);
        QTest::newRow("every breaker open, the panic attempt failed: when the first reopens")
            << QList { skipped(QStringLiteral("a"), FailureClass::Transient, "breaker_open"),
                   skipped(QStringLiteral("b"), FailureClass::Transient, "breaker_open"),
                   tried(QStringLiteral("a"), FailureClass::Transient, 503) }
            << 1 << qint64(-1) << qint64(4200) << 503 << qint64(5);
    }

    void theStatusSaysWhatToDoNext()
    {
        QFETCH(QList<AttemptRecord>, attempts);
        QFETCH(int, upstreamAttempts);
        QFETCH(qint64, soonestRetryMs);
        QFETCH(qint64, breakersReopenMs);
        QFETCH(int, status);
        QFETCH(qint64, retryAfterSeconds);
        const GatewayResponse::AllFailed answer = GatewayResponse::allRoutesFailed(
            trace(attempts), upstreamAttempts, soonestRetryMs, breakersReopenMs);
        QCOMPARE(answer.status, status);
        QCOMPARE(answer.retryAfterSeconds, retryAfterSeconds);
        const QJsonObject body = error(answer.body);
        QCOMPARE(body.value(QLatin1String("code")).toString(), QStringLiteral("all_routes_failed"));
        QCOMPARE(body.value(QLatin1String("attempts")).toArray().size(), attempts.size());
    }

    void theAttemptsSayWhatHappenedToEachRoute()
    {
        const GatewayResponse::AllFailed answer = GatewayResponse::allRoutesFailed(
            trace({ tried(QStringLiteral("a"), FailureClass::Transient, 503),
                skipped(QStringLiteral("b"), FailureClass::Transient, "breaker_open") }),
            1, -1);
        const QJsonArray attempts = error(answer.body).value(QLatin1String("attempts")).toArray();
        const QJsonObject first = attempts.at(0).toObject();
        QCOMPARE(first.value(QLatin1String("route")).toString(), QStringLiteral("a"));
        QCOMPARE(first.value(QLatin1String("class")).toString(), QStringLiteral("transient"));
        QCOMPARE(first.value(QLatin1String("status")).toInt(), 503);
        QVERIFY(!first.contains(QLatin1String("skip")));
        const QJsonObject second = attempts.at(1).toObject();
        QCOMPARE(second.value(QLatin1String("skip")).toString(), QStringLiteral("breaker_open"));
        QVERIFY(!second.contains(QLatin1String("class"))); // a breaker's skip is no verdict
    }

    void routingHeadersNameTheRouteAndHowItWasReached()
    {
        GatewayResponse::Routing routing;
        routing.requestId = QStringLiteral("req_1");
        routing.lane = QStringLiteral("fast");
        routing.route = QStringLiteral("b");
        routing.upstreamAttempts = 2;
        routing.fallback = true;
        const HeaderList headers = GatewayResponse::routingHeaders(routing);
        auto value = [&](const char *name) {
            for (const auto &[key, text] : headers)
                if (key == name)
                    return text;
            return QByteArray("<absent>");
        };
        QCOMPARE(value("X-Switchyard-Route"), QByteArray("b"));
        QCOMPARE(value("X-Switchyard-Attempts"), QByteArray("2"));
        QCOMPARE(value("X-Switchyard-Fallback"), QByteArray("1"));
        QCOMPARE(value("X-Switchyard-Degraded"), QByteArray("0"));
        // The gateway retried already: SDKs are told not to do it again.
        QCOMPARE(value("x-should-retry"), QByteArray("false"));
        routing.upstreamAttempts = 1;
        QCOMPARE(GatewayResponse::routingHeaders(routing).size(), headers.size() - 1);
    }
};

QTEST_GUILESS_MAIN(GatewayResponseTest)
#include "tst_gatewayresponse.moc"
