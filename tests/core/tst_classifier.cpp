#include "routing/classifier.h"

#include <QTest>

#include "jsontext.h"

using namespace Switchyard;
using Switchyard::Testing::jsonText;

Q_DECLARE_METATYPE(Switchyard::FailureClass)
Q_DECLARE_METATYPE(Switchyard::TransportError)

class ClassifierTest final : public QObject {
    Q_OBJECT

private:
    static QByteArray completion(const QByteArray &content, const QByteArray &finish = "stop")
    {
        return jsonText("{'choices':[{'index':0,'message':{'role':'assistant','content':") + content
            + jsonText("},'finish_reason':'") + finish + jsonText("'}]}");
    }
    static QByteArray error(const QByteArray &type, const QByteArray &code)
    {
        return jsonText("{'error':{'message':'x','type':'") + type + jsonText("','code':'") + code
            + jsonText("'}}");
    }

private Q_SLOTS:
    void aSilentTimeoutIsMarkedSilent()
    {
        UpstreamOutcome outcome;
        outcome.transport = TransportError::Timeout;
        outcome.transportDetail = QStringLiteral("first token timeout after 500 ms");
        outcome.silent = true;
        const Classification silent
            = Classifier::classify(outcome, QDateTime::currentDateTimeUtc());
        QCOMPARE(silent.failureClass, FailureClass::Transient);
        QVERIFY(silent.silent);
        outcome.silent = false; // an idle timeout: the route did answer
        QVERIFY(!Classifier::classify(outcome, QDateTime::currentDateTimeUtc()).silent);
    }

    void classify_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<TransportError>("transport");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("jsonOutput");
        QTest::addColumn<FailureClass>("expected");

