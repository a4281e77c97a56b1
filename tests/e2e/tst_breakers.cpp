#include "fakeupstream.h"
#include "gatewayharness.h"
#include "jsontext.h"

#include "engine/engine.h"
#include "engine/enginehost.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <memory>

using namespace Switchyard::Testing;

// Breakers, probes, staged recovery and operator actions through the admin API, end to end.
class BreakersTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void failingRouteOpensRecoversInStagesAndCloses();
    void drainStopsTrafficAndRestoreBringsItBack();
    void stagedRestoreStartsARamp();
    void readinessNamesTheLanesWithNoRouteLeft();
    void aRouteSaysSinceWhenAndItsLastErrorClearsOnceHealed();
    void actionsOnUnknownRoutesAnswer404();
    void drillFailuresAreMarkedAsDrill();
    void everyRouteOpenTriesTheSoonestInPanicMode();
    void panicNeverOverridesTheHalfOpenLimit();
    void configIsValidatedAndSwappedAtomically();
    void adminNeedsTheTokenOnAPublicListener();
    void adminNeedsTheTokenWhenOneIsConfigured();
    void consoleHandleUsesQueuedCallsAndSnapshots();
    void completionProbeSendsAOneTokenRequest();

private:
    QByteArray config(const QByteArray &extra = QByteArray()) const;
    ClientCall *chat(const QString &lane);
    ClientCall *admin(const QString &path, const QByteArray &body = QByteArray(),
        const QByteArray &token = QByteArray());
    QJsonObject routeState(const QString &route);
    QStringList stateEvents(ClientCall *events, const QString &route) const;
    QList<QJsonObject> traceEvents(ClientCall *events) const;

    std::unique_ptr<FakeUpstream> m_a;
    std::unique_ptr<FakeUpstream> m_b;
    std::unique_ptr<GatewayUnderTest> m_gateway;
};

void BreakersTest::initTestCase()
{
    qputenv("SWITCHYARD_TEST_ADMIN_TOKEN", "admin-secret-token");
}

QByteArray BreakersTest::config(const QByteArray &extra) const
{
    QByteArray json = jsonText(R"JSON({
      'providers': {'a': {'base_url': '@A@'}, 'b': {'base_url': '@B@'}},
      'routes': {
        'ra': {'provider': 'a', 'model': 'model-a',
               'breaker': {'consecutive_failures': 2, 'window': 10, 'min_calls': 10,
                           'cooldown_ms': 400, 'max_cooldown_ms': 1600, 'half_open_calls': 1},
               'recovery': {'steps': [0.5, 1.0], 'step_ms': 400},
               'probe': {'kind': 'models', 'interval_ms': 60000, 'timeout_ms': 2000}},
        'rb': {'provider': 'b', 'model': 'model-b'}
      },
      'lanes': {
        'main': {'chain': ['ra', 'rb'], 'retry': {'max_retries': 0}},
        'solo': {'chain': ['ra'], 'retry': {'max_retries': 0}}
      },
      'default_lane': 'main' @EXTRA@
    })JSON");
    json.replace("@A@", m_a->baseUrl().toUtf8());
    json.replace("@B@", m_b->baseUrl().toUtf8());
    json.replace("@EXTRA@", jsonText(extra.constData()));
    return json;
}

void BreakersTest::init()
{
    m_a = std::make_unique<FakeUpstream>();
    m_b = std::make_unique<FakeUpstream>();
    QVERIFY(m_a->listen() && m_b->listen());
    m_a->setDefaultResponse(FakeResponse::completion(QStringLiteral("from a")));
    m_b->setDefaultResponse(FakeResponse::completion(QStringLiteral("from b")));
    m_gateway = std::make_unique<GatewayUnderTest>();
    if (QByteArray(QTest::currentTestFunction()).startsWith("adminNeeds"))
        return; // these start their own gateway
    QString error;
    QVERIFY2(m_gateway->start(config(), &error), qPrintable(error));
}

void BreakersTest::cleanup()
{
    m_gateway.reset();
    m_a.reset();
    m_b.reset();
}

ClientCall *BreakersTest::chat(const QString &lane)
{
    return m_gateway->client().postAndWait(QStringLiteral("/v1/chat/completions"), chatBody(lane));
}

