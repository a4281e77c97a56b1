#include "config/configdocument.h"
#include "config/configloader.h"
#include "config/configschema.h"
#include "config/jsontextedit.h"
#include "secrets/secretstore.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include "jsontext.h"

#include <sys/stat.h>

using namespace Switchyard;
using Switchyard::Testing::jsonText;

class ConfigTest final : public QObject {
    Q_OBJECT

private:
    static QByteArray minimal(
        const QByteArray &routeExtra = QByteArray(), const QByteArray &rootExtra = QByteArray())
    {
        return jsonText("{'providers': {'p': {'base_url': 'http://127.0.0.1:9/v1'}},\n             "
                        "      'routes': {'r': {'provider': 'p', 'model': 'm'")
            + routeExtra + jsonText("}},\n                   'lanes': {'main': {'chain': ['r']}}")
            + rootExtra + "}";
    }

    // A file as a person writes it: two-space indents, their own key order, "3.00", a key the
    // schema does not know, small objects on one line.
    static QByteArray handWritten()
    {
        return jsonText("{\n"
                        "  'listen': '127.0.0.1:8787',\n"
                        "  'providers': {\n"
                        "    'p': { 'base_url': 'http://127.0.0.1:9/v1' }\n"
                        "  },\n"
                        "  'routes': {\n"
                        "    'r': {\n"
                        "      'provider': 'p',\n"
                        "      'model': 'm',\n"
                        "      'price': { 'input_per_mtok': 3.00, 'output_per_mtok': 15.0 }\n"
                        "    },\n"
                        "    's': {\n"
                        "      'provider': 'p',\n"
                        "      'model': 'n'\n"
                        "    }\n"
                        "  },\n"
                        "  'lanes': {\n"
                        "    'main': { 'chain': ['r', 's'], 'x-note': 'kept' }\n"
                        "  }\n"
                        "}\n");
    }

    // `handWritten()` with the one line that starts with `from` replaced by the lines `to`.
    static QByteArray edited(const char *from, const char *to)
    {
        QByteArray text = handWritten();
        const QByteArray key = jsonText(from);
        const qsizetype begin = text.indexOf(key);
        const qsizetype end = text.indexOf('\n', begin) + 1;
        Q_ASSERT(begin >= 0);
        text.replace(begin, end - begin, jsonText(to));
        return text;
    }

private Q_SLOTS:
    void savingKeepsTheFileAsWritten_data()
    {
        // Each row is the file as it should read after the edit; its parse is the edit.
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("chain reordered")
            << edited("    'main'", "    'main': { 'chain': ['s', 'r'], 'x-note': 'kept' }\n");
        QTest::newRow("one price changed") << edited(
            "      'price'", "      'price': { 'input_per_mtok': 2.5, 'output_per_mtok': 15.0 }\n");
        QTest::newRow("member added to a one-line object") << edited("    'main'",
            "    'main': { 'chain': ['r', 's'], 'x-note': 'kept', 'degraded': 's' }\n");
        QTest::newRow("route added")
            << edited("  'lanes'", "  'lanes': {\n")
                   .replace(jsonText("      'model': 'n'\n    }\n  },"),
                       jsonText("      'model': 'n'\n    },\n    't': {\n      'model': 'o',\n"
                                "      'provider': 'p'\n    }\n  },"));
        QTest::newRow("first route removed")
            << handWritten().replace(jsonText("    'r': {\n      'provider': 'p',\n      'model': "
                                              "'m',\n      'price': { 'input_per_mtok': 3.00, "
                                              "'output_per_mtok': 15.0 }\n    },\n"),
                   QByteArray());
        QTest::newRow("last route removed") << handWritten().replace(
            jsonText(",\n    's': {\n      'provider': 'p',\n      'model': 'n'\n    }"),
            QByteArray());
        QTest::newRow("last route removed and another added") << handWritten().replace(
            jsonText("    's': {\n      'provider': 'p',\n      'model': 'n'\n    }"),
            jsonText("    'u': {\n      'model': 'v',\n      'provider': 'p'\n    }"));
        QTest::newRow("unknown key removed")
            << edited("    'main'", "    'main': { 'chain': ['r', 's'] }\n");
        QTest::newRow("a section emptied")
            << edited("    'p'", "\n")
                   .replace(jsonText("'providers': {\n\n  }"), jsonText("'providers': {}"));
    }

    void savingKeepsTheFileAsWritten()
    {
        QFETCH(QByteArray, expected);
        const QJsonObject after = QJsonDocument::fromJson(expected).object();
        QVERIFY(!after.isEmpty());
        const std::optional<QByteArray> saved = JsonTextEdit::apply(handWritten(), after);
        QVERIFY(saved);
        QCOMPARE(*saved, expected);
    }

    void savingKeepsRepeatedKeysLineEndingsAndAByteOrderMark()
    {
        // A comment written as a repeated key stays; CRLF files get CRLF in what is added; a byte
        // order mark stays where it was.
        const QByteArray text = "\xEF\xBB\xBF{\r\n  \"//\": \"one\",\r\n  \"//\": \"two\",\r\n"
                                "  \"a\": { \"x\": 1 },\r\n  \"b\": 2\r\n}\r\n";
        QJsonObject after = QJsonDocument::fromJson(text).object();
        QCOMPARE(after.value(QLatin1String("//")).toString(), QStringLiteral("two"));
        after.insert(QStringLiteral("b"), 3);
        after.insert(QStringLiteral("c"), QJsonObject { { QStringLiteral("y"), true } });
        const std::optional<QByteArray> saved = JsonTextEdit::apply(text, after);
        QVERIFY(saved);
        QCOMPARE(*saved,
            QByteArray("\xEF\xBB\xBF{\r\n  \"//\": \"one\",\r\n  \"//\": \"two\",\r\n"
                       "  \"a\": { \"x\": 1 },\r\n  \"b\": 3,\r\n  \"c\": {\r\n    \"y\": true\r\n "
                       " }\r\n}\r\n"));
        // Removing the repeated key itself writes the object anew, and still reads as the edit.
        after.remove(QStringLiteral("//"));
        const std::optional<QByteArray> without = JsonTextEdit::apply(text, after);
        QVERIFY(without);
        QCOMPARE(QJsonDocument::fromJson(*without).object(), after);
    }

