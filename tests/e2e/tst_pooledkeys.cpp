#include "engine/engine.h"
#include "engine/enginehost.h"
#include "fakesecretstore.h"
#include "fakeupstream.h"
#include "gatewayharness.h"
#include "jsontext.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTest>

#include <memory>

using namespace Switchyard;
using namespace Switchyard::Testing;

namespace {

// Shaped like no well-known key, so only knowing the values can redact them.
const QByteArray KeyOne = "pool-SECRET-1111-one";
const QByteArray KeyTwo = "pool-SECRET-2222-two";
const QByteArray KeyThree = "pool-SECRET-3333-three";

// The label of the key a request to the fake upstream carried.
QString labelOf(const ReceivedRequest &request)
{
    const QByteArray authorization = request.headers.value("authorization");
    if (authorization == "Bearer " + KeyOne)
        return QStringLiteral("one");
    if (authorization == "Bearer " + KeyTwo)
        return QStringLiteral("two");
    if (authorization == "Bearer " + KeyThree)
        return QStringLiteral("three");
    return QString();
}

} // namespace

// A provider with a pool of keys, end to end against a fake upstream that rate-limits or rejects
// per key: one conversation keeps one key, a rate-limited key rests while the others serve, a
// rejected key is skipped, and the route fails only when no key can serve.
class KeyPoolsEndToEndTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void aConversationKeepsItsKeyAndThePoolIsShared();
    void aRateLimitedKeyRestsWhileTheOthersServe();
    void aRejectedKeyIsSkippedAndTheRouteIsNotCharged();
    void theRouteFailsOnlyWhenNoKeyCanServe();
    void keysThatAreAllLimitedDoNotTakeTurns();
    void aStreamMovesToAnotherKeyBeforeItsFirstByte();
    void keysNeverReachAnyOutput();

private:
    void startGateway(int maxRetries = 0);
    ClientCall *chat(const QString &conversation, bool stream = false);
    ProviderSnapshot provider(const QString &name) const;
    KeySnapshot key(const QString &label) const;
    QJsonObject adminJson(const QString &path);

    std::shared_ptr<FakeSecretStore> m_store;
    std::unique_ptr<FakeUpstream> m_a;
    std::unique_ptr<FakeUpstream> m_b;
    std::unique_ptr<GatewayUnderTest> m_gateway;
    std::unique_ptr<QObject> m_scope;
    QList<ProviderSnapshot> m_providers;
    // The labels the fake upstream rate-limits (429, Retry-After 30) or rejects (401).
    QSet<QString> m_limited;
    QSet<QString> m_rejected;
    QPair<QByteArray, QByteArray> m_retryAfter { "Retry-After", "30" };
    int m_limitedDelayMs = 0;
};

void KeyPoolsEndToEndTest::init()
{
    m_store = std::make_shared<FakeSecretStore>();
    m_store->setEntry(QStringLiteral("pool-one"), KeyOne);
    m_store->setEntry(QStringLiteral("pool-two"), KeyTwo);
    m_store->setEntry(QStringLiteral("pool-three"), KeyThree);
    m_a = std::make_unique<FakeUpstream>();
    m_b = std::make_unique<FakeUpstream>();
    QVERIFY(m_a->listen() && m_b->listen());
    m_limited.clear();
    m_rejected.clear();
    m_retryAfter = { "Retry-After", "30" };
    m_limitedDelayMs = 0;
    m_a->setResponder([this](const ReceivedRequest &request) -> std::optional<FakeResponse> {
        const QString label = labelOf(request);
        if (m_limited.contains(label)) {
            FakeResponse limited = FakeResponse::error(429, QStringLiteral("rate_limit_exceeded"))
                                       .withHeader(m_retryAfter.first, m_retryAfter.second);
            limited.delayMs = m_limitedDelayMs;
            return limited;
        }
        // As some providers do, the rejection quotes the key it rejects.
        if (m_rejected.contains(label))
            return FakeResponse::error(401, QStringLiteral("invalid_request_error"),
                QStringLiteral("invalid_api_key"),
                QStringLiteral("Incorrect API key provided: ")
                    + QString::fromUtf8(request.headers.value("authorization").mid(7)));
        const bool stream = request.json().value(QLatin1String("stream")).toBool();
        return stream ? FakeResponse::stream({ QStringLiteral("from "), label })
                      : FakeResponse::completion(QStringLiteral("from ") + label);
    });
    m_b->setDefaultResponse(FakeResponse::completion(QStringLiteral("from b")));
    m_providers.clear();
}

