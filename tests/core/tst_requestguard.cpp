#include "config/secretdestinations.h"
#include "proxy/requestguard.h"

#include <QTest>

using namespace Switchyard;

// The request guard's verdicts as a table (issue 14), and where a config change moves a key.
class RequestGuardTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void verdicts_data();
    void verdicts();
    void hostNames_data();
    void hostNames();
    void keyDestinations();
};

void RequestGuardTest::verdicts_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("host");
    QTest::addColumn<QByteArray>("origin"); // "-" for none
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<int>("status"); // 0: passes; 204: preflight
    QTest::addColumn<QByteArray>("allowOrigin");

    QTest::newRow("sdk") << QByteArray("POST") << QByteArray("127.0.0.1:8787") << QByteArray("-")
                         << QByteArray("application/json") << 0 << QByteArray();
    QTest::newRow("no host") << QByteArray("GET") << QByteArray() << QByteArray("-") << QByteArray()
                             << 0 << QByteArray();
    QTest::newRow("localhost") << QByteArray("GET") << QByteArray("localhost:8787")
                               << QByteArray("-") << QByteArray() << 0 << QByteArray();
    QTest::newRow("loopback /8") << QByteArray("GET") << QByteArray("127.1.2.3") << QByteArray("-")
                                 << QByteArray() << 0 << QByteArray();
    QTest::newRow("ipv6 loopback") << QByteArray("GET") << QByteArray("[::1]:8787")
                                   << QByteArray("-") << QByteArray() << 0 << QByteArray();
    QTest::newRow("socket's own address") << QByteArray("GET") << QByteArray("10.1.2.3:8787")
                                          << QByteArray("-") << QByteArray() << 0 << QByteArray();
    QTest::newRow("allowed host") << QByteArray("GET") << QByteArray("GATEWAY.internal")
                                  << QByteArray("-") << QByteArray() << 0 << QByteArray();
    QTest::newRow("rebinding name") << QByteArray("GET") << QByteArray("evil.example:8787")
                                    << QByteArray("-") << QByteArray() << 421 << QByteArray();
    QTest::newRow("other ip") << QByteArray("GET") << QByteArray("10.9.9.9:8787") << QByteArray("-")
                              << QByteArray() << 421 << QByteArray();
    QTest::newRow("suffix trick") << QByteArray("GET") << QByteArray("localhost.evil.example")
                                  << QByteArray("-") << QByteArray() << 421 << QByteArray();
    QTest::newRow("garbage host") << QByteArray("GET") << QByteArray("[::1") << QByteArray("-")
                                  << QByteArray() << 421 << QByteArray();
    QTest::newRow("foreign origin")
        << QByteArray("POST") << QByteArray("127.0.0.1") << QByteArray("https://evil.example")
        << QByteArray("application/json") << 403 << QByteArray();
    QTest::newRow("null origin") << QByteArray("POST") << QByteArray("127.0.0.1")
                                 << QByteArray("null") << QByteArray("application/json") << 403
                                 << QByteArray();
    QTest::newRow("empty origin") << QByteArray("GET") << QByteArray("127.0.0.1") << QByteArray()
                                  << QByteArray() << 403 << QByteArray();
    QTest::newRow("allowed origin")
        << QByteArray("POST") << QByteArray("127.0.0.1") << QByteArray("HTTP://localhost:3000")
        << QByteArray("application/json") << 0 << QByteArray("HTTP://localhost:3000");
    QTest::newRow("text/plain") << QByteArray("POST") << QByteArray("127.0.0.1") << QByteArray("-")
                                << QByteArray("text/plain") << 415 << QByteArray();
    QTest::newRow("no content type") << QByteArray("POST") << QByteArray("127.0.0.1")
                                     << QByteArray("-") << QByteArray() << 415 << QByteArray();
    QTest::newRow("json with charset")
        << QByteArray("POST") << QByteArray("127.0.0.1") << QByteArray("-")
        << QByteArray("application/json ; charset=utf-8") << 0 << QByteArray();
    QTest::newRow("preflight allowed")
        << QByteArray("OPTIONS") << QByteArray("127.0.0.1") << QByteArray("http://localhost:3000")
        << QByteArray() << 204 << QByteArray("http://localhost:3000");
    QTest::newRow("preflight foreign")
        << QByteArray("OPTIONS") << QByteArray("127.0.0.1") << QByteArray("https://evil.example")
        << QByteArray() << 403 << QByteArray();
    QTest::newRow("host before origin")
        << QByteArray("POST") << QByteArray("evil.example") << QByteArray("http://localhost:3000")
        << QByteArray("application/json") << 421 << QByteArray();
}

