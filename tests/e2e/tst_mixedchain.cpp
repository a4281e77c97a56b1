#include "anthropicstream.h"
#include "fakeupstream.h"
#include "gatewayharness.h"
#include "jsontext.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QStandardPaths>
#include <QTest>

#include <memory>

using namespace Switchyard::Testing;

namespace {

FakeResponse anthropicMessage()
{
    FakeResponse response;
    response.body = jsonText(
        "{'id': 'msg_1', 'type': 'message', 'role': 'assistant', 'model': 'claude-sonnet-4-5',"
        "'content': [{'type': 'text', 'text': 'Let me check.'},"
        "{'type': 'tool_use', 'id': 'toolu_1', 'name': 'get_weather', 'input': {'city': "
        "'Berlin'}}],"
        "'stop_reason': 'tool_use', 'usage': {'input_tokens': 25, 'cache_read_input_tokens': 5,"
        "'output_tokens': 12}}");
    response.withHeader("Content-Type", "application/json");
    return response;
}

// Anthropic's real event format, cut into pieces that ignore event boundaries.
FakeResponse anthropicStream()
{
    const QByteArray &events = anthropicStreamBytes();
    FakeResponse response;
    response.withHeader("Content-Type", "text/event-stream");
    for (qsizetype at = 0; at < events.size(); at += 97)
        response.chunks.append(events.mid(at, 97));
    return response;
}

QJsonObject tools()
{
    return QJsonDocument::fromJson(jsonText("{'tools': [{'type': 'function', 'function': {'name': "
                                            "'get_weather', 'parameters': {'type': 'object',"
                                            "'properties': {'city': {'type': 'string'}}}}}]}"))
        .object();
}

} // namespace

