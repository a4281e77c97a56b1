#include "config/config.h"
#include "observe/bodystore.h"
#include "observe/capturedbodies.h"
#include "observe/redactor.h"
#include "observe/textdiff.h"
#include "observe/trace.h"
#include "proxy/bodycapture.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Switchyard;

namespace {

const QByteArray Key = "sk-proj-KEEPOUT-abcdefghijklmnop";

Redactor redactorKnowing(const QByteArray &secret)
{
    Redactor redactor;
    redactor.setSecrets({ secret });
    return redactor;
}

CapturedBodies capturedAt(const QString &id, qint64 utcMs)
{
    CapturedBodies bodies;
    bodies.traceId = id;
    bodies.capturedAtUtcMs = utcMs;
    bodies.api = QStringLiteral("chat.completions");
    bodies.request.append(R"({"model":"main","messages":[]})", 1 << 20);
    return bodies;
}

std::optional<CapturedBodies> readBack(BodyStore &store, const QString &id)
{
    std::optional<CapturedBodies> found;
    bool answered = false;
    store.read(id, &store, [&](const std::optional<CapturedBodies> &bodies) {
        found = bodies;
        answered = true;
    });
    [&] { QTRY_VERIFY(answered); }();
    return found;
}

TraceRecord traceWith(std::initializer_list<FailureClass> attempts, int status)
{
    TraceRecord trace;
    trace.id = QStringLiteral("t1");
    for (FailureClass failureClass : attempts) {
        AttemptRecord attempt;
        attempt.route = QStringLiteral("r");
        attempt.failureClass = failureClass;
        trace.attempts.append(attempt);
    }
    trace.status = status;
    trace.finalClass = status == 200 ? FailureClass::Ok : FailureClass::Transient;
    return trace;
}

} // namespace

// The pieces of body capture (issue 22): the collector's bounds and modes, the redaction of every
// body, URL and header, the stored form, the store's retention and file mode, what a replay sends,
// and the line diff the timeline shows.
class CaptureCoreTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void aBodyKeepsWhatFitsAndCountsAll();
    void theModeChoosesWhichRequestsAreKept();
    void redactionBlanksEveryCredential();
    void aSecretAcrossTheCutIsStillBlanked();
    void aSecretBeyondShrunkenRedactionsIsNotLeftHalf();
    void aSecretSplitOverStreamEventsKeepsNoneOfTheAnswer();
    void credentialsInsideJsonStringsAndByShapeAreBlanked();
    void theRequestsOwnKeyIsBlankedWhenTheRedactorNoLongerKnowsIt();
    void aFailingOrEmptyMatchingPatternNeitherLeaksNorBloats();
    void bytesThatAreNotUtf8SurviveRedaction();
    void aRequestKeepsABoundedTotal();
    void bodiesSurviveTheirStoredForm();
    void aReplaySendsTheRequestPinnedToTheRoute();
    void theStoreIsTheUsersAloneAndForgetsInTime();
    void theDiffShowsWhatATranslationChanged();
    void aHugeDiffStaysBounded();
};

void CaptureCoreTest::aBodyKeepsWhatFitsAndCountsAll()
{
    CapturedBody body;
    body.append("hello ", 8);
    body.append("world", 8);
    QCOMPARE(body.data, QByteArray("hello wo"));
    QCOMPARE(body.size, 11);
    QVERIFY(body.cut);
    body.append("more", 8);
    QCOMPARE(body.data.size(), 8);
    QCOMPARE(body.size, 15);
}

