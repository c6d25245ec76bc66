// The fake OpenAI-compatible provider (stands in for real LLM providers, which are outside the
// machine): scripted tool calls, streaming with usage, and injected faults.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeLlmProvider } from './llm-provider.js';

const provider = new FakeLlmProvider('unit');
let base = '';
beforeAll(async () => {
  base = await provider.start();
});
afterAll(() => provider.stop());

const tools = [{ type: 'function', function: { name: 'write_file', parameters: {} } }];
const ask = (messages: unknown[], extra: Record<string, unknown> = {}) =>
  fetch(`${base}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'fake-model', messages, tools, ...extra }) });

describe('fake LLM provider', () => {
  const user = { role: 'user', content: 'Save it.\nTOOL {"name": "write_file", "arguments": {"description": "d", "path": "/mnt/user-data/outputs/a.txt", "content": "hi"}}' };

  it('calls the tool the conversation scripts, once, then answers in text', async () => {
    const first = (await (await ask([user])).json()) as { choices: { finish_reason: string; message: { tool_calls: { function: { name: string; arguments: string } }[] } }[] };
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    expect(JSON.parse(first.choices[0]?.message.tool_calls[0]?.function.arguments ?? '{}')).toMatchObject({ path: '/mnt/user-data/outputs/a.txt' });
    const second = (await (await ask([user, { role: 'assistant', tool_calls: [] }, { role: 'tool', content: 'OK' }])).json()) as { choices: { finish_reason: string; message: { content: string } }[] };
    expect(second.choices[0]?.finish_reason).toBe('stop');
    expect(second.choices[0]?.message.content).toContain('OK');
  });

  it('streams SSE chunks with a usage chunk and [DONE]', async () => {
    expect(base).toBe(provider.baseUrl);
    const body = await (await ask([{ role: 'user', content: 'hello' }], { stream: true, stream_options: { include_usage: true } })).text();
    const events = body.split('\n\n').filter(Boolean).map((e) => e.replace(/^data: /, ''));
    expect(events.at(-1)).toBe('[DONE]');
    const parsed = events.slice(0, -1).map((e) => JSON.parse(e) as { choices: { delta?: { content?: string }; finish_reason?: string }[]; usage?: { total_tokens: number } });
    expect(parsed.map((p) => p.choices[0]?.delta?.content ?? '').join('')).toContain('Done.');
    expect(parsed.at(-1)?.usage?.total_tokens).toBe(110);
  });

  it('records who called and the usage it reported (a stream only when asked for it)', async () => {
    const before = provider.requests.length;
    await (await ask([{ role: 'user', content: 'counted' }], { stream: true, stream_options: { include_usage: true } })).text();
    await (await ask([{ role: 'user', content: 'not counted' }], { stream: true })).text();
    await (await ask([user])).json();
    const [withUsage, withoutUsage, plain] = provider.requests.slice(before);
    expect(withUsage).toMatchObject({ remoteAddress: '127.0.0.1', stream: true, outcome: 'text', usage: { prompt_tokens: 100, completion_tokens: 10 } });
    expect(withoutUsage?.stream).toBe(true);
    expect(withoutUsage?.usage).toBeUndefined();
    expect(plain).toMatchObject({ remoteAddress: '127.0.0.1', stream: false, outcome: 'tool_call', usage: { prompt_tokens: 100, completion_tokens: 20 } });
  });

  it('fails, rate-limits and stalls on request, then recovers', async () => {
    provider.injectFault('fail', 1);
    expect((await ask([{ role: 'user', content: 'x' }])).status).toBe(500);
    expect((await ask([{ role: 'user', content: 'x' }])).status).toBe(200);
    provider.injectFault('rate-limit', 1);
    const limited = await ask([{ role: 'user', content: 'x' }]);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    provider.injectFault('stall');
    const stalled = await Promise.race([ask([{ role: 'user', content: 'x' }]).then(() => 'answered', () => 'closed'), new Promise((r) => setTimeout(() => r('stalled'), 500))]);
    expect(stalled).toBe('stalled');
    provider.heal();
    expect((await ask([{ role: 'user', content: 'x' }])).status).toBe(200);
    expect(provider.requests.map((r) => r.outcome)).toContain('stall');
  });
});
