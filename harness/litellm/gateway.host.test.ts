// The LLM gateway with the real proxy (issue 11): the pinned LiteLLM 1.108.7 as host processes on
// loopback, each loading the config.yaml the chart renders from llmGateway values, two fake
// OpenAI-compatible providers (fakes/llm-provider.ts) and Debian's redis-server. Replicas A1 and
// A2 share Redis db 0 (one gateway, two replicas); B1 renders the same values plus the cache and
// uses db 1, so its breaker and rate-limit state is its own.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeLlmProvider } from '../fakes/llm-provider.js';
import { freePorts } from '../ports.js';
import { eventually } from '../wait.js';
import { renderGatewayConfig, startRedis, type RunningRedis } from './fixture.js';
import { proxyMetric } from './metrics.js';
import { startProxy, type RunningProxy } from './proxy.js';

const MASTER = 'sk-antler-test-0123456789';
const OPEN_AFTER = 3;
const RESET_S = 8;
const TIMEOUT_S = 3;
/** Prices per million tokens; the fake answers with 100 prompt and 10 completion tokens. */
const PRICE = { a: { in: 3, out: 15 }, b: { in: 1, out: 2 } } as const;
const RPM = 2;

const a = new FakeLlmProvider('provider-a');
const b = new FakeLlmProvider('provider-b');
let work = '';
let redis: RunningRedis | undefined;
const proxies: RunningProxy[] = [];
let A1: RunningProxy;
let A2: RunningProxy;
let B1: RunningProxy;

function gatewayValues(aUrl: string, bUrl: string, cache: boolean): Record<string, unknown> {
  return {
    llmGateway: {
      enabled: true,
      // Not pulled here (the proxy runs from the pinned pip install); the chart requires a digest.
      image: { digest: `sha256:${'0'.repeat(64)}` },
      masterKey: MASTER,
      apiKeys: { KEY_A: 'key-a', KEY_B: 'key-b' },
      redis: { mode: 'external', url: 'redis://placeholder:6379/0' },
      breaker: { openAfterFailures: OPEN_AFTER, resetSeconds: RESET_S },
      retries: { rateLimit: 0, serverError: 1, minBackoffSeconds: 0 },
      timeoutSeconds: TIMEOUT_S,
      cache: { enabled: cache, ttlSeconds: 120 },
      providers: [
        { name: 'a', baseUrl: aUrl, apiKeyEnv: 'KEY_A', cidrs: ['127.0.0.1/32'] },
        { name: 'b', baseUrl: bUrl, apiKeyEnv: 'KEY_B', cidrs: ['127.0.0.1/32'] },
      ],
      modelGroups: [
        {
          name: 'chat',
          deployments: [
            { provider: 'a', model: 'fake-a', inputPricePerMillion: PRICE.a.in, outputPricePerMillion: PRICE.a.out },
            { provider: 'b', model: 'fake-b', inputPricePerMillion: PRICE.b.in, outputPricePerMillion: PRICE.b.out },
          ],
        },
        { name: 'limited', deployments: [{ provider: 'b', model: 'fake-limited', rpm: RPM, inputPricePerMillion: 1, outputPricePerMillion: 1 }] },
      ],
    },
  };
}

interface Answer {
  status: number;
  headers: Headers;
  body: string;
  ms: number;
}

