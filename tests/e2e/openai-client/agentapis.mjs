// The official Anthropic and OpenAI clients against the gateway's Messages and Responses APIs:
// plain, streaming and with tools, landing once on an Anthropic route (the Messages request passed
// through) and once on an OpenAI route (translated), each after its lane's first route failed.
// Usage: SWITCHYARD_BASE_URL=http://127.0.0.1:PORT node agentapis.mjs
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

const base = process.env.SWITCHYARD_BASE_URL;
// The lanes: a failing first route, then the Anthropic route or the OpenAI route.
const onClaude = { headers: { 'x-switchyard-lane': 'sdk-claude' } };
const onGpt = { headers: { 'x-switchyard-lane': 'sdk-gpt' } };
const anthropic = new Anthropic({ baseURL: base, apiKey: 'sk-ant-client-key', maxRetries: 0 });
const openai = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'client-key', maxRetries: 0 });


function check(condition, what) {
  if (!condition) {
    console.error(`FAILED: ${what}`);
    process.exit(1);
  }
}

const tools = [{
  name: 'get_weather',
  description: 'Current weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
}];
const ask = [{ role: 'user', content: 'What is the weather in Berlin?' }];

function checkToolUse(message, what) {
  check(message.type === 'message' && message.role === 'assistant', `${what}: a message`);
  check(message.stop_reason === 'tool_use', `${what}: stop_reason tool_use`);
  const call = message.content.find((block) => block.type === 'tool_use');
  check(call?.name === 'get_weather' && call.input.city === 'Berlin', `${what}: the tool call`);
  const text = message.content.filter((block) => block.type === 'text').map((block) => block.text).join('');
  check(text.startsWith('Let me check'), `${what}: the text, got "${text}"`);
}

// On the Anthropic route, as it answered.
{
  const { data: message, response } = await anthropic.messages
    .create({ model: 'claude-opus-4-8', max_tokens: 1024, tools, messages: ask }, onClaude)
    .withResponse();
  check(response.headers.get('x-switchyard-route') === 'claude', 'messages: the Anthropic route');
  check(response.headers.get('x-switchyard-fallback') === '1', 'messages: after the first route failed');
  checkToolUse(message, 'messages on anthropic');
  check(message.content[0].type === 'thinking' && message.content[0].signature === 'sig==', 'thinking kept');
  const followUp = await anthropic.messages.create({
    model: 'claude-opus-4-8', max_tokens: 1024, tools,
    messages: [...ask, { role: 'assistant', content: message.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'Sunny' }] }],
  }, onClaude);
  checkToolUse(followUp, 'tool result round');
  const stream = anthropic.messages.stream({ model: 'claude-opus-4-8', max_tokens: 1024, tools, messages: ask }, onClaude);
  let text = '';
  stream.on('text', (delta) => { text += delta; });
  const streamed = await stream.finalMessage();
  checkToolUse(streamed, 'messages stream on anthropic');
  check(text === 'Let me check the weather.', `streamed text, got "${text}"`);
  check(streamed.usage.output_tokens === 42, 'stream usage');
  console.log('messages on the anthropic route: ok');
}

// On the OpenAI route, translated both ways.
{
  const { data: message, response } = await anthropic.messages
    .create({ model: 'gpt-4.1', max_tokens: 1024, tools, messages: ask }, onGpt)
    .withResponse();
  check(response.headers.get('x-switchyard-route') === 'gpt', 'messages: the OpenAI route');
  checkToolUse(message, 'messages on openai');
  check(message.usage.cache_read_input_tokens === 20, 'cache reads reported');
  const stream = anthropic.messages.stream({ model: 'gpt-4.1', max_tokens: 1024, tools, messages: ask }, onGpt);
  const streamed = await stream.finalMessage();
  checkToolUse(streamed, 'messages stream on openai');
  check(streamed.usage.output_tokens === 42, 'translated stream usage');
  console.log('messages on the openai route: ok');
}

// The Responses API: on the OpenAI route, then through the Anthropic route.
{
  const responseTools = [{ type: 'function', name: 'get_weather', parameters: tools[0].input_schema, strict: false }];
  const response = await openai.responses.create({
    model: 'gpt-5', instructions: 'Be terse.', input: 'What is the weather in Berlin?', tools: responseTools, store: false,
  }, onGpt);
  check(response.object === 'response' && response.status === 'completed', 'a completed response');
  check(response.output_text === 'Let me check.', `output_text, got "${response.output_text}"`);
  const call = response.output.find((item) => item.type === 'function_call');
  check(call?.name === 'get_weather' && JSON.parse(call.arguments).city === 'Berlin', 'the function call');
  check(response.usage.input_tokens_details.cached_tokens === 20, 'cached tokens');

  for (const [model, lane] of [['gpt-5', onGpt], ['claude-opus-4-8', onClaude]]) {
    const stream = await openai.responses.create({ model, input: 'Weather in Berlin?', tools: responseTools, stream: true }, lane);
    let text = '';
    let completed = null;
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') completed = event.response;
    }
    check(text === 'Let me check the weather.', `${model}: streamed text, got "${text}"`);
    check(completed?.status === 'completed', `${model}: response.completed`);
    const streamedCall = completed.output.find((item) => item.type === 'function_call');
    check(JSON.parse(streamedCall.arguments).city === 'Berlin', `${model}: streamed arguments`);
    check(completed.usage.output_tokens === 42, `${model}: usage`);
  }
  console.log('responses: ok');
}
// count_tokens, as the SDK asks (no max_tokens); the fake has no count left to give, so the
// gateway's estimate answers.
{
  const counted = await anthropic.messages.countTokens({ model: 'claude-opus-4-8', tools, messages: ask }, onClaude);
  check(Number.isInteger(counted.input_tokens) && counted.input_tokens > 20, `a count, got ${counted.input_tokens}`);
  console.log('count_tokens: ok');
}
console.log('sdk clients: ok');