ClientCall *BreakersTest::admin(
    const QString &path, const QByteArray &body, const QByteArray &token)
{
    QList<QPair<QByteArray, QByteArray>> headers;
    if (!token.isEmpty())
        headers.append({ "Authorization", "Bearer " + token });
    if (body.isNull()) {
        ClientCall *call = m_gateway->client().get(path, headers);
        GatewayClient::waitFor(call);
        return call;
    }
    return m_gateway->client().postAndWait(path, body, headers);
}

QJsonObject BreakersTest::routeState(const QString &route)
{
    return admin(QStringLiteral("/admin/state"))
        ->json()
        .value(QLatin1String("routes"))
        .toObject()
        .value(route)
        .toObject();
}

QStringList BreakersTest::stateEvents(ClientCall *events, const QString &route) const
{
    QStringList transitions;
    for (const QByteArray &block : events->body.split('\n')) {
        if (!block.startsWith("data: "))
            continue;
        const QJsonObject event = QJsonDocument::fromJson(block.mid(6)).object();
        // State events only; a request's trace names its route too.
        if (event.value(QLatin1String("route")).toString() == route
            && event.contains(QLatin1String("from")))
            transitions.append(event.value(QLatin1String("from")).toString() + QLatin1Char('>')
                + event.value(QLatin1String("to")).toString());
    }
    return transitions;
}

QList<QJsonObject> BreakersTest::traceEvents(ClientCall *events) const
{
    QList<QJsonObject> traces;
    const QList<QByteArray> lines = events->body.split('\n');
    for (qsizetype i = 0; i + 1 < lines.size(); ++i) {
        if (lines.at(i) == "event: trace" && lines.at(i + 1).startsWith("data: "))
            traces.append(QJsonDocument::fromJson(lines.at(i + 1).mid(6)).object());
    }
    return traces;
}

void BreakersTest::failingRouteOpensRecoversInStagesAndCloses()
{
    ClientCall *events = m_gateway->client().get(QStringLiteral("/admin/events"));
    QTRY_VERIFY(events->body.contains("switchyard events"));
    QCOMPARE(events->header("Content-Type"), QByteArray("text/event-stream"));

    m_a->setDefaultResponse(FakeResponse::error(503, QStringLiteral("server_error")));
    for (int i = 0; i < 2; ++i)
        QCOMPARE(chat(QStringLiteral("main"))->header("X-Switchyard-Route"), QByteArray("rb"));
    QCOMPARE(routeState(QStringLiteral("ra")).value(QLatin1String("state")).toString(),
        QStringLiteral("open"));
    QVERIFY(
        routeState(QStringLiteral("ra")).value(QLatin1String("cooldown_remaining_ms")).toInt() > 0);

    // Open: no traffic at all reaches the route.
    const int callsWhenOpened = m_a->requestCount();
    for (int i = 0; i < 5; ++i) {
        ClientCall *call = chat(QStringLiteral("main"));
        QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("rb"));
        QCOMPARE(call->header("X-Switchyard-Attempts"), QByteArray("1"));
    }
    QCOMPARE(m_a->requestCount(), callsWhenOpened);

    // Healed: after the cooldown the route is half-open. It is probed by models list, and a models
    // list that answers says nothing about completions, so the next request is the trial; then
    // the ramp, then closed.
    m_a->setDefaultResponse(FakeResponse::completion(QStringLiteral("from a again")));
    QTRY_VERIFY_WITH_TIMEOUT(
        stateEvents(events, QStringLiteral("ra")).contains(QStringLiteral("open>half_open")),
        10000);
    QCOMPARE(routeState(QStringLiteral("ra")).value(QLatin1String("state")).toString(),
        QStringLiteral("half_open"));
    ClientCall *trial = chat(QStringLiteral("main"));
    QCOMPARE(trial->header("X-Switchyard-Route"), QByteArray("ra"));
    QTRY_VERIFY_WITH_TIMEOUT(
        stateEvents(events, QStringLiteral("ra")).contains(QStringLiteral("half_open>recovering")),
        10000);
    QCOMPARE(m_a->requestCount("POST", "/v1/chat/completions"), 3);
    const QJsonObject recovering = routeState(QStringLiteral("ra"));
    if (recovering.value(QLatin1String("state")).toString() == QLatin1String("recovering"))
        QCOMPARE(recovering.value(QLatin1String("traffic_share")).toDouble(), 0.5);
    QTRY_VERIFY_WITH_TIMEOUT(
        stateEvents(events, QStringLiteral("ra")).contains(QStringLiteral("recovering>closed")),
        10000);
    QCOMPARE(stateEvents(events, QStringLiteral("ra")),
        (QStringList {
            "closed>open", "open>half_open", "half_open>recovering", "recovering>closed" }));
    QCOMPARE(routeState(QStringLiteral("ra")).value(QLatin1String("state")).toString(),
        QStringLiteral("closed"));

    ClientCall *back = chat(QStringLiteral("main"));
    QCOMPARE(back->header("X-Switchyard-Route"), QByteArray("ra"));
    QCOMPARE(back->header("X-Switchyard-Fallback"), QByteArray("0"));
    // The stream carried every request's summary too.
    QTRY_VERIFY(traceEvents(events).size() >= 8);
    events->abort();
}