async function chat(proxy: RunningProxy, content: string, extra: Record<string, unknown> = {}, model = 'chat'): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(`${proxy.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${MASTER}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }], ...extra }),
    signal: AbortSignal.timeout(60_000),
  });
  const body = await res.text();
  return { status: res.status, headers: res.headers, body, ms: performance.now() - started };
}

const served = (r: Answer) => r.headers.get('x-litellm-model-id');
const failures = (p: FakeLlmProvider) => p.requests.filter((r) => r.outcome === 'fail').length;

/** A counter of the proxy's /metrics/ (labels matched as given). */
const metric = (proxy: RunningProxy, name: string, labels: Record<string, string>) => proxyMetric(proxy.url, MASTER, name, labels);

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'antler-llm-gateway-'));
  const [redisPort, p1, p2, p3] = await freePorts(4, '127.0.0.1');
  const [aUrl, bUrl] = await Promise.all([a.start(), b.start()]);
  redis = await startRedis(work, redisPort!);
  const plain = await renderGatewayConfig(gatewayValues(aUrl, bUrl, false), work, 'gateway');
  const cached = await renderGatewayConfig(gatewayValues(aUrl, bUrl, true), work, 'gateway-cache');
  const env = (db: number) => ({ LITELLM_MASTER_KEY: MASTER, KEY_A: 'key-a', KEY_B: 'key-b', LITELLM_REDIS_URL: `${redis!.url}/${db}` });
  const started = await Promise.allSettled([
    startProxy({ name: 'A1', config: plain, port: p1!, workDir: work, env: env(0), startTimeoutMs: 240_000 }),
    startProxy({ name: 'A2', config: plain, port: p2!, workDir: work, env: env(0), startTimeoutMs: 240_000 }),
    startProxy({ name: 'B1', config: cached, port: p3!, workDir: work, env: env(1), startTimeoutMs: 240_000 }),
  ]);
  for (const s of started) if (s.status === 'fulfilled') proxies.push(s.value);
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  [A1, A2, B1] = proxies as [RunningProxy, RunningProxy, RunningProxy];
}, 600_000);

afterAll(async () => {
  await Promise.allSettled(proxies.map((p) => p.stop()));
  await redis?.stop();
  await Promise.all([a.stop(), b.stop()]);
  if (work) await rm(work, { recursive: true, force: true });
}, 60_000);

describe('LLM gateway: LiteLLM 1.108.7 with the chart-rendered config', () => {
  it('streams through the proxy, with the usage chunk', async () => {
    const r = await chat(A1, 'stream please', { stream: true, stream_options: { include_usage: true } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/event-stream');
    const events = r.body.split('\n\n').map((e) => e.trim()).filter((e) => e.startsWith('data: ')).map((e) => e.slice(6));
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as { choices: { delta?: { content?: string } }[]; usage?: { prompt_tokens: number; completion_tokens: number } });
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toContain('provider-a answered');
    expect(chunks.find((c) => c.usage)?.usage).toMatchObject({ prompt_tokens: 100, completion_tokens: 10 });
  });

  it('cost per model = tokens x price, in the response header and the Prometheus spend metric', async () => {
    const id = 'chat/1/a';
    const before = await metric(A1, 'litellm_spend_metric_total', { model_id: id });
    const r = await chat(A1, 'what does it cost');
    expect(r.status).toBe(200);
    expect(served(r)).toBe(id);
    const expected = (100 * PRICE.a.in + 10 * PRICE.a.out) / 1e6;
    expect(Number(r.headers.get('x-litellm-response-cost'))).toBeCloseTo(expected, 12);
    // The spend counter is written by a callback after the response.
    await eventually('the spend metric to count the request', 15_000, async () => Math.abs((await metric(A1, 'litellm_spend_metric_total', { model_id: id })) - before - expected) < 1e-12);
  });

  it('answers 429 once a deployment\'s rpm is used up (counted in Redis)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < RPM + 2; i += 1) statuses.push((await chat(B1, `limited ${i}`, {}, 'limited')).status);
    expect(statuses.slice(0, RPM)).toEqual(Array(RPM).fill(200));
    expect(statuses.slice(RPM)).toEqual([429, 429]);
  });

  it('fails over on 5xx; the breaker opens on the configured failure, a second replica honours it, and it closes after the reset time', async () => {
    const before = failures(a);
    a.injectFault('fail');
    const first = await chat(A1, 'failover 0');
    expect(first.status).toBe(200);
    expect(served(first)).toBe('chat/2/b');
    expect(first.body).toContain('provider-b answered');
    // One attempt and one server-error retry on order 1, then order 2.
    expect(failures(a) - before).toBe(2);
    // LiteLLM counts a failed request once per deployment (its retries there included): the
    // OPEN_AFTER-th request that fails on `a` opens the breaker, and no later request reaches it.
    const reachedA: boolean[] = [true];
    let openedAt = 0;
    for (let i = 1; i < OPEN_AFTER + 3; i += 1) {
      const failedBefore = failures(a);
      const r = await chat(A1, `failover ${i}`);
      expect(r.status).toBe(200);
      expect(served(r)).toBe('chat/2/b');
      reachedA.push(failures(a) > failedBefore);
      if (openedAt === 0 && reachedA.filter(Boolean).length === OPEN_AFTER) openedAt = Date.now();
    }
    expect(reachedA).toEqual([...Array(OPEN_AFTER).fill(true), ...Array(3).fill(false)]);
    const opened = failures(a);
    const other = await chat(A2, 'second replica');
    expect(served(other)).toBe('chat/2/b');
    expect(failures(a), 'the other replica sent traffic to the open deployment').toBe(opened);
    expect(await metric(A1, 'litellm_deployment_cooled_down_total', { model_id: 'chat/1/a' })).toBeGreaterThanOrEqual(1);
    a.heal();
    const aTextBefore = a.requests.filter((r) => r.outcome === 'text').length;
    let closedAt = 0;
    await eventually('the breaker to close and send traffic to provider a again', (RESET_S + 20) * 1000, async () => {
      const r = await chat(A2, `after reset ${Date.now()}`);
      if (served(r) !== 'chat/1/a') return false;
      closedAt = Date.now();
      return true;
    }, 1_000);
    expect(a.requests.filter((r) => r.outcome === 'text').length).toBeGreaterThan(aTextBefore);
    expect(closedAt - openedAt, 'closed before the reset time').toBeGreaterThanOrEqual((RESET_S - 1) * 1000);
  }, 120_000);

  it('a stalled provider costs one timeout, not timeout x retries, then the next order level answers', async () => {
    const stalledBefore = a.requests.filter((r) => r.outcome === 'stall').length;
    a.injectFault('stall');
    try {
      const r = await chat(B1, 'stall');
      expect(r.status).toBe(200);
      expect(served(r)).toBe('chat/2/b');
      expect(a.requests.filter((x) => x.outcome === 'stall').length - stalledBefore).toBe(1);
      expect(r.ms).toBeGreaterThanOrEqual(TIMEOUT_S * 1000 - 200);
      expect(r.ms).toBeLessThan(2 * TIMEOUT_S * 1000);
    } finally {
      a.heal();
    }
  }, 60_000);

  it('the cache answers with both providers down, only where it is enabled', async () => {
    const question = 'cache me exactly';
    const fresh = await chat(B1, question);
    expect(fresh.status).toBe(200);
    // The cache write is asynchronous: wait until a repeat is a hit while the providers still answer.
    const calls = a.requests.length + b.requests.length;
    await eventually('the answer to be cached', 15_000, async () => {
      const r = await chat(B1, question);
      return r.status === 200 && a.requests.length + b.requests.length === calls;
    }, 500);
    a.injectFault('fail');
    b.injectFault('fail');
    try {
      const cached = await chat(B1, question);
      expect(cached.status).toBe(200);
      expect(JSON.parse(cached.body).choices[0].message.content).toBe(JSON.parse(fresh.body).choices[0].message.content);
      const uncached = await chat(A1, question);
      expect(uncached.status).toBeGreaterThanOrEqual(500);
    } finally {
      a.heal();
      b.heal();
    }
  }, 120_000);
});
