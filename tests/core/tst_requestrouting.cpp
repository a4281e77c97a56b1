#include "config/configloader.h"
#include "config/modelpattern.h"
#include "proxy/hedgeattempt.h"
#include "routing/lanerouter.h"
#include "routing/requestanalysis.h"
#include "routing/routestate.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include "jsontext.h"

using namespace Switchyard;
using Switchyard::Testing::jsonText;

class RequestRoutingTest final : public QObject {
    Q_OBJECT

private:
    static Config config(const QByteArray &rootExtra = QByteArray())
    {
        const ConfigResult result = ConfigLoader::fromJson(
            jsonText("{'providers': {'p': {'base_url': 'http://x/v1'}},\n            'routes': "
                     "{'big': {'provider': 'p', 'model': 'm1'}, 'small': {'provider': 'p', "
                     "'model': 'm2'}},\n            'lanes': {'strong': {'chain': ['big', "
                     "'small']}, 'cheap': {'chain': ['small'],\n                      'retry': "
                     "{'max_retries': 3}}},\n            'default_lane': 'cheap'")
            + rootExtra + "}");
        if (!result.isValid())
            qFatal("%s", qPrintable(result.errors.join(QLatin1Char('\n'))));
        return result.config;
    }

private Q_SLOTS:
    void laneSelection_data()
    {
        QTest::addColumn<QByteArray>("extra");
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("header");
        QTest::addColumn<bool>("found");
        QTest::addColumn<QString>("lane");
        QTest::addColumn<QStringList>("chain");
        QTest::newRow("model names lane")
            << QByteArray() << "strong"
            << "" << true << "strong" << QStringList { "big", "small" };
        QTest::newRow("header wins over model")
            << QByteArray() << "strong"
            << "cheap" << true << "cheap" << QStringList { "small" };
        QTest::newRow("model names route: pinned")
            << QByteArray() << "big"
            << "" << true << "route:big" << QStringList { "big" };
        QTest::newRow("unknown model rejected") << QByteArray() << "gpt-9"
                                                << "" << false << "" << QStringList {};
        QTest::newRow("unknown header rejected") << QByteArray() << "strong"
                                                 << "nope" << false << "" << QStringList {};
        QTest::newRow("unknown model to default lane")
            << QByteArray(jsonText(", 'unknown_model': 'default_lane'")) << "gpt-9"
            << "" << true << "cheap" << QStringList { "small" };
    }

    void laneSelection()
    {
        QFETCH(QByteArray, extra);
        QFETCH(QString, model);
        QFETCH(QString, header);
        QFETCH(bool, found);
        QFETCH(QString, lane);
        QFETCH(QStringList, chain);
        const RoutingTarget target = resolveTarget(config(extra), model, header);
        QCOMPARE(target.found, found);
        if (!found) {
            QVERIFY(target.notFoundMessage.contains(QStringLiteral("Lanes: cheap, strong")));
            return;
        }
        QCOMPARE(target.lane, lane);
        QCOMPARE(target.chain, chain);
    }

    void pinnedRouteRetriesLikeTheDefaultLane()
    {
        const RoutingTarget target = resolveTarget(config(), QStringLiteral("small"), QString());
        QVERIFY(target.pinned);
        QCOMPARE(target.retry.maxRetries, 3);
    }

