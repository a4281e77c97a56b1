#include "http/ssescanner.h"
#include "translate/anthropictranslator.h"
#include "translate/messagesprotocol.h"
#include "translate/openaistream.h"
#include "translate/responsesprotocol.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>

#include "anthropicstream.h"
#include "jsontext.h"
#include "openaitoolstream.h"

using namespace Switchyard;
using namespace Switchyard::Testing;

namespace {

QByteArray compact(const QJsonValue &value)
{
    return value.isArray() ? QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact)
                           : QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
}

// Feeds `stream` to `translator` in the pieces the cuts make, as the relay does.
QByteArray feed(StreamTranslator &translator, const QByteArray &stream, QList<qsizetype> cuts)
{
    SseScanner scanner;
    scanner.setKeepRaw(translator.needsRawEvents());
    cuts.prepend(0);
    cuts.append(stream.size());
    QByteArray out;
    for (qsizetype i = 1; i < cuts.size(); ++i)
        out += translator.translate(
            scanner.feed(stream.sliced(cuts.at(i - 1), cuts.at(i) - cuts.at(i - 1))));
    return out;
}

// The moment a stream's translator was made is in its events; compared, it must not matter.
QByteArray timeless(QByteArray sse)
{
    static const QRegularExpression created(QStringLiteral("\"created(_at)?\":\\d+"));
    return QString::fromUtf8(sse).replace(created, QStringLiteral("\"created\":0")).toUtf8();
}

struct Events {
    QStringList types;
    QList<QJsonObject> data;
};

Events events(const QByteArray &sse)
{
    Events result;
    SseScanner scanner;
    for (const SseScanner::Event &event : scanner.feed(sse)) {
        result.types.append(QString::fromUtf8(event.event));
        result.data.append(QJsonDocument::fromJson(event.data).object());
    }
    return result;
}

} // namespace