void BreakersTest::drainStopsTrafficAndRestoreBringsItBack()
{
    ClientCall *drained = admin(QStringLiteral("/admin/routes/ra/drain"), "{}");
    QCOMPARE(drained->status, 200);
    QCOMPARE(drained->json().value(QLatin1String("state")).toString(), QStringLiteral("drained"));
    for (int i = 0; i < 3; ++i) {
        ClientCall *call = chat(QStringLiteral("main"));
        QCOMPARE(call->status, 200);
        QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("rb"));
        QCOMPARE(call->header("X-Switchyard-Fallback"), QByteArray("1"));
    }
    QCOMPARE(m_a->requestCount("POST", "/v1/chat/completions"), 0);
    const QJsonObject state = admin(QStringLiteral("/admin/state"))->json();
    QCOMPARE(state.value(QLatin1String("routes"))
                 .toObject()
                 .value(QLatin1String("ra"))
                 .toObject()
                 .value(QLatin1String("state"))
                 .toString(),
        QStringLiteral("drained"));
    const QJsonObject last
        = state.value(QLatin1String("recent_events")).toArray().last().toObject();
    QCOMPARE(last.value(QLatin1String("by")).toString(), QStringLiteral("operator"));
    QCOMPARE(last.value(QLatin1String("to")).toString(), QStringLiteral("drained"));
    QVERIFY(!last.value(QLatin1String("time")).toString().isEmpty());

    // A drained pinned route is not called either: the caller learns that nothing is available.
    ClientCall *pinned = chat(QStringLiteral("ra"));
    QCOMPARE(pinned->status, 503);
    QCOMPARE(m_a->requestCount("POST", "/v1/chat/completions"), 0);

    ClientCall *restored = admin(QStringLiteral("/admin/routes/ra/restore"), "{\"staged\": false}");
    QCOMPARE(restored->json().value(QLatin1String("state")).toString(), QStringLiteral("closed"));
    QCOMPARE(chat(QStringLiteral("main"))->header("X-Switchyard-Route"), QByteArray("ra"));
}

void BreakersTest::aRouteSaysSinceWhenAndItsLastErrorClearsOnceHealed()
{
    QCOMPARE(routeState(QStringLiteral("ra")).value(u"state_since_ms").toDouble(), 0.0); // start
    m_a->enqueue(FakeResponse::error(503, QStringLiteral("server_error")));
    QCOMPARE(chat(QStringLiteral("main"))->status, 200);
    QJsonObject ra = routeState(QStringLiteral("ra"));
    QVERIFY2(ra.value(u"last_error").toString().startsWith(QLatin1String("transient")),
        qPrintable(ra.value(u"last_error").toString()));
    const double erredAt = ra.value(u"last_error_at_ms").toDouble();
    QVERIFY(erredAt > 0);

    // Drained and restored: closed since then, and the error from before is no longer its state.
    admin(QStringLiteral("/admin/routes/ra/drain"), "{}");
    QVERIFY(routeState(QStringLiteral("ra")).value(u"state_since_ms").toDouble() >= erredAt);
    QVERIFY(!routeState(QStringLiteral("ra")).value(u"last_error").toString().isEmpty());
    admin(QStringLiteral("/admin/routes/ra/restore"), "{\"staged\": false}");
    ra = routeState(QStringLiteral("ra"));
    QCOMPARE(ra.value(u"state").toString(), QStringLiteral("closed"));
    QCOMPARE(ra.value(u"last_error").toString(), QString());
    QVERIFY(ra.value(u"state_since_ms").toDouble() >= erredAt);
}

