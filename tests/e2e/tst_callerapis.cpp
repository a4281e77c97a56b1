#include "anthropicstream.h"
#include "fakeupstream.h"
#include "gatewayharness.h"
#include "jsontext.h"
#include "openaitoolstream.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Switchyard::Testing;

namespace {

FakeResponse json(const QByteArray &body, int status = 200)
{
    FakeResponse response;
    response.status = status;
    response.body = body;
    response.withHeader("Content-Type", "application/json");
    return response;
}

FakeResponse anthropicMessage()
{
    return json(jsonText(
        "{'id': 'msg_1', 'type': 'message', 'role': 'assistant', 'model': 'claude-sonnet-4-5',"
        "'content': [{'type': 'thinking', 'thinking': 'hm', 'signature': 'sig=='},"
        "{'type': 'text', 'text': 'Let me check.'},"
        "{'type': 'tool_use', 'id': 'toolu_1', 'name': 'get_weather', 'input': {'city': "
        "'Berlin'}}],"
        "'stop_reason': 'tool_use', 'usage': {'input_tokens': 25, 'cache_read_input_tokens': 5,"
        "'output_tokens': 12}}"));
}

FakeResponse anthropicOverloaded()
{
    return json(jsonText("{'type': 'error', 'error': {'type': 'overloaded_error', 'message': "
                         "'Overloaded'}}"),
        529);
}

// A failure that is no rate limit: the route has no cooldown to sit out on the next request.
FakeResponse anthropicServerError()
{
    return json(
        jsonText("{'type': 'error', 'error': {'type': 'api_error', 'message': 'Internal error'}}"),
        500);
}

FakeResponse pieces(const QByteArray &bytes, int size)
{
    FakeResponse response;
    response.withHeader("Content-Type", "text/event-stream");
    for (qsizetype at = 0; at < bytes.size(); at += size)
        response.chunks.append(bytes.mid(at, size));
    return response;
}

FakeResponse openAiToolCall()
{
    return json(jsonText(
        "{'id': 'chatcmpl-9', 'object': 'chat.completion', 'model': 'gpt-4o', 'choices': "
        "[{'index': 0, 'finish_reason': 'tool_calls', 'message': {'role': 'assistant', "
        "'content': 'Let me check.', 'tool_calls': [{'id': 'call_1', 'type': 'function', "
        "'function': {'name': 'get_weather', 'arguments': '{\\\"city\\\": \\\"Berlin\\\"}'}}]}}], "
        "'usage': {'prompt_tokens': 30, 'completion_tokens': 12, 'prompt_tokens_details': "
        "{'cached_tokens': 20}}}"));
}

// A Messages request as Claude Code sends one: system blocks with cache_control, a thinking
// block with its signature in the history, a tool result, tools, and betas.
QByteArray messagesRequest(const QString &model, bool stream)
{
    QByteArray body = jsonText(
        "{'model': '@MODEL@', 'max_tokens': 128000, 'stream': @STREAM@,"
        "'system': [{'type': 'text', 'text': 'You are terse.', 'cache_control': {'type': "
        "'ephemeral'}}],"
        "'tools': [{'name': 'get_weather', 'description': 'Weather', 'input_schema': {'type': "
        "'object', 'properties': {'city': {'type': 'string'}}}}],"
        "'messages': [{'role': 'user', 'content': 'Weather in Paris?'},"
        "{'role': 'assistant', 'content': [{'type': 'thinking', 'thinking': 'Use the tool.', "
        "'signature': 'c2lnbmF0dXJl'}, {'type': 'tool_use', 'id': 'toolu_0', 'name': "
        "'get_weather', 'input': {'city': 'Paris'}}]},"
        "{'role': 'user', 'content': [{'type': 'tool_result', 'tool_use_id': 'toolu_0', "
        "'content': 'Sunny'}, {'type': 'text', 'text': 'And Berlin?'}]}]}");
    body.replace("@MODEL@", model.toUtf8());
    body.replace("@STREAM@", stream ? "true" : "false");
    return body;
}

const QList<QPair<QByteArray, QByteArray>> ClaudeHeaders {
    { "x-api-key", "sk-ant-the-callers-own-key" },
    { "authorization", "Bearer sk-the-callers-other-key" },
    { "anthropic-version", "2023-06-01" },
    { "anthropic-beta", "interleaved-thinking-2025-05-14,context-management-2025-06-27" },
};

QList<QJsonObject> sseData(const QByteArray &body, QStringList *types = nullptr)
{
    QList<QJsonObject> events;
    for (const QByteArray &block : body.split('\n')) {
        if (block.startsWith("data: ") && block != "data: [DONE]") {
            events.append(QJsonDocument::fromJson(block.mid(6)).object());
            if (types)
                types->append(events.last().value(u"type").toString());
        }
    }
    return events;
}

// A whole Messages stream of one text block.
QByteArray anthropicTextStream(const QString &text)
{
    QByteArray out = jsonText(
        "event: message_start\ndata: {'type': 'message_start', 'message': {'id': 'msg_2', "
        "'type': 'message', 'role': 'assistant', 'model': 'claude-sonnet-4-5', 'content': [], "
        "'stop_reason': null, 'stop_sequence': null, 'usage': {'input_tokens': 12, "
        "'output_tokens': 1}}}\n\n"
        "event: content_block_start\ndata: {'type': 'content_block_start', 'index': 0, "
        "'content_block': {'type': 'text', 'text': ''}}\n\n");
    const QJsonObject delta { { QStringLiteral("type"), QStringLiteral("content_block_delta") },
        { QStringLiteral("index"), 0 },
        { QStringLiteral("delta"),
            QJsonObject { { QStringLiteral("type"), QStringLiteral("text_delta") },
                { QStringLiteral("text"), text } } } };
    out += "event: content_block_delta\ndata: "
        + QJsonDocument(delta).toJson(QJsonDocument::Compact) + "\n\n";
    out += jsonText(
        "event: content_block_stop\ndata: {'type': 'content_block_stop', 'index': 0}\n\n"
        "event: message_delta\ndata: {'type': 'message_delta', 'delta': {'stop_reason': "
        "'end_turn', 'stop_sequence': null}, 'usage': {'output_tokens': 9}}\n\n"
        "event: message_stop\ndata: {'type': 'message_stop'}\n\n");
    return out;
}

} // namespace