        const auto none = TransportError::None;
        QTest::newRow("200 completion")
            << 200 << none << completion("\"hi\"") << false << FailureClass::Ok;
        QTest::newRow("200 not json") << 200 << none << QByteArray("<html>oops</html>") << false
                                      << FailureClass::ContractViolation;
        QTest::newRow("200 wrong shape") << 200 << none << QByteArray(jsonText("{'result':'hi'}"))
                                         << false << FailureClass::ContractViolation;
        QTest::newRow("200 empty choices") << 200 << none << QByteArray(jsonText("{'choices':[]}"))
                                           << false << FailureClass::ContractViolation;
        QTest::newRow("200 json asked, not json")
            << 200 << none << completion("\"not json\"") << true << FailureClass::ContractViolation;
        QTest::newRow("200 json asked, json")
            << 200 << none << completion(jsonText("'{\\'a\\':1}'")) << true << FailureClass::Ok;
        QTest::newRow("200 content filter") << 200 << none << completion("null", "content_filter")
                                            << false << FailureClass::ContentPolicy;
        QTest::newRow("400 plain") << 400 << none << error("invalid_request_error", "bad") << false
                                   << FailureClass::CallerError;
        QTest::newRow("404") << 404 << none << error("invalid_request_error", "model_not_found")
                             << false << FailureClass::CallerError;
        QTest::newRow("413") << 413 << none << QByteArray() << false << FailureClass::CallerError;
        QTest::newRow("422") << 422 << none << QByteArray() << false << FailureClass::CallerError;
        QTest::newRow("400 context length")
            << 400 << none << error("invalid_request_error", "context_length_exceeded") << false
            << FailureClass::Incompatible;
        QTest::newRow("400 content filter")
            << 400 << none << error("invalid_request_error", "content_filter") << false
            << FailureClass::ContentPolicy;
        QTest::newRow("401") << 401 << none << QByteArray() << false << FailureClass::AuthError;
        QTest::newRow("403") << 403 << none << QByteArray() << false << FailureClass::AuthError;
        QTest::newRow("429") << 429 << none << QByteArray() << false << FailureClass::RateLimited;
        QTest::newRow("529") << 529 << none << QByteArray() << false << FailureClass::RateLimited;
        QTest::newRow("500") << 500 << none << QByteArray() << false << FailureClass::Transient;
        QTest::newRow("502") << 502 << none << QByteArray() << false << FailureClass::Transient;
        QTest::newRow("503") << 503 << none << QByteArray() << false << FailureClass::Transient;
        QTest::newRow("504") << 504 << none << QByteArray() << false << FailureClass::Transient;
        QTest::newRow("408") << 408 << none << QByteArray() << false << FailureClass::Transient;
        QTest::newRow("refused") << 0 << TransportError::ConnectionRefused << QByteArray() << false
                                 << FailureClass::Transient;
        QTest::newRow("reset") << 0 << TransportError::ConnectionReset << QByteArray() << false
                               << FailureClass::Transient;
        QTest::newRow("dns") << 0 << TransportError::HostNotFound << QByteArray() << false
                             << FailureClass::Transient;
        QTest::newRow("tls") << 0 << TransportError::Tls << QByteArray() << false
                             << FailureClass::Transient;
        QTest::newRow("timeout") << 0 << TransportError::Timeout << QByteArray() << false
                                 << FailureClass::Transient;
        QTest::newRow("cancelled")
            << 0 << TransportError::Cancelled << QByteArray() << false << FailureClass::Cancelled;
        QTest::newRow("302") << 302 << none << QByteArray() << false
                             << FailureClass::ContractViolation;
    }

    void classify()
    {
        QFETCH(int, status);
        QFETCH(TransportError, transport);
        QFETCH(QByteArray, body);
        QFETCH(bool, jsonOutput);
        QFETCH(FailureClass, expected);
        UpstreamOutcome outcome;
        outcome.httpStatus = status;
        outcome.transport = transport;
        outcome.body = body;
        outcome.jsonOutputRequested = jsonOutput;
        const Classification result
            = Classifier::classify(outcome, QDateTime::currentDateTimeUtc());
        QCOMPARE(failureClassName(result.failureClass), failureClassName(expected));
    }

    void refusedConnectionIsNotRetryable()
    {
        UpstreamOutcome outcome;
        outcome.transport = TransportError::ConnectionRefused;
        QVERIFY(!Classifier::classify(outcome, QDateTime::currentDateTimeUtc()).retryable);
        outcome.transport = TransportError::ConnectionReset;
        QVERIFY(Classifier::classify(outcome, QDateTime::currentDateTimeUtc()).retryable);
        outcome.transport = TransportError::None;
        outcome.httpStatus = 503;
        QVERIFY(Classifier::classify(outcome, QDateTime::currentDateTimeUtc()).retryable);
    }

    void embeddingsShape()
    {
        UpstreamOutcome outcome;
        outcome.endpoint = Endpoint::Embeddings;
        outcome.httpStatus = 200;
        outcome.body = jsonText("{'object':'list','data':[{'embedding':[0.1]}]}");
        QCOMPARE(Classifier::classify(outcome, QDateTime::currentDateTimeUtc()).failureClass,
            FailureClass::Ok);
        outcome.body = jsonText("{'choices':[]}");
        QCOMPARE(Classifier::classify(outcome, QDateTime::currentDateTimeUtc()).failureClass,
            FailureClass::ContractViolation);
    }

    void retryAfter_data()
    {
        QTest::addColumn<QByteArray>("retryAfter");
        QTest::addColumn<QByteArray>("retryAfterMs");
        QTest::addColumn<qint64>("expected");
        QTest::newRow("absent") << QByteArray() << QByteArray() << qint64(-1);
        QTest::newRow("seconds") << QByteArray("2") << QByteArray() << qint64(2000);
        QTest::newRow("fractional seconds") << QByteArray("0.5") << QByteArray() << qint64(500);
        QTest::newRow("zero") << QByteArray("0") << QByteArray() << qint64(0);
        QTest::newRow("ms header wins") << QByteArray("2") << QByteArray("150") << qint64(150);
        QTest::newRow("http date")
            << QByteArray("Mon, 23 Nov 2026 12:00:30 GMT") << QByteArray() << qint64(30000);
        QTest::newRow("http date past")
            << QByteArray("Mon, 23 Nov 2026 11:00:00 GMT") << QByteArray() << qint64(0);
        QTest::newRow("garbage") << QByteArray("soon") << QByteArray() << qint64(-1);
        QTest::newRow("negative") << QByteArray("-3") << QByteArray() << qint64(-1);
        // Hostile numbers: clamped to a day, never converted out of range.
        QTest::newRow("3000 years") << QByteArray("99999999999") << QByteArray() << MaxRetryAfterMs;
        QTest::newRow("ms beyond qint64")
            << QByteArray() << QByteArray("9223372036854000000") << MaxRetryAfterMs;
        QTest::newRow("1e30 seconds") << QByteArray("1e30") << QByteArray() << MaxRetryAfterMs;
        QTest::newRow("infinity") << QByteArray("inf") << QByteArray() << qint64(-1);
        QTest::newRow("nan ms") << QByteArray("2") << QByteArray("nan") << qint64(2000);
        QTest::newRow("date in year 9999")
            << QByteArray("Fri, 31 Dec 9999 23:59:59 GMT") << QByteArray() << MaxRetryAfterMs;
    }

    void retryAfter()
    {
        QFETCH(QByteArray, retryAfter);
        QFETCH(QByteArray, retryAfterMs);
        QFETCH(qint64, expected);
        const QDateTime now(QDate(2026, 11, 23), QTime(12, 0, 0), Qt::UTC);
        QCOMPARE(parseRetryAfter(retryAfter, retryAfterMs, now), expected);
    }

    void impossibleUsageIsAContractViolation_data()
    {
        QTest::addColumn<QByteArray>("usage");
        QTest::addColumn<QString>("failureClass");
        QTest::addColumn<qint64>("tokensOut");
        QTest::newRow("plain") << QByteArray("{\"prompt_tokens\":3,\"completion_tokens\":4}")
                               << "ok" << qint64(4);
        QTest::newRow("absent counts") << QByteArray("{}") << "ok" << qint64(0);
        QTest::newRow("negative") << QByteArray("{\"completion_tokens\":-1e12}")
                                  << "contract_violation" << qint64(0);
        QTest::newRow("1e30") << QByteArray("{\"prompt_tokens\":1e30}") << "contract_violation"
                              << qint64(0);
        QTest::newRow("fraction") << QByteArray("{\"completion_tokens\":2.5}")
                                  << "contract_violation" << qint64(0);
        QTest::newRow("string") << QByteArray("{\"completion_tokens\":\"7\"}")
                                << "contract_violation" << qint64(0);
        QTest::newRow("9e18") << QByteArray("{\"completion_tokens\":9e18}") << "contract_violation"
                              << qint64(0);
    }

    void impossibleUsageIsAContractViolation()
    {
        QFETCH(QByteArray, usage);
        QFETCH(QString, failureClass);
        QFETCH(qint64, tokensOut);
        UpstreamOutcome outcome;
        outcome.httpStatus = 200;
        outcome.contentType = "application/json";
        outcome.body = "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                       "\"content\":\"hi\"},\"finish_reason\":\"stop\"}],\"usage\":"
            + usage + "}";
        const Classification result
            = Classifier::classify(outcome, QDateTime::currentDateTimeUtc());
        QCOMPARE(failureClassName(result.failureClass), failureClass);
        QCOMPARE(qMax<qint64>(0, result.tokensOut), tokensOut);
        QVERIFY(result.tokensIn >= 0 || result.tokensIn == -1);
    }

    void rateLimitCarriesRetryAfter()
    {
        UpstreamOutcome outcome;
        outcome.httpStatus = 429;
        outcome.retryAfter = "3";
        const Classification result
            = Classifier::classify(outcome, QDateTime::currentDateTimeUtc());
        QCOMPARE(result.failureClass, FailureClass::RateLimited);
        QCOMPARE(result.retryAfterMs, qint64(3000));
    }

    void streamErrors_data()
    {
        QTest::addColumn<QByteArray>("event");
        QTest::addColumn<FailureClass>("expected");
        QTest::newRow("server error")
            << QByteArray(jsonText("{'error':{'message':'boom','type':'server_error'}}"))
            << FailureClass::Transient;
        QTest::newRow("rate limit")
            << QByteArray(jsonText("{'error':{'message':'slow','code':'rate_limit_exceeded'}}"))
            << FailureClass::RateLimited;
        QTest::newRow("context") << QByteArray(
            jsonText("{'error':{'message':'x','code':'context_length_exceeded'}}"))
                                 << FailureClass::Incompatible;
    }

    void streamErrors()
    {
        QFETCH(QByteArray, event);
        QFETCH(FailureClass, expected);
        QCOMPARE(Classifier::classifyStreamError(event).failureClass, expected);
    }

    void breakerCounting()
    {
        QVERIFY(countsForBreaker(FailureClass::Transient));
        QVERIFY(countsForBreaker(FailureClass::AuthError));
        QVERIFY(countsForBreaker(FailureClass::ContractViolation));
        QVERIFY(!countsForBreaker(FailureClass::CallerError));
        QVERIFY(!countsForBreaker(FailureClass::Incompatible));
        QVERIFY(!countsForBreaker(FailureClass::ContentPolicy));
        QVERIFY(!countsForBreaker(FailureClass::Cancelled));
    }

    void cachedPromptTokensAreReadApart_data()
    {
        QTest::addColumn<QByteArray>("usage");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<qint64>("read");
        QTest::addColumn<qint64>("write");
        QTest::newRow("none") << QByteArray("{'prompt_tokens': 10, 'completion_tokens': 2}") << true
                              << qint64(0) << qint64(0);
        QTest::newRow("openai cache hit")
            << QByteArray("{'prompt_tokens': 2000, 'completion_tokens': 2, "
                          "'prompt_tokens_details': {'cached_tokens': 1920}}")
            << true << qint64(1920) << qint64(0);
        QTest::newRow("cache write as litellm reports it")
            << QByteArray("{'prompt_tokens': 2000, 'completion_tokens': 2, "
                          "'prompt_tokens_details': {'cached_tokens': 0}, "
                          "'cache_creation_input_tokens': 1500}")
            << true << qint64(0) << qint64(1500);
        QTest::newRow("negative cached")
            << QByteArray("{'prompt_tokens': 20, 'completion_tokens': 2, "
                          "'prompt_tokens_details': {'cached_tokens': -5}}")
            << false << qint64(0) << qint64(0);
        QTest::newRow("fractional write")
            << QByteArray("{'prompt_tokens': 20, 'completion_tokens': "
                          "2, 'cache_creation_input_tokens': 1.5}")
            << false << qint64(0) << qint64(0);
    }

    void cachedPromptTokensAreReadApart()
    {
        QFETCH(QByteArray, usage);
        QFETCH(bool, valid);
        QFETCH(qint64, read);
        QFETCH(qint64, write);
        UpstreamOutcome outcome;
        outcome.httpStatus = 200;
        outcome.body = completion("\"hi\"");
        outcome.body.chop(1);
        outcome.body += ",\"usage\":" + jsonText(usage) + "}";
        const Classification verdict
            = Classifier::classify(outcome, QDateTime::currentDateTimeUtc());
        QCOMPARE(verdict.failureClass, valid ? FailureClass::Ok : FailureClass::ContractViolation);
        QCOMPARE(verdict.cached.read, read);
        QCOMPARE(verdict.cached.write, write);
    }
};

QTEST_GUILESS_MAIN(ClassifierTest)
#include "tst_classifier.moc"
