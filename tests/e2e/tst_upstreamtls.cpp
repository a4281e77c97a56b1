// HTTPS providers with a certificate authority of their own (issue 20): "tls": {"ca_file": …}.
// The upstream is the scripted FakeUpstream behind a TLS front whose certificate a CA made by
// this test signed; a plain-HTTP provider is the fallback, so a refused certificate shows as a
// TLS failure on the first attempt and an answer from the second.
#include "fakeupstream.h"
#include "gatewayharness.h"
#include "tlsfront.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSslKey>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Switchyard;
using namespace Switchyard::Testing;

class UpstreamTlsTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(QDir(m_dir.path()).mkpath(QStringLiteral("lab")));
        QVERIFY(QDir(m_dir.path()).mkpath(QStringLiteral("other")));
        QString error = makeTestCertificates(
            m_dir.filePath(QStringLiteral("lab")), QStringLiteral("Switchyard Test Lab CA"));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        error = makeTestCertificates(
            m_dir.filePath(QStringLiteral("other")), QStringLiteral("Someone Else's CA"));
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    void init()
    {
        m_lab = std::make_unique<FakeUpstream>();
        m_plain = std::make_unique<FakeUpstream>();
        QVERIFY(m_lab->listen());
        QVERIFY(m_plain->listen());
        m_lab->setDefaultResponse(FakeResponse::completion(QStringLiteral("from the lab")));
        m_plain->setDefaultResponse(FakeResponse::completion(QStringLiteral("from the fallback")));

        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setLocalCertificateChain(
            QSslCertificate::fromPath(m_dir.filePath(QStringLiteral("lab/server.pem"))));
        QFile key(m_dir.filePath(QStringLiteral("lab/server.key")));
        QVERIFY(key.open(QIODevice::ReadOnly));
        tls.setPrivateKey(QSslKey(key.readAll(), QSsl::Ec));
        QVERIFY(!tls.privateKey().isNull());
        m_front = std::make_unique<TlsFront>(m_lab->port());
        QVERIFY(m_front->listen(tls));
    }

    void cleanup()
    {
        m_gateway.reset();
        m_front.reset();
        m_lab.reset();
        m_plain.reset();
    }

    void aProviderSignedByItsOwnAuthorityIsReached()
    {
        const QString notStarted = startGateway(QStringLiteral("lab/ca.pem"));
        QVERIFY2(notStarted.isEmpty(), qPrintable(notStarted));
        ClientCall *call = ask();
        QCOMPARE(call->status, 200);
        QCOMPARE(call->answerText(), QStringLiteral("from the lab"));
        QCOMPARE(m_lab->requestCount("POST", "/v1/chat/completions"), 1);
        QCOMPARE(m_plain->requestCount("POST", "/v1/chat/completions"), 0);

        // A stream through it as well.
        m_lab->enqueue(
            FakeResponse::stream({ QStringLiteral("streamed "), QStringLiteral("from the lab") }));
        ClientCall *stream = m_gateway->client().postAndWait(
            QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("lab"), true));
        QCOMPARE(stream->status, 200);
        QVERIFY2(stream->body.contains("from the lab") && stream->body.contains("data: [DONE]"),
            stream->body.constData());
        QCOMPARE(m_lab->requestCount("POST", "/v1/chat/completions"), 2);
    }

    void aCertificateFromAnotherAuthorityIsRefused()
    {
        // The lab's certificate does not chain to the authority named, so the gateway refuses
        // it before any byte of the request (or the key) is sent, and falls back.
        const QString notStarted = startGateway(QStringLiteral("other/ca.pem"));
        QVERIFY2(notStarted.isEmpty(), qPrintable(notStarted));
        ClientCall *call = ask();
        QCOMPARE(call->status, 200);
        QCOMPARE(call->answerText(), QStringLiteral("from the fallback"));
        QCOMPARE(m_lab->requestCount(), 0);
        const QJsonArray attempts
            = m_gateway->lastTrace().value(QLatin1String("attempts")).toArray();
        QVERIFY(attempts.size() >= 2);
        const QString reason
            = attempts.first().toObject().value(QLatin1String("reason")).toString();
        QVERIFY2(reason.contains(QLatin1String("TLS")), qPrintable(reason));
    }

    void withoutTheSettingTheSystemAuthoritiesDecide()
    {
        // Nobody the system trusts signed the lab's certificate: refused the same way, so the
        // setting above is what made the first test pass.
        const QString notStarted = startGateway(QString());
        QVERIFY2(notStarted.isEmpty(), qPrintable(notStarted));
        ClientCall *call = ask();
        QCOMPARE(call->answerText(), QStringLiteral("from the fallback"));
        QCOMPARE(m_lab->requestCount(), 0);
    }

    void everyAuthorityOfABundleCounts()
    {
        // A bundle with both authorities is accepted too: each certificate in the file counts.
        QFile bundle(m_dir.filePath(QStringLiteral("bundle.pem")));
        QVERIFY(bundle.open(QIODevice::WriteOnly));
        for (const char *name : { "other/ca.pem", "lab/ca.pem" }) {
            QFile part(m_dir.filePath(QString::fromLatin1(name)));
            QVERIFY(part.open(QIODevice::ReadOnly));
            bundle.write(part.readAll());
        }
        bundle.close();
        const QString notStarted = startGateway(QStringLiteral("bundle.pem"));
        QVERIFY2(notStarted.isEmpty(), qPrintable(notStarted));
        QCOMPARE(ask()->answerText(), QStringLiteral("from the lab"));
    }

    void aConnectionIsKeptAliveAndReused()
    {
        // Requests in turn share one handshake: a kept-alive connection is reused.
        const QString notStarted = startGateway(QStringLiteral("lab/ca.pem"));
        QVERIFY2(notStarted.isEmpty(), qPrintable(notStarted));
        for (int i = 0; i < 3; ++i)
            QCOMPARE(ask()->answerText(), QStringLiteral("from the lab"));
        QCOMPARE(m_lab->requestCount("POST", "/v1/chat/completions"), 3);
        QCOMPARE(m_front->connectionsRelayed(), 1);
        QCOMPARE(m_front->handshakesFailed(), 0);
    }

    void providersAtOneAddressKeepTheirOwnTrust()
    {
        // "lab" trusts the lab's authority, "strict" reaches the same address trusting only
        // another: after lab's request leaves a verified connection idle, strict's request must
        // make its own (and be refused), and lab's next request still finds its connection.
        QJsonObject config = labConfig(QStringLiteral("lab/ca.pem"));
        QJsonObject providers = config.value(QStringLiteral("providers")).toObject();
        providers.insert(QStringLiteral("strict"),
            QJsonObject { { QStringLiteral("base_url"), m_front->baseUrl() },
                { QStringLiteral("tls"),
                    QJsonObject { { QStringLiteral("ca_file"),
                        m_dir.filePath(QStringLiteral("other/ca.pem")) } } } });
        config.insert(QStringLiteral("providers"), providers);
        QJsonObject routes = config.value(QStringLiteral("routes")).toObject();
        routes.insert(QStringLiteral("strict-model"),
            QJsonObject { { QStringLiteral("provider"), QStringLiteral("strict") },
                { QStringLiteral("model"), QStringLiteral("m") } });
        config.insert(QStringLiteral("routes"), routes);
        QJsonObject lanes = config.value(QStringLiteral("lanes")).toObject();
        lanes.insert(QStringLiteral("strict"),
            QJsonObject {
                { QStringLiteral("chain"),
                    QJsonArray { QStringLiteral("strict-model"), QStringLiteral("plain-model") } },
                { QStringLiteral("retry"),
                    QJsonObject { { QStringLiteral("max_retries"), 0 } } } });
        config.insert(QStringLiteral("lanes"), lanes);
        config.insert(QStringLiteral("default_lane"), QStringLiteral("lab"));
        m_gateway = std::make_unique<GatewayUnderTest>();
        QString error;
        QVERIFY2(m_gateway->start(QJsonDocument(config).toJson(), &error), qPrintable(error));

        QCOMPARE(ask()->answerText(), QStringLiteral("from the lab"));
        ClientCall *strict = m_gateway->client().postAndWait(
            QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("strict")));
        QCOMPARE(strict->answerText(), QStringLiteral("from the fallback"));
        const QString reason = m_gateway->lastTrace()
                                   .value(QLatin1String("attempts"))
                                   .toArray()
                                   .first()
                                   .toObject()
                                   .value(QLatin1String("reason"))
                                   .toString();
        QVERIFY2(reason.contains(QLatin1String("TLS")), qPrintable(reason));
        QCOMPARE(m_lab->requestCount("POST", "/v1/chat/completions"), 1);
        QCOMPARE(ask()->answerText(), QStringLiteral("from the lab"));
        QCOMPARE(m_lab->requestCount("POST", "/v1/chat/completions"), 2);
        QCOMPARE(m_front->connectionsRelayed(), 1);
    }