void CaptureCoreTest::theModeChoosesWhichRequestsAreKept()
{
    const auto wants = [](CaptureMode mode, const TraceRecord &trace) {
        CaptureSettings settings;
        settings.bodies = mode;
        return BodyCapture(settings, QStringLiteral("chat.completions"), "{}", {}).wants(trace);
    };
    const TraceRecord clean = traceWith({ FailureClass::Ok }, 200);
    const TraceRecord fellBack = traceWith({ FailureClass::Transient, FailureClass::Ok }, 200);
    const TraceRecord failed = traceWith({ FailureClass::Transient }, 503);
    QVERIFY(!wants(CaptureMode::Off, failed));
    QVERIFY(wants(CaptureMode::All, clean));
    QVERIFY(!wants(CaptureMode::Errors, clean));
    QVERIFY(wants(CaptureMode::Errors, fellBack));
    QVERIFY(wants(CaptureMode::Errors, failed));
    // A route skipped without a call is no failed attempt.
    TraceRecord skipped = clean;
    skipped.attempts.prepend(AttemptRecord::skippedRoute(QStringLiteral("x"),
        FailureClass::Transient, QStringLiteral("breaker_open"), QString(), 0));
    QVERIFY(!wants(CaptureMode::Errors, skipped));
    // Nor is a hedge that lost its race.
    QVERIFY(
        !wants(CaptureMode::Errors, traceWith({ FailureClass::Cancelled, FailureClass::Ok }, 200)));
}

void CaptureCoreTest::redactionBlanksEveryCredential()
{
    CaptureSettings settings;
    settings.bodies = CaptureMode::All;
    BodyCapture capture(settings, QStringLiteral("chat.completions"),
        R"({"model":"m","user":"ticket-4242","metadata":{"x_api_key":"plain-value-1","pwd":"ok"},)"
        R"("messages":[{"role":"user","content":"my key is )"
            + Key + R"( and AIzaSyA1234567890abcdefghijklmn"}]})",
        {});
    QNetworkRequest request(QUrl(QStringLiteral("https://api.example.com/v1/chat?key=") + Key));
    request.setRawHeader("Authorization", "Bearer " + Key);
    request.setRawHeader("x-api-key", "anything-at-all");
    request.setRawHeader("Content-Type", "application/json");
    capture.sent(0, QStringLiteral("r"), request, R"({"model":"m","api_key":")" + Key + "\"}");
    capture.received(0, 401, R"({"error":{"message":"Incorrect API key provided: )" + Key + "\"}}");
    const CapturedBodies bodies = capture.take(traceWith({ FailureClass::Ok }, 200),
        redactorKnowing(Key), { QRegularExpression(QStringLiteral("ticket-[0-9]+")) });

    const QByteArray stored = QJsonDocument(bodies.toJson()).toJson();
    for (const QByteArray &secret : { Key, QByteArray("ticket-4242"), QByteArray("plain-value-1"),
             QByteArray("anything-at-all"), QByteArray("AIzaSyA1234567890abcdefghijklmn") })
        QVERIFY2(!stored.contains(secret), secret.constData());
    QVERIFY(stored.contains("\\\"pwd\\\":\\\"ok\\\"")); // a field that names no credential stays
    QCOMPARE(bodies.attempts.at(0).headers.at(0),
        (QPair<QString, QString>(QStringLiteral("Authorization"), QStringLiteral("[redacted]"))));
    QCOMPARE(bodies.attempts.at(0).headers.at(2).second, QStringLiteral("application/json"));
    QCOMPARE(bodies.attempts.at(0).status, 401);
}

void CaptureCoreTest::aSecretAcrossTheCutIsStillBlanked()
{
    CaptureSettings settings;
    settings.bodies = CaptureMode::All;
    settings.maxBytes = 1024;
    // The key begins 10 bytes before max_bytes: cut there, its first 10 characters would stay.
    QByteArray body = QByteArray(1014, 'a') + Key + QByteArray(3000, 'b');
    BodyCapture capture(settings, QStringLiteral("chat.completions"), body, {});
    const CapturedBodies bodies
        = capture.take(traceWith({ FailureClass::Ok }, 200), redactorKnowing(Key), {});
    QCOMPARE(bodies.request.data.size(), 1024);
    QVERIFY(bodies.request.cut);
    QCOMPARE(bodies.request.size, body.size());
    QVERIFY(!bodies.request.data.contains(Key.left(10)));
    QVERIFY(bodies.request.data.endsWith("[redacted]"));
}