    void savingAFileThatIsNotJsonWritesItWhole()
    {
        QJsonObject one;
        one.insert(QStringLiteral("a"), 1);
        QVERIFY(!JsonTextEdit::apply("{ not json", one));
        QVERIFY(!JsonTextEdit::apply("[1, 2]", one));
        // Deeper than the reader follows: written whole rather than misread.
        const QByteArray deep
            = QByteArray("{\"a\": ") + QByteArray(2000, '[') + QByteArray(2000, ']') + '}';
        const std::optional<QByteArray> saved = JsonTextEdit::apply(deep, one);
        QVERIFY(!saved || QJsonDocument::fromJson(*saved).object() == one);
    }

    void theConsoleSavesOnlyWhatItEdited()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("switchyard.json"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(handWritten());
        file.close();

        ConfigDocument document;
        QVERIFY(document.load(path).isValid());
        QString error;
        const QJsonObject json = ConfigDocument::withLane(document.json(), QStringLiteral("main"),
            { QStringLiteral("s"), QStringLiteral("r") }, QString());
        QVERIFY2(document.save(json, &error).isValid(), qPrintable(error));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(),
            edited("    'main'", "    'main': { 'chain': ['s', 'r'], 'x-note': 'kept' }\n"));
    }

    void keychainEntryNames()
    {
        // What the README tells a user to store: a gateway's admin token for attaching.
        QVERIFY(SecretStore::isValidName(QStringLiteral("admin-token@127.0.0.1:8787")));
        QVERIFY(SecretStore::isValidName(QStringLiteral("admin-token@::1:8787")));
        QVERIFY(SecretStore::isValidName(
            QStringLiteral("admin-token@%1:443").arg(QString(250, QLatin1Char('h')))));
        QVERIFY(SecretStore::isValidName(QStringLiteral("openai")));
        QVERIFY(!SecretStore::isValidName(QStringLiteral(":index"))); // the list of names itself
        QVERIFY(!SecretStore::isValidName(QStringLiteral("@x")));
        QVERIFY(!SecretStore::isValidName(QStringLiteral("my key")));
        QVERIFY(!SecretStore::isValidName(QString()));
        QVERIFY(!SecretStore::isValidName(QString(301, QLatin1Char('a'))));
    }

    void aProvidersCertificateAuthorityIsReadWhenTheConfigIs()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        auto load = [](const QString &baseUrl, const QJsonValue &tls) {
            QJsonObject provider { { QStringLiteral("base_url"), baseUrl } };
            provider.insert(QStringLiteral("tls"), tls);
            return ConfigLoader::fromObject(
                QJsonObject { { QStringLiteral("providers"),
                                  QJsonObject { { QStringLiteral("lab"), provider } } },
                    { QStringLiteral("routes"),
                        QJsonObject { { QStringLiteral("m"),
                            QJsonObject { { QStringLiteral("provider"), QStringLiteral("lab") },
                                { QStringLiteral("model"), QStringLiteral("m") } } } } },
                    { QStringLiteral("lanes"),
                        QJsonObject { { QStringLiteral("lane"),
                            QJsonObject { { QStringLiteral("chain"),
                                QJsonArray { QStringLiteral("m") } } } } } } });
        };
        const QString https = QStringLiteral("https://gpu1.lab.internal:8443/v1");
        auto caFile = [](const QString &path) {
            return QJsonObject { { QStringLiteral("ca_file"), path } };
        };
        auto errorsOf = [&](const QString &baseUrl, const QJsonValue &tls) {
            return load(baseUrl, tls).errors.join(u'\n');
        };

        const QString pem = dir.filePath(QStringLiteral("lab-ca.pem"));
        {
            QFile file(pem);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("# the lab's authority\n"
                       "-----BEGIN CERTIFICATE-----\n"
                       "MIIBnzCCAUWgAwIBAgIUMmXUrGHO9yV8YEPDm+xTqLHA8+gwCgYIKoZIzj0EAwIw\n"
                       "JDEiMCAGA1UEAwwZU3dpdGNoeWFyZCBDb25maWcgVGVzdCBDQTAgFw0yNjEyMDIw\n"
                       "NjE4MDFaGA8yMTI2MTEwODA2MTgwMVowJDEiMCAGA1UEAwwZU3dpdGNoeWFyZCBD\n"
                       "b25maWcgVGVzdCBDQTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABEvh7L2nquAl\n"
                       "z5P9qGfi6WJk1kkEAw11ZF/ZaUg7CKAfrFrrsueY7VXfT9ah21sPzpaNN857n9NK\n"
                       "VOX0FMEb1LyjUzBRMB0GA1UdDgQWBBRcf9ivonXIyS4v8fD95ncjNxjF+DAfBgNV\n"
                       "HSMEGDAWgBRcf9ivonXIyS4v8fD95ncjNxjF+DAPBgNVHRMBAf8EBTADAQH/MAoG\n"
                       "CCqGSM49BAMCA0gAMEUCIQD85R+PSgrd10qvGwmMMZoOvLpCGJR6JZw6ODPWwlIa\n"
                       "HQIgUcbSV74RzmbwuTYXKacWQrbai/eqYNfaPrzjD9F7EPU=\n"
                       "-----END CERTIFICATE-----\n");
        }
        const ConfigResult good = load(https, caFile(pem));
        QVERIFY2(good.isValid(), qPrintable(good.errors.join(u' ')));
        QCOMPARE(good.config.providers.value(QStringLiteral("lab")).tls.caFile, pem);
        QCOMPARE(good.config.providers.value(QStringLiteral("lab")).tls.caCertificates.size(), 1);

        // Each bad value is an error at the key's path, found by check-config, never a hang.
        const QString path = QStringLiteral("providers.lab.tls.ca_file: ");
        QVERIFY(errorsOf(https, caFile(dir.filePath(QStringLiteral("none.pem"))))
                    .startsWith(path + dir.filePath(QStringLiteral("none.pem"))
                        + QStringLiteral(" cannot be read: ")));
        QVERIFY(errorsOf(https, caFile(QStringLiteral("lab-ca.pem")))
                    .contains(path + QStringLiteral("must be an absolute path")));
        QVERIFY(
            errorsOf(https, caFile(QString())).contains(path + QStringLiteral("must name a file")));
        QVERIFY(errorsOf(https, caFile(dir.path())).contains(QLatin1String("is not a file")));
        const QString fifo = dir.filePath(QStringLiteral("fifo"));
        QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
        QVERIFY(errorsOf(https, caFile(fifo)).contains(QLatin1String("is not a file")));
        QFile big(dir.filePath(QStringLiteral("big.pem")));
        QVERIFY(big.open(QIODevice::WriteOnly));
        QVERIFY(big.resize(5 * 1024 * 1024));
        big.close();
        QVERIFY2(
            errorsOf(https, caFile(big.fileName())).contains(QLatin1String("larger than 4 MiB")),
            qPrintable(errorsOf(https, caFile(big.fileName()))));
        QFile notPem(dir.filePath(QStringLiteral("key.pem")));
        QVERIFY(notPem.open(QIODevice::WriteOnly));
        notPem.write("-----BEGIN PRIVATE KEY-----\nnot a certificate\n-----END PRIVATE KEY-----\n");
        notPem.close();
        QVERIFY(errorsOf(https, caFile(notPem.fileName()))
                    .contains(QLatin1String("holds no PEM certificate")));
        QVERIFY(errorsOf(QStringLiteral("http://127.0.0.1:8000/v1"), caFile(pem))
                    .contains(path + QStringLiteral("applies only to an https:// base_url")));
        QVERIFY(
            errorsOf(https, QJsonObject {}).contains(QLatin1String("providers.lab.tls.ca_file")));
        QVERIFY(errorsOf(https, QStringLiteral("/etc/ca.pem"))
                    .contains(QLatin1String("providers.lab.tls")));
        QVERIFY(errorsOf(https, QJsonObject { { QStringLiteral("ca_fiel"), pem } })
                    .contains(QLatin1String("did you mean \"ca_file\"")));

        // A console attached to a gateway elsewhere has not got the gateway's files: it checks
        // everything but them (and neither refuses the configuration nor reads its own disk).
        QJsonObject elsewhere
            = load(https, caFile(QStringLiteral("/on/the/gateway/ca.pem"))).config.source;
        const ConfigResult remote
            = ConfigLoader::fromObject(elsewhere, ConfigLoader::Files::Elsewhere);
        QVERIFY2(remote.isValid(), qPrintable(remote.errors.join(u' ')));
        QCOMPARE(remote.config.providers.value(QStringLiteral("lab")).tls.caFile,
            QStringLiteral("/on/the/gateway/ca.pem"));
        QVERIFY(!ConfigLoader::fromObject(elsewhere).isValid());

        // Two providers at one address may trust differently: each connection is pooled under
        // the authorities that verified it (the digest), so neither rides the other's check.
        QJsonObject twoProviders = good.config.source;
        QJsonObject providers = twoProviders.value(QStringLiteral("providers")).toObject();
        providers.insert(QStringLiteral("lab2"),
            QJsonObject { { QStringLiteral("base_url"),
                QStringLiteral("https://GPU1.lab.internal:8443/other/v1") } });
        twoProviders.insert(QStringLiteral("providers"), providers);
        const ConfigResult shared = ConfigLoader::fromObject(twoProviders);
        QVERIFY2(shared.isValid(), qPrintable(shared.errors.join(u' ')));
        const ProviderTls labTls = shared.config.providers.value(QStringLiteral("lab")).tls;
        QCOMPARE(labTls.caDigest.size(), 32);
        QCOMPARE(labTls.caDigest, ProviderTls::digestOf(labTls.caCertificates));
        QVERIFY(shared.config.providers.value(QStringLiteral("lab2")).tls.caDigest.isEmpty());
    }

    void captureIsOffUntilAskedFor()
    {
        const ConfigResult plain = ConfigLoader::fromJson(minimal());
        QVERIFY(plain.isValid());
        QCOMPARE(plain.config.capture.bodies, CaptureMode::Off);
        QVERIFY(!plain.config.capture.enabled());

        const ConfigResult result = ConfigLoader::fromJson(minimal({},
            jsonText(", 'capture': {'bodies': 'errors', 'max_bytes': 2048, 'retention_hours': 6, "
                     "'redact': ['ticket-[0-9]+']}")));
        QVERIFY2(result.isValid(), qPrintable(result.errors.join(QLatin1Char('\n'))));
        const CaptureSettings &capture = result.config.capture;
        QCOMPARE(capture.bodies, CaptureMode::Errors);
        QCOMPARE(capture.maxBytes, 2048);
        QCOMPARE(capture.retentionHours, 6);
        QCOMPARE(capture.redactPatterns, QStringList { QStringLiteral("ticket-[0-9]+") });
        QCOMPARE(captureModeName(capture.bodies), QStringLiteral("errors"));
    }

    void minimalConfigGetsDefaults()
    {
        const ConfigResult result = ConfigLoader::fromJson(minimal());
        QVERIFY2(result.isValid(), qPrintable(result.errors.join(QLatin1Char('\n'))));
        const Config &config = result.config;
        QCOMPARE(config.listenAddress(), QStringLiteral("127.0.0.1:8787"));
        QCOMPARE(config.defaultLane, QStringLiteral("main"));
        QCOMPARE(config.providers.value(QStringLiteral("p")).kind, QStringLiteral("openai"));
        const RouteConfig route = config.routes.value(QStringLiteral("r"));
        QVERIFY(route.capabilities & unsigned(Capability::Tools));
        QVERIFY(!(route.capabilities & unsigned(Capability::Embeddings)));
        QCOMPARE(route.breaker.window, 20);
        QCOMPARE(route.recovery.steps, (QList<double> { 0.1, 0.5, 1.0 }));
        QCOMPARE(config.lanes.value(QStringLiteral("main")).retry.maxRetries, 1);
        QCOMPARE(config.unknownModel, UnknownModelPolicy::Reject);
        QCOMPARE(route.timeouts.firstTokenMs, 30000);
        QCOMPARE(route.probe.kind, QStringLiteral("auto"));
        QCOMPARE(config.lanes.value(QStringLiteral("main")).continuation, Continuation::Off);
        QVERIFY(!config.lanes.value(QStringLiteral("main")).retry.retrySilent);
        QVERIFY(!config.lanes.value(QStringLiteral("main")).hedge.enabled());
        QCOMPARE(config.traceSuccessSampleRatio, 1.0); // every trace written
        const ConfigResult sampled = ConfigLoader::fromJson(
            minimal({}, jsonText(", 'traces': {'success_sample_ratio': 0.25}")));
        QVERIFY2(sampled.isValid(), qPrintable(sampled.errors.join(QLatin1Char('\n'))));
        QCOMPARE(sampled.config.traceSuccessSampleRatio, 0.25);
    }

    void cachedPromptTokensArePricedApart()
    {
        Price price;
        price.inputPerMTok = 3.0;
        price.outputPerMTok = 15.0;
        // Without cache prices, cached tokens cost what input does.
        QCOMPARE(price.costUsd(1000000, 0, 900000, 0), 3.0);
        price.cacheReadPerMTok = 0.3;
        price.cacheWritePerMTok = 3.75;
        // 1 M prompt tokens: 0.9 M read from the cache, 0.05 M written, 0.05 M fresh; 0.1 M out.
        QCOMPARE(price.costUsd(1000000, 100000, 900000, 50000),
            0.05 * 3.0 + 0.9 * 0.3 + 0.05 * 3.75 + 0.1 * 15.0);
        // A provider that claims more cached tokens than it had is not believed past the prompt.
        QCOMPARE(price.costUsd(100, 0, 1000000, 1000000), 100 * 0.3 / 1e6);
        QVERIFY(price.costUsd(100, 0, 50, 1000000) >= 0);
        const ConfigResult result = ConfigLoader::fromJson(
            minimal(jsonText(", 'price': {'input_per_mtok': 3, 'cache_read_per_mtok': 0.3, "
                             "'cache_write_per_mtok': 3.75}")));
        QVERIFY2(result.isValid(), qPrintable(result.errors.join(QLatin1Char('\n'))));
        const Price read = result.config.routes.value(QStringLiteral("r")).price;
        QCOMPARE(read.cacheReadPerMTok, 0.3);
        QCOMPARE(read.cacheWritePerMTok, 3.75);
        QCOMPARE(ConfigLoader::fromJson(minimal())
                     .config.routes.value(QStringLiteral("r"))
                     .price.cacheReadPerMTok,
            -1.0);
    }

    void hedgeSettings()
    {
        const auto lane = [](const char *hedge) {
            const ConfigResult result = ConfigLoader::fromJson(
                jsonText("{'providers': {'p': {'base_url': 'http://x/v1'}}, 'routes': {'r': "
                         "{'provider': 'p', 'model': 'm'}}, 'lanes': {'l': {'chain': ['r'], "
                         "'hedge': ")
                + hedge + "}}}");
            if (!result.isValid())
                qWarning() << result.errors;
            return result.config.lanes.value(QStringLiteral("l")).hedge;
        };
        const HedgeSettings fixed = lane(R"({"after_ms": 1500})");
        QCOMPARE(fixed.afterMs, 1500);
        QCOMPARE(fixed.percentile, 0.0);
        // A percentile alone waits two seconds until the route has figures of its own.
        const HedgeSettings percentile = lane(R"({"percentile": 95})");
        QVERIFY(percentile.enabled());
        QCOMPARE(percentile.afterMs, 2000);
        QCOMPARE(percentile.percentile, 95.0);
    }

    void errorsCarryTheirJsonPath_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expected");
        QTest::newRow("breaker window") << minimal(jsonText(", 'breaker': {'window': 0}"))
                                        << QStringLiteral("routes.r.breaker.window: must be ≥ 1");
        QTest::newRow("first token timeout")
            << minimal(jsonText(", 'timeouts_ms': {'first_token': 0}"))
            << QStringLiteral("routes.r.timeouts_ms.first_token: must be ≥ 1");
        QTest::newRow("probe kind") << minimal(jsonText(", 'probe': {'kind': 'ping'}"))
                                    << QStringLiteral("routes.r.probe.kind: must be \"auto\", "
                                                      "\"models\" or \"completion\"");
        QTest::newRow("probe interval while open")
            << minimal(jsonText(", 'probe': {'open_interval_ms': 5}"))
            << QStringLiteral("routes.r.probe.open_interval_ms: must be ≥ 100");
        QTest::newRow("continuation")
            << QByteArray(jsonText("{'providers': {'p': {'base_url': 'http://x/v1'}}, 'routes': "
                                   "{'r': {'provider': 'p', 'model': 'm'}}, 'lanes': {'l': "
                                   "{'chain': ['r'], 'continuation': 'resume'}}}"))
            << QStringLiteral("lanes.l.continuation: must be \"off\", \"prefill\" or \"restart\"");
        const auto withHedge = [](const char *hedge) {
            return QByteArray(jsonText("{'providers': {'p': {'base_url': 'http://x/v1'}}, "
                                       "'routes': {'r': {'provider': 'p', 'model': 'm'}}, "
                                       "'lanes': {'l': {'chain': ['r'], 'deadline_ms': 60000, "
                                       "'hedge': ")
                + hedge + "}}}");
        };
        QTest::newRow("hedge not an object")
            << withHedge("2000")
            << QStringLiteral("lanes.l.hedge: must be an object such as {\"after_ms\": 2000} or "
                              "{\"percentile\": 95}");
        QTest::newRow("hedge without a delay") << withHedge(
            "{}") << QStringLiteral("lanes.l.hedge: needs \"after_ms\" or \"percentile\"");
        QTest::newRow("hedge after zero") << withHedge(R"({"after_ms": 0})")
                                          << QStringLiteral("lanes.l.hedge.after_ms: must be ≥ 1");
        QTest::newRow("hedge after the deadline") << withHedge(
            R"({"after_ms": 90000})") << QStringLiteral("lanes.l.hedge.after_ms: must be ≤ 60000");
        QTest::newRow("hedge percentile") << withHedge(
            R"({"percentile": 100})") << QStringLiteral("lanes.l.hedge.percentile: must be ≤ 99.9");
        const auto withModels = [](const char *first, const char *second) {
            return QByteArray(jsonText("{'providers': {'p': {'base_url': 'http://x/v1'}}, "
                                       "'routes': {'r': {'provider': 'p', 'model': 'm'}}, "
                                       "'lanes': {'a': {'chain': ['r'], 'models': ")
                + first + jsonText("}, 'b': {'chain': ['r'], 'models': ") + second
                + jsonText("}}, 'default_lane': 'a'}"));
        };
        QTest::newRow("models not a list") << withModels(R"("claude-*")",
            "[]") << QStringLiteral("lanes.a.models: must be an array of strings, not a string");
        QTest::newRow("models empty name") << withModels(
            R"([""])", "[]") << QStringLiteral("lanes.a.models[0]: must not be empty");
        QTest::newRow("models naming a route")
            << withModels(R"(["x", "r"])", "[]")
            << QStringLiteral("lanes.a.models[1]: 'r' is the name of a route, which a request's "
                              "model selects already");
        QTest::newRow("models listed twice")
            << withModels(R"(["claude-*"])", R"(["claude-*"])")
            << QStringLiteral(
                   "lanes.b.models[0]: 'claude-*' is listed by lane 'a' too; a model must pick one "
                   "lane");
        QTest::newRow("cache read price")
            << minimal(jsonText(", 'price': {'cache_read_per_mtok': -1}"))
            << QStringLiteral("routes.r.price.cache_read_per_mtok: must be ≥ 0");
        QTest::newRow("retry silent")
            << QByteArray(jsonText("{'providers': {'p': {'base_url': 'http://x/v1'}}, 'routes': "
                                   "{'r': {'provider': 'p', 'model': 'm'}}, 'lanes': {'l': "
                                   "{'chain': ['r'], 'retry': {'retry_silent': 'yes'}}}}"))
            << QStringLiteral("lanes.l.retry.retry_silent: must be true or false, not a string");
        QTest::newRow("literal secret")
            << QByteArray(
                   jsonText("{'providers': {'p': {'base_url': 'http://x/v1', 'api_key': "
                            "'sk-123'}},\n                            'routes': {'r': {'provider': "
                            "'p', 'model': 'm'}}, 'lanes': {'l': {'chain': ['r']}}}"))
            << QStringLiteral("providers.p.api_key: literal secrets are refused");
        const auto withKey = [](const char *key) {
            return QByteArray(
                jsonText("{'providers': {'p': {'base_url': 'http://x/v1', 'api_key': ") + key
                + jsonText("}}, 'routes': {'r': {'provider': 'p', 'model': 'm'}}, 'lanes': "
                           "{'l': {'chain': ['r']}}}"));
        };
        QTest::newRow("a key pasted as a keychain name")
            << withKey(R"({"keychain": "gsk_8fJk2LmQ93xZp0aB7cD4eF6gH1iJ5kL"})")
            << QStringLiteral("providers.p.api_key.keychain: looks like a key itself");
        QTest::newRow("a key pasted as a variable name")
            << withKey(R"({"env": "sk-proj-abc"})")
            << QStringLiteral("providers.p.api_key.env: looks like a key itself");
        QTest::newRow("keychain name with spaces")
            << withKey(R"({"keychain": "my key"})")
            << QStringLiteral("providers.p.api_key.keychain: is not a keychain entry name");
        QTest::newRow("keychain name that starts like the index's entry")
            << withKey(R"({"keychain": ":index"})")
            << QStringLiteral("providers.p.api_key.keychain: is not a keychain entry name");
        QTest::newRow("not a variable name")
            << withKey(R"({"env": "1KEY"})")
            << QStringLiteral("providers.p.api_key.env: is not an environment variable name");
        QTest::newRow("telemetry to no URL")
            << minimal({}, jsonText(", 'telemetry': {'otlp_endpoint': 'collector:4318'}"))
            << QStringLiteral("telemetry.otlp_endpoint: must be an http:// or https:// URL");
        QTest::newRow("telemetry with a password in its URL")
            << minimal({}, jsonText(", 'telemetry': {'otlp_endpoint': 'https://u:p@c.example'}"))
            << QStringLiteral("telemetry.otlp_endpoint: must not carry a user or password");
        QTest::newRow("a collector's token in the file")
            << minimal({},
                   jsonText(", 'telemetry': {'otlp_endpoint': 'http://127.0.0.1:4318', "
                            "'headers': {'x-token': 'abc'}}"))
            << QStringLiteral("telemetry.headers.x-token: a collector's header may carry its "
                              "token");
        QTest::newRow("not a header name")
            << minimal({}, jsonText(", 'telemetry': {'headers': {'bad name': {'env': 'T'}}}"))
            << QStringLiteral("telemetry.headers: 'bad name' is not a header name");
        QTest::newRow("a success sample ratio below zero")
            << minimal({}, jsonText(", 'traces': {'success_sample_ratio': -0.1}"))
            << QStringLiteral("traces.success_sample_ratio: must be ≥ 0");
        QTest::newRow("a sample ratio above one")
            << minimal({}, jsonText(", 'telemetry': {'sample_ratio': 1.5}"))
            << QStringLiteral("telemetry.sample_ratio: must be ≤ 1");
        QTest::newRow("a misspelt telemetry key")
            << minimal({}, jsonText(", 'telemetry': {'otlp_endpont': 'http://x'}"))
            << QStringLiteral(
                   "telemetry.otlp_endpont: unknown key; did you mean \"otlp_endpoint\"?");
        QTest::newRow("an unknown capture mode")
            << minimal({}, jsonText(", 'capture': {'bodies': 'some'}"))
            << QStringLiteral("capture.bodies: must be \"off\", \"errors\" or \"all\", not 'some'");
        QTest::newRow("a capture bound too large")
            << minimal({}, jsonText(", 'capture': {'bodies': 'all', 'max_bytes': 999999999}"))
            << QStringLiteral("capture.max_bytes: must be ≤ 4194304");
        QTest::newRow("more I/O threads than any machine needs") << minimal(
            {}, jsonText(", 'workers': 1000")) << QStringLiteral("workers: must be ≤ 64");
        QTest::newRow("a negative number of I/O threads")
            << minimal({}, jsonText(", 'workers': -2")) << QStringLiteral("workers: must be ≥ 0");
        QTest::newRow("I/O threads as text")
            << minimal({}, jsonText(", 'workers': 'four'")) << QStringLiteral("workers: must be");
        QTest::newRow("a retention beyond a month")
            << minimal({}, jsonText(", 'capture': {'retention_hours': 9999}"))
            << QStringLiteral("capture.retention_hours: must be ≤ 744");
        QTest::newRow("a redaction that is no regular expression")
            << minimal({}, jsonText(", 'capture': {'redact': ['ok-[0-9]+', 'ticket-(']}"))
            << QStringLiteral("capture.redact[1]: is not a regular expression");
        QTest::newRow("a redaction that matches nothing in particular")
            << minimal({}, jsonText(", 'capture': {'redact': ['x*']}"))
            << QStringLiteral("capture.redact[0]: matches the empty text");
        QTest::newRow("a misspelt capture key")
            << minimal({}, jsonText(", 'capture': {'body': 'all'}"))
            << QStringLiteral("capture.body: unknown key (known here: bodies");
        QTest::newRow("an empty pool")
            << withKey("[]") << QStringLiteral("providers.p.api_key: names no key");
        QTest::newRow("a literal in a pool")
            << withKey(R"([{"env": "A"}, "sk-123"])")
            << QStringLiteral("providers.p.api_key[1]: literal secrets are refused");
        QTest::newRow("a pool entry with two sources")
            << withKey(R"([{"env": "A", "keychain": "b"}])")
            << QStringLiteral("providers.p.api_key[0]: must have exactly one of");
        QTest::newRow("a misspelt pool key")
            << withKey(R"([{"env": "A", "lable": "team"}])")
            << QStringLiteral("providers.p.api_key[0].lable: unknown key; did you mean \"label\"?");
        QTest::newRow("two keys, one label")
            << withKey(R"([{"env": "A", "label": "team"}, {"env": "B", "label": "team"}])")
            << QStringLiteral("providers.p.api_key[1].label: 'team' names another key");
        QTest::newRow("one key twice")
            << withKey(R"([{"env": "A", "label": "one"}, {"env": "A", "label": "two"}])")
            << QStringLiteral("providers.p.api_key[1]: environment variable A is already in");
        QTest::newRow("a key as a label")
            << withKey(R"([{"env": "A", "label": "sk-proj-4f8a9b2c7d1e"}])")
            << QStringLiteral("providers.p.api_key[0].label: looks like a key itself");
        QTest::newRow("a label with a newline")
            << withKey(R"([{"env": "A", "label": "a\nb"}])")
            << QStringLiteral("providers.p.api_key[0].label: must be 1 to 64 printable");
        QTest::newRow("an empty label")
            << withKey(R"([{"env": "A", "label": ""}])")
            << QStringLiteral("providers.p.api_key[0].label: must be 1 to 64 printable");
        QTest::newRow("a weight of zero")
            << withKey(R"([{"env": "A", "weight": 0}])")
            << QStringLiteral("providers.p.api_key[0].weight: must be ≥ 0.001");
        QTest::newRow("a weight as text")
            << withKey(R"([{"env": "A", "weight": "2"}])")
            << QStringLiteral("providers.p.api_key[0].weight: must be a number, not a string");
        QTest::newRow("unknown route in chain")
            << QByteArray(jsonText("{'providers': {'p': {'base_url': 'http://x/v1'}},\n            "
                                   "                'routes': {'r': {'provider': 'p', 'model': "
                                   "'m'}}, 'lanes': {'l': {'chain': ['r', 'nope']}}}"))
            << QStringLiteral("lanes.l.chain[1]: unknown route 'nope'");
        QTest::newRow("unknown provider") << QByteArray(jsonText(
            "{'providers': {'p': {'base_url': 'http://x/v1'}},\n                            "
            "'routes': {'r': {'provider': 'q', 'model': 'm'}}, 'lanes': {'l': {'chain': ['r']}}}"))
                                          << QStringLiteral(
                                                 "routes.r.provider: unknown provider 'q'");
        QTest::newRow("wrong type")
            << minimal(jsonText(", 'context_window': 'big'"))
            << QStringLiteral("routes.r.context_window: must be a whole number, not a string");
        QTest::newRow("capability")
            << minimal(jsonText(", 'capabilities': ['telepathy']"))
            << QStringLiteral("routes.r.capabilities[0]: unknown capability 'telepathy'");
        QTest::newRow("recovery steps")
            << minimal(jsonText(", 'recovery': {'steps': [0.5, 0.2, 1.0]}"))
            << QStringLiteral("routes.r.recovery.steps[1]: must be larger");
        QTest::newRow("listen") << minimal(QByteArray(), jsonText(", 'listen': 'nowhere'"))
                                << QStringLiteral("listen: must be HOST:PORT");
        QTest::newRow("default lane")
            << minimal(QByteArray(), jsonText(", 'default_lane': 'other'"))
            << QStringLiteral("default_lane: unknown lane 'other'");
        QTest::newRow("retry ratio") << QByteArray(
            jsonText("{'providers': {'p': {'base_url': 'http://x/v1'}},\n                          "
                     "  'routes': {'r': {'provider': 'p', 'model': 'm'}},\n                        "
                     "    'lanes': {'l': {'chain': ['r'], 'retry': {'budget_ratio': 2}}}}"))
                                     << QStringLiteral("lanes.l.retry.budget_ratio: must be ≤ 1");
        QTest::newRow("provider kind")
            << QByteArray(
                   jsonText("{'providers': {'p': {'kind': 'carrier-pigeon', 'base_url': "
                            "'http://x/v1'}},\n                            'routes': {'r': "
                            "{'provider': 'p', 'model': 'm'}}, 'lanes': {'l': {'chain': ['r']}}}"))
            << QStringLiteral("providers.p.kind: unsupported provider kind 'carrier-pigeon'");
        // A misspelt key is an error that says which key it means.
        QTest::newRow("a letter left out")
            << minimal(jsonText(", 'capabilites': ['tools']"))
            << QStringLiteral("routes.r.capabilites: unknown key; did you mean \"capabilities\"?");
        QTest::newRow("two letters swapped")
            << minimal({}, jsonText(", 'defualt_lane': 'main'"))
            << QStringLiteral("defualt_lane: unknown key; did you mean \"default_lane\"?");
        QTest::newRow("camel case")
            << minimal(jsonText(", 'timeouts_ms': {'firstByte': 10}"))
            << QStringLiteral(
                   "routes.r.timeouts_ms.firstByte: unknown key; did you mean \"first_byte\"?");
        QTest::newRow("the start of a key")
            << minimal(jsonText(", 'timeout': 5"))
            << QStringLiteral("routes.r.timeout: unknown key; did you mean \"timeouts_ms\"?");
        QTest::newRow("no key like it")
            << minimal(jsonText(", 'breaker': {'sleep': 3}"))
            << QStringLiteral("routes.r.breaker.sleep: unknown key (known here: window, min_calls, "
                              "failure_rate, consecutive_failures");
        QTest::newRow("in a provider")
            << jsonText("{'providers': {'p': {'base_url': 'http://x/v1', 'apikey': {'env': 'K'}}},"
                        " 'routes': {'r': {'provider': 'p', 'model': 'm'}},"
                        " 'lanes': {'l': {'chain': ['r'], 'retry': {'retries': 2}}}}")
            << QStringLiteral("providers.p.apikey: unknown key; did you mean \"api_key\"?");
        QTest::newRow("not json") << QByteArray("{\n  \"providers\": {,\n}")
                                  << QStringLiteral("(document): not valid JSON at line 2");
    }

    void errorsCarryTheirJsonPath()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, expected);
        const ConfigResult result = ConfigLoader::fromJson(json);
        QVERIFY(!result.isValid());
        const bool found = std::any_of(result.errors.cbegin(), result.errors.cend(),
            [&](const QString &error) { return error.startsWith(expected); });
        QVERIFY2(found, qPrintable(result.errors.join(QLatin1Char('\n'))));
    }

    void everyErrorIsReportedNotJustTheFirst()
    {
        const ConfigResult result = ConfigLoader::fromJson(minimal(jsonText(
            ", 'breaker': {'window': 0, 'half_open_calls': -1},\n                                  "
            "                                    'timeouts_ms': {'connect': 0}")));
        QCOMPARE(result.errors.size(), 3);
    }

    void notesAreKeptAndIgnored()
    {
        const ConfigResult result = ConfigLoader::fromJson(
            minimal(jsonText(", '//': 'the cheap one', 'timeouts_ms': {'// why': 'slow model'}"),
                jsonText(", 'x-team': 'search', '// owner': 'platform'")));
        QVERIFY2(result.isValid(), qPrintable(result.errors.join(QLatin1Char('\n'))));
        QVERIFY(result.warnings.isEmpty());
        QCOMPARE(result.config.source.value(QLatin1String("x-team")).toString(),
            QStringLiteral("search"));
        // Among the names of providers, routes and lanes, and in a secret reference.
        const ConfigResult maps = ConfigLoader::fromJson(jsonText(
            "{'providers': {'//': 'one for now', 'p': {'base_url': 'http://x/v1',\n"
            "                'api_key': {'env': 'K', '//': 'from the vault'}}},\n"
            " 'routes': {'x-draft': {'model': 'm'}, 'r': {'provider': 'p', 'model': 'm'}},\n"
            " 'lanes': {'// lanes': 'by team', 'l': {'chain': ['r']}}}"));
        QVERIFY2(maps.isValid(), qPrintable(maps.errors.join(QLatin1Char('\n'))));
        QCOMPARE(maps.config.providers.keys(), QStringList { QStringLiteral("p") });
        QCOMPARE(maps.config.routes.keys(), QStringList { QStringLiteral("r") });
        QCOMPARE(maps.config.lanes.keys(), QStringList { QStringLiteral("l") });
        QCOMPARE(maps.config.defaultLane, QStringLiteral("l"));
        QCOMPARE(maps.config.providers.value(QStringLiteral("p")).keys.constFirst().ref.name,
            QStringLiteral("K"));
    }

    void aKeyPoolIsReadWithItsLabelsAndWeights()
    {
        const ConfigResult pooled = ConfigLoader::fromJson(
            jsonText("{'providers': {'p': {'base_url': 'http://x/v1', 'api_key': [\n"
                     "   {'keychain': 'openai-team', 'label': 'team', 'weight': 3},\n"
                     "   {'env': 'OPENAI_PERSONAL', '//': 'mine'}]}},\n"
                     " 'routes': {'r': {'provider': 'p', 'model': 'm'}}, 'lanes': {'l': {'chain': "
                     "['r']}}}"));
        QVERIFY2(pooled.isValid(), qPrintable(pooled.errors.join(QLatin1Char('\n'))));
        const QList<ProviderKey> keys = pooled.config.providers.value(QStringLiteral("p")).keys;
        QCOMPARE(keys.size(), 2);
        QCOMPARE(keys.at(0).ref.source, SecretRef::Source::Keychain);
        QCOMPARE(keys.at(0).ref.name, QStringLiteral("openai-team"));
        QCOMPARE(keys.at(0).label, QStringLiteral("team"));
        QCOMPARE(keys.at(0).weight, 3.0);
        // Unlabelled, a key is named by its reference's name, which is no secret.
        QCOMPARE(keys.at(1).ref.source, SecretRef::Source::Environment);
        QCOMPARE(keys.at(1).label, QStringLiteral("OPENAI_PERSONAL"));
        QCOMPARE(keys.at(1).weight, 1.0);
        // The single reference of before is a pool of one.
        const ConfigResult single = ConfigLoader::fromJson(
            jsonText("{'providers': {'p': {'base_url': 'http://x/v1', 'api_key': {'env': 'K'}}},\n"
                     " 'routes': {'r': {'provider': 'p', 'model': 'm'}}, 'lanes': {'l': {'chain': "
                     "['r']}}}"));
        QVERIFY(single.isValid());
        QCOMPARE(single.config.providers.value(QStringLiteral("p")).keys,
            (QList<ProviderKey> { { { SecretRef::Source::Environment, QStringLiteral("K") },
                QStringLiteral("K"), 1.0 } }));
        // A pool is bounded.
        QByteArray many = "[";
        for (int i = 0; i <= MaxKeysPerProvider; ++i)
            many += (i ? ", " : "") + QByteArray(R"({"env": "K)") + QByteArray::number(i) + "\"}";
        const ConfigResult tooMany = ConfigLoader::fromJson(
            jsonText("{'providers': {'p': {'base_url': 'http://x/v1', 'api_key': ") + many
            + jsonText("]}}, 'routes': {'r': {'provider': 'p', 'model': 'm'}}, 'lanes': "
                       "{'l': {'chain': ['r']}}}"));
        QVERIFY(!tooMany.isValid());
        QVERIFY2(tooMany.errors.constFirst().startsWith(
                     QLatin1String("providers.p.api_key: has 65 keys; at most 64")),
            qPrintable(tooMany.errors.constFirst()));
    }

    void strayKeysGetABoundedAnswer()
    {
        QByteArray extra;
        for (int i = 0; i < 5000; ++i)
            extra += ", 'stray" + QByteArray::number(i) + "': 1";
        const ConfigResult result = ConfigLoader::fromJson(minimal({}, jsonText(extra)));
        QVERIFY(!result.isValid());
        QCOMPARE(result.errors.size(), 11);
        QCOMPARE(result.errors.last(), QStringLiteral("(document): 4990 more unknown keys"));
        // The keys this object may hold are listed once, not with every stray.
        QCOMPARE(result.errors.filter(QStringLiteral("known here")).size(), 1);
    }

    void aChainThatMixesEndpointsIsWarnedAbout()
    {
        const ConfigResult result = ConfigLoader::fromJson(jsonText(
            "{'providers': {'p': {'base_url': 'http://x/v1'}},\n"
            " 'routes': {'chat': {'provider': 'p', 'model': 'c'},\n"
            "            'embed': {'provider': 'p', 'model': 'e', 'capabilities': "
            "['embeddings']},\n"
            "            'both': {'provider': 'p', 'model': 'b', 'capabilities': ['embeddings', "
            "'tools']}},\n"
            " 'lanes': {'talk': {'chain': ['chat', 'both'], 'degraded': 'embed'},\n"
            "           'vectors': {'chain': ['embed', 'chat']}}, 'default_lane': 'talk'}"));
        QVERIFY(result.isValid());
        QCOMPARE(result.warnings,
            QStringList({ QStringLiteral(
                              "lanes.talk.degraded: route 'embed' serves only embeddings "
                              "but the lane's first route, 'chat', serves chat: "
                              "requests for one fail on the other"),
                QStringLiteral("lanes.vectors.chain[1]: route 'chat' serves only chat but the "
                               "lane's first route, 'embed', serves embeddings: requests for one "
                               "fail on the other") }));
    }

    void aPublicListenerNeedsAnAdminToken()
    {
        const ConfigResult open
            = ConfigLoader::fromJson(minimal({}, jsonText(", 'listen': '0.0.0.0:8787'")));
        QVERIFY(!open.isValid());
        QVERIFY2(open.errors.first().startsWith(QStringLiteral("admin_token: is required")),
            qPrintable(open.errors.join(QLatin1Char('\n'))));
        const ConfigResult guarded = ConfigLoader::fromJson(
            minimal({}, jsonText(", 'listen': '0.0.0.0:8787', 'admin_token': {'env': 'ADMIN'}")));
        QVERIFY(guarded.isValid());
        QVERIFY(
            ConfigLoader::fromJson(minimal({}, jsonText(", 'listen': '[::1]:8787'"))).isValid());
    }

    // The reference a user reads (switchyard.json(5), packaging/switchyard.json.5.md) has a
    // heading for every key the loader accepts, and none for a key it would refuse.
    void theReferenceDocumentsEveryKey()
    {
        QFile file(QStringLiteral(SWITCHYARD_PACKAGING "/switchyard.json.5.md"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        static const QRegularExpression heading(
            QStringLiteral("^### `([^`]+)`$"), QRegularExpression::MultilineOption);
        QStringList documented;
        for (auto match = heading.globalMatch(QString::fromUtf8(file.readAll())); match.hasNext();)
            documented.append(match.next().captured(1));
        QVERIFY(documented.size() > 50);
        for (const QString &key : ConfigSchema::keys())
            QVERIFY2(
                documented.contains(key), qPrintable(key + QStringLiteral(" is not documented")));
        for (const QString &key : std::as_const(documented))
            QVERIFY2(ConfigSchema::keys().contains(key),
                qPrintable(key + QStringLiteral(" is documented but not accepted")));
        QCOMPARE(documented.size(), QSet<QString>(documented.cbegin(), documented.cend()).size());
    }

    // What the schema accepts, the loader reads: each key of the schema, given a wrong type,
    // is refused by name (a key in the schema the loader never read would pass silently).
    void theLoaderReadsEveryKeyTheSchemaAccepts()
    {
        const auto set = [](QJsonObject object, const QStringList &path, const QJsonValue &value,
                             const auto &self) -> QJsonObject {
            if (path.size() == 1) {
                object.insert(path.first(), value);
                return object;
            }
            object.insert(path.first(),
                self(object.value(path.first()).toObject(), path.mid(1), value, self));
            return object;
        };
        int checked = 0;
        for (QString key : ConfigSchema::keys()) {
            if (key.contains(QLatin1String("[]")) || key.startsWith(u'$'))
                continue;
            key.replace(QLatin1String("providers.NAME"), QLatin1String("providers.p"))
                .replace(QLatin1String("routes.NAME"), QLatin1String("routes.r"))
                .replace(QLatin1String("lanes.NAME"), QLatin1String("lanes.main"));
            QJsonObject root = QJsonDocument::fromJson(minimal()).object();
            if (key.startsWith(QLatin1String("providers.p.simulation")))
                root = set(root,
                    { QStringLiteral("providers"), QStringLiteral("p"), QStringLiteral("kind") },
                    QStringLiteral("simulated"), set);
            root = set(root, key.split(QLatin1Char('.')), QJsonArray { QJsonObject {} }, set);
            const ConfigResult result = ConfigLoader::fromObject(root);
            // The key itself, not one inside it: "routes.r.price:", never "routes.r.price.x".
            const bool named = std::any_of(
                result.errors.cbegin(), result.errors.cend(), [&key](const QString &error) {
                    return error.startsWith(key + QLatin1Char(':'))
                        || error.startsWith(key + QLatin1Char('['));
                });
            QVERIFY2(named,
                qPrintable(key + QStringLiteral(": ") + result.errors.join(QLatin1Char('\n'))));
            ++checked;
        }
        QVERIFY(checked > 80);
    }

    void secretReferences()
    {
        const ConfigResult result = ConfigLoader::fromJson(jsonText(
            "{'providers': {\n                'a': {'base_url': 'http://x/v1', 'api_key': {'env': "
            "'A_KEY'}},\n                'b': {'base_url': 'http://x/v1', 'api_key': {'keychain': "
            "'b'}}},\n            'routes': {'r': {'provider': 'a', 'model': 'm'}}, 'lanes': {'l': "
            "{'chain': ['r']}},\n            'admin_token': {'env': 'ADMIN'}}"));
        QVERIFY(result.isValid());
        QCOMPARE(result.config.providers.value(QStringLiteral("a")).keys.constFirst().ref.source,
            SecretRef::Source::Environment);
        QCOMPARE(result.config.providers.value(QStringLiteral("b")).keys.constFirst().ref.source,
            SecretRef::Source::Keychain);
        QCOMPARE(result.config.adminToken.name, QStringLiteral("ADMIN"));
    }

    void ipv6ListenAddress()
    {
        QString host;
        quint16 port = 0;
        QVERIFY(parseListenAddress(QStringLiteral("[::1]:9000"), &host, &port));
        QCOMPARE(host, QStringLiteral("::1"));
        QCOMPARE(port, quint16(9000));
        QVERIFY(!parseListenAddress(QStringLiteral("::1:9000"), &host, &port));
        QVERIFY(!parseListenAddress(QStringLiteral("127.0.0.1:70000"), &host, &port));
    }

    void bundledConfigsValidate()
    {
        const QDir configs(QStringLiteral(SWITCHYARD_RESOURCES "/configs"));
        const QStringList files = configs.entryList({ QStringLiteral("*.json") });
        QVERIFY(!files.isEmpty());
        for (const QString &file : files) {
            const ConfigResult result = ConfigLoader::fromFile(configs.filePath(file));
            QVERIFY2(result.isValid(),
                qPrintable(file + QLatin1Char(':') + result.errors.join(QLatin1Char('\n'))));
            QVERIFY2(result.warnings.isEmpty(),
                qPrintable(file + QLatin1Char(':') + result.warnings.join(QLatin1Char('\n'))));
        }
    }
};

QTEST_GUILESS_MAIN(ConfigTest)
#include "tst_config.moc"
