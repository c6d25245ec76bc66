// The LLM gateway with the real proxy (issue 11): the pinned LiteLLM 1.108.7 as host processes on
// loopback, each loading the config.yaml the chart renders from llmGateway values, two fake
// OpenAI-compatible providers (fakes/llm-provider.ts) and Debian's redis-server. Replicas A1 and
// A2 share Redis db 0 (one gateway, two replicas); B1 renders the same values plus the cache and
// uses db 1, so its breaker and rate-limit state is its own.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { FakeLlmProvider } from '../fakes/llm-provider.js';
import { freePorts } from '../ports.js';
import { type GatewayUnderTest, checkBreaker, checkCache, checkCost, checkRateLimit, checkStall, checkStreaming } from './checks.js';
import { type RunningRedis, startRedis } from '../redis.js';
import { renderGatewayConfig } from './fixture.js';
import { startProxy, type RunningProxy } from './proxy.js';

const MASTER = 'sk-antler-test-0123456789';
const OPEN_AFTER = 3;
const RESET_S = 8;
const TIMEOUT_S = 3;
/** Prices per million tokens; the fake answers with 100 prompt and 10 completion tokens. */
const PRICE = { a: { in: 3, out: 15 }, b: { in: 1, out: 2 } } as const;
const RPM = 2;
const SERVER_ERROR_RETRIES = 1;

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
      retries: { rateLimit: 0, serverError: SERVER_ERROR_RETRIES, minBackoffSeconds: 0 },
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

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'antler-llm-gateway-'));
  const [redisPort, p1, p2, p3] = await freePorts(4, '127.0.0.1');
  const [aUrl, bUrl] = await Promise.all([a.start(), b.start()]);
  redis = await startRedis(work, redisPort!, { purpose: 'the LLM gateway tests (shared cooldowns, rate limits, cache)' });
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

/** A1 and A2 share Redis db 0: one gateway of two replicas; B1 (db 1) renders the cache on. */
const target = (): GatewayUnderTest => ({
  replicas: [A1.url, A2.url],
  masterKey: MASTER,
  group: 'chat',
  primary: { id: 'chat/1/a', provider: a, inputPerMillion: PRICE.a.in, outputPerMillion: PRICE.a.out },
  fallback: { id: 'chat/2/b', provider: b, inputPerMillion: PRICE.b.in, outputPerMillion: PRICE.b.out },
  limited: { group: 'limited', rpm: RPM },
  openAfterFailures: OPEN_AFTER,
  resetSeconds: RESET_S,
  timeoutSeconds: TIMEOUT_S,
  serverErrorRetries: SERVER_ERROR_RETRIES,
});

describe('LLM gateway: LiteLLM 1.108.7 with the chart-rendered config', () => {
  it('streams through the proxy, with the usage chunk', () => checkStreaming(target()));
  it('cost per model = tokens x price, in the response header and the Prometheus spend metric', () => checkCost(target()));
  it('answers 429 once a deployment\'s rpm is used up, counted in Redis across the replicas', () => checkRateLimit(target()));
  it('fails over on 5xx; the breaker opens on the configured failure, a second replica honours it, and it closes after the reset time', () => checkBreaker(target()), 120_000);
  it('a stalled provider costs one timeout, not timeout x retries, then the next order level answers', () => checkStall(target()), 60_000);
  it('the cache answers with both providers down, only where it is enabled', () => checkCache(target(), B1.url, A1.url), 120_000);
});