    void analysis_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QString>("param");
        QTest::addColumn<QStringList>("needs");
        QTest::newRow("plain") << QByteArray(
            jsonText("{'model':'x','messages':[{'role':'user','content':'hi'}]}"))
                               << true << "" << QStringList {};
        QTest::newRow("stream") << QByteArray(jsonText("{'model':'x','stream':true,'messages':[]}"))
                                << true << "" << QStringList { "stream" };
        QTest::newRow("tools") << QByteArray(
            jsonText("{'model':'x','messages':[],'tools':[{'type':'function'}]}"))
                               << true << "" << QStringList { "tools" };
        QTest::newRow("json") << QByteArray(
            jsonText("{'model':'x','messages':[],'response_format':{'type':'json_object'}}"))
                              << true << "" << QStringList { "json" };
        QTest::newRow("vision") << QByteArray(jsonText(
            "{'model':'x','messages':[{'role':'user','content':[\n                                 "
            "   {'type':'text','text':'what is this'},\n                                    "
            "{'type':'image_url','image_url':{'url':'data:image/png;base64,AA'}}]}]}"))
                                << true << "" << QStringList { "vision" };
        QTest::newRow("malformed json")
            << QByteArray(jsonText("{'model':'x',")) << false << "" << QStringList {};
        QTest::newRow("array body")
            << QByteArray(jsonText("[1,2]")) << false << "" << QStringList {};
        QTest::newRow("model not string") << QByteArray(jsonText("{'model':5,'messages':[]}"))
                                          << false << "model" << QStringList {};
        QTest::newRow("messages missing")
            << QByteArray(jsonText("{'model':'x'}")) << false << "messages" << QStringList {};
        QTest::newRow("messages wrong type")
            << QByteArray(jsonText("{'model':'x','messages':'hi'}")) << false << "messages"
            << QStringList {};
        QTest::newRow("stream wrong type")
            << QByteArray(jsonText("{'model':'x','messages':[],'stream':'yes'}")) << false
            << "stream" << QStringList {};
        QTest::newRow("max_tokens wrong")
            << QByteArray(jsonText("{'model':'x','messages':[],'max_tokens':-4}")) << false
            << "max_tokens" << QStringList {};
        // Found by fuzzing: an integral double past qint64 must be refused, not converted.
        QTest::newRow("max_tokens beyond any count")
            << QByteArray(jsonText("{'model':'x','messages':[],'max_tokens':4.1e34}")) << false
            << "max_tokens" << QStringList {};
        QTest::newRow("max_completion_tokens past the limit")
            << QByteArray(jsonText("{'model':'x','messages':[],'max_completion_tokens':100000001}"))
            << false << "max_completion_tokens" << QStringList {};
        // Routed by one, forwarded with the other: refused.
        QTest::newRow("model twice")
            << QByteArray(jsonText("{'model':'cheap','messages':[],'model':'gpt-4o'}")) << false
            << "model" << QStringList {};
        QTest::newRow("model twice, once escaped")
            << QByteArray("{\"model\":\"cheap\",\"messages\":[],\"mod\\u0065l\":\"gpt-4o\"}")
            << false << "model" << QStringList {};
        QTest::newRow("messages twice")
            << QByteArray(jsonText("{'model':'x','messages':[],'messages':[{'role':'user'}]}"))
            << false << "messages" << QStringList {};
        QTest::newRow("same name nested is fine")
            << QByteArray(jsonText("{'model':'x','messages':[],'metadata':{'model':'y'}}")) << true
            << "" << QStringList {};
    }

    void analysis()
    {
        QFETCH(QByteArray, body);
        QFETCH(bool, valid);
        QFETCH(QString, param);
        QFETCH(QStringList, needs);
        const RequestAnalysis analysis = RequestAnalysis::analyze(Endpoint::ChatCompletions, body);
        QCOMPARE(analysis.valid, valid);
        QCOMPARE(analysis.errorParam, param);
        if (valid)
            QCOMPARE(capabilityNames(analysis.needs), needs);
        else
            QVERIFY(!analysis.error.isEmpty());
    }

    void incompatibility()
    {
        RouteConfig route;
        route.capabilities = unsigned(Capability::Stream);
        route.contextWindow = 100;
        RequestAnalysis request = RequestAnalysis::analyze(Endpoint::ChatCompletions,
            jsonText("{'model':'x','messages':[],'tools':[{'type':'function'}],'max_tokens':10}"));
        QCOMPARE(incompatibilityReason(route, request), QStringLiteral("route lacks tools"));
        request = RequestAnalysis::analyze(Endpoint::ChatCompletions,
            jsonText("{'model':'x','messages':[{'role':'user','content':'hi'}],'max_tokens':500}"));
        QVERIFY(incompatibilityReason(route, request)
                    .contains(QStringLiteral("context window is 100")));
        request = RequestAnalysis::analyze(Endpoint::ChatCompletions,
            jsonText("{'model':'x','messages':[{'role':'user','content':'hi'}],'max_tokens':50}"));
        QCOMPARE(incompatibilityReason(route, request), QString());
    }

    void modelReplacementKeepsEveryOtherByte_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("simple") << QByteArray(jsonText("{'model':'lane','messages':[]}"))
                                << QByteArray(jsonText("{'model':'gpt-4o','messages':[]}"));
        QTest::newRow("spacing and number formats kept")
            << QByteArray("{ \"temperature\" : 0.70, \"seed\": 12345678901234567890,\n  \"model\" "
                          ": \"x\" }")
            << QByteArray("{ \"temperature\" : 0.70, \"seed\": 12345678901234567890,\n  \"model\" "
                          ": \"gpt-4o\" }");
        QTest::newRow("nested model untouched")
            << QByteArray(jsonText("{'metadata':{'model':'keep'},'model':'x'}"))
            << QByteArray(jsonText("{'metadata':{'model':'keep'},'model':'gpt-4o'}"));
        QTest::newRow("model inside string untouched")
            << QByteArray(
                   jsonText("{'messages':[{'content':'\\'model\\':\\'x\\''}],'model':'lane'}"))
            << QByteArray(
                   jsonText("{'messages':[{'content':'\\'model\\':\\'x\\''}],'model':'gpt-4o'}"));
        QTest::newRow("missing model added")
            << QByteArray(jsonText("{'messages':[]}"))
            << QByteArray(jsonText("{'model':'gpt-4o','messages':[]}"));
        QTest::newRow("empty object")
            << QByteArray("{}") << QByteArray(jsonText("{'model':'gpt-4o'}"));
        QTest::newRow("escaped name replaced, not doubled")
            << QByteArray("{\"mod\\u0065l\":\"lane\",\"messages\":[]}")
            << QByteArray("{\"mod\\u0065l\":\"gpt-4o\",\"messages\":[]}");
    }

    void modelReplacementKeepsEveryOtherByte()
    {
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, expected);
        QCOMPARE(replaceTopLevelModel(body, QStringLiteral("gpt-4o")), expected);
    }

    // Whatever a route's model is called, the body sent names exactly it: a plain name goes in as
    // it is, anything JSON must escape is escaped.
    void modelReplacementEscapes_data()
    {
        QTest::addColumn<QString>("model");
        QTest::newRow("plain") << QStringLiteral("claude-3-5-sonnet@2024/10:latest");
        QTest::newRow("quote") << QStringLiteral("we\"ird");
        QTest::newRow("backslash") << QStringLiteral("a\\b");
        QTest::newRow("control") << QStringLiteral("tab\there\nline");
        QTest::newRow("not ascii") << QStringLiteral("modèle-大");
        QTest::newRow("delete") << QStringLiteral("x\x7fy");
        QTest::newRow("empty") << QString();
    }

    void modelReplacementEscapes()
    {
        QFETCH(QString, model);
        const QByteArray out = replaceTopLevelModel(jsonText("{'model':'x','n':1}"), model);
        QJsonParseError error;
        const QJsonObject sent = QJsonDocument::fromJson(out, &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(sent.value(QLatin1String("model")).toString(), model);
        QCOMPARE(sent.value(QLatin1String("n")).toInt(), 1);
    }

    void hedgeDelayFollowsTheRoutesFirstContentTimes()
    {
        HedgeSettings hedge;
        hedge.afterMs = 2000;
        hedge.percentile = 90;
        RouteStats stats;
        // Too few figures yet: the fixed delay.
        for (int i = 0; i < HedgeMinSamples - 1; ++i)
            stats.recordFirstContent(100 + i, true);
        QCOMPARE(hedgeDelayMs(hedge, stats, true), 2000);
        // Enough: the percentile of the stream's first tokens, 100..199 ms here.
        for (int i = HedgeMinSamples - 1; i < 100; ++i)
            stats.recordFirstContent(100 + i, true);
        QCOMPARE(hedgeDelayMs(hedge, stats, true), 190);
        // Whole answers are counted apart: a non-streamed request has no figures yet.
        QCOMPARE(hedgeDelayMs(hedge, stats, false), 2000);
        // Without a percentile the delay is fixed, whatever the figures.
        hedge.percentile = 0;
        QCOMPARE(hedgeDelayMs(hedge, stats, true), 2000);
    }

    void modelPatterns_data()
    {
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<QString>("model");
        QTest::addColumn<bool>("matches");
        QTest::newRow("exact") << "claude-opus-4-8"
                               << "claude-opus-4-8" << true;
        QTest::newRow("exact is whole") << "claude-opus-4"
                                        << "claude-opus-4-8" << false;
        QTest::newRow("star") << "claude-opus-*"
                              << "claude-opus-4-8" << true;
        QTest::newRow("star may be empty") << "claude-opus-*"
                                           << "claude-opus-" << true;
        QTest::newRow("star crosses a slash") << "meta-llama/*"
                                              << "meta-llama/llama-3/8b" << true;
        QTest::newRow("question mark is one") << "gpt-5?"
                                              << "gpt-5o" << true;
        QTest::newRow("question mark is not two") << "gpt-5?"
                                                  << "gpt-5ox" << false;
        QTest::newRow("anchored") << "opus*"
                                  << "claude-opus-4" << false;
        QTest::newRow("regex characters are literal") << "gpt-4.1*"
                                                      << "gpt-4x1-mini" << false;
        QTest::newRow("brackets are literal") << "m[ab]"
                                              << "ma" << false;
        QTest::newRow("case matters") << "Claude-*"
                                      << "claude-opus" << false;
    }

    void modelPatterns()
    {
        QFETCH(QString, pattern);
        QFETCH(QString, model);
        QFETCH(bool, matches);
        QString error;
        const std::optional<ModelPattern> parsed = ModelPattern::parse(pattern, &error);
        QVERIFY2(parsed, qPrintable(error));
        QCOMPARE(parsed->matchScore(model) >= 0, matches);
    }

    void aModelNameTooLongForAGlobMatchesNone()
    {
        QString error;
        const std::optional<ModelPattern> any
            = ModelPattern::parse(QStringLiteral("*a*a*a*"), &error);
        QVERIFY(any);
        // Long names are not globbed at all: matching time stays bounded whatever a caller sends.
        QCOMPARE(
            any->matchScore(QString(ModelPattern::MaxGlobbedModelLength + 1, QLatin1Char('a'))),
            -1);
        QVERIFY(any->matchScore(QStringLiteral("banana")) >= 0);
    }
};

QTEST_GUILESS_MAIN(RequestRoutingTest)
#include "tst_requestrouting.moc"