void KeyPoolsEndToEndTest::cleanup()
{
    m_gateway.reset();
    m_scope.reset();
    m_a.reset();
    m_b.reset();
}

void KeyPoolsEndToEndTest::startGateway(int maxRetries)
{
    QByteArray json = jsonText(R"JSON({
      'providers': {
        'a': {'base_url': '@A@', 'api_key': [
          {'keychain': 'pool-one', 'label': 'one'},
          {'keychain': 'pool-two', 'label': 'two'},
          {'keychain': 'pool-three', 'label': 'three'}]},
        'b': {'base_url': '@B@'}
      },
      'routes': {
        'ra': {'provider': 'a', 'model': 'model-a', 'probe': {'interval_ms': 3600000}},
        'rb': {'provider': 'b', 'model': 'model-b'}
      },
      'lanes': {'main': {'chain': ['ra', 'rb'], 'retry': {'max_retries': @RETRIES@}}},
      'default_lane': 'main'
    })JSON");
    json.replace("@A@", m_a->baseUrl().toUtf8());
    json.replace("@B@", m_b->baseUrl().toUtf8());
    json.replace("@RETRIES@", QByteArray::number(maxRetries));
    m_gateway = std::make_unique<GatewayUnderTest>();
    m_scope = std::make_unique<QObject>();
    connect(m_gateway->host().engine(), &Engine::providersUpdated, m_scope.get(),
        [this](const QList<ProviderSnapshot> &providers) { m_providers = providers; });
    m_gateway->host().engine()->setSecretStore(m_store);
    QString error;
    QVERIFY2(m_gateway->start(json, &error), qPrintable(error));
}

ClientCall *KeyPoolsEndToEndTest::chat(const QString &conversation, bool stream)
{
    return m_gateway->client().postAndWait(QStringLiteral("/v1/chat/completions"),
        chatBody(QStringLiteral("main"), stream,
            { { QStringLiteral("prompt_cache_key"), conversation } }));
}

ProviderSnapshot KeyPoolsEndToEndTest::provider(const QString &name) const
{
    for (const ProviderSnapshot &snapshot : m_providers) {
        if (snapshot.name == name)
            return snapshot;
    }
    return ProviderSnapshot();
}

KeySnapshot KeyPoolsEndToEndTest::key(const QString &label) const
{
    for (const KeySnapshot &snapshot : provider(QStringLiteral("a")).keys) {
        if (snapshot.label == label)
            return snapshot;
    }
    return KeySnapshot();
}

QJsonObject KeyPoolsEndToEndTest::adminJson(const QString &path)
{
    ClientCall *call = m_gateway->client().get(path);
    if (!GatewayClient::waitFor(call))
        return {};
    return call->json();
}

void KeyPoolsEndToEndTest::aConversationKeepsItsKeyAndThePoolIsShared()
{
    startGateway();
    QHash<QString, QString> keyOf;
    for (int round = 0; round < 2; ++round) {
        for (int conversation = 0; conversation < 12; ++conversation) {
            const QString name = QStringLiteral("conversation-%1").arg(conversation);
            ClientCall *call = chat(name);
            QCOMPARE(call->status, 200);
            const QString sent = labelOf(m_a->requests().constLast());
            QVERIFY(!sent.isEmpty());
            if (round == 0)
                keyOf.insert(name, sent);
            else
                QCOMPARE(sent, keyOf.value(name)); // the same key each turn: its cache is warm
            // The trace names the key by its label.
            const QJsonArray attempts
                = m_gateway->lastTrace().value(QLatin1String("attempts")).toArray();
            QCOMPARE(attempts.size(), 1);
            QCOMPARE(attempts.at(0).toObject().value(QLatin1String("key")).toString(), sent);
        }
    }
    // 12 conversations over 3 keys of equal weight: more than one key serves (for these names,
    // all three do; the hash is fixed, so this does not vary between runs).
    QCOMPARE(QSet<QString>(keyOf.cbegin(), keyOf.cend()).size(), 3);

    // A session header names a conversation as well as prompt_cache_key does.
    QSet<QString> bySession;
    for (int turn = 0; turn < 4; ++turn) {
        ClientCall *call = m_gateway->client().postAndWait(QStringLiteral("/v1/chat/completions"),
            chatBody(QStringLiteral("main"), false,
                { { QStringLiteral("messages"),
                    QJsonArray { QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                        { QStringLiteral("content"), QStringLiteral("turn %1").arg(turn) } } } } }),
            { { "x-session-id", "session-42" } });
        QCOMPARE(call->status, 200);
        bySession.insert(labelOf(m_a->requests().constLast()));
    }
    QCOMPARE(bySession.size(), 1);

    // An Anthropic client (Claude Code) names its session in metadata.user_id: each session keeps
    // its key whatever it asks, and the sessions spread over the pool.
    QSet<QString> sessionsKeys;
    for (int session = 0; session < 8; ++session) {
        QSet<QString> turns;
        for (int turn = 0; turn < 3; ++turn) {
            const QJsonObject messages {
                { QStringLiteral("model"), QStringLiteral("main") },
                { QStringLiteral("max_tokens"), 16 },
                { QStringLiteral("metadata"),
                    QJsonObject { { QStringLiteral("user_id"),
                        QStringLiteral("user_abc_account_def_session_%1").arg(session) } } },
                { QStringLiteral("messages"),
                    QJsonArray { QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                        { QStringLiteral("content"), QStringLiteral("question %1").arg(turn) } } } }
            };
            ClientCall *call = m_gateway->client().postAndWait(QStringLiteral("/v1/messages"),
                QJsonDocument(messages).toJson(QJsonDocument::Compact));
            QCOMPARE(call->status, 200);
            turns.insert(labelOf(m_a->requests().constLast()));
        }
        QCOMPARE(turns.size(), 1);
        sessionsKeys.unite(turns);
    }
    QVERIFY(sessionsKeys.size() > 1);
}