void BreakersTest::readinessNamesTheLanesWithNoRouteLeft()
{
    auto readiness = [this] {
        ClientCall *call = m_gateway->client().get(QStringLiteral("/readyz"));
        return GatewayClient::waitFor(call) ? call : nullptr;
    };
    ClientCall *ready = readiness();
    QVERIFY(ready);
    QCOMPARE(ready->status, 200);
    QCOMPARE(ready->json().value(u"status").toString(), QStringLiteral("ready"));

    // /healthz still says the process serves; /readyz says which lanes cannot be answered.
    QCOMPARE(admin(QStringLiteral("/admin/routes/ra/drain"), "{}")->status, 200);
    ClientCall *notReady = readiness();
    QVERIFY(notReady);
    QCOMPARE(notReady->status, 503);
    const QJsonObject body = notReady->json();
    QCOMPARE(body.value(u"status").toString(), QStringLiteral("not_ready"));
    QCOMPARE(body.value(u"lanes_without_route").toArray(), QJsonArray { QStringLiteral("solo") });
    QCOMPARE(body.value(u"lanes").toObject().value(u"main").toObject().value(u"eligible"),
        QJsonArray { QStringLiteral("rb") });
    ClientCall *health = m_gateway->client().get(QStringLiteral("/healthz"));
    QVERIFY(GatewayClient::waitFor(health));
    QCOMPARE(health->status, 200);

    admin(QStringLiteral("/admin/routes/ra/restore"), "{\"staged\": false}");
    QCOMPARE(readiness()->status, 200);
}

void BreakersTest::stagedRestoreStartsARamp()
{
    admin(QStringLiteral("/admin/routes/ra/drain"), "{}");
    ClientCall *staged = admin(QStringLiteral("/admin/routes/ra/restore"), "{\"staged\": true}");
    QCOMPARE(staged->json().value(QLatin1String("state")).toString(), QStringLiteral("recovering"));
    const QJsonObject ra = routeState(QStringLiteral("ra"));
    QCOMPARE(ra.value(QLatin1String("recovery_step")).toInt(), 1);
    QCOMPARE(ra.value(QLatin1String("traffic_share")).toDouble(), 0.5);
    QTRY_COMPARE_WITH_TIMEOUT(
        routeState(QStringLiteral("ra")).value(QLatin1String("state")).toString(),
        QStringLiteral("closed"), 10000);

    ClientCall *stage = admin(QStringLiteral("/admin/routes/ra/stage"), "{}");
    QCOMPARE(stage->json().value(QLatin1String("state")).toString(), QStringLiteral("recovering"));
    ClientCall *probe = admin(QStringLiteral("/admin/routes/ra/probe"), "{}");
    QCOMPARE(probe->status, 200);
    QTRY_COMPARE(m_a->requestCount("GET", "/v1/models"), 1);
}

void BreakersTest::actionsOnUnknownRoutesAnswer404()
{
    for (const char *action : { "drain", "restore", "stage", "probe", "drill" }) {
        ClientCall *call
            = admin(QStringLiteral("/admin/routes/no-such-route/") + QLatin1String(action), "{}");
        QCOMPARE(call->status, 404);
        QCOMPARE(call->json()
                     .value(QLatin1String("error"))
                     .toObject()
                     .value(QLatin1String("code"))
                     .toString(),
            QStringLiteral("route_not_found"));
    }
    QCOMPARE(admin(QStringLiteral("/admin/routes/ra/explode"), "{}")->status, 404);
    QCOMPARE(
        admin(QStringLiteral("/admin/routes/ra/drill"), "{\"fault\": \"meteor\", \"seconds\": 5}")
            ->status,
        400);
    QCOMPARE(admin(QStringLiteral("/admin/routes/ra/drill"), "{\"fault\": \"503\", \"seconds\": 0}")
                 ->status,
        400);
    QCOMPARE(
        admin(QStringLiteral("/admin/routes/ra/restore"), "{\"staged\": \"yes\"}")->status, 400);
    QCOMPARE(admin(QStringLiteral("/admin/nothing-here"))->status, 404);
    QCOMPARE(routeState(QStringLiteral("ra")).value(QLatin1String("state")).toString(),
        QStringLiteral("closed"));
}

