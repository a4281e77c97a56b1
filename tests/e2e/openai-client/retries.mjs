// The official OpenAI client with its default retries against a lane whose every route fails:
// the gateway has walked its chain already, and says so (x-should-retry: false), so the client
// must not send the request again.
// Usage: SWITCHYARD_BASE_URL=http://127.0.0.1:PORT/v1 node retries.mjs
import OpenAI from 'openai';

const client = new OpenAI({ baseURL: process.env.SWITCHYARD_BASE_URL, apiKey: 'not-used-by-the-gateway' });
try {
  await client.chat.completions.create({ model: 'main', messages: [{ role: 'user', content: 'hi' }] });
  console.error('FAILED: every route fails, yet the call succeeded');
  process.exit(1);
} catch (error) {
  if (!(error instanceof OpenAI.APIError) || error.status !== 502) {
    console.error(`FAILED: expected a 502 APIError, got ${error}`);
    process.exit(1);
  }
  console.log(`502 as expected: ${error.message}`);
}