void KeyPoolsEndToEndTest::aRateLimitedKeyRestsWhileTheOthersServe()
{
    startGateway();
    m_limited.insert(QStringLiteral("two"));
    // Conversations until one whose key is "two": it gets its answer from the same route, on
    // another key, at once.
    int requestsToTwo = 0;
    QString movedConversation;
    for (int conversation = 0; conversation < 30 && movedConversation.isEmpty(); ++conversation) {
        const QString name = QStringLiteral("c%1").arg(conversation);
        const int before = m_a->requestCount();
        ClientCall *call = chat(name);
        QCOMPARE(call->status, 200);
        QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("ra"));
        QCOMPARE(call->header("X-Switchyard-Fallback"), QByteArray("0"));
        if (m_a->requestCount() - before == 2) {
            movedConversation = name;
            ++requestsToTwo;
            QCOMPARE(labelOf(m_a->requests().at(before)), QStringLiteral("two"));
            QVERIFY(labelOf(m_a->requests().constLast()) != QLatin1String("two"));
            const QJsonArray attempts
                = m_gateway->lastTrace().value(QLatin1String("attempts")).toArray();
            QCOMPARE(attempts.size(), 2);
            const QJsonObject limited = attempts.at(0).toObject();
            QCOMPARE(limited.value(QLatin1String("key")).toString(), QStringLiteral("two"));
            QCOMPARE(
                limited.value(QLatin1String("class")).toString(), QStringLiteral("rate_limited"));
            QCOMPARE(limited.value(QLatin1String("decision")).toString(), QStringLiteral("retry"));
            QVERIFY2(limited.value(QLatin1String("note"))
                         .toString()
                         .contains(QLatin1String("another key")),
                qPrintable(limited.value(QLatin1String("note")).toString()));
            QCOMPARE(attempts.at(1).toObject().value(QLatin1String("route")).toString(),
                QStringLiteral("ra"));
            QCOMPARE(attempts.at(1).toObject().value(QLatin1String("class")).toString(),
                QStringLiteral("ok"));
        }
    }
    QVERIFY2(!movedConversation.isEmpty(), "no conversation was on key 'two'");

    // The key rests for its Retry-After; the route was not charged for it.
    QTRY_COMPARE(key(QStringLiteral("two")).state, KeyState::CoolingDown);
    QVERIFY(key(QStringLiteral("two")).coolingRemainingMs > 25000);
    QVERIFY(key(QStringLiteral("two")).coolingRemainingMs <= 30000);
    QCOMPARE(key(QStringLiteral("two")).rateLimited, quint64(1));
    QCOMPARE(provider(QStringLiteral("a")).keyState, KeyState::Set);
    QVERIFY2(provider(QStringLiteral("a")).keyDetail.contains(QLatin1String("1 cooling down")),
        qPrintable(provider(QStringLiteral("a")).keyDetail));
    const QJsonObject route = adminJson(QStringLiteral("/admin/state"))
                                  .value(QLatin1String("routes"))
                                  .toObject()
                                  .value(QLatin1String("ra"))
                                  .toObject();
    QCOMPARE(route.value(QLatin1String("state")).toString(), QStringLiteral("closed"));
    QCOMPARE(route.value(QLatin1String("rate_limited_remaining_ms")).toInteger(), 0);
    // The breaker saw only successes: the key failed, not the route.
    QVERIFY(route.value(QLatin1String("calls_in_window")).toInt() > 0);
    QCOMPARE(route.value(QLatin1String("failure_rate")).toDouble(), 0.0);

    // While it rests, its conversations go straight to another key; no call reaches it.
    for (int turn = 0; turn < 3; ++turn) {
        const int before = m_a->requestCount();
        QCOMPARE(chat(movedConversation)->status, 200);
        QCOMPARE(m_a->requestCount() - before, 1);
        QVERIFY(labelOf(m_a->requests().constLast()) != QLatin1String("two"));
    }
    int sentToTwo = 0;
    for (const ReceivedRequest &request : m_a->requests())
        sentToTwo += labelOf(request) == QLatin1String("two");
    QCOMPARE(sentToTwo, requestsToTwo);
}