void BreakersTest::drillFailuresAreMarkedAsDrill()
{
    ClientCall *events = m_gateway->client().get(QStringLiteral("/admin/events"));
    QTRY_VERIFY(events->body.contains("switchyard events"));
    ClientCall *drill
        = admin(QStringLiteral("/admin/routes/ra/drill"), "{\"fault\": \"503\", \"seconds\": 60}");
    QCOMPARE(drill->status, 200);
    QCOMPARE(drill->json().value(QLatin1String("state")).toString(), QStringLiteral("drilling"));

    ClientCall *fallback = chat(QStringLiteral("main"));
    QCOMPARE(fallback->status, 200);
    QCOMPARE(fallback->header("X-Switchyard-Route"), QByteArray("rb"));
    ClientCall *failed = chat(QStringLiteral("solo"));
    QCOMPARE(failed->status, 502);
    const QJsonObject attempt = failed->json()
                                    .value(QLatin1String("error"))
                                    .toObject()
                                    .value(QLatin1String("attempts"))
                                    .toArray()
                                    .first()
                                    .toObject();
    QVERIFY(attempt.value(QLatin1String("drill")).toBool());
    QCOMPARE(attempt.value(QLatin1String("status")).toInt(), 503);
    QVERIFY(attempt.value(QLatin1String("reason"))
                .toString()
                .startsWith(QStringLiteral("drill (503)")));
    QCOMPARE(m_a->requestCount(), 0); // injected, never sent

    QTRY_COMPARE(traceEvents(events).size(), 2);
    for (const QJsonObject &trace : traceEvents(events))
        QVERIFY(trace.value(QLatin1String("drill")).toBool());
    const QJsonObject ra = routeState(QStringLiteral("ra"));
    QCOMPARE(ra.value(QLatin1String("drill")).toObject().value(QLatin1String("fault")).toString(),
        QStringLiteral("503"));
    QCOMPARE(ra.value(QLatin1String("consecutive_failures")).toInt(),
        0); // a drill does not hurt the breaker
    events->abort();
}

void BreakersTest::everyRouteOpenTriesTheSoonestInPanicMode()
{
    ClientCall *events = m_gateway->client().get(QStringLiteral("/admin/events"));
    QTRY_VERIFY(events->body.contains("switchyard events"));
    m_a->enqueue(FakeResponse::error(503, QStringLiteral("server_error")));
    m_a->enqueue(FakeResponse::error(503, QStringLiteral("server_error")));
    QCOMPARE(chat(QStringLiteral("solo"))->status, 502);
    QCOMPARE(chat(QStringLiteral("solo"))->status, 502);
    QCOMPARE(routeState(QStringLiteral("ra")).value(QLatin1String("state")).toString(),
        QStringLiteral("open"));

    // The only route is open; instead of refusing outright the lane tries it anyway, and says so.
    ClientCall *panic = chat(QStringLiteral("solo"));
    QCOMPARE(panic->status, 200);
    QCOMPARE(panic->header("X-Switchyard-Route"), QByteArray("ra"));
    QTRY_COMPARE(traceEvents(events).size(), 3);
    QVERIFY(traceEvents(events).last().value(QLatin1String("panic")).toBool());
    QVERIFY(!traceEvents(events).first().value(QLatin1String("panic")).toBool());
    events->abort();
}