void CaptureCoreTest::aSecretBeyondShrunkenRedactionsIsNotLeftHalf()
{
    CaptureSettings settings;
    settings.bodies = CaptureMode::All;
    settings.maxBytes = 1024;
    // A 5 KB bearer token early shrinks to "[redacted]", pulling in text from beyond the margin;
    // the key straddles where the body was cut while it was collected.
    const QByteArray token = "Bearer " + QByteArray(5000, 'J');
    const qsizetype collected = settings.maxBytes + CaptureMargin;
    QByteArray body = "auth: " + token + " ";
    body += QByteArray(collected - body.size() - 10, 'x') + " " + Key + QByteArray(2000, 'y');
    BodyCapture capture(settings, QStringLiteral("chat.completions"), body, {});
    const CapturedBodies bodies
        = capture.take(traceWith({ FailureClass::Ok }, 200), redactorKnowing(Key), {});
    QVERIFY(bodies.request.cut);
    QVERIFY2(!bodies.request.data.contains(Key.left(9)), bodies.request.data.right(40).constData());
    QVERIFY(!bodies.request.data.contains("JJJJ"));
}

void CaptureCoreTest::aSecretSplitOverStreamEventsKeepsNoneOfTheAnswer()
{
    CaptureSettings settings;
    settings.bodies = CaptureMode::All;
    BodyCapture capture(settings, QStringLiteral("chat.completions"), "{}", {});
    capture.sent(
        0, QStringLiteral("r"), QNetworkRequest(QUrl(QStringLiteral("http://h/v1"))), "{}");
    const QList<QByteArray> pieces { "Your key: ", Key.left(5), Key.mid(5, 9), Key.mid(14) };
    for (const QByteArray &piece : pieces)
        capture.received(
            0, 200, R"(data: {"choices":[{"delta":{"content":")" + piece + "\"}}]}\n\n");
    capture.received(0, 200, "data: [DONE]\n\n");
    // A stream whose text carries nothing secret is kept as it came.
    BodyCapture plain(settings, QStringLiteral("chat.completions"), "{}", {});
    plain.received(0, 200,
        R"(data: {"choices":[{"delta":{"content":"hello"}}]})"
        "\n\n");

    const Redactor redactor = redactorKnowing(Key);
    const CapturedBodies bodies = capture.take(traceWith({ FailureClass::Ok }, 200), redactor, {});
    const QByteArray kept = bodies.attempts.at(0).received.data;
    QVERIFY2(
        kept.startsWith("[redacted: the answer's text carries a credential"), kept.constData());
    QVERIFY(!kept.contains(Key.mid(5, 9)));
    QVERIFY(plain.take(traceWith({ FailureClass::Ok }, 200), redactor, {})
                .attempts.at(0)
                .received.data.contains("hello"));
}

void CaptureCoreTest::credentialsInsideJsonStringsAndByShapeAreBlanked()
{
    CaptureSettings settings;
    settings.bodies = CaptureMode::All;
    const QByteArray body
        = R"({"messages":[{"role":"assistant","tool_calls":[{"function":{)"
          R"("arguments":"{"headers":{"Authorization":"token tok-9f8e7d6c5b",)"
          R"("api-key":"0123456789abcdef0123"},"password":"hunter2-x"}"}}]},)"
          R"({"role":"user","content":"ghp_abcdefghijklmnopqrstuvwxyz012345 and )"
          R"(AKIAIOSFODNN7EXAMPLE and -----BEGIN RSA PRIVATE KEY-----
MIIEow
)"
          R"(-----END RSA PRIVATE KEY----- and max_tokens stays"}],"max_tokens":64})";
    BodyCapture capture(settings, QStringLiteral("chat.completions"), body, {});
    const QByteArray kept
        = capture.take(traceWith({ FailureClass::Ok }, 200), Redactor(), {}).request.data;
    for (const QByteArray &secret :
        { QByteArray("tok-9f8e7d6c5b"), QByteArray("0123456789abcdef0123"), QByteArray("hunter2-x"),
            QByteArray("ghp_abcdefghijklmnop"), QByteArray("AKIAIOSFODNN7EXAMPLE"),
            QByteArray("MIIEow") })
        QVERIFY2(!kept.contains(secret), kept.constData());
    QVERIFY(kept.contains(R"("max_tokens":64)"));
    QVERIFY(kept.contains("max_tokens stays"));
}