void KeyPoolsEndToEndTest::aRejectedKeyIsSkippedAndTheRouteIsNotCharged()
{
    startGateway();
    m_rejected.insert(QStringLiteral("one"));
    for (int conversation = 0; conversation < 20; ++conversation) {
        ClientCall *call = chat(QStringLiteral("r%1").arg(conversation));
        QCOMPARE(call->status, 200);
        QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("ra"));
    }
    int sentToOne = 0;
    for (const ReceivedRequest &request : m_a->requests())
        sentToOne += labelOf(request) == QLatin1String("one");
    QCOMPARE(sentToOne, 1); // once, and then never again
    QTRY_COMPARE(key(QStringLiteral("one")).state, KeyState::Rejected);
    QVERIFY2(key(QStringLiteral("one")).detail.contains(QLatin1String("401")),
        qPrintable(key(QStringLiteral("one")).detail));
    QCOMPARE(provider(QStringLiteral("a")).keyState, KeyState::Set); // two keys still serve
    const QJsonObject route = adminJson(QStringLiteral("/admin/state"))
                                  .value(QLatin1String("routes"))
                                  .toObject()
                                  .value(QLatin1String("ra"))
                                  .toObject();
    QVERIFY(route.value(QLatin1String("calls_in_window")).toInt() > 0);
    QCOMPARE(route.value(QLatin1String("misconfigured")).toString(), QString());
    QCOMPARE(route.value(QLatin1String("failure_rate")).toDouble(), 0.0);

    // A new value for the key is a fresh start.
    m_rejected.clear();
    m_store->setEntry(QStringLiteral("pool-one"), KeyOne);
    m_gateway->host().engine()->reloadSecrets();
    QTRY_COMPARE(key(QStringLiteral("one")).state, KeyState::Rejected); // the same value: no news
    m_store->setEntry(QStringLiteral("pool-one"), "pool-SECRET-1111-renewed");
    m_gateway->host().engine()->reloadSecrets();
    QTRY_COMPARE(key(QStringLiteral("one")).state, KeyState::Set);
}