// The APIs coding agents speak, in: Anthropic Messages and OpenAI Responses through the same
// lanes, breakers and traces as chat completions — passed through to the routes that speak them,
// translated for the others, and every answer in the caller's own API.
class CallerApisTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        qputenv("SWITCHYARD_TEST_ANTHROPIC_KEY", "sk-ant-gateway-0123456789");
        qputenv("SWITCHYARD_TEST_OPENAI_KEY", "sk-gateway-openai-0123456789");
    }

    void init()
    {
        m_openai = std::make_unique<FakeUpstream>();
        m_anthropic = std::make_unique<FakeUpstream>();
        m_down = std::make_unique<FakeUpstream>();
        QVERIFY(m_openai->listen() && m_anthropic->listen() && m_down->listen());
        m_down->setDefaultResponse(FakeResponse::error(503, QStringLiteral("server_error")));
        QByteArray config = jsonText(R"JSON({
          'providers': {'oa': {'kind': 'openai', 'base_url': '@OA@',
                               'api_key': {'env': 'SWITCHYARD_TEST_OPENAI_KEY'}},
                        'down': {'kind': 'openai', 'base_url': '@DOWN@'},
                        'an': {'kind': 'anthropic', 'base_url': '@AN@',
                               'api_key': {'env': 'SWITCHYARD_TEST_ANTHROPIC_KEY'}}},
          'routes': {'gpt': {'provider': 'oa', 'model': 'gpt-4o', 'context_window': 128000},
                     'gpt-responses': {'provider': 'oa', 'model': 'gpt-5',
                        'capabilities': ['tools', 'json', 'vision', 'stream', 'responses']},
                     'claude': {'provider': 'an', 'model': 'claude-sonnet-4-5'},
                     'broken': {'provider': 'down', 'model': 'gpt-4o'}},
          'lanes': {'to-claude': {'chain': ['gpt', 'claude'], 'retry': {'max_retries': 0},
                                  'models': ['claude-*']},
                    'to-gpt': {'chain': ['claude', 'gpt'], 'retry': {'max_retries': 0},
                               'models': ['gpt-*']},
                    'native-responses': {'chain': ['claude', 'gpt-responses'],
                                         'retry': {'max_retries': 0}},
                    'responses-first': {'chain': ['gpt-responses', 'claude'],
                                        'retry': {'max_retries': 0}},
                    'sdk-claude': {'chain': ['broken', 'claude'], 'retry': {'max_retries': 0}},
                    'sdk-gpt': {'chain': ['broken', 'gpt'], 'retry': {'max_retries': 0}}},
          'default_lane': 'to-claude'
        })JSON");
        config.replace("@OA@", m_openai->baseUrl().toUtf8());
        config.replace("@DOWN@", m_down->baseUrl().toUtf8());
        config.replace("@AN@", m_anthropic->baseUrl().chopped(3).toUtf8());
        m_gateway = std::make_unique<GatewayUnderTest>();
        QString error;
        QVERIFY2(m_gateway->start(config, &error), qPrintable(error));
    }

    void cleanup()
    {
        m_gateway.reset();
        m_openai.reset();
        m_anthropic.reset();
        m_down.reset();
    }

    void messagesPassThroughToAnAnthropicRoute()
    {
        m_openai->enqueue(FakeResponse::error(503, QStringLiteral("server_error")));
        m_anthropic->enqueue(anthropicMessage());
        const QByteArray body = messagesRequest(QStringLiteral("claude-opus-4-8"), false);
        ClientCall *call = m_gateway->client().postAndWait(
            QStringLiteral("/v1/messages?beta=true"), body, ClaudeHeaders);
        QCOMPARE(call->status, 200);
        QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("claude"));
        QCOMPARE(call->header("X-Switchyard-Fallback"), QByteArray("1"));
        // The answer as Anthropic sent it: the thinking block and its signature included.
        QCOMPARE(call->body, anthropicMessage().body);

        const ReceivedRequest &sent = m_anthropic->requests().constLast();
        QCOMPARE(sent.path, QByteArray("/v1/messages"));
        QByteArray expected = body;
        expected.replace("claude-opus-4-8", "claude-sonnet-4-5");
        QCOMPARE(sent.body, expected); // byte for byte but for the model
        QCOMPARE(sent.headers.value("x-api-key"), QByteArray("sk-ant-gateway-0123456789"));
        QCOMPARE(sent.headers.value("anthropic-beta"), ClaudeHeaders.at(3).second);
        for (auto header = sent.headers.cbegin(); header != sent.headers.cend(); ++header)
            QVERIFY2(!header.value().contains("callers"), header.key().constData());
        QCOMPARE(sent.headers.value("anthropic-version"), QByteArray("2023-06-01"));
        QVERIFY(!sent.headers.contains("authorization"));

        const QJsonObject trace = m_gateway->lastTrace();
        QCOMPARE(trace.value(u"endpoint").toString(), QStringLiteral("messages"));
        QCOMPARE(trace.value(u"lane").toString(), QStringLiteral("to-claude"));
        QCOMPARE(trace.value(u"attempts").toArray().size(), 2);
        QCOMPARE(trace.value(u"tokens_in").toInteger(), 30);
        ClientCall *metrics = m_gateway->client().get(QStringLiteral("/metrics"));
        QVERIFY(GatewayClient::waitFor(metrics));
        QVERIFY2(metrics->body.contains(
                     "switchyard_api_requests_total{api=\"messages\",class=\"ok\"} 1\n"),
            metrics->body.constData());
    }

    void messagesStreamPassesThroughByteForByte()
    {
        m_openai->enqueue(FakeResponse::error(503, QStringLiteral("server_error")));
        m_anthropic->enqueue(pieces(anthropicStreamBytes(), 61));
        ClientCall *call = m_gateway->client().postAndWait(QStringLiteral("/v1/messages"),
            messagesRequest(QStringLiteral("claude-opus-4-8"), true), ClaudeHeaders);
        QCOMPARE(call->status, 200);
        QCOMPARE(call->header("Content-Type"), QByteArray("text/event-stream"));
        QCOMPARE(call->body, anthropicStreamBytes());
        const QJsonObject trace = m_gateway->lastTrace();
        QCOMPARE(trace.value(u"tokens_out").toInteger(), 42);
        QCOMPARE(trace.value(u"cache_read_tokens").toInteger(), 5);
    }

    void messagesTranslatedForAnOpenAiRoute()
    {
        m_anthropic->enqueue(anthropicOverloaded());
        m_openai->enqueue(openAiToolCall());
        ClientCall *call = m_gateway->client().postAndWait(QStringLiteral("/v1/messages"),
            messagesRequest(QStringLiteral("gpt-4.1"), false), ClaudeHeaders);
        QCOMPARE(call->status, 200);
        QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("gpt"));
        const QJsonObject message = call->json();
        QCOMPARE(message.value(u"type").toString(), QStringLiteral("message"));
        QCOMPARE(message.value(u"stop_reason").toString(), QStringLiteral("tool_use"));
        const QJsonArray content = message.value(u"content").toArray();
        QCOMPARE(content.size(), 2);
        QCOMPARE(
            content.at(0).toObject().value(u"text").toString(), QStringLiteral("Let me check."));
        QCOMPARE(content.at(1).toObject().value(u"input").toObject().value(u"city").toString(),
            QStringLiteral("Berlin"));
        const QJsonObject usage = message.value(u"usage").toObject();
        QCOMPARE(usage.value(u"input_tokens").toInt(), 10);
        QCOMPARE(usage.value(u"cache_read_input_tokens").toInt(), 20);
        QCOMPARE(usage.value(u"output_tokens").toInt(), 12);

        // What the OpenAI route was sent: chat completions, the tool result in its place, the
        // caller's key nowhere.
        const ReceivedRequest &sent = m_openai->requests().constLast();
        QCOMPARE(sent.path, QByteArray("/v1/chat/completions"));
        QCOMPARE(
            sent.headers.value("authorization"), QByteArray("Bearer sk-gateway-openai-0123456789"));
        QVERIFY(!sent.body.contains("sk-ant-the-callers-own-key"));
        const QJsonArray messages = sent.json().value(u"messages").toArray();
        QStringList roles;
        for (const QJsonValue &value : messages)
            roles.append(value.toObject().value(u"role").toString());
        QCOMPARE(roles, QStringList({ "system", "user", "assistant", "tool", "user" }));
        QCOMPARE(
            messages.at(3).toObject().value(u"tool_call_id").toString(), QStringLiteral("toolu_0"));
        QVERIFY(!sent.body.contains("signature"));
        // Claude Code asks for its model's most output tokens; the route is asked for its own.
        QCOMPARE(sent.json().value(u"max_tokens").toInt(), 4096);

        const QJsonObject trace = m_gateway->lastTrace();
        const QJsonObject served = trace.value(u"attempts").toArray().last().toObject();
        QVERIFY2(served.value(u"note").toString().contains(QLatin1String("thinking blocks")),
            qPrintable(served.value(u"note").toString()));
    }

    void messagesStreamTranslatedFromAnOpenAiStream()
    {
        m_anthropic->enqueue(anthropicOverloaded());
        m_openai->enqueue(pieces(openAiToolStreamBytes(), 53));
        ClientCall *call = m_gateway->client().postAndWait(QStringLiteral("/v1/messages"),
            messagesRequest(QStringLiteral("gpt-4.1"), true), ClaudeHeaders);
        QCOMPARE(call->status, 200);
        QStringList types;
        const QList<QJsonObject> events = sseData(call->body, &types);
        QCOMPARE(types,
            QStringList({ "message_start", "content_block_start", "content_block_delta",
                "content_block_delta", "content_block_stop", "content_block_start",
                "content_block_delta", "content_block_delta", "content_block_stop", "message_delta",
                "message_stop" }));
        QCOMPARE(events.at(5).value(u"content_block").toObject().value(u"name").toString(),
            QStringLiteral("get_weather"));
        const QJsonObject final = events.at(9);
        QCOMPARE(final.value(u"delta").toObject().value(u"stop_reason").toString(),
            QStringLiteral("tool_use"));
        QCOMPARE(final.value(u"usage").toObject().value(u"output_tokens").toInt(), 42);
        QCOMPARE(final.value(u"usage").toObject().value(u"cache_read_input_tokens").toInt(), 20);
        QVERIFY(m_openai->requests().constLast().json().value(u"stream_options").isObject());
    }

    void untranslatableMessagesSkipTheOpenAiRoute()
    {
        m_anthropic->enqueue(anthropicOverloaded());
        const QByteArray body = jsonText(
            "{'model': 'gpt-4.1', 'max_tokens': 10, 'messages': [{'role': 'user', 'content': "
            "[{'type': 'document', 'source': {'type': 'text', 'media_type': 'text/plain', "
            "'data': 'hi'}}]}]}");
        ClientCall *call = m_gateway->client().postAndWait(QStringLiteral("/v1/messages"), body);
        QCOMPARE(call->status, 502);
        const QJsonObject trace = m_gateway->lastTrace();
        const QJsonObject skipped = trace.value(u"attempts").toArray().last().toObject();
        QCOMPARE(skipped.value(u"route").toString(), QStringLiteral("gpt"));
        QCOMPARE(skipped.value(u"skip").toString(), QStringLiteral("incompatible"));
        QVERIFY2(skipped.value(u"reason").toString().contains(QLatin1String("document")),
            qPrintable(skipped.value(u"reason").toString()));
        QCOMPARE(m_openai->requestCount(), 0);
        // Anthropic's error shape, the attempts inside.
        QCOMPARE(call->json().value(u"type").toString(), QStringLiteral("error"));
        QCOMPARE(call->json().value(u"error").toObject().value(u"attempts").toArray().size(), 2);
    }

    void messagesStreamBrokenAfterContentEndsWithAnthropicsErrorEvent()
    {
        m_openai->enqueue(FakeResponse::error(503, QStringLiteral("server_error")));
        FakeResponse broken = pieces(anthropicStreamBytes(), 400);
        broken.cutAfterChunks = 2;
        m_anthropic->enqueue(broken);
        ClientCall *call = m_gateway->client().postAndWait(QStringLiteral("/v1/messages"),
            messagesRequest(QStringLiteral("claude-x"), true), ClaudeHeaders);
        QCOMPARE(call->status, 200);
        // What arrived whole went out as it came; the error event closes it.
        const qsizetype error = call->body.indexOf("event: error\n");
        QVERIFY2(error > 200, call->body.constData());
        QVERIFY(anthropicStreamBytes().startsWith(call->body.left(error)));
        QStringList types;
        const QList<QJsonObject> events = sseData(call->body, &types);
        QCOMPARE(types.constLast(), QStringLiteral("error"));
        QVERIFY(call->body.contains("event: error\n"));
        QCOMPARE(m_gateway->lastTrace().value(u"class").toString(), QStringLiteral("mid_stream"));
    }

    void errorsTheGatewayMakesSpeakTheCallersApi()
    {
        m_openai->setDefaultResponse(FakeResponse::error(503, QStringLiteral("server_error")));
        m_anthropic->setDefaultResponse(anthropicOverloaded());
        ClientCall *messages = m_gateway->client().postAndWait(
            QStringLiteral("/v1/messages"), messagesRequest(QStringLiteral("claude-x"), false));
        QCOMPARE(messages->status, 502);
        QCOMPARE(messages->json().value(u"type").toString(), QStringLiteral("error"));
        QCOMPARE(messages->json().value(u"error").toObject().value(u"type").toString(),
            QStringLiteral("api_error"));

        ClientCall *bad = m_gateway->client().postAndWait(
            QStringLiteral("/v1/messages"), jsonText("{'model': 'claude-x', 'messages': []}"));
        QCOMPARE(bad->status, 400);
        QCOMPARE(bad->json().value(u"error").toObject().value(u"type").toString(),
            QStringLiteral("invalid_request_error"));
        QVERIFY(bad->json()
                    .value(u"error")
                    .toObject()
                    .value(u"message")
                    .toString()
                    .contains(QLatin1String("max_tokens")));

        ClientCall *stored = m_gateway->client().postAndWait(QStringLiteral("/v1/responses"),
            jsonText("{'model': 'gpt-5', 'input': 'hi', 'previous_response_id': 'resp_1'}"));
        QCOMPARE(stored->status, 400);
        const QJsonObject error = stored->json().value(u"error").toObject();
        QCOMPARE(error.value(u"param").toString(), QStringLiteral("previous_response_id"));
        QVERIFY(error.value(u"message").toString().contains(QLatin1String("keeps no responses")));
    }

    void anAnthropicRoutesErrorReachesAMessagesCallerAsSent()
    {
        m_openai->enqueue(FakeResponse::error(503, QStringLiteral("server_error")));
        const QByteArray error = jsonText(
            "{'type': 'error', 'error': {'type': 'invalid_request_error', 'message': "
            "'messages.1.content.0.thinking.signature: Field required'}, 'request_id': 'req_1'}");
        m_anthropic->enqueue(json(error, 400));
        ClientCall *call = m_gateway->client().postAndWait(QStringLiteral("/v1/messages"),
            messagesRequest(QStringLiteral("claude-x"), false), ClaudeHeaders);
        QCOMPARE(call->status, 400);
        QCOMPARE(call->body, error);
    }

    void anAnthropicRoutesErrorReachesAResponsesCallerInOpenAisShape()
    {
        m_anthropic->enqueue(json(jsonText("{'type': 'error', 'error': {'type': "
                                           "'invalid_request_error', 'message': 'bad turn'}}"),
            400));
        ClientCall *call = m_gateway->client().postAndWait(QStringLiteral("/v1/responses"),
            jsonText("{'model': 'gpt-5', 'input': 'hi'}"),
            { { "X-Switchyard-Lane", "native-responses" } });
        QCOMPARE(call->status, 400);
        const QJsonObject error = call->json().value(u"error").toObject();
        QCOMPARE(error.value(u"message").toString(), QStringLiteral("bad turn"));
        QCOMPARE(error.value(u"type").toString(), QStringLiteral("invalid_request_error"));
        QVERIFY(!call->json().contains(QLatin1String("type")));
    }

    void countTokensAsksTheLanesAnthropicRoute()
    {
        // As the SDK sends it: no max_tokens. The lane's first route is an OpenAI one; its
        // Anthropic route counts.
        const QByteArray body
            = jsonText("{'model': 'claude-x', 'messages': [{'role': 'user', "
                       "'content': '0123456789012345678901234567890123456789'}]}");
        m_anthropic->enqueue(json(jsonText("{'input_tokens': 1234}")));
        ClientCall *call = m_gateway->client().postAndWait(
            QStringLiteral("/v1/messages/count_tokens"), body, ClaudeHeaders);
        QCOMPARE(call->status, 200);
        QCOMPARE(call->json().value(u"input_tokens").toInt(), 1234);
        QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("claude"));
        QCOMPARE(call->header("X-Switchyard-Lane"), QByteArray("to-claude"));
        const ReceivedRequest &sent = m_anthropic->requests().constLast();
        QCOMPARE(sent.path, QByteArray("/v1/messages/count_tokens"));
        QCOMPARE(sent.json().value(u"model").toString(), QStringLiteral("claude-sonnet-4-5"));
        QCOMPARE(sent.headers.value("x-api-key"), QByteArray("sk-ant-gateway-0123456789"));
        QCOMPARE(sent.headers.value("anthropic-beta"), ClaudeHeaders.at(3).second);
        QCOMPARE(m_openai->requestCount(), 0);

        // The route fails: the gateway's estimate answers (40 characters, about 10 tokens).
        m_anthropic->enqueue(anthropicServerError());
        call = m_gateway->client().postAndWait(QStringLiteral("/v1/messages/count_tokens"), body);
        QCOMPARE(call->status, 200);
        QCOMPARE(call->json().value(u"input_tokens").toInt(), 10);
        QCOMPARE(call->header("X-Switchyard-Route"), QByteArray());
    }

    void countTokensWithNoAnthropicRouteIsTheEstimate()
    {
        const char *plain = "{'model': 'claude-x', 'messages': [{'role': 'user', "
                            "'content': '0123456789012345678901234567890123456789'}]}";
        const QList<QPair<QByteArray, QByteArray>> lane { { "X-Switchyard-Lane", "sdk-gpt" } };
        ClientCall *call = m_gateway->client().postAndWait(
            QStringLiteral("/v1/messages/count_tokens"), jsonText(plain), lane);
        QCOMPARE(call->status, 200);
        QCOMPARE(call->json().value(u"input_tokens").toInt(), 10);
        // Tool definitions are part of the prompt.
        call = m_gateway->client().postAndWait(QStringLiteral("/v1/messages/count_tokens"),
            jsonText("{'model': 'claude-x', 'tools': [{'name': 'get_weather', 'input_schema': "
                     "{'type': 'object', 'properties': {'city': {'type': 'string'}}}}], "
                     "'messages': [{'role': 'user', 'content': "
                     "'0123456789012345678901234567890123456789'}]}"),
            lane);
        QCOMPARE(call->status, 200);
        QVERIFY2(call->json().value(u"input_tokens").toInt() > 30, call->body.constData());
        QCOMPARE(
            m_anthropic->requestCount() + m_openai->requestCount() + m_down->requestCount(), 0);
    }

    void anAnswerWithNoFormInTheCallersApiFailsOver()
    {
        // Arguments that are no JSON object cannot become Anthropic's tool input: the route's
        // answer is malformed for this caller, and the next route answers.
        FakeResponse broken = openAiToolCall();
        const qsizetype arguments = broken.body.indexOf("{\\\"city");
        QVERIFY(arguments > 0);
        broken.body.replace(
            arguments, broken.body.indexOf("}\"", arguments) + 1 - arguments, "{oops");
        m_openai->enqueue(broken);
        m_anthropic->enqueue(anthropicMessage());
        ClientCall *call = m_gateway->client().postAndWait(QStringLiteral("/v1/messages"),
            messagesRequest(QStringLiteral("claude-x"), false), ClaudeHeaders);
        QCOMPARE(call->status, 200);
        QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("claude"));
        const QJsonObject first
            = m_gateway->lastTrace().value(u"attempts").toArray().first().toObject();
        QCOMPARE(first.value(u"class").toString(), QStringLiteral("contract_violation"));
        QVERIFY2(first.value(u"reason").toString().contains(QLatin1String("messages form")),
            qPrintable(first.value(u"reason").toString()));
    }

    void aNativeResponsesStreamsFailureFailsOverBeforeContent()
    {
        FakeResponse failed;
        failed.withHeader("Content-Type", "text/event-stream");
        failed.chunks.append(jsonText(
            "event: response.created\ndata: {'type': 'response.created', 'sequence_number': 0, "
            "'response': {'id': 'resp_x', 'object': 'response', 'status': 'in_progress', "
            "'output': []}}\n\n"
            "event: response.failed\ndata: {'type': 'response.failed', 'sequence_number': 1, "
            "'response': {'id': 'resp_x', 'object': 'response', 'status': 'failed', 'error': "
            "{'code': 'rate_limit_exceeded', 'message': 'Slow down'}}}\n\n"));
        m_openai->enqueue(failed);
        m_anthropic->enqueue(pieces(anthropicStreamBytes(), 80));
        ClientCall *call = m_gateway->client().postAndWait(QStringLiteral("/v1/responses"),
            jsonText("{'model': 'gpt-5', 'stream': true, 'input': 'hi'}"),
            { { "X-Switchyard-Lane", "responses-first" } });
        QCOMPARE(call->status, 200);
        QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("claude"));
        QVERIFY(!call->body.contains("resp_x"));
        QVERIFY(call->body.contains("event: response.completed"));
        const QJsonObject first
            = m_gateway->lastTrace().value(u"attempts").toArray().first().toObject();
        QCOMPARE(first.value(u"class").toString(), QStringLiteral("rate_limited"));
    }

    void responsesTranslatedForAChatRoute_data()
    {
        QTest::addColumn<QString>("lane");
        QTest::addColumn<QString>("route");
        QTest::newRow("openai route") << QStringLiteral("to-gpt") << QStringLiteral("gpt");
        QTest::newRow("anthropic route") << QStringLiteral("to-claude") << QStringLiteral("claude");
    }

    void responsesTranslatedForAChatRoute()
    {
        QFETCH(QString, lane);
        QFETCH(QString, route);
        m_anthropic->enqueue(
            route == QLatin1String("claude") ? anthropicMessage() : anthropicOverloaded());
        m_openai->enqueue(route == QLatin1String("gpt")
                ? openAiToolCall()
                : FakeResponse::error(503, QStringLiteral("server_error")));
        const QByteArray body = jsonText(
            "{'model': 'x', 'instructions': 'Be terse.', 'store': false, 'include': "
            "['reasoning.encrypted_content'], 'reasoning': {'effort': 'low'}, 'input': ["
            "{'type': 'message', 'role': 'user', 'content': [{'type': 'input_text', 'text': "
            "'Weather in Paris?'}]},"
            "{'type': 'reasoning', 'id': 'rs_1', 'summary': [], 'encrypted_content': 'xx'},"
            "{'type': 'function_call', 'call_id': 'call_0', 'name': 'get_weather', "
            "'arguments': '{\\\"city\\\":\\\"Paris\\\"}'},"
            "{'type': 'function_call_output', 'call_id': 'call_0', 'output': 'Sunny'},"
            "{'role': 'user', 'content': 'And Berlin?'}],"
            "'tools': [{'type': 'function', 'name': 'get_weather', 'parameters': {'type': "
            "'object', 'properties': {'city': {'type': 'string'}}}},"
            "{'type': 'web_search'}]}");
        ClientCall *call = m_gateway->client().postAndWait(
            QStringLiteral("/v1/responses"), body, { { "X-Switchyard-Lane", lane.toUtf8() } });
        QCOMPARE(call->status, 200);
        QCOMPARE(call->header("X-Switchyard-Route"), route.toUtf8());
        const QJsonObject response = call->json();
        QCOMPARE(response.value(u"object").toString(), QStringLiteral("response"));
        QCOMPARE(response.value(u"status").toString(), QStringLiteral("completed"));
        const QJsonArray output = response.value(u"output").toArray();
        QCOMPARE(output.size(), 2);
        QCOMPARE(output.at(0).toObject().value(u"type").toString(), QStringLiteral("message"));
        const QJsonObject functionCall = output.at(1).toObject();
        QCOMPARE(functionCall.value(u"type").toString(), QStringLiteral("function_call"));
        QCOMPARE(functionCall.value(u"name").toString(), QStringLiteral("get_weather"));
        QCOMPARE(QJsonDocument::fromJson(functionCall.value(u"arguments").toString().toUtf8())
                     .object()
                     .value(u"city")
                     .toString(),
            QStringLiteral("Berlin"));
        QCOMPARE(response.value(u"usage").toObject().value(u"input_tokens").toInt(), 30);
        const QJsonObject trace = m_gateway->lastTrace();
        QCOMPARE(trace.value(u"endpoint").toString(), QStringLiteral("responses"));
        const QString note
            = trace.value(u"attempts").toArray().last().toObject().value(u"note").toString();
        QVERIFY2(
            note.contains(QLatin1String("web_search")) && note.contains(QLatin1String("reasoning")),
            qPrintable(note));
    }

    void responsesStreamTranslatedFromAChatStream()
    {
        m_anthropic->enqueue(anthropicOverloaded());
        m_openai->enqueue(pieces(openAiToolStreamBytes(), 37));
        ClientCall *call = m_gateway->client().postAndWait(QStringLiteral("/v1/responses"),
            jsonText("{'model': 'gpt-5', 'stream': true, 'input': 'Weather in Berlin?'}"));
        QCOMPARE(call->status, 200);
        QStringList types;
        const QList<QJsonObject> events = sseData(call->body, &types);
        QCOMPARE(types.first(), QStringLiteral("response.created"));
        QCOMPARE(types.constLast(), QStringLiteral("response.completed"));
        QVERIFY(types.contains(QStringLiteral("response.output_text.delta")));
        QVERIFY(types.contains(QStringLiteral("response.function_call_arguments.delta")));
        QCOMPARE(types.count(QStringLiteral("response.output_item.done")), 2);
        for (qsizetype i = 0; i < events.size(); ++i)
            QCOMPARE(events.at(i).value(u"sequence_number").toInt(), int(i));
        const QJsonObject completed = events.constLast().value(u"response").toObject();
        QCOMPARE(completed.value(u"output").toArray().size(), 2);
        QCOMPARE(completed.value(u"usage").toObject().value(u"output_tokens").toInt(), 42);
    }

    void responsesPassThroughToARouteThatSpeaksThem()
    {
        m_anthropic->enqueue(anthropicOverloaded());
        const QByteArray native = jsonText(
            "{'id': 'resp_9', 'object': 'response', 'status': 'completed', 'model': 'gpt-5', "
            "'output': [{'type': 'reasoning', 'id': 'rs_9', 'summary': []}, {'type': 'message', "
            "'id': 'msg_9', 'role': 'assistant', 'content': [{'type': 'output_text', 'text': "
            "'Hi', 'annotations': []}]}], 'usage': {'input_tokens': 8, 'output_tokens': 2, "
            "'input_tokens_details': {'cached_tokens': 4}}}");
        m_openai->enqueue(json(native));
        const QByteArray body
            = jsonText("{'model': 'gpt-5', 'input': 'Hi', 'reasoning': {'effort': 'low'}, 'tools': "
                       "[{'type': 'web_search'}]}");
        ClientCall *call = m_gateway->client().postAndWait(
            QStringLiteral("/v1/responses"), body, { { "X-Switchyard-Lane", "native-responses" } });
        QCOMPARE(call->status, 200);
        QCOMPARE(call->body, native);
        const ReceivedRequest &sent = m_openai->requests().constLast();
        QCOMPARE(sent.path, QByteArray("/v1/responses"));
        QCOMPARE(sent.body, body);
        const QJsonObject trace = m_gateway->lastTrace();
        QCOMPARE(trace.value(u"tokens_in").toInteger(), 8);
        QCOMPARE(trace.value(u"cache_read_tokens").toInteger(), 4);
    }

    void theOfficialSdksParseEverything()
    {
        // Each lane's first route fails (503, then its breaker is open); the second answers.
        // The Anthropic route, in the order the script asks:
        m_anthropic->enqueue(anthropicMessage());
        m_anthropic->enqueue(anthropicMessage());
        m_anthropic->enqueue(pieces(anthropicStreamBytes(), 97));
        m_anthropic->enqueue(pieces(anthropicStreamBytes(), 97));
        // The OpenAI route: Messages, then Responses.
        m_openai->enqueue(openAiToolCall());
        m_openai->enqueue(pieces(openAiToolStreamBytes(), 64));
        m_openai->enqueue(openAiToolCall());
        m_openai->enqueue(pieces(openAiToolStreamBytes(), 64));
        const NodeRun run = runNodeScript(QStringLiteral(SWITCHYARD_OPENAI_CLIENT_DIR),
            QStringLiteral("agentapis.mjs"), m_gateway->baseUrl());
        QVERIFY2(run.error.isEmpty(), qPrintable(run.error));
        // On a failure, the last request's trace says which attempt went wrong.
        const QByteArray lastTrace = QJsonDocument(m_gateway->lastTrace()).toJson();
        if (run.exitCode != 0)
            qWarning().noquote() << run.output.right(1500) << lastTrace;
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.output.contains("sdk clients: ok"), run.output.constData());
    }

    // The real agent CLIs from npm, pointed at the gateway as their users point them, through a
    // lane whose first route fails: each prints what the fake upstream answered.
    void claudeCodePrintsTheAnswer_data()
    {
        QTest::addColumn<QString>("lane");
        QTest::addColumn<QString>("route");
        QTest::newRow("passed through to an Anthropic route")
            << QStringLiteral("sdk-claude") << QStringLiteral("claude");
        QTest::newRow("translated for an OpenAI route")
            << QStringLiteral("sdk-gpt") << QStringLiteral("gpt");
    }

    void claudeCodePrintsTheAnswer()
    {
        QFETCH(QString, lane);
        QFETCH(QString, route);
        const QString answer = QStringLiteral("Hello from the fake %1 upstream.").arg(route);
        m_anthropic->setDefaultResponse(pieces(anthropicTextStream(answer), 50));
        m_openai->setDefaultResponse(FakeResponse::streamWithUsage(
            { QStringLiteral("Hello from "), answer.mid(11) }, 12, 9));
        QTemporaryDir home;
        const NodeRun run = runNpmProgram(QStringLiteral(SWITCHYARD_OPENAI_CLIENT_DIR),
            QStringLiteral("claude"), { QStringLiteral("-p"), QStringLiteral("Say hello") },
            { { QStringLiteral("HOME"), home.path() },
                { QStringLiteral("ANTHROPIC_BASE_URL"), m_gateway->baseUrl() },
                { QStringLiteral("ANTHROPIC_API_KEY"), QStringLiteral("sk-ant-client-key") },
                { QStringLiteral("ANTHROPIC_CUSTOM_HEADERS"),
                    QStringLiteral("x-switchyard-lane: ") + lane },
                { QStringLiteral("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"), QStringLiteral("1") },
                { QStringLiteral("DISABLE_AUTOUPDATER"), QStringLiteral("1") } });
        QVERIFY2(run.error.isEmpty(), qPrintable(run.error));
        QVERIFY2(run.exitCode == 0 && run.output.contains(answer.toUtf8()),
            (run.output + run.errorOutput).right(3000).constData());
        const QJsonObject trace = m_gateway->lastTrace();
        QCOMPARE(trace.value(u"endpoint").toString(), QStringLiteral("messages"));
        QCOMPARE(trace.value(u"route").toString(), route);
        QVERIFY(m_down->requestCount() >= 1);
    }

    void codexPrintsTheAnswer_data()
    {
        QTest::addColumn<QString>("lane");
        QTest::addColumn<QString>("route");
        QTest::newRow("translated for an OpenAI chat route")
            << QStringLiteral("sdk-gpt") << QStringLiteral("gpt");
        QTest::newRow("translated for an Anthropic route")
            << QStringLiteral("sdk-claude") << QStringLiteral("claude");
    }

    void codexPrintsTheAnswer()
    {
        QFETCH(QString, lane);
        QFETCH(QString, route);
        const QString answer = QStringLiteral("Hello from the fake %1 upstream.").arg(route);
        m_anthropic->setDefaultResponse(pieces(anthropicTextStream(answer), 50));
        m_openai->setDefaultResponse(FakeResponse::streamWithUsage(
            { QStringLiteral("Hello from "), answer.mid(11) }, 12, 9));
        QTemporaryDir home;
        const QString provider
            = QStringLiteral("model_providers.switchyard={name=\"Switchyard\", base_url=\"%1/v1\", "
                             "wire_api=\"responses\", env_key=\"SWITCHYARD_API_KEY\", "
                             "request_max_retries=0, stream_max_retries=0, "
                             "http_headers={\"x-switchyard-lane\"=\"%2\"}}")
                  .arg(m_gateway->baseUrl(), lane);
        const NodeRun run = runNpmProgram(QStringLiteral(SWITCHYARD_OPENAI_CLIENT_DIR),
            QStringLiteral("codex"),
            { QStringLiteral("exec"), QStringLiteral("--skip-git-repo-check"), QStringLiteral("-c"),
                QStringLiteral("model_provider=switchyard"), QStringLiteral("-c"), provider,
                QStringLiteral("-m"), QStringLiteral("gpt-5"), QStringLiteral("Say hello") },
            { { QStringLiteral("HOME"), home.path() },
                { QStringLiteral("CODEX_HOME"), home.path() },
                { QStringLiteral("SWITCHYARD_API_KEY"), QStringLiteral("client-key") } });
        QVERIFY2(run.error.isEmpty(), qPrintable(run.error));
        QVERIFY2(run.exitCode == 0 && run.output.contains(answer.toUtf8()),
            (run.output + run.errorOutput).right(3000).constData());
        const QJsonObject trace = m_gateway->lastTrace();
        QCOMPARE(trace.value(u"endpoint").toString(), QStringLiteral("responses"));
        QCOMPARE(trace.value(u"route").toString(), route);
        QVERIFY(m_down->requestCount() >= 1);
    }

private:
    std::unique_ptr<FakeUpstream> m_openai;
    std::unique_ptr<FakeUpstream> m_anthropic;
    std::unique_ptr<FakeUpstream> m_down; // every answer a 503
    std::unique_ptr<GatewayUnderTest> m_gateway;
};

QTEST_GUILESS_MAIN(CallerApisTest)
#include "tst_callerapis.moc"