void CaptureCoreTest::theRequestsOwnKeyIsBlankedWhenTheRedactorNoLongerKnowsIt()
{
    CaptureSettings settings;
    settings.bodies = CaptureMode::All;
    const QByteArray azureLike = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
    BodyCapture capture(settings, QStringLiteral("chat.completions"), "{}", {});
    QNetworkRequest request(QUrl(QStringLiteral("https://example.openai.azure.com/")));
    request.setRawHeader("api-key", azureLike);
    capture.sent(0, QStringLiteral("r"), request, "{}");
    capture.received(0, 401, R"({"error":{"message":"Access denied: key )" + azureLike + "\"}}");
    const CapturedBodies bodies
        = capture.take(traceWith({ FailureClass::AuthError }, 401), Redactor(), {});
    QVERIFY(!QJsonDocument(bodies.toJson()).toJson().contains(azureLike));
}

void CaptureCoreTest::aFailingOrEmptyMatchingPatternNeitherLeaksNorBloats()
{
    CaptureSettings settings;
    settings.bodies = CaptureMode::All;
    // Catastrophic backtracking: PCRE gives up, and the body is not kept rather than kept raw.
    const QByteArray body = QByteArray(4000, 'a') + "b ticket-77";
    BodyCapture capture(settings, QStringLiteral("chat.completions"), body, {});
    const QList<QRegularExpression> patterns { QRegularExpression(QStringLiteral("(a|aa)+$")),
        QRegularExpression(QStringLiteral("ticket-[0-9]+")) };
    const QByteArray kept
        = capture.take(traceWith({ FailureClass::Ok }, 200), Redactor(), patterns).request.data;
    QVERIFY2(kept.startsWith("[redacted: a capture.redact pattern could not be applied"),
        kept.left(80).constData());
    // A pattern that matches between characters blanks nothing.
    BodyCapture wordy(settings, QStringLiteral("chat.completions"), "hello world", {});
    QCOMPARE(wordy
                 .take(traceWith({ FailureClass::Ok }, 200), Redactor(),
                     { QRegularExpression(QStringLiteral("\\b")) })
                 .request.data,
        QByteArray("hello world"));
}

void CaptureCoreTest::bytesThatAreNotUtf8SurviveRedaction()
{
    CaptureSettings settings;
    settings.bodies = CaptureMode::All;
    static const char head[] = "\x89PNG\r\n\x1a\n\xff\xfe\x00\x01 ";
    const QByteArray binary = QByteArray(head, sizeof head - 1) + Key;
    BodyCapture capture(settings, QStringLiteral("chat.completions"), "{}", {});
    capture.received(0, 200, binary);
    const CapturedBody kept
        = capture.take(traceWith({ FailureClass::Ok }, 200), redactorKnowing(Key), {})
              .attempts.at(0)
              .received;
    QCOMPARE(kept.data, QByteArray(head, sizeof head - 1) + "[redacted]");
    QVERIFY(!kept.cut);
}

void CaptureCoreTest::aRequestKeepsABoundedTotal()
{
    CaptureSettings settings;
    settings.bodies = CaptureMode::All;
    settings.maxBytes = 1024;
    const QByteArray big(3000, 'z');
    BodyCapture capture(settings, QStringLiteral("chat.completions"), big, {});
    for (int attempt = 0; attempt < 40; ++attempt) {
        capture.sent(
            attempt, QStringLiteral("r"), QNetworkRequest(QUrl(QStringLiteral("http://h"))), big);
        capture.received(attempt, 503, big);
    }
    const CapturedBodies bodies
        = capture.take(traceWith({ FailureClass::Transient }, 503), Redactor(), {});
    qsizetype total = bodies.request.data.size();
    for (const CapturedAttempt &attempt : bodies.attempts) {
        total += attempt.sent.data.size() + attempt.received.data.size();
        QCOMPARE(attempt.sent.size, big.size()); // counted whole, kept or not
    }
    QVERIFY2(total <= BodyCapture::MostBodiesKept * (settings.maxBytes + CaptureMargin),
        qPrintable(QString::number(total)));
    QCOMPARE(bodies.attempts.size(), 40);
}

