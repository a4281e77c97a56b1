#include "http/ssescanner.h"
#include "routing/classifier.h"
#include "translate/anthropictranslator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include "anthropicstream.h"
#include "jsontext.h"

using namespace Switchyard;
using Switchyard::Testing::jsonText;

namespace {

RouteConfig claude()
{
    RouteConfig route;
    route.name = QStringLiteral("sonnet");
    route.model = QStringLiteral("claude-sonnet-4-5");
    route.maxTokens = 1024;
    return route;
}

QJsonObject json(const QByteArray &text)
{
    return QJsonDocument::fromJson(text).object();
}

QJsonObject translated(const char *request, QString *incompatible = nullptr)
{
    const TranslatedRequest result
        = AnthropicTranslator().translateRequest(json(jsonText(request)), claude(), "key-1");
    if (incompatible)
        *incompatible = result.incompatible;
    return json(result.body);
}

const QByteArray &anthropicStream()
{
    return Switchyard::Testing::anthropicStreamBytes();
}

struct StreamResult {
    QString content;
    QString toolName;
    QString toolId;
    QString arguments;
    QString finishReason;
    QJsonObject usage;
    bool done = false;
    int chunks = 0;
};

StreamResult consume(const QByteArray &openAiSse)
{
    StreamResult result;
    SseScanner scanner;
    for (const SseScanner::Event &event : scanner.feed(openAiSse)) {
        if (event.data == "[DONE]") {
            result.done = true;
            continue;
        }
        const QJsonObject chunk = json(event.data);
        ++result.chunks;
        if (chunk.value(QLatin1String("usage")).isObject())
            result.usage = chunk.value(QLatin1String("usage")).toObject();
        const QJsonArray choices = chunk.value(QLatin1String("choices")).toArray();
        if (choices.isEmpty())
            continue;
        const QJsonObject choice = choices.first().toObject();
        const QJsonObject delta = choice.value(QLatin1String("delta")).toObject();
        result.content += delta.value(QLatin1String("content")).toString();
        for (const QJsonValue &call : delta.value(QLatin1String("tool_calls")).toArray()) {
            const QJsonObject function
                = call.toObject().value(QLatin1String("function")).toObject();
            if (call.toObject().contains(QLatin1String("id")))
                result.toolId = call.toObject().value(QLatin1String("id")).toString();
            if (function.contains(QLatin1String("name")))
                result.toolName = function.value(QLatin1String("name")).toString();
            result.arguments += function.value(QLatin1String("arguments")).toString();
        }
        if (choice.value(QLatin1String("finish_reason")).isString())
            result.finishReason = choice.value(QLatin1String("finish_reason")).toString();
    }
    return result;
}

} // namespace

class AnthropicTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void requestBasics()
    {
        const TranslatedRequest request = AnthropicTranslator().translateRequest(
            json(jsonText("{'model': 'strong', 'temperature': 0.2, 'top_p': 0.9, 'stop': 'END', "
                          "'user': 'u-7',"
                          "'messages': [{'role': 'system', 'content': 'Be brief.'},"
                          "{'role': 'developer', 'content': 'Use metric units.'},"
                          "{'role': 'user', 'content': 'Hello'}]}")),
            claude(), "secret-key");
        QVERIFY(request.incompatible.isEmpty());
        QCOMPARE(request.path, QStringLiteral("/v1/messages"));
        QVERIFY(request.headers.contains({ "x-api-key", "secret-key" }));
        QVERIFY(request.headers.contains({ "anthropic-version", "2023-06-01" }));
        const QJsonObject body = json(request.body);
        QCOMPARE(
            body.value(QLatin1String("model")).toString(), QStringLiteral("claude-sonnet-4-5"));
        QCOMPARE(body.value(QLatin1String("system")).toString(),
            QStringLiteral("Be brief.\n\nUse metric units."));
        QCOMPARE(body.value(QLatin1String("max_tokens")).toInt(),
            1024); // the route's default: Anthropic requires one
        QCOMPARE(body.value(QLatin1String("temperature")).toDouble(), 0.2);
        QCOMPARE(body.value(QLatin1String("top_p")).toDouble(), 0.9);
        QCOMPARE(body.value(QLatin1String("stop_sequences")).toArray(),
            QJsonArray { QStringLiteral("END") });
        QCOMPARE(body.value(QLatin1String("metadata"))
                     .toObject()
                     .value(QLatin1String("user_id"))
                     .toString(),
            QStringLiteral("u-7"));
        const QJsonArray messages = body.value(QLatin1String("messages")).toArray();
        QCOMPARE(messages.size(), 1);
        QCOMPARE(messages.first().toObject().value(QLatin1String("role")).toString(),
            QStringLiteral("user"));
    }

    void images()
    {
        const QJsonObject body = translated(
            "{'messages': [{'role': 'user', 'content': [{'type': 'text', 'text': 'What is this?'},"
            "{'type': 'image_url', 'image_url': {'url': 'data:image/png;base64,iVBORw0KGgo='}},"
            "{'type': 'image_url', 'image_url': {'url': 'https://example.com/cat.jpg'}}]}]}");
        const QJsonArray content = body.value(QLatin1String("messages"))
                                       .toArray()
                                       .first()
                                       .toObject()
                                       .value(QLatin1String("content"))
                                       .toArray();
        QCOMPARE(content.size(), 3);
        const QJsonObject base64
            = content.at(1).toObject().value(QLatin1String("source")).toObject();
        QCOMPARE(base64.value(QLatin1String("type")).toString(), QStringLiteral("base64"));
        QCOMPARE(base64.value(QLatin1String("media_type")).toString(), QStringLiteral("image/png"));
        QCOMPARE(base64.value(QLatin1String("data")).toString(), QStringLiteral("iVBORw0KGgo="));
        const QJsonObject url = content.at(2).toObject().value(QLatin1String("source")).toObject();
        QCOMPARE(url.value(QLatin1String("type")).toString(), QStringLiteral("url"));
        QCOMPARE(url.value(QLatin1String("url")).toString(),
            QStringLiteral("https://example.com/cat.jpg"));
    }

    void toolsAndMultiTurnToolResults()
    {
        const QJsonObject body = translated(
            "{'tools': [{'type': 'function', 'function': {'name': 'get_weather', 'description': "
            "'Weather now',"
            "  'parameters': {'type': 'object', 'properties': {'city': {'type': 'string'}}}}}],"
            " 'tool_choice': {'type': 'function', 'function': {'name': 'get_weather'}},"
            " 'messages': [{'role': 'user', 'content': 'Weather in Berlin and Paris?'},"
            "  {'role': 'assistant', 'content': null, 'tool_calls': ["
            "    {'id': 'call_1', 'type': 'function', 'function': {'name': 'get_weather', "
            "'arguments': '{\\\"city\\\":\\\"Berlin\\\"}'}},"
            "    {'id': 'call_2', 'type': 'function', 'function': {'name': 'get_weather', "
            "'arguments': '{\\\"city\\\":\\\"Paris\\\"}'}}]},"
            "  {'role': 'tool', 'tool_call_id': 'call_1', 'content': '12 C'},"
            "  {'role': 'tool', 'tool_call_id': 'call_2', 'content': '15 C'},"
            "  {'role': 'user', 'content': 'Thanks. Which is warmer?'}]}");
        const QJsonObject tool = body.value(QLatin1String("tools")).toArray().first().toObject();
        QCOMPARE(tool.value(QLatin1String("name")).toString(), QStringLiteral("get_weather"));
        QCOMPARE(
            tool.value(QLatin1String("description")).toString(), QStringLiteral("Weather now"));
        QCOMPARE(tool.value(QLatin1String("input_schema"))
                     .toObject()
                     .value(QLatin1String("type"))
                     .toString(),
            QStringLiteral("object"));
        QCOMPARE(body.value(QLatin1String("tool_choice")).toObject(),
            json(jsonText("{'type': 'tool', 'name': 'get_weather'}")));

        const QJsonArray messages = body.value(QLatin1String("messages")).toArray();
        QCOMPARE(messages.size(), 3); // user · assistant(tool_use ×2) · user(tool_result ×2 + text)
        const QJsonArray calls
            = messages.at(1).toObject().value(QLatin1String("content")).toArray();
        QCOMPARE(calls.size(), 2);
        QCOMPARE(calls.at(0).toObject().value(QLatin1String("type")).toString(),
            QStringLiteral("tool_use"));
        QCOMPARE(
            calls.at(0).toObject().value(QLatin1String("id")).toString(), QStringLiteral("call_1"));
        QCOMPARE(calls.at(1)
                     .toObject()
                     .value(QLatin1String("input"))
                     .toObject()
                     .value(QLatin1String("city"))
                     .toString(),
            QStringLiteral("Paris"));
        const QJsonArray results
            = messages.at(2).toObject().value(QLatin1String("content")).toArray();
        QCOMPARE(messages.at(2).toObject().value(QLatin1String("role")).toString(),
            QStringLiteral("user"));
        QCOMPARE(results.size(), 3);
        QCOMPARE(results.at(0).toObject().value(QLatin1String("type")).toString(),
            QStringLiteral("tool_result"));
        QCOMPARE(results.at(1).toObject().value(QLatin1String("tool_use_id")).toString(),
            QStringLiteral("call_2"));
        QCOMPARE(results.at(1).toObject().value(QLatin1String("content")).toString(),
            QStringLiteral("15 C"));
        QCOMPARE(results.at(2).toObject().value(QLatin1String("type")).toString(),
            QStringLiteral("text"));
    }

    void toolChoices_data()
    {
        QTest::addColumn<QByteArray>("choice");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("auto") << QByteArray("'auto'") << jsonText("{'type': 'auto'}");
        QTest::newRow("required") << QByteArray("'required'") << jsonText("{'type': 'any'}");
        QTest::newRow("none") << QByteArray("'none'") << jsonText("{'type': 'none'}");
    }

    void toolChoices()
    {
        QFETCH(QByteArray, choice);
        QFETCH(QByteArray, expected);
        const QByteArray request
            = "{'tools': [{'type': 'function', 'function': {'name': 'f'}}], 'tool_choice': "
            + choice + ", 'messages': [{'role': 'user', 'content': 'x'}]}";
        QCOMPARE(translated(request.constData()).value(QLatin1String("tool_choice")).toObject(),
            json(expected));
    }

    void jsonOutputIsAskedFor()
    {
        const QJsonObject body = translated("{'response_format': {'type': 'json_object'}, "
                                            "'messages': [{'role': 'user', 'content': 'x'}]}");
        QVERIFY(body.value(QLatin1String("system")).toString().contains(QStringLiteral("JSON")));
    }

    void untranslatableMakesTheRouteIncompatible_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<QString>("reason");
        QTest::newRow("n > 1") << jsonText("{'n': 2, 'messages': []}") << QStringLiteral("n > 1");
        QTest::newRow("logprobs") << jsonText("{'logprobs': true, 'messages': []}")
                                  << QStringLiteral("'logprobs'");
        QTest::newRow("temperature above 1")
            << jsonText("{'temperature': 1.5, 'messages': []}") << QStringLiteral("temperature");
        QTest::newRow("json schema")
            << jsonText("{'response_format': {'type': 'json_schema'}, 'messages': []}")
            << QStringLiteral("JSON schema");
        QTest::newRow("audio part")
            << jsonText("{'messages': [{'role': 'user', 'content': [{'type': 'input_audio'}]}]}")
            << QStringLiteral("input_audio");
        QTest::newRow("bad tool arguments")
            << jsonText("{'messages': [{'role': 'assistant', 'tool_calls': [{'id': 'c', "
                        "'function': {'name': 'f', 'arguments': 'oops'}}]}]}")
            << QStringLiteral("not a JSON object");
    }

    void untranslatableMakesTheRouteIncompatible()
    {
        QFETCH(QByteArray, request);
        QFETCH(QString, reason);
        const TranslatedRequest result
            = AnthropicTranslator().translateRequest(json(request), claude(), QByteArray());
        QVERIFY2(result.incompatible.contains(reason), qPrintable(result.incompatible));
    }

    void responseWithTextAndToolCall()
    {
        QString error;
        const QByteArray body = AnthropicTranslator().translateResponse(
            jsonText(
                "{'id': 'msg_9', 'type': 'message', 'role': 'assistant', 'model': "
                "'claude-sonnet-4-5',"
                "'content': [{'type': 'text', 'text': 'Checking.'},"
                "{'type': 'tool_use', 'id': 'toolu_9', 'name': 'get_weather', 'input': {'city': "
                "'Berlin'}}],"
                "'stop_reason': 'tool_use',"
                "'usage': {'input_tokens': 100, 'output_tokens': 20, 'cache_read_input_tokens': 30,"
                "'cache_creation_input_tokens': 10}}"),
            &error);
        QVERIFY2(!body.isEmpty(), qPrintable(error));
        const QJsonObject completion = json(body);
        QCOMPARE(completion.value(QLatin1String("object")).toString(),
            QStringLiteral("chat.completion"));
        QCOMPARE(
            completion.value(QLatin1String("id")).toString(), QStringLiteral("chatcmpl-msg_9"));
        const QJsonObject choice
            = completion.value(QLatin1String("choices")).toArray().first().toObject();
        QCOMPARE(
            choice.value(QLatin1String("finish_reason")).toString(), QStringLiteral("tool_calls"));
        const QJsonObject message = choice.value(QLatin1String("message")).toObject();
        QCOMPARE(message.value(QLatin1String("content")).toString(), QStringLiteral("Checking."));
        const QJsonObject call
            = message.value(QLatin1String("tool_calls")).toArray().first().toObject();
        QCOMPARE(call.value(QLatin1String("id")).toString(), QStringLiteral("toolu_9"));
        QCOMPARE(call.value(QLatin1String("type")).toString(), QStringLiteral("function"));
        const QJsonObject function = call.value(QLatin1String("function")).toObject();
        QCOMPARE(function.value(QLatin1String("name")).toString(), QStringLiteral("get_weather"));
        QVERIFY(function.value(QLatin1String("arguments"))
                    .isString()); // a JSON string, as OpenAI sends it
        QCOMPARE(json(function.value(QLatin1String("arguments")).toString().toUtf8())
                     .value(QLatin1String("city"))
                     .toString(),
            QStringLiteral("Berlin"));
        const QJsonObject usage = completion.value(QLatin1String("usage")).toObject();
        QCOMPARE(usage.value(QLatin1String("prompt_tokens")).toInt(),
            140); // input + cache reads + cache writes
        QCOMPARE(usage.value(QLatin1String("completion_tokens")).toInt(), 20);
        QCOMPARE(usage.value(QLatin1String("total_tokens")).toInt(), 160);
        QCOMPARE(usage.value(QLatin1String("prompt_tokens_details"))
                     .toObject()
                     .value(QLatin1String("cached_tokens"))
                     .toInt(),
            30);
        // OpenAI has no field for cache writes: they are reported beside, as LiteLLM does.
        QCOMPARE(usage.value(QLatin1String("cache_creation_input_tokens")).toInt(), 10);

        UpstreamOutcome outcome;
        outcome.httpStatus = 200;
        outcome.body = body;
        const Classification verdict
            = Classifier::classify(outcome, QDateTime::currentDateTimeUtc());
        QCOMPARE(verdict.failureClass, FailureClass::Ok);
        QCOMPARE(verdict.tokensIn, qint64(140));
        QCOMPARE(verdict.cached.read, qint64(30));
        QCOMPARE(verdict.cached.write, qint64(10));
    }

    void notAMessageIsAContractViolation()
    {
        QString error;
        QVERIFY(AnthropicTranslator().translateResponse("<html>", &error).isEmpty());
        QVERIFY(!error.isEmpty());
    }

    void impossibleTokenLimitsAreRefusedNotConverted()
    {
        // Found by fuzzing: 4.1e34 converted to qint64 is undefined behaviour.
        for (const char *text :
            { "{'messages':[{'role':'user','content':'hi'}],'max_tokens':4.1e34}",
                "{'messages':[{'role':'user','content':'hi'}],'max_completion_tokens':-1}",
                "{'messages':[{'role':'user','content':'hi'}],'max_tokens':2.5}" }) {
            const TranslatedRequest request
                = AnthropicTranslator().translateRequest(json(jsonText(text)), claude(), "k");
            QVERIFY2(!request.incompatible.isEmpty(), text);
        }
        const TranslatedRequest request = AnthropicTranslator().translateRequest(
            json(jsonText("{'messages':[{'role':'user','content':'hi'}],'max_tokens':300}")),
            claude(), "k");
        QCOMPARE(json(request.body).value(QLatin1String("max_tokens")).toInt(), 300);
    }

    void finishReasons_data()
    {
        QTest::addColumn<QString>("stop");
        QTest::addColumn<QString>("finish");
        QTest::newRow("end_turn") << "end_turn"
                                  << "stop";
        QTest::newRow("stop_sequence") << "stop_sequence"
                                       << "stop";
        QTest::newRow("max_tokens") << "max_tokens"
                                    << "length";
        QTest::newRow("tool_use") << "tool_use"
                                  << "tool_calls";
        QTest::newRow("refusal") << "refusal"
                                 << "content_filter";
    }

    void finishReasons()
    {
        QFETCH(QString, stop);
        QFETCH(QString, finish);
        QCOMPARE(AnthropicTranslator::finishReason(stop), finish);
    }

    void errorsMapOntoTheFailureClasses_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("expected");
        QTest::newRow("overloaded 529") << 529
                                        << jsonText("{'type': 'error', 'error': {'type': "
                                                    "'overloaded_error', 'message': 'Overloaded'}}")
                                        << QStringLiteral("rate_limited");
        QTest::newRow("rate limit 429") << 429
                                        << jsonText("{'type': 'error', 'error': {'type': "
                                                    "'rate_limit_error', 'message': 'slow down'}}")
                                        << QStringLiteral("rate_limited");
        QTest::newRow("authentication 401")
            << 401
            << jsonText("{'type': 'error', 'error': {'type': 'authentication_error', 'message': "
                        "'invalid x-api-key'}}")
            << QStringLiteral("auth_error");
        QTest::newRow("prompt too long 400")
            << 400
            << jsonText("{'type': 'error', 'error': {'type': 'invalid_request_error', 'message': "
                        "'prompt is too long: 210000 tokens > 200000 maximum'}}")
            << QStringLiteral("incompatible");
        QTest::newRow("invalid request 400")
            << 400
            << jsonText("{'type': 'error', 'error': {'type': 'invalid_request_error', 'message': "
                        "'messages: field required'}}")
            << QStringLiteral("caller_error");
        QTest::newRow("api error 500")
            << 500
            << jsonText("{'type': 'error', 'error': {'type': 'api_error', 'message': 'Internal'}}")
            << QStringLiteral("transient");
    }

    void errorsMapOntoTheFailureClasses()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(QString, expected);
        UpstreamOutcome outcome;
        outcome.httpStatus = status;
        outcome.body = AnthropicTranslator().translateError(body);
        QVERIFY(json(outcome.body)
                    .value(QLatin1String("error"))
                    .toObject()
                    .contains(QLatin1String("message")));
        QCOMPARE(failureClassName(
                     Classifier::classify(outcome, QDateTime::currentDateTimeUtc()).failureClass),
            expected);
    }

    void streamSplitAnywhereGivesTheSameChunks()
    {
        const QByteArray &stream = anthropicStream();
        for (qsizetype split = 1; split < stream.size(); split += 37) {
            for (qsizetype second = split; second < stream.size(); second += 211) {
                SseScanner scanner;
                std::unique_ptr<StreamTranslator> translator
                    = AnthropicTranslator().streamTranslator(true);
                QByteArray out = translator->translate(scanner.feed(stream.first(split)));
                QVERIFY(!translator->complete());
                out += translator->translate(scanner.feed(stream.sliced(split, second - split)));
                out += translator->translate(scanner.feed(stream.sliced(second)));
                QVERIFY(translator->complete());
                const StreamResult result = consume(out);
                QCOMPARE(result.content, QStringLiteral("Let me check the weather."));
                QCOMPARE(result.toolName, QStringLiteral("get_weather"));
                QCOMPARE(result.toolId, QStringLiteral("toolu_1"));
                QCOMPARE(result.arguments, QStringLiteral("{\"city\": \"Berlin\"}"));
                QCOMPARE(result.finishReason, QStringLiteral("tool_calls"));
                QVERIFY(result.done);
                QCOMPARE(result.usage.value(QLatin1String("prompt_tokens")).toInt(), 30);
                QCOMPARE(result.usage.value(QLatin1String("completion_tokens")).toInt(), 42);
                QCOMPARE(translator->tokensOut(), qint64(42));
            }
        }
    }

    void aStreamsCachedTokensAreCountedApart()
    {
        const QByteArray stream = jsonText(
            "event: message_start\ndata: {'type': 'message_start', 'message': {'id': 'msg_c', "
            "'model': 'claude', 'usage': {'input_tokens': 5, 'cache_read_input_tokens': 100, "
            "'cache_creation_input_tokens': 20, 'output_tokens': 1}}}\n\n"
            "event: content_block_start\ndata: {'type': 'content_block_start', 'index': 0, "
            "'content_block': {'type': 'text', 'text': ''}}\n\n"
            "event: content_block_delta\ndata: {'type': 'content_block_delta', 'index': 0, "
            "'delta': {'type': 'text_delta', 'text': 'Hi'}}\n\n"
            "event: message_delta\ndata: {'type': 'message_delta', 'delta': {'stop_reason': "
            "'end_turn'}, 'usage': {'output_tokens': 3}}\n\n"
            "event: message_stop\ndata: {'type': 'message_stop'}\n\n");
        SseScanner scanner;
        std::unique_ptr<StreamTranslator> translator = AnthropicTranslator().streamTranslator(true);
        const StreamResult result = consume(translator->translate(scanner.feed(stream)));
        QCOMPARE(translator->tokensIn(), qint64(125));
        QCOMPARE(translator->cachedTokens().read, qint64(100));
        QCOMPARE(translator->cachedTokens().write, qint64(20));
        QCOMPARE(result.usage.value(QLatin1String("prompt_tokens_details"))
                     .toObject()
                     .value(QLatin1String("cached_tokens"))
                     .toInt(),
            100);
        QCOMPARE(result.usage.value(QLatin1String("cache_creation_input_tokens")).toInt(), 20);
    }

    void streamWithoutUsageWhenNotAskedFor()
    {
        SseScanner scanner;
        std::unique_ptr<StreamTranslator> translator
            = AnthropicTranslator().streamTranslator(false);
        const QByteArray out = translator->translate(scanner.feed(anthropicStream()));
        QVERIFY(!out.contains("usage"));
        QCOMPARE(translator->tokensIn(), qint64(30)); // still counted for cost
        QVERIFY(out.endsWith("data: [DONE]\n\n"));
        const QJsonObject first = json(out.mid(6, out.indexOf('\n') - 6));
        QCOMPARE(first.value(QLatin1String("object")).toString(),
            QStringLiteral("chat.completion.chunk"));
        QCOMPARE(first.value(QLatin1String("id")).toString(), QStringLiteral("chatcmpl-msg_1"));
    }

    void streamErrorBecomesAnOpenAiErrorEvent()
    {
        SseScanner scanner;
        std::unique_ptr<StreamTranslator> translator
            = AnthropicTranslator().streamTranslator(false);
        const QByteArray out = translator->translate(
            scanner.feed("event: error\ndata: "
                         "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":"
                         "\"Overloaded\"}}\n\n"));
        const QJsonObject event = json(out.mid(6).trimmed());
        QCOMPARE(
            event.value(QLatin1String("error")).toObject().value(QLatin1String("type")).toString(),
            QStringLiteral("overloaded_error"));
        QCOMPARE(Classifier::classifyStreamError(out.mid(6).trimmed()).failureClass,
            FailureClass::RateLimited);
        QVERIFY(!translator->complete());
    }
};

QTEST_GUILESS_MAIN(AnthropicTest)
#include "tst_anthropic.moc"