private:
    // The lab provider trusting `caFile` (under the test's folder), or, when it is empty, the
    // system's authorities. Empty when it started, else why not.
    QString startGateway(const QString &caFile)
    {
        m_gateway = std::make_unique<GatewayUnderTest>();
        QString error;
        if (!m_gateway->start(QJsonDocument(labConfig(caFile)).toJson(), &error))
            return error.isEmpty() ? QStringLiteral("did not start") : error;
        return QString();
    }

    // The configuration startGateway runs.
    QJsonObject labConfig(const QString &caFile)
    {
        QJsonObject lab { { QStringLiteral("base_url"), m_front->baseUrl() } };
        if (!caFile.isEmpty())
            lab.insert(QStringLiteral("tls"),
                QJsonObject { { QStringLiteral("ca_file"), m_dir.filePath(caFile) } });
        auto route = [](const QString &provider) {
            return QJsonObject { { QStringLiteral("provider"), provider },
                { QStringLiteral("model"), QStringLiteral("m") } };
        };
        const QJsonObject config {
            // Each I/O thread keeps upstream connections of its own: with one, requests in turn
            // from new client connections share one upstream connection.
            { QStringLiteral("workers"), 1 },
            { QStringLiteral("providers"),
                QJsonObject { { QStringLiteral("lab"), lab },
                    { QStringLiteral("plain"),
                        QJsonObject { { QStringLiteral("base_url"), m_plain->baseUrl() } } } } },
            { QStringLiteral("routes"),
                QJsonObject { { QStringLiteral("lab-model"), route(QStringLiteral("lab")) },
                    { QStringLiteral("plain-model"), route(QStringLiteral("plain")) } } },
            { QStringLiteral("lanes"),
                QJsonObject { { QStringLiteral("lab"),
                    QJsonObject { { QStringLiteral("chain"),
                                      QJsonArray { QStringLiteral("lab-model"),
                                          QStringLiteral("plain-model") } },
                        { QStringLiteral("retry"),
                            QJsonObject { { QStringLiteral("max_retries"), 0 } } } } } } }
        };
        return config;
    }

    ClientCall *ask()
    {
        return m_gateway->client().postAndWait(
            QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("lab")));
    }

    QTemporaryDir m_dir;
    std::unique_ptr<FakeUpstream> m_lab;
    std::unique_ptr<FakeUpstream> m_plain;
    std::unique_ptr<TlsFront> m_front;
    std::unique_ptr<GatewayUnderTest> m_gateway;
};

QTEST_GUILESS_MAIN(UpstreamTlsTest)

#include "tst_upstreamtls.moc"