void CaptureCoreTest::bodiesSurviveTheirStoredForm()
{
    CapturedBodies bodies = capturedAt(QStringLiteral("t-9"), 1234);
    bodies.callerHeaders
        = { { QStringLiteral("anthropic-version"), QStringLiteral("2023-06-01") } };
    CapturedAttempt attempt;
    attempt.index = 2;
    attempt.route = QStringLiteral("rb");
    attempt.url = QStringLiteral("http://127.0.0.1:1/v1/chat/completions");
    attempt.headers = { { QStringLiteral("Content-Type"), QStringLiteral("application/json") } };
    attempt.sent.append("{\"x\":\"é\"}", 1024);
    attempt.status = 502;
    attempt.received.append(QByteArray("\xff\xfe binary", 9), 1024); // not UTF-8: base64
    bodies.attempts.append(attempt);
    // A cut through a two-byte character keeps the text before it.
    CapturedBody cut;
    cut.append("ab\xc3\xa9", 3);
    bodies.request = cut;

    const std::optional<CapturedBodies> back = CapturedBodies::fromJson(bodies.toJson());
    QVERIFY(back);
    QCOMPARE(back->traceId, QStringLiteral("t-9"));
    QCOMPARE(back->capturedAtUtcMs, 1234);
    QCOMPARE(back->callerHeaders, bodies.callerHeaders);
    QCOMPARE(back->request.data, QByteArray("ab"));
    QCOMPARE(back->request.size, 4);
    QVERIFY(back->request.cut);
    QCOMPARE(back->attempts.size(), 1);
    QCOMPARE(back->attempt(2)->route, QStringLiteral("rb"));
    QCOMPARE(back->attempt(2)->sent.data, QByteArray("{\"x\":\"é\"}"));
    QCOMPARE(back->attempt(2)->received.data, QByteArray("\xff\xfe binary", 9));
    QCOMPARE(back->attempt(2)->status, 502);
    QVERIFY(!CapturedBodies::fromJson(QJsonObject()));
}

void CaptureCoreTest::aReplaySendsTheRequestPinnedToTheRoute()
{
    CapturedBodies bodies = capturedAt(QStringLiteral("t"), 0);
    QCOMPARE(bodies.path(), QStringLiteral("/v1/chat/completions"));
    QVERIFY(bodies.replayRefusal().isEmpty());
    const QJsonObject sent
        = QJsonDocument::fromJson(bodies.requestFor(QStringLiteral("rb"))).object();
    QCOMPARE(sent.value(u"model").toString(), QStringLiteral("rb"));
    QVERIFY(sent.contains(u"messages"));

    bodies.api = QStringLiteral("messages");
    QCOMPARE(bodies.path(), QStringLiteral("/v1/messages"));
    bodies.api = QStringLiteral("/v1/other");
    QVERIFY(bodies.replayRefusal().contains(QLatin1String("cannot be replayed")));
    bodies.api = QStringLiteral("responses");
    bodies.request = {};
    QVERIFY(!bodies.replayRefusal().isEmpty());
    bodies.request.append("not json", 1024);
    QVERIFY(bodies.replayRefusal().contains(QLatin1String("JSON")));
    bodies.request = {};
    bodies.request.append("{\"model\":\"m\",\"input\":\"long\"}", 10);
    QVERIFY(bodies.replayRefusal().contains(QLatin1String("max_bytes")));
}