void RequestGuardTest::verdicts()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, host);
    QFETCH(QByteArray, origin);
    QFETCH(QByteArray, contentType);
    QFETCH(int, status);
    QFETCH(QByteArray, allowOrigin);

    Config config;
    config.allowedHosts = { QStringLiteral("gateway.internal") };
    config.allowedOrigins = { QStringLiteral("http://localhost:3000/") };
    GuardInput input;
    input.method = method;
    input.host = host;
    input.hasOrigin = origin != "-";
    input.origin = input.hasOrigin ? origin : QByteArray();
    input.contentType = contentType;
    input.bodySize = method == "POST" ? 10 : 0;
    input.localAddress = QStringLiteral("10.1.2.3");
    const GuardVerdict verdict = RequestGuard::check(input, config);
    const int actual = verdict.kind == GuardVerdict::Kind::Pass ? 0
        : verdict.kind == GuardVerdict::Kind::Preflight         ? 204
                                                                : verdict.status;
    QCOMPARE(actual, status);
    QCOMPARE(verdict.allowOrigin, allowOrigin);
    if (verdict.kind == GuardVerdict::Kind::Refuse)
        QVERIFY(!verdict.message.isEmpty() && !verdict.code.isEmpty());
}

void RequestGuardTest::hostNames_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QString>("name");
    QTest::newRow("name and port") << QByteArray("Example.COM:80") << QStringLiteral("example.com");
    QTest::newRow("trailing dot") << QByteArray("localhost.") << QStringLiteral("localhost");
    QTest::newRow("ipv6") << QByteArray("[::1]:8787") << QStringLiteral("::1");
    QTest::newRow("ipv6 junk after") << QByteArray("[::1]x") << QString();
    QTest::newRow("bare ipv6") << QByteArray("::1") << QString();
}

void RequestGuardTest::hostNames()
{
    QFETCH(QByteArray, header);
    QFETCH(QString, name);
    QCOMPARE(RequestGuard::hostName(header), name);
}

void RequestGuardTest::keyDestinations()
{
    Config running;
    ProviderConfig openai;
    openai.name = QStringLiteral("openai");
    openai.baseUrl = QUrl(QStringLiteral("https://api.openai.com/v1"));
    openai.keys = { { { SecretRef::Source::Keychain, QStringLiteral("openai") },
        QStringLiteral("openai"), 1.0 } };
    running.providers.insert(openai.name, openai);

    Config samePlace = running;
    samePlace.providers[QStringLiteral("openai")].baseUrl
        = QUrl(QStringLiteral("https://api.openai.com:443/v2"));
    QVERIFY(secretDestinationChanges(running, samePlace).isEmpty());

    Config moved = running;
    moved.providers[QStringLiteral("openai")].baseUrl
        = QUrl(QStringLiteral("https://collector.example/v1"));
    const QList<SecretDestinationChange> changes = secretDestinationChanges(running, moved);
    QCOMPARE(changes.size(), 1);
    QCOMPARE(changes.first().destination, QStringLiteral("https://collector.example:443"));
    QCOMPARE(changes.first().secret, QStringLiteral("keychain entry 'openai'"));

    Config downgraded = running;
    downgraded.providers[QStringLiteral("openai")].baseUrl
        = QUrl(QStringLiteral("http://api.openai.com/v1"));
    QCOMPARE(secretDestinationChanges(running, downgraded).size(), 1);

    Config otherSecret = running;
    otherSecret.providers[QStringLiteral("openai")].keys.first().ref
        = { SecretRef::Source::Environment, QStringLiteral("AWS_SECRET_ACCESS_KEY") };
    QCOMPARE(secretDestinationChanges(running, otherSecret).size(), 1);

    // A key added to a pool is a secret going somewhere new; the pool's old keys are not.
    Config pooled = running;
    pooled.providers[QStringLiteral("openai")].keys.append(
        { { SecretRef::Source::Keychain, QStringLiteral("openai-team") }, QStringLiteral("team"),
            1.0 });
    const QList<SecretDestinationChange> added = secretDestinationChanges(running, pooled);
    QCOMPARE(added.size(), 1);
    QVERIFY(added.constFirst().secret.contains(QLatin1String("openai-team")));

    // A provider that was simulated sent its key nowhere; made real, it sends it to its address.
    Config simulated = running;
    simulated.providers[QStringLiteral("openai")].kind = QStringLiteral("simulated");
    QVERIFY(secretDestinationChanges(running, simulated).isEmpty()); // a simulated one sends none
    QCOMPARE(secretDestinationChanges(simulated, running).size(), 1);

    Config keyless = running;
    ProviderConfig local;
    local.name = QStringLiteral("local");
    local.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:11434/v1"));
    keyless.providers.insert(local.name, local);
    QVERIFY(secretDestinationChanges(running, keyless).isEmpty());
}

QTEST_GUILESS_MAIN(RequestGuardTest)
#include "tst_requestguard.moc"