// The inbound APIs read as chat completions and written back from them (CallerProtocol), table by
// table, and their streams cut at every byte.
class CallerProtocolsTest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void messagesAsChat_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<QByteArray>("messages"); // the chat messages, compact
        QTest::addColumn<QString>("untranslatable"); // a part of the reason, or empty
        QTest::addColumn<QString>("dropped");

        QTest::newRow("system blocks and a string turn")
            << jsonText("{'system': [{'type': 'text', 'text': 'A', 'cache_control': {'type': "
                        "'ephemeral'}}, {'type': 'text', 'text': 'B'}], 'messages': [{'role': "
                        "'user', 'content': 'hi'}]}")
            << jsonText("[{'content':'A\\nB','role':'system'},{'content':'hi','role':'user'}]")
            << QString() << QString();
        QTest::newRow("a tool call and its result, then text")
            << jsonText("{'messages': [{'role': 'assistant', 'content': [{'type': 'text', "
                        "'text': 'Looking.'}, {'type': 'tool_use', 'id': 't1', 'name': 'f', "
                        "'input': {'a': 1}}]}, {'role': 'user', 'content': [{'type': "
                        "'tool_result', 'tool_use_id': 't1', 'content': [{'type': 'text', "
                        "'text': 'ok'}], 'is_error': true}, {'type': 'text', 'text': 'next'}]}]}")
            << jsonText("[{'content':'Looking.','role':'assistant','tool_calls':[{'function':{"
                        "'arguments':'{\\\"a\\\":1}','name':'f'},'id':'t1','type':'function'}]},"
                        "{'content':'Error: ok','role':'tool','tool_call_id':'t1'},"
                        "{'content':[{'text':'next','type':'text'}],'role':'user'}]")
            << QString() << QString();
        QTest::newRow("an image by base64 and a system turn")
            << jsonText("{'messages': [{'role': 'system', 'content': 'be brief'}, {'role': "
                        "'user', 'content': [{'type': 'image', 'source': {'type': 'base64', "
                        "'media_type': 'image/png', 'data': 'AAAA'}}]}]}")
            << jsonText("[{'content':'be brief','role':'system'},{'content':[{'image_url':{"
                        "'url':'data:image/png;base64,AAAA'},'type':'image_url'}],'role':'user'}]")
            << QString() << QString();
        QTest::newRow("thinking blocks are dropped, and said so")
            << jsonText("{'thinking': {'type': 'enabled', 'budget_tokens': 1024}, 'messages': "
                        "[{'role': 'assistant', 'content': [{'type': 'thinking', 'thinking': "
                        "'x', 'signature': 's'}, {'type': 'text', 'text': 'y'}]}]}")
            << jsonText("[{'content':'y','role':'assistant'}]") << QString()
            << QStringLiteral("thinking blocks, extended thinking");
        QTest::newRow("a document has no chat form")
            << jsonText("{'messages': [{'role': 'user', 'content': [{'type': 'document', "
                        "'source': {'type': 'text', 'data': 'x'}}]}]}")
            << jsonText("[]") << QStringLiteral("'document' block") << QString();
        QTest::newRow("a server tool has no chat form")
            << jsonText("{'tools': [{'type': 'web_search_20250305', 'name': 'web_search'}], "
                        "'messages': [{'role': 'user', 'content': 'hi'}]}")
            << jsonText("[{'content':'hi','role':'user'}]")
            << QStringLiteral("server tool 'web_search'") << QString();
    }

    void messagesAsChat()
    {
        QFETCH(QByteArray, request);
        QFETCH(QByteArray, messages);
        QFETCH(QString, untranslatable);
        QFETCH(QString, dropped);
        QJsonObject object = QJsonDocument::fromJson(request).object();
        object.insert(QStringLiteral("model"), QStringLiteral("claude-x"));
        object.insert(QStringLiteral("max_tokens"), 100);
        const CallerRequest chat = MessagesProtocol().toChat(object);
        QVERIFY2(chat.error.isEmpty(), qPrintable(chat.error));
        QCOMPARE(compact(chat.chat.value(u"messages")), messages);
        QVERIFY2(untranslatable.isEmpty() ? chat.untranslatable.isEmpty()
                                          : chat.untranslatable.contains(untranslatable),
            qPrintable(chat.untranslatable));
        QCOMPARE(chat.dropped.join(QLatin1String(", ")), dropped);
        QCOMPARE(chat.chat.value(u"max_tokens").toInt(), 100);
    }

    void messagesOptionsAsChat()
    {
        const CallerRequest chat = MessagesProtocol().toChat(jsonObject(
            "{'model': 'm', 'max_tokens': 5, 'stream': true, 'stop_sequences': ['END'], "
            "'temperature': 0.2, 'metadata': {'user_id': 'u1'}, 'tool_choice': {'type': 'any', "
            "'disable_parallel_tool_use': true}, 'tools': [{'name': 'f', 'description': 'd', "
            "'input_schema': {'type': 'object'}}], 'messages': []}"));
        QCOMPARE(compact(chat.chat),
            jsonText("{'max_tokens':5,'messages':[],'model':'m','parallel_tool_calls':false,"
                     "'stop':['END'],'stream':true,'stream_options':{'include_usage':true},"
                     "'temperature':0.2,'tool_choice':'required','tools':[{'function':{"
                     "'description':'d','name':'f','parameters':{'type':'object'}},'type':"
                     "'function'}],'user':'u1'}"));
    }

    void malformedMessagesSayWhere_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<QString>("param");
        QTest::newRow("no max_tokens")
            << jsonText("{'model': 'm', 'messages': []}") << QStringLiteral("max_tokens");
        QTest::newRow("no model") << jsonText("{'max_tokens': 1, 'messages': []}")
                                  << QStringLiteral("model");
        QTest::newRow("messages not an array")
            << jsonText("{'model': 'm', 'max_tokens': 1, 'messages': {}}")
            << QStringLiteral("messages");
        QTest::newRow("a turn that is no object")
            << jsonText("{'model': 'm', 'max_tokens': 1, 'messages': [3]}")
            << QStringLiteral("messages[0]");
        QTest::newRow("an unknown role") << jsonText(
            "{'model': 'm', 'max_tokens': 1, 'messages': [{'role': 'tool', "
            "'content': 'x'}]}") << QStringLiteral("messages[0].role");
        QTest::newRow("stream not a boolean")
            << jsonText("{'model': 'm', 'max_tokens': 1, 'messages': [], 'stream': 'yes'}")
            << QStringLiteral("stream");
    }

    void malformedMessagesSayWhere()
    {
        QFETCH(QByteArray, request);
        QFETCH(QString, param);
        const CallerRequest chat
            = MessagesProtocol().toChat(QJsonDocument::fromJson(request).object());
        QVERIFY(!chat.error.isEmpty());
        QCOMPARE(chat.errorParam, param);
    }

    void responsesAsChat_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<QByteArray>("messages");
        QTest::addColumn<QString>("untranslatable");
        QTest::addColumn<QString>("dropped");

        QTest::newRow("instructions and text input")
            << jsonText("{'instructions': 'Be brief.', 'input': 'hi'}")
            << jsonText("[{'content':'Be brief.','role':'system'},{'content':'hi','role':'user'}]")
            << QString() << QString();
        QTest::newRow("items: developer, calls together, their outputs")
            << jsonText("{'input': [{'type': 'message', 'role': 'developer', 'content': [{'type': "
                        "'input_text', 'text': 'rules'}]}, {'type': 'function_call', 'call_id': "
                        "'c1', 'name': 'f', 'arguments': '{}'}, {'type': 'function_call', "
                        "'call_id': 'c2', 'name': 'g', 'arguments': '{}'}, {'type': "
                        "'function_call_output', 'call_id': 'c1', 'output': 'one'}, {'type': "
                        "'function_call_output', 'call_id': 'c2', 'output': 'two'}]}")
            << jsonText("[{'content':'rules','role':'system'},{'content':null,'role':'assistant',"
                        "'tool_calls':[{'function':{'arguments':'{}','name':'f'},'id':'c1','type':"
                        "'function'},{'function':{'arguments':'{}','name':'g'},'id':'c2','type':"
                        "'function'}]},{'content':'one','role':'tool','tool_call_id':'c1'},"
                        "{'content':'two','role':'tool','tool_call_id':'c2'}]")
            << QString() << QString();
        QTest::newRow("an image by URL")
            << jsonText("{'input': [{'role': 'user', 'content': [{'type': 'input_text', 'text': "
                        "'what?'}, {'type': 'input_image', 'image_url': 'https://x/i.png'}]}]}")
            << jsonText("[{'content':[{'text':'what?','type':'text'},{'image_url':{'url':"
                        "'https://x/i.png'},'type':'image_url'}],'role':'user'}]")
            << QString() << QString();
        QTest::newRow("reasoning items and hosted tools are dropped, and said so")
            << jsonText("{'input': [{'type': 'reasoning', 'id': 'rs', 'summary': []}, {'role': "
                        "'user', 'content': 'x'}], 'tools': [{'type': 'web_search'}, {'type': "
                        "'namespace', 'name': 'agents', 'tools': []}], 'reasoning': {'effort': "
                        "'high'}}")
            << jsonText("[{'content':'x','role':'user'}]") << QString()
            << QStringLiteral("reasoning items, the 'web_search' tool, the 'agents' tool, "
                              "reasoning settings");
        QTest::newRow("an item only the Responses API knows")
            << jsonText("{'input': [{'type': 'item_reference', 'id': 'msg_1'}]}") << jsonText("[]")
            << QStringLiteral("'item_reference' item") << QString();
        QTest::newRow("a file input") << jsonText(
            "{'input': [{'role': 'user', 'content': [{'type': 'input_file', "
            "'file_id': 'f1'}]}]}") << jsonText("[{'content':'','role':'user'}]")
                                      << QStringLiteral("'input_file' part") << QString();
    }

    void responsesAsChat()
    {
        QFETCH(QByteArray, request);
        QFETCH(QByteArray, messages);
        QFETCH(QString, untranslatable);
        QFETCH(QString, dropped);
        QJsonObject object = QJsonDocument::fromJson(request).object();
        object.insert(QStringLiteral("model"), QStringLiteral("gpt-5"));
        const CallerRequest chat = ResponsesProtocol().toChat(object);
        QVERIFY2(chat.error.isEmpty(), qPrintable(chat.error));
        QCOMPARE(compact(chat.chat.value(u"messages")), messages);
        QVERIFY2(untranslatable.isEmpty() ? chat.untranslatable.isEmpty()
                                          : chat.untranslatable.contains(untranslatable),
            qPrintable(chat.untranslatable));
        QCOMPARE(chat.dropped.join(QLatin1String(", ")), dropped);
    }

    void responsesOptionsAsChat()
    {
        const CallerRequest chat = ResponsesProtocol().toChat(jsonObject(
            "{'model': 'm', 'input': 'x', 'stream': true, 'max_output_tokens': 9, 'store': false, "
            "'include': ['reasoning.encrypted_content'], 'prompt_cache_key': 'k', "
            "'tool_choice': 'auto', 'parallel_tool_calls': false, 'text': {'format': {'type': "
            "'json_schema', 'name': 'out', 'schema': {'type': 'object'}, 'strict': true}}, "
            "'tools': [{'type': 'function', 'name': 'f', 'parameters': {'type': 'object'}, "
            "'strict': true}]}"));
        QCOMPARE(compact(chat.chat),
            jsonText("{'max_tokens':9,'messages':[{'content':'x','role':'user'}],'model':'m',"
                     "'parallel_tool_calls':false,'response_format':{'json_schema':{'name':'out',"
                     "'schema':{'type':'object'},'strict':true},'type':'json_schema'},'stream':"
                     "true,'stream_options':{'include_usage':true},'tool_choice':'auto','tools':"
                     "[{'function':{'name':'f','parameters':{'type':'object'},'strict':true},"
                     "'type':'function'}]}"));
    }

    void storedResponsesAreRefused_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<QString>("param");
        QTest::newRow("previous_response_id")
            << jsonText("{'model': 'm', 'input': 'x', 'previous_response_id': 'resp_1'}")
            << QStringLiteral("previous_response_id");
        QTest::newRow("conversation")
            << jsonText("{'model': 'm', 'input': 'x', 'conversation': 'conv_1'}")
            << QStringLiteral("conversation");
        QTest::newRow("background") << jsonText("{'model': 'm', 'input': 'x', 'background': true}")
                                    << QStringLiteral("background");
        QTest::newRow("no input") << jsonText("{'model': 'm'}") << QStringLiteral("input");
    }

    void storedResponsesAreRefused()
    {
        QFETCH(QByteArray, request);
        QFETCH(QString, param);
        const CallerRequest chat
            = ResponsesProtocol().toChat(QJsonDocument::fromJson(request).object());
        QCOMPARE(chat.errorParam, param);
    }

    void chatAnswersInTheCallersApi()
    {
        const QByteArray completion = jsonText(
            "{'id': 'chatcmpl-9', 'object': 'chat.completion', 'model': 'gpt-4o', 'choices': "
            "[{'index': 0, 'finish_reason': 'length', 'message': {'role': 'assistant', "
            "'content': 'Hi', 'tool_calls': [{'id': 'c1', 'type': 'function', 'function': "
            "{'name': 'f', 'arguments': '{\\\"a\\\": 1}'}}]}}], 'usage': {'prompt_tokens': 30, "
            "'completion_tokens': 12, 'prompt_tokens_details': {'cached_tokens': 20}, "
            "'cache_creation_input_tokens': 4}}");
        QString error;
        const QJsonObject message
            = QJsonDocument::fromJson(MessagesProtocol().fromChatResponse(completion, &error))
                  .object();
        QCOMPARE(compact(message),
            jsonText("{'content':[{'text':'Hi','type':'text'},{'id':'c1','input':{'a':1},'name':"
                     "'f','type':'tool_use'}],'id':'msg_9','model':'gpt-4o','role':'assistant',"
                     "'stop_reason':'max_tokens','stop_sequence':null,'type':'message','usage':{"
                     "'cache_creation_input_tokens':4,'cache_read_input_tokens':20,"
                     "'input_tokens':6,'output_tokens':12}}"));

        QJsonObject response
            = QJsonDocument::fromJson(ResponsesProtocol().fromChatResponse(completion, &error))
                  .object();
        QCOMPARE(response.value(u"status").toString(), QStringLiteral("incomplete"));
        QCOMPARE(response.value(u"incomplete_details").toObject().value(u"reason").toString(),
            QStringLiteral("max_output_tokens"));
        QCOMPARE(compact(response.value(u"output")),
            jsonText("[{'content':[{'annotations':[],'text':'Hi','type':'output_text'}],'id':"
                     "'msg_9_0','role':'assistant','status':'completed','type':'message'},"
                     "{'arguments':'{\\\"a\\\": 1}','call_id':'c1','id':'fc_9_1','name':'f',"
                     "'status':'completed','type':'function_call'}]"));
        QCOMPARE(compact(response.value(u"usage")),
            jsonText("{'input_tokens':30,'input_tokens_details':{'cached_tokens':20},"
                     "'output_tokens':12,'output_tokens_details':{'reasoning_tokens':0},"
                     "'total_tokens':42}"));

        // An upstream that ends a tool call with "stop" still asked for the tool.
        QByteArray stopped = completion;
        stopped.replace("'length'", "'stop'");
        stopped.replace("\"length\"", "\"stop\"");
        QCOMPARE(QJsonDocument::fromJson(MessagesProtocol().fromChatResponse(stopped, &error))
                     .object()
                     .value(u"stop_reason")
                     .toString(),
            QStringLiteral("tool_use"));
        stopped.replace("\"stop\"", "\"content_filter\"");
        QCOMPARE(QJsonDocument::fromJson(ResponsesProtocol().fromChatResponse(stopped, &error))
                     .object()
                     .value(u"incomplete_details")
                     .toObject()
                     .value(u"reason")
                     .toString(),
            QStringLiteral("content_filter"));

        // Arguments that are not JSON cannot become Anthropic's input object.
        QByteArray broken = completion;
        broken.replace("{\\\"a\\\": 1}", "{oops");
        QVERIFY(MessagesProtocol().fromChatResponse(broken, &error).isEmpty());
        QVERIFY(!error.isEmpty());
    }

    void errorsInTheCallersApi_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("type");
        QTest::newRow("400") << 400 << QStringLiteral("invalid_request_error");
        QTest::newRow("401") << 401 << QStringLiteral("authentication_error");
        QTest::newRow("404") << 404 << QStringLiteral("not_found_error");
        QTest::newRow("413") << 413 << QStringLiteral("request_too_large");
        QTest::newRow("429") << 429 << QStringLiteral("rate_limit_error");
        QTest::newRow("502") << 502 << QStringLiteral("api_error");
        QTest::newRow("503") << 503 << QStringLiteral("overloaded_error");
        QTest::newRow("504") << 504 << QStringLiteral("timeout_error");
    }

    void errorsInTheCallersApi()
    {
        QFETCH(int, status);
        QFETCH(QString, type);
        const QJsonObject error = QJsonDocument::fromJson(
            MessagesProtocol().fromChatError(
                status, jsonText("{'error': {'message': 'nope', 'type': 'x', 'code': 'c'}}")))
                                      .object();
        QCOMPARE(error.value(u"type").toString(), QStringLiteral("error"));
        QCOMPARE(error.value(u"error").toObject().value(u"type").toString(), type);
        QCOMPARE(
            error.value(u"error").toObject().value(u"message").toString(), QStringLiteral("nope"));
    }

    // OpenAI's chat stream as Anthropic's events: the same events however the bytes are cut.
    void chatStreamAsMessagesCutAtEveryByte()
    {
        const QByteArray stream = openAiToolStreamBytes();
        const auto translator
            = [] { return MessagesProtocol().fromChatStream(openAiStreamPassThrough(false)); };
        std::unique_ptr<StreamTranslator> whole = translator();
        const QByteArray expected = feed(*whole, stream, {});
        QVERIFY(whole->complete());
        const Events result = events(expected);
        QCOMPARE(result.types,
            QStringList({ "message_start", "content_block_start", "content_block_delta",
                "content_block_delta", "content_block_stop", "content_block_start",
                "content_block_delta", "content_block_delta", "content_block_stop", "message_delta",
                "message_stop" }));
        QString arguments;
        for (const QJsonObject &event : result.data)
            arguments += event.value(u"delta").toObject().value(u"partial_json").toString();
        QCOMPARE(arguments, QStringLiteral("{\"city\": \"Berlin\"}"));
        QCOMPARE(compact(result.data.at(9).value(u"usage")),
            jsonText("{'cache_creation_input_tokens':0,'cache_read_input_tokens':20,"
                     "'input_tokens':10,'output_tokens':42}"));
        for (qsizetype cut = 1; cut < stream.size(); ++cut) {
            std::unique_ptr<StreamTranslator> piecewise = translator();
            QCOMPARE(feed(*piecewise, stream, { cut }), expected);
            QVERIFY(piecewise->complete());
        }
    }

    // Anthropic's stream, read as chat by the route's translator, as the Responses API's events.
    void anthropicStreamAsResponsesCutAtEveryByte()
    {
        const QByteArray &stream = anthropicStreamBytes();
        const auto translator = [] {
            return ResponsesProtocol().fromChatStream(AnthropicTranslator().streamTranslator(true));
        };
        std::unique_ptr<StreamTranslator> whole = translator();
        const QByteArray expected = timeless(feed(*whole, stream, {}));
        const Events result = events(expected);
        QCOMPARE(result.types.first(), QStringLiteral("response.created"));
        QCOMPARE(result.types.constLast(), QStringLiteral("response.completed"));
        const QJsonObject response = result.data.constLast().value(u"response").toObject();
        QCOMPARE(compact(response.value(u"output")),
            jsonText("[{'content':[{'annotations':[],'text':'Let me check the weather.','type':"
                     "'output_text'}],'id':'msg_1_0','role':'assistant','status':"
                     "'completed','type':'message'},{'arguments':'{\\\"city\\\": \\\"Berlin\\\"}',"
                     "'call_id':'toolu_1','id':'fc_1_1','name':'get_weather','status':"
                     "'completed','type':'function_call'}]"));
        QCOMPARE(response.value(u"usage").toObject().value(u"output_tokens").toInt(), 42);
        // A message item is added empty; its part comes with content_part.added.
        const qsizetype added = result.types.indexOf(QStringLiteral("response.output_item.added"));
        QCOMPARE(compact(result.data.at(added).value(u"item").toObject().value(u"content")),
            QByteArray("[]"));
        QCOMPARE(result.types.at(added + 1), QStringLiteral("response.content_part.added"));
        for (qsizetype cut = 1; cut < stream.size(); ++cut) {
            std::unique_ptr<StreamTranslator> piecewise = translator();
            QCOMPARE(timeless(feed(*piecewise, stream, { cut })), expected);
        }
    }

    // A native route's stream goes to the caller byte for byte, read alongside.
    void nativeStreamsPassUntouchedCutAtEveryByte()
    {
        const QByteArray &messages = anthropicStreamBytes();
        for (qsizetype cut = 1; cut < messages.size(); ++cut) {
            std::unique_ptr<StreamTranslator> native
                = MessagesProtocol().nativeTranslator()->streamTranslator(false);
            QCOMPARE(feed(*native, messages, { cut }), messages);
            QVERIFY(native->complete() && native->sawContent());
            QCOMPARE(native->tokensOut(), 42);
            QCOMPARE(native->cachedTokens().read, 5);
        }
        const QByteArray responses = jsonText(
            "event: response.created\ndata: {'type': 'response.created', 'sequence_number': 0, "
            "'response': {'id': 'r', 'object': 'response', 'status': 'in_progress', 'output': "
            "[]}}\n\n"
            ": keep-alive\n\n"
            "event: response.output_text.delta\ndata: {'type': 'response.output_text.delta', "
            "'sequence_number': 1, 'delta': 'Hi'}\n\n"
            "event: response.completed\ndata: {'type': 'response.completed', 'sequence_number': "
            "2, 'response': {'id': 'r', 'object': 'response', 'status': 'completed', 'output': "
            "[], 'usage': {'input_tokens': 8, 'output_tokens': 2, 'input_tokens_details': "
            "{'cached_tokens': 4}}}}\n\n");
        for (qsizetype cut = 1; cut < responses.size(); ++cut) {
            std::unique_ptr<StreamTranslator> native
                = ResponsesProtocol().nativeTranslator()->streamTranslator(false);
            QCOMPARE(feed(*native, responses, { cut }), responses);
            QVERIFY(native->complete() && native->sawContent());
        }
        std::unique_ptr<StreamTranslator> native
            = ResponsesProtocol().nativeTranslator()->streamTranslator(false);
        QCOMPARE(feed(*native, responses, { 100, 101 }), responses);
        QVERIFY(native->complete());
        QCOMPARE(native->tokensIn(), 8);
        QCOMPARE(native->cachedTokens().read, 4);
        // After its first content it fails in the Responses API's way.
        const Events failed = events(native->failureEvent(QStringLiteral("route broke")));
        QCOMPARE(failed.types, QStringList({ "response.failed" }));
        QCOMPARE(failed.data.first().value(u"sequence_number").toInt(), 3);
    }

    // What a broken or hostile upstream streams cannot crash an encoder or make it lie.
    void encodersTakeNonsense()
    {
        const QByteArray nonsense
            = "data: {\"choices\": 3}\n\n"
              "data: {\"choices\": [{\"delta\": {\"tool_calls\": 7}}]}\n\n"
              "data: {\"choices\": [{\"delta\": {\"tool_calls\": [{\"index\": "
              "1e300, \"function\": {\"arguments\": 5}}]}}]}\n\n"
              "data: [1, 2]\n\n"
              "data: [DONE]\n\n";
        for (const CallerProtocol *protocol :
            { static_cast<const CallerProtocol *>(
                  CallerProtocol::forPath(QStringLiteral("/v1/messages"))),
                CallerProtocol::forPath(QStringLiteral("/v1/responses")) }) {
            std::unique_ptr<StreamTranslator> translator
                = protocol->fromChatStream(openAiStreamPassThrough(false));
            const Events out = events(feed(*translator, nonsense, {}));
            QVERIFY(translator->complete());
            // Whatever came before, the caller's stream ends the way its API ends one.
            QVERIFY2(out.types.constLast() == QLatin1String("message_stop")
                    || out.types.constLast() == QLatin1String("response.completed"),
                qPrintable(out.types.join(QLatin1Char(' '))));
        }
    }
};

QTEST_GUILESS_MAIN(CallerProtocolsTest)
#include "tst_callerprotocols.moc"