void BreakersTest::panicNeverOverridesTheHalfOpenLimit()
{
    m_a->enqueue(FakeResponse::error(503, QStringLiteral("server_error")));
    m_a->enqueue(FakeResponse::error(503, QStringLiteral("server_error")));
    chat(QStringLiteral("solo"));
    chat(QStringLiteral("solo"));
    QCOMPARE(routeState(QStringLiteral("ra")).value(QLatin1String("state")).toString(),
        QStringLiteral("open"));
    // Every answer is held back from now on: the half-open trial stays in flight.
    FakeResponse held = FakeResponse::completion(QStringLiteral("late"));
    held.holdUntilReleased = true;
    m_a->setDefaultResponse(held);
    QTRY_COMPARE_WITH_TIMEOUT(
        routeState(QStringLiteral("ra")).value(QLatin1String("state")).toString(),
        QStringLiteral("half_open"), 5000);
    ClientCall *trial = m_gateway->client().post(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("solo")));
    QTRY_COMPARE(m_a->requestCount("POST", "/v1/chat/completions"), 3);
    // The one trial slot is taken: the next request is refused rather than sent as a "panic".
    ClientCall *second = chat(QStringLiteral("solo"));
    QCOMPARE(second->status, 503);
    QCOMPARE(second->json()
                 .value(QLatin1String("error"))
                 .toObject()
                 .value(QLatin1String("attempts"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QLatin1String("skip"))
                 .toString(),
        QStringLiteral("half_open_busy"));
    QCOMPARE(m_a->requestCount("POST", "/v1/chat/completions"), 3);
    m_a->release();
    QVERIFY(GatewayClient::waitFor(trial));
    QCOMPARE(trial->status, 200);
}

void BreakersTest::configIsValidatedAndSwappedAtomically()
{
    ClientCall *invalid
        = admin(QStringLiteral("/admin/config"), "{\"providers\": {}, \"lanes\": 4}");
    QCOMPARE(invalid->status, 400);
    const QStringList details = invalid->json()
                                    .value(QLatin1String("error"))
                                    .toObject()
                                    .value(QLatin1String("details"))
                                    .toVariant()
                                    .toStringList();
    QVERIFY2(details.contains(QStringLiteral("lanes: must be an object, not a number")),
        qPrintable(details.join(QLatin1Char('\n'))));
    QCOMPARE(chat(QStringLiteral("main"))->header("X-Switchyard-Route"),
        QByteArray("ra")); // nothing changed

    // A request in flight when the config changes finishes on the config it started with.
    FakeResponse held = FakeResponse::completion(QStringLiteral("old config"));
    held.holdUntilReleased = true;
    m_a->enqueue(held);
    ClientCall *inFlight = m_gateway->client().post(
        QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("main")));
    QTRY_COMPARE(m_a->pendingCount(), 1);

    QByteArray next = config();
    next.replace("\"chain\": [\"ra\", \"rb\"]", "\"chain\": [\"rb\"]");
    QVERIFY(next.contains("\"chain\": [\"rb\"]"));
    ClientCall *applied = admin(QStringLiteral("/admin/config"), next);
    QCOMPARE(applied->status, 200);
    QCOMPARE(applied->json().value(QLatin1String("status")).toString(), QStringLiteral("applied"));
    ClientCall *after = chat(QStringLiteral("main"));
    QCOMPARE(after->header("X-Switchyard-Route"), QByteArray("rb"));
    QCOMPARE(after->header("X-Switchyard-Fallback"), QByteArray("0"));

    m_a->release();
    QVERIFY(GatewayClient::waitFor(inFlight));
    QCOMPARE(inFlight->status, 200);
    QCOMPARE(inFlight->header("X-Switchyard-Route"), QByteArray("ra"));
}

void BreakersTest::adminNeedsTheTokenOnAPublicListener()
{
    QString error;
    QVERIFY2(m_gateway->start(config(", 'admin_token': {'env': 'SWITCHYARD_TEST_ADMIN_TOKEN'}"),
                 &error, QStringLiteral("0.0.0.0:0")),
        qPrintable(error));
    ClientCall *anonymous = admin(QStringLiteral("/admin/state"));
    QCOMPARE(anonymous->status, 401);
    QCOMPARE(anonymous->json()
                 .value(QLatin1String("error"))
                 .toObject()
                 .value(QLatin1String("type"))
                 .toString(),
        QStringLiteral("unauthorized"));
    QCOMPARE(admin(QStringLiteral("/admin/routes/ra/drain"), "{}", "wrong-token")->status, 401);
    QCOMPARE(
        admin(QStringLiteral("/admin/state"), QByteArray(), "admin-secret-token")->status, 200);
    QCOMPARE(routeState(QStringLiteral("ra")), QJsonObject()); // still refused without the token
    QVERIFY(!anonymous->body.contains("admin-secret-token"));
    QCOMPARE(
        chat(QStringLiteral("main"))->status, 200); // the proxy API itself needs no admin token
}

