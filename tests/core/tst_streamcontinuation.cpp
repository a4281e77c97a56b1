#include "proxy/streamcontinuation.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Switchyard;

// What of a stream reached the caller, and how another route's answer is spliced onto it: same
// id, no second role, no text twice.
class StreamContinuationTest final : public QObject {
    Q_OBJECT

private:
    static constexpr qint64 Limit = 1024 * 1024;

    static QByteArray chunk(
        const QString &id, const QJsonObject &delta, const QJsonValue &finish = {})
    {
        const QJsonObject object { { QStringLiteral("id"), id },
            { QStringLiteral("object"), QStringLiteral("chat.completion.chunk") },
            { QStringLiteral("created"), 1700000000 },
            { QStringLiteral("model"), QStringLiteral("m-") + id },
            { QStringLiteral("choices"),
                QJsonArray { QJsonObject { { QStringLiteral("index"), 0 },
                    { QStringLiteral("delta"), delta },
                    { QStringLiteral("finish_reason"),
                        finish.isUndefined() ? QJsonValue() : finish } } } } };
        return "data: " + QJsonDocument(object).toJson(QJsonDocument::Compact) + "\n\n";
    }
    static QJsonObject text(const QString &content)
    {
        return { { QStringLiteral("content"), content } };
    }
    static QJsonObject role()
    {
        return { { QStringLiteral("role"), QStringLiteral("assistant") },
            { QStringLiteral("content"), QString() } };
    }

    static StreamTranscript sent()
    {
        StreamTranscript transcript(Limit);
        transcript.record(chunk(QStringLiteral("first"), role())
            + chunk(QStringLiteral("first"), text(QStringLiteral("Hello"))));
        transcript.record(chunk(QStringLiteral("first"), text(QStringLiteral(" wor"))));
        return transcript;
    }

    // The chunks' ids, roles and text.
    static std::tuple<QStringList, int, QString> read(const QByteArray &sse)
    {
        QStringList ids;
        int roles = 0;
        QString all;
        for (const QByteArray &line : sse.split('\n')) {
            if (!line.startsWith("data: {"))
                continue;
            const QJsonObject object = QJsonDocument::fromJson(line.mid(6)).object();
            ids.append(object.value(QLatin1String("id")).toString());
            const QJsonObject delta = object.value(QLatin1String("choices"))
                                          .toArray()
                                          .first()
                                          .toObject()
                                          .value(QLatin1String("delta"))
                                          .toObject();
            roles += delta.contains(QLatin1String("role")) ? 1 : 0;
            all += delta.value(QLatin1String("content")).toString();
        }
        return { ids, roles, all };
    }

private Q_SLOTS:
    void theTranscriptKeepsTheAnswerSoFar()
    {
        const StreamTranscript transcript = sent();
        QCOMPARE(transcript.text(), QStringLiteral("Hello wor"));
        QCOMPARE(transcript.id(), QStringLiteral("first"));
        QCOMPARE(transcript.model(), QStringLiteral("m-first"));
        QVERIFY(!transcript.toolCallStarted());
    }

    void aPrefilledContinuationGoesOnAsTheSameAnswer()
    {
        StreamSplice splice(sent(), StreamSplice::Mode::Prefill, Limit);
        const QByteArray out = splice.rewrite(chunk(QStringLiteral("second"), role())
            + chunk(QStringLiteral("second"), text(QStringLiteral("ld!")))
            + chunk(QStringLiteral("second"), QJsonObject(), QStringLiteral("stop"))
            + "data: [DONE]\n\n");
        const auto [ids, roles, all] = read(out);
        QCOMPARE(ids, (QStringList { QStringLiteral("first"), QStringLiteral("first") }));
        QCOMPARE(roles, 0);
        QCOMPARE(all, QStringLiteral("ld!"));
        QVERIFY(out.contains("m-first"));
        QVERIFY(out.endsWith("data: [DONE]\n\n"));
    }

    void whitespaceThePrefillLostIsNotSentTwice()
    {
        StreamTranscript transcript(Limit);
        transcript.record(chunk(QStringLiteral("first"), text(QStringLiteral("Hello "))));
        QString trimmed;
        QCOMPARE(prefillText(transcript.text(), &trimmed), QStringLiteral("Hello"));
        QCOMPARE(trimmed, QStringLiteral(" "));
        StreamSplice splice(transcript, StreamSplice::Mode::Prefill, Limit, trimmed);
        // After a role chunk with empty content, as translated streams begin.
        QCOMPARE(std::get<2>(read(splice.rewrite(chunk(QStringLiteral("x"), role())
                     + chunk(QStringLiteral("x"), text(QStringLiteral(" world")))))),
            QStringLiteral("world"));
    }

    void aRestartForwardsOnlyWhatFollows()
    {
        StreamSplice splice(sent(), StreamSplice::Mode::Restart, Limit);
        QByteArray out;
        for (const QString &piece : { QStringLiteral("Hel"), QStringLiteral("lo w"),
                 QStringLiteral("orld"), QStringLiteral("!") })
            out += splice.rewrite(chunk(QStringLiteral("second"), text(piece)));
        QVERIFY(!splice.diverged());
        QCOMPARE(std::get<2>(read(out)), QStringLiteral("ld!"));
    }

    void aRestartThatDivergesIsSaidSo()
    {
        StreamSplice splice(sent(), StreamSplice::Mode::Restart, Limit);
        QVERIFY(splice.rewrite(chunk(QStringLiteral("second"), text(QStringLiteral("Hello"))))
                    .isEmpty());
        QVERIFY(!splice.diverged());
        QVERIFY(splice.rewrite(chunk(QStringLiteral("second"), text(QStringLiteral(" there"))))
                    .isEmpty());
        QVERIFY(splice.diverged());
    }

    void aRestartThatEndsEarlyIsSaidSo()
    {
        StreamSplice splice(sent(), StreamSplice::Mode::Restart, Limit);
        QVERIFY(splice
                    .rewrite(chunk(QStringLiteral("second"), text(QStringLiteral("Hel")),
                        QStringLiteral("stop")))
                    .isEmpty());
        QVERIFY(splice.diverged());
    }

    void anEndlessTranscriptStopsAndCannotBeContinued()
    {
        StreamTranscript transcript(Limit);
        const QByteArray piece
            = chunk(QStringLiteral("first"), text(QString(100000, QLatin1Char('x'))));
        for (int i = 0; i < 11 && transcript.continuable(); ++i)
            transcript.record(piece);
        QVERIFY(!transcript.continuable());
        QVERIFY(transcript.text().isEmpty()); // the memory is given back
    }

    void aToolCallIsNoted()
    {
        StreamTranscript transcript(Limit);
        transcript.record(chunk(QStringLiteral("first"),
            QJsonObject { { QStringLiteral("tool_calls"),
                QJsonArray { QJsonObject { { QStringLiteral("index"), 0 } } } } }));
        QVERIFY(transcript.toolCallStarted());
        QVERIFY(!transcript.continuable());
    }
};

QTEST_GUILESS_MAIN(StreamContinuationTest)
#include "tst_streamcontinuation.moc"
