// The official OpenAI client against the gateway: a lane whose first route fails falls over to an
// Anthropic route, and the client must parse everything, with and without streaming, tool call included.
// Usage: SWITCHYARD_BASE_URL=http://127.0.0.1:PORT/v1 node client.mjs
import OpenAI from 'openai';

const client = new OpenAI({ baseURL: process.env.SWITCHYARD_BASE_URL, apiKey: 'not-used-by-the-gateway', maxRetries: 0 });
const tools = [{
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
}];
const messages = [{ role: 'user', content: 'What is the weather in Berlin?' }];

function check(condition, what) {
  if (!condition) {
    console.error(`FAILED: ${what}`);
    process.exit(1);
  }
}

const { data: completion, response } = await client.chat.completions
  .create({ model: 'mixed', messages, tools })
  .withResponse();
check(response.headers.get('x-switchyard-route') === 'claude', 'served by the Anthropic route');
check(response.headers.get('x-switchyard-fallback') === '1', 'marked as a fallback');
check(completion.object === 'chat.completion', 'a chat.completion object');
const message = completion.choices[0].message;
check(completion.choices[0].finish_reason === 'tool_calls', 'finish_reason tool_calls');
check(message.tool_calls?.[0]?.function?.name === 'get_weather', 'the tool call by name');
check(JSON.parse(message.tool_calls[0].function.arguments).city === 'Berlin', 'tool arguments as a JSON string');
check(completion.usage.prompt_tokens === 30 && completion.usage.completion_tokens === 12, 'usage translated');
console.log(`non-streaming: ${message.content} -> ${message.tool_calls[0].function.name}(${message.tool_calls[0].function.arguments})`);

const stream = await client.chat.completions.create({
  model: 'mixed', messages, tools, stream: true, stream_options: { include_usage: true },
});
let text = '';
let toolName = '';
let toolArguments = '';
let finishReason = null;
let usage = null;
for await (const chunk of stream) {
  if (chunk.usage) usage = chunk.usage;
  const choice = chunk.choices[0];
  if (!choice) continue;
  text += choice.delta?.content ?? '';
  for (const call of choice.delta?.tool_calls ?? []) {
    toolName += call.function?.name ?? '';
    toolArguments += call.function?.arguments ?? '';
  }
  finishReason = choice.finish_reason ?? finishReason;
}
check(text === 'Let me check the weather.', `streamed text, got "${text}"`);
check(toolName === 'get_weather', 'streamed tool name');
check(JSON.parse(toolArguments).city === 'Berlin', 'streamed tool arguments');
check(finishReason === 'tool_calls', 'streamed finish_reason');
check(usage && usage.completion_tokens === 42, 'usage in the final chunk');
console.log(`streaming: ${text} -> ${toolName}(${toolArguments})`);
console.log('openai client: ok');