void KeyPoolsEndToEndTest::theRouteFailsOnlyWhenNoKeyCanServe()
{
    startGateway();
    m_limited = { QStringLiteral("one"), QStringLiteral("two"), QStringLiteral("three") };
    ClientCall *call = chat(QStringLiteral("everyone-limited"));
    QCOMPARE(call->status, 200);
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("rb")); // only now a fallback
    QCOMPARE(m_a->requestCount(), 3); // each key once
    const QJsonArray attempts = m_gateway->lastTrace().value(QLatin1String("attempts")).toArray();
    QCOMPARE(attempts.size(), 4);
    QSet<QString> tried;
    for (int i = 0; i < 3; ++i) {
        const QJsonObject attempt = attempts.at(i).toObject();
        QCOMPARE(attempt.value(QLatin1String("route")).toString(), QStringLiteral("ra"));
        QCOMPARE(attempt.value(QLatin1String("class")).toString(), QStringLiteral("rate_limited"));
        QCOMPARE(attempt.value(QLatin1String("decision")).toString(),
            i < 2 ? QStringLiteral("retry") : QStringLiteral("fallback"));
        tried.insert(attempt.value(QLatin1String("key")).toString());
    }
    QCOMPARE(tried.size(), 3);

    // Now the route itself cools down (the last key's Retry-After): skipped without a call.
    const int before = m_a->requestCount();
    ClientCall *next = chat(QStringLiteral("another"));
    QCOMPARE(next->header("X-Switchyard-Route"), QByteArray("rb"));
    QCOMPARE(m_a->requestCount(), before);
    const QJsonObject skipped
        = m_gateway->lastTrace().value(QLatin1String("attempts")).toArray().at(0).toObject();
    QCOMPARE(skipped.value(QLatin1String("skip")).toString(), QStringLiteral("cooling_down"));
    // The keys that handed over rest; the last one was the route's to settle, so it is counted
    // but not put aside (another route of the provider, another model, may still use it).
    QTRY_VERIFY(key(QStringLiteral("one")).rateLimited == 1
        && key(QStringLiteral("two")).rateLimited == 1
        && key(QStringLiteral("three")).rateLimited == 1);
    int cooling = 0;
    for (const KeySnapshot &each : provider(QStringLiteral("a")).keys)
        cooling += each.state == KeyState::CoolingDown;
    QCOMPARE(cooling, 2);
    QVERIFY2(provider(QStringLiteral("a")).keyDetail.contains(QLatin1String("2 cooling down")),
        qPrintable(provider(QStringLiteral("a")).keyDetail));
}

void KeyPoolsEndToEndTest::keysThatAreAllLimitedDoNotTakeTurns()
{
    // Every key says "try again in 20 ms", and takes longer than that to say it: each is tried
    // once, then the route's own rules apply (no retries in this lane: a fallback), rather than
    // the keys taking turns until the deadline.
    startGateway();
    m_limited = { QStringLiteral("one"), QStringLiteral("two"), QStringLiteral("three") };
    m_retryAfter = { "retry-after-ms", "20" };
    m_limitedDelayMs = 40;
    ClientCall *call = chat(QStringLiteral("turns"));
    QCOMPARE(call->status, 200);
    QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("rb"));
    QCOMPARE(m_a->requestCount(), 3);
}

void KeyPoolsEndToEndTest::aStreamMovesToAnotherKeyBeforeItsFirstByte()
{
    startGateway();
    m_limited.insert(QStringLiteral("three"));
    bool moved = false;
    for (int conversation = 0; conversation < 30 && !moved; ++conversation) {
        const int before = m_a->requestCount();
        ClientCall *call = chat(QStringLiteral("s%1").arg(conversation), true);
        QCOMPARE(call->status, 200);
        QVERIFY2(call->body.contains("[DONE]"), call->body.constData());
        if (m_a->requestCount() - before == 2) {
            moved = true;
            const QString served = labelOf(m_a->requests().constLast());
            QVERIFY(served != QLatin1String("three"));
            // The caller sees one clean stream, from the key that served it.
            QVERIFY2(call->body.contains(served.toUtf8()), call->body.constData());
            QVERIFY(!call->body.contains("rate_limit"));
        }
    }
    QVERIFY2(moved, "no stream was on key 'three'");
}

void KeyPoolsEndToEndTest::keysNeverReachAnyOutput()
{
    startGateway();
    m_limited.insert(QStringLiteral("one"));
    m_rejected.insert(QStringLiteral("two"));
    for (int conversation = 0; conversation < 12; ++conversation)
        chat(QStringLiteral("k%1").arg(conversation));
    QTRY_VERIFY(key(QStringLiteral("two")).state == KeyState::Rejected);
    QByteArray everything;
    for (const QString &path : { QStringLiteral("/admin/state"), QStringLiteral("/admin/providers"),
             QStringLiteral("/admin/traces?limit=100"), QStringLiteral("/metrics") }) {
        ClientCall *call = m_gateway->client().get(path);
        QVERIFY(GatewayClient::waitFor(call));
        QCOMPARE(call->status, 200);
        everything += call->body;
    }
    // The upstream quoted key two in its rejection; the trace keeps the reason, redacted.
    QVERIFY(everything.contains("Incorrect API key provided"));
    // The labels are there; no value is, anywhere.
    QVERIFY(everything.contains("\"label\":\"two\""));
    QVERIFY(everything.contains("key=\"one\""));
    for (const QByteArray &secret : { KeyOne, KeyTwo, KeyThree })
        QVERIFY2(!everything.contains(secret), secret.constData());
}

QTEST_GUILESS_MAIN(KeyPoolsEndToEndTest)
#include "tst_pooledkeys.moc"