// A lane that mixes providers: an OpenAI-kind route failing over to an Anthropic-kind route, and
// the caller cannot tell from the shape of the answer.
class MixedChainTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        qputenv("SWITCHYARD_TEST_ANTHROPIC_KEY", "sk-ant-test-0123456789");
    }

    void init()
    {
        m_openai = std::make_unique<FakeUpstream>();
        m_anthropic = std::make_unique<FakeUpstream>();
        QVERIFY(m_openai->listen() && m_anthropic->listen());
        m_openai->setDefaultResponse(FakeResponse::error(503, QStringLiteral("server_error")));
        QByteArray config = jsonText(R"JSON({
          'providers': {'oa': {'kind': 'openai', 'base_url': '@OA@'},
                        'an': {'kind': 'anthropic', 'base_url': '@AN@',
                               'api_key': {'env': 'SWITCHYARD_TEST_ANTHROPIC_KEY'}}},
          'routes': {'gpt': {'provider': 'oa', 'model': 'gpt-4o'},
                     'claude': {'provider': 'an', 'model': 'claude-sonnet-4-5', 'max_tokens': 2048,
                                'capabilities': ['tools', 'json', 'vision', 'stream']},
                     'claude-prefill': {'provider': 'an', 'model': 'claude-sonnet-4-5',
                                        'capabilities': ['stream', 'prefill']}},
          'lanes': {'mixed': {'chain': ['gpt', 'claude'], 'retry': {'max_retries': 0}},
                    'claude-first': {'chain': ['claude', 'gpt'], 'retry': {'max_retries': 0}},
                    'continued': {'chain': ['gpt', 'claude-prefill'], 'continuation': 'prefill',
                                  'retry': {'max_retries': 0}}},
          'default_lane': 'mixed'
        })JSON");
        config.replace("@OA@", m_openai->baseUrl().toUtf8());
        // Anthropic's base URL has no /v1; the gateway adds the API's own path.
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
    }

    void failsOverToAnthropicWithAToolCall()
    {
        m_anthropic->enqueue(anthropicMessage());
        ClientCall *call = m_gateway->client().postAndWait(QStringLiteral("/v1/chat/completions"),
            chatBody(QStringLiteral("mixed"), false, tools()));
        QCOMPARE(call->status, 200);
        QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("claude"));
        const QJsonObject choice
            = call->json().value(QLatin1String("choices")).toArray().first().toObject();
        QCOMPARE(
            choice.value(QLatin1String("finish_reason")).toString(), QStringLiteral("tool_calls"));
        const QJsonObject function = choice.value(QLatin1String("message"))
                                         .toObject()
                                         .value(QLatin1String("tool_calls"))
                                         .toArray()
                                         .first()
                                         .toObject()
                                         .value(QLatin1String("function"))
                                         .toObject();
        QCOMPARE(function.value(QLatin1String("name")).toString(), QStringLiteral("get_weather"));
        QCOMPARE(function.value(QLatin1String("arguments")).toString(),
            QStringLiteral("{\"city\":\"Berlin\"}"));

        const ReceivedRequest &sent = m_anthropic->requests().first();
        QCOMPARE(sent.path, QByteArray("/v1/messages"));
        QCOMPARE(sent.headers.value("x-api-key"), QByteArray("sk-ant-test-0123456789"));
        QCOMPARE(sent.headers.value("anthropic-version"), QByteArray("2023-06-01"));
        QVERIFY(!sent.headers.contains("authorization"));
        QCOMPARE(sent.json().value(QLatin1String("max_tokens")).toInt(), 2048);
        QCOMPARE(sent.json()
                     .value(QLatin1String("tools"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(QLatin1String("name"))
                     .toString(),
            QStringLiteral("get_weather"));
    }

    void streamsAreTranslatedEventByEvent()
    {
        m_anthropic->enqueue(anthropicStream());
        ClientCall *call = m_gateway->client().postAndWait(QStringLiteral("/v1/chat/completions"),
            chatBody(QStringLiteral("mixed"), true, tools()));
        QCOMPARE(call->status, 200);
        QCOMPARE(call->header("Content-Type"), QByteArray("text/event-stream"));
        QVERIFY(call->body.contains("\"object\":\"chat.completion.chunk\""));
        QVERIFY(call->body.contains("\"finish_reason\":\"tool_calls\""));
        QVERIFY(call->body.endsWith("data: [DONE]\n\n"));
        QVERIFY(!call->body.contains(
            "message_start")); // nothing of Anthropic's own format leaks through
    }

    void anthropicOverloadFallsBack()
    {
        FakeResponse overloaded;
        overloaded.status = 529;
        overloaded.body = jsonText(
            "{'type': 'error', 'error': {'type': 'overloaded_error', 'message': 'Overloaded'}}");
        m_anthropic->enqueue(overloaded);
        m_openai->enqueue(FakeResponse::completion(QStringLiteral("from openai")));
        ClientCall *call = m_gateway->client().postAndWait(
            QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("claude-first")));
        QCOMPARE(call->status, 200);
        QCOMPARE(call->header("X-Switchyard-Route"), QByteArray("gpt"));
    }

    void anAnthropicRouteContinuesACutStreamFromItsPrefill()
    {
        FakeResponse cut = FakeResponse::stream(
            { QStringLiteral("Let me "), QStringLiteral("check "), QStringLiteral("never sent") });
        cut.cutAfterChunks = 2;
        m_openai->enqueue(cut);
        FakeResponse rest;
        rest.withHeader("Content-Type", "text/event-stream");
        rest.chunks = { "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{"
                        "\"id\":\"msg_2\",\"model\":\"claude-sonnet-4-5\",\"usage\":{"
                        "\"input_tokens\":30,\"output_tokens\":1}}}\n\n",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
            "\"delta\":{\"type\":\"text_delta\",\"text\":\" the weather.\"}}\n\n",
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
            "\"end_turn\"},\"usage\":{\"output_tokens\":4}}\n\n",
            "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n" };
        m_anthropic->enqueue(rest);
        ClientCall *call = m_gateway->client().postAndWait(
            QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("continued"), true));
        QCOMPARE(call->status, 200);
        QString text;
        QSet<QString> ids;
        for (const QByteArray &line : call->body.split('\n')) {
            if (!line.startsWith("data: {"))
                continue;
            const QJsonObject chunk = QJsonDocument::fromJson(line.mid(6)).object();
            ids.insert(chunk.value(u"id").toString());
            for (const QJsonValue &choice : chunk.value(u"choices").toArray())
                text += choice.toObject().value(u"delta").toObject().value(u"content").toString();
        }
        // The prefill lost its trailing space (Anthropic refuses one), and the space the
        // continuation opens with is not sent twice.
        QCOMPARE(text, QStringLiteral("Let me check the weather."));
        QCOMPARE(ids.size(), 1);
        QVERIFY(call->body.endsWith("data: [DONE]\n\n"));
        const QJsonArray messages
            = m_anthropic->requests().constLast().json().value(u"messages").toArray();
        const QJsonObject prefill = messages.last().toObject();
        QCOMPARE(prefill.value(u"role").toString(), QStringLiteral("assistant"));
        QVERIFY2(QJsonDocument(prefill).toJson().contains("\"Let me check\""),
            QJsonDocument(prefill).toJson().constData());
    }

    void theOfficialOpenAiClientParsesEverything()
    {
        m_anthropic->enqueue(anthropicMessage());
        m_anthropic->enqueue(anthropicStream());
        const NodeRun run = runNodeScript(QStringLiteral(SWITCHYARD_OPENAI_CLIENT_DIR),
            QStringLiteral("client.mjs"), m_gateway->baseUrl() + QStringLiteral("/v1"));
        QVERIFY2(run.error.isEmpty(), qPrintable(run.error));
        const QByteArray &output = run.output;
        QVERIFY2(run.exitCode == 0, output.constData());
        QVERIFY2(output.contains("openai client: ok"), output.constData());
    }

private:
    std::unique_ptr<FakeUpstream> m_openai;
    std::unique_ptr<FakeUpstream> m_anthropic;
    std::unique_ptr<GatewayUnderTest> m_gateway;
};

QTEST_GUILESS_MAIN(MixedChainTest)
#include "tst_mixedchain.moc"