void CaptureCoreTest::theStoreIsTheUsersAloneAndForgetsInTime()
{
    QTemporaryDir directory;
    const QString path = BodyStore::pathBeside(directory.filePath(QStringLiteral("work.sqlite")));
    QCOMPARE(QFileInfo(path).fileName(), QStringLiteral("work.bodies.sqlite"));
    // A file left readable by others is made the user's alone again.
    {
        QFile stale(path);
        QVERIFY(stale.open(QIODevice::WriteOnly));
        stale.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadOther);
    }

    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    {
        BodyStore store;
        QString error;
        QVERIFY2(store.open(path, &error), qPrintable(error));
        QCOMPARE(QFile::permissions(path),
            QFile::ReadOwner | QFile::WriteOwner | QFile::ReadUser | QFile::WriteUser);
        store.setRetentionHours(1);
        QVERIFY(store.store(capturedAt(QStringLiteral("old"), now - 2 * 3600 * 1000)));
        QVERIFY(store.store(capturedAt(QStringLiteral("new"), now - 10 * 60 * 1000)));
        QVERIFY(readBack(store, QStringLiteral("old")));
        store.prune(now);
        QVERIFY(!readBack(store, QStringLiteral("old")));
        const std::optional<CapturedBodies> kept = readBack(store, QStringLiteral("new"));
        QVERIFY(kept);
        QCOMPARE(kept->request.data, QByteArray(R"({"model":"main","messages":[]})"));
        QVERIFY(!readBack(store, QStringLiteral("never")));
        // An hour on, the newer one goes too.
        store.prune(now + 3600 * 1000);
        QVERIFY(!readBack(store, QStringLiteral("new")));
        QCOMPARE(store.dropped(), 0);
    }
    // The write-ahead log SQLite made beside it has the database's mode.
    if (QFile::exists(path + QStringLiteral("-wal")))
        QCOMPARE(QFile::permissions(path + QStringLiteral("-wal"))
                & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther),
            QFileDevice::Permissions());

    // A store that cannot be made says why.
    BodyStore nowhere;
    QString error;
    QVERIFY(!nowhere.open(QStringLiteral("/proc/no/such/bodies.sqlite"), &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(!nowhere.store(capturedAt(QStringLiteral("x"), now)));
}

void CaptureCoreTest::theDiffShowsWhatATranslationChanged()
{
    const QStringList before
        = bodyLines(R"({"model":"main","max_tokens":64,"system":"Be brief."})");
    const QStringList after = bodyLines(R"({"model":"model-a","max_tokens":64})");
    QCOMPARE(before.first(), QStringLiteral("{"));
    const QList<DiffLine> diff = diffLines(before, after);
    QList<DiffLine> changed;
    for (const DiffLine &line : diff) {
        if (line.kind != DiffLine::Kind::Same)
            changed.append(line);
    }
    QCOMPARE(changed.size(), 3);
    QCOMPARE(changed.at(0),
        (DiffLine { DiffLine::Kind::Removed, QStringLiteral("    \"model\": \"main\",") }));
    QCOMPARE(changed.at(1),
        (DiffLine { DiffLine::Kind::Removed, QStringLiteral("    \"system\": \"Be brief.\"") }));
    QCOMPARE(changed.at(2),
        (DiffLine { DiffLine::Kind::Added, QStringLiteral("    \"model\": \"model-a\"") }));
    // Every line of both sides is there once, in order.
    QStringList left;
    QStringList right;
    for (const DiffLine &line : diff) {
        if (line.kind != DiffLine::Kind::Added)
            left.append(line.text);
        if (line.kind != DiffLine::Kind::Removed)
            right.append(line.text);
    }
    QCOMPARE(left, before);
    QCOMPARE(right, after);
    QVERIFY(diffLines(before, before).size() == before.size());
    QCOMPARE(bodyLines("data: {\"a\":1}\n\ndata: [DONE]\n").size(), 3);
}

void CaptureCoreTest::aHugeDiffStaysBounded()
{
    QStringList before;
    QStringList after;
    for (int i = 0; i < 5000; ++i) {
        before.append(QStringLiteral("a%1").arg(i));
        after.append(QStringLiteral("b%1").arg(i));
    }
    before.prepend(QStringLiteral("same"));
    after.prepend(QStringLiteral("same"));
    const QList<DiffLine> diff = diffLines(before, after);
    QCOMPARE(diff.size(), 1 + 5000 + 5000);
    QCOMPARE(diff.first().kind, DiffLine::Kind::Same);
    QCOMPARE(diff.at(1).kind, DiffLine::Kind::Removed);
    QCOMPARE(diff.last().kind, DiffLine::Kind::Added);
}

QTEST_GUILESS_MAIN(CaptureCoreTest)
#include "tst_bodycapture.moc"
