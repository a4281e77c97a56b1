#pragma once

#include <QByteArray>

namespace Switchyard::Testing {

// A whole Anthropic Messages stream in the real event format: text, then a tool call whose JSON
// input arrives in pieces; 25 input tokens plus 5 read from the cache, 42 output tokens.
inline const QByteArray &anthropicStreamBytes()
{
    static const QByteArray stream
        = "event: message_start\ndata: "
          "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
          "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"usage\":{"
          "\"input_tokens\":25,"
          "\"cache_read_input_tokens\":5,\"output_tokens\":1}}}\n\n"
          "event: ping\ndata: {\"type\":\"ping\"}\n\n"
          "event: content_block_start\ndata: "
          "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
          "{\"type\":\"text\",\"text\":\"\"}}\n\n"
          "event: content_block_delta\ndata: "
          "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
          "\"text_delta\",\"text\":\"Let me check \"}}\n\n"
          "event: content_block_delta\ndata: "
          "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
          "\"text_delta\",\"text\":\"the weather.\"}}\n\n"
          "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
          "event: content_block_start\ndata: "
          "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":"
          "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_weather\",\"input\":{}}}\n\n"
          "event: content_block_delta\ndata: "
          "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":"
          "\"input_json_delta\",\"partial_json\":\"{\\\"city\\\": \"}}\n\n"
          "event: content_block_delta\ndata: "
          "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":"
          "\"input_json_delta\",\"partial_json\":\"\\\"Berlin\\\"}\"}}\n\n"
          "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n"
          "event: message_delta\ndata: "
          "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\","
          "\"stop_sequence\":null},\"usage\":{\"output_tokens\":42}}\n\n"
          "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
    return stream;
}

} // namespace Switchyard::Testing
