#pragma once

#include "jsontext.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Switchyard::Testing {

// One chat.completion.chunk event of gpt-4o's.
inline QByteArray openAiChunk(const QJsonObject &delta, const QJsonValue &finish = QJsonValue())
{
    const QJsonObject object { { QStringLiteral("id"), QStringLiteral("chatcmpl-7") },
        { QStringLiteral("object"), QStringLiteral("chat.completion.chunk") },
        { QStringLiteral("model"), QStringLiteral("gpt-4o") },
        { QStringLiteral("choices"),
            QJsonArray {
                QJsonObject { { QStringLiteral("index"), 0 }, { QStringLiteral("delta"), delta },
                    { QStringLiteral("finish_reason"), finish } } } } };
    return "data: " + QJsonDocument(object).toJson(QJsonDocument::Compact) + "\n\n";
}

// OpenAI's stream of text, then a tool call whose arguments arrive in two pieces, then usage.
inline QByteArray openAiToolStreamBytes()
{
    QByteArray out = openAiChunk(jsonObject("{'role': 'assistant', 'content': ''}"));
    out += openAiChunk(jsonObject("{'content': 'Let me check '}"));
    out += openAiChunk(jsonObject("{'content': 'the weather.'}"));
    out += openAiChunk(
        jsonObject("{'tool_calls': [{'index': 0, 'id': 'call_1', 'type': 'function', "
                   "'function': {'name': 'get_weather', 'arguments': ''}}]}"));
    out += openAiChunk(jsonObject("{'tool_calls': [{'index': 0, 'function': {'arguments': "
                                  "'{\\\"city\\\": '}}]}"));
    out += openAiChunk(jsonObject("{'tool_calls': [{'index': 0, 'function': {'arguments': "
                                  "'\\\"Berlin\\\"}'}}]}"));
    out += openAiChunk(QJsonObject(), QStringLiteral("tool_calls"));
    out += "data: "
        + jsonText("{'id': 'chatcmpl-7', 'object': 'chat.completion.chunk', 'choices': [], "
                   "'usage': {'prompt_tokens': 30, 'completion_tokens': 42, "
                   "'prompt_tokens_details': {'cached_tokens': 20}}}")
        + "\n\n";
    return out + "data: [DONE]\n\n";
}

} // namespace Switchyard::Testing