void BreakersTest::adminNeedsTheTokenWhenOneIsConfigured()
{
    QString error;
    QVERIFY2(
        m_gateway->start(config(", 'admin_token': {'env': 'SWITCHYARD_TEST_ADMIN_TOKEN'}"), &error),
        qPrintable(error));
    QCOMPARE(admin(QStringLiteral("/admin/state"))->status, 401);
    QCOMPARE(
        admin(QStringLiteral("/admin/state"), QByteArray(), "admin-secret-token")->status, 200);
}

void BreakersTest::consoleHandleUsesQueuedCallsAndSnapshots()
{
    // What the console will use: commands in as queued calls, state out as value snapshots,
    // received here in the test's own thread.
    Switchyard::Engine *engine = m_gateway->host().engine();
    QObject scope; // the connections below end with this function, before its locals do
    QList<Switchyard::RouteSnapshot> latest;
    QList<Switchyard::StateEvent> events;
    QStringList failures;
    connect(engine, &Switchyard::Engine::routesUpdated, &scope,
        [&](const QList<Switchyard::RouteSnapshot> &routes) { latest = routes; });
    connect(engine, &Switchyard::Engine::routeStateChanged, &scope,
        [&](const Switchyard::StateEvent &event) { events.append(event); });
    connect(engine, &Switchyard::Engine::commandFailed, &scope,
        [&](const QString &error) { failures.append(error); });
    auto stateOf = [&](const QString &route) {
        for (const Switchyard::RouteSnapshot &snapshot : std::as_const(latest))
            if (snapshot.name == route)
                return Switchyard::breakerStateName(snapshot.state);
        return QString();
    };

    QTRY_COMPARE(stateOf(QStringLiteral("ra")), QStringLiteral("closed"));
    engine->drain(QStringLiteral("ra"));
    QTRY_COMPARE(stateOf(QStringLiteral("ra")), QStringLiteral("drained"));
    QCOMPARE(events.size(), 1);
    QVERIFY(events.first().byOperator);
    QCOMPARE(chat(QStringLiteral("main"))->header("X-Switchyard-Route"), QByteArray("rb"));

    engine->drill(QStringLiteral("ra"), Switchyard::DrillFault::Timeout, 30);
    QTRY_COMPARE(stateOf(QStringLiteral("ra")), QStringLiteral("drilling"));
    engine->restore(QStringLiteral("ra"), false);
    QTRY_COMPARE(stateOf(QStringLiteral("ra")), QStringLiteral("closed"));
    engine->drain(QStringLiteral("ghost"));
    QTRY_COMPARE(failures.size(), 1);
    QVERIFY(failures.first().contains(QStringLiteral("ghost")));
}

void BreakersTest::completionProbeSendsAOneTokenRequest()
{
    QByteArray next = config();
    next.replace("\"kind\": \"models\"", "\"kind\": \"completion\"");
    QCOMPARE(admin(QStringLiteral("/admin/config"), next)->status, 200);
    QCOMPARE(admin(QStringLiteral("/admin/routes/ra/probe"), "{}")->status, 200);
    QTRY_COMPARE(m_a->requestCount("POST", "/v1/chat/completions"), 1);
    const QJsonObject probe = m_a->requests().constLast().json();
    QCOMPARE(probe.value(QLatin1String("max_tokens")).toInt(), 1);
    QCOMPARE(probe.value(QLatin1String("model")).toString(), QStringLiteral("model-a"));
    QTRY_COMPARE(routeState(QStringLiteral("ra")).value(QLatin1String("last_probe")).toString(),
        QStringLiteral("ok"));

    m_a->enqueue(FakeResponse::error(500, QStringLiteral("server_error")));
    admin(QStringLiteral("/admin/routes/ra/probe"), "{}");
    QTRY_VERIFY(!routeState(QStringLiteral("ra")).value(QLatin1String("last_probe_ok")).toBool());
    QCOMPARE(
        routeState(QStringLiteral("ra")).value(QLatin1String("consecutive_failures")).toInt(), 1);
}

QTEST_GUILESS_MAIN(BreakersTest)
#include "tst_breakers.moc"
