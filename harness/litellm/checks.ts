// The LLM gateway's behaviour checks (issue 11), one copy for both places the pinned proxy runs:
// the host suite (LiteLLM from the hash-pinned pip install as host processes on loopback) and the
// e2e `llm-gateway` suite (the chart's Deployment as real Pods on the real node, reached through a
// port-forward per Pod). Each check takes the proxies under test, the two fake providers behind
// them (harness/fakes/llm-provider.ts: they stand in for the LLM providers outside the machine)
// and the settings the chart rendered, and throws naming what differed.
import { deepEqual, equal, ok } from 'node:assert/strict';
import type { FakeLlmProvider } from '../fakes/llm-provider.js';
import { eventually } from '../wait.js';
import { proxyMetric } from './metrics.js';

/**
 * How stale a replica's view of another replica's cooldowns may be: LiteLLM 1.108.7 re-reads a
 * cooldown key it found empty from Redis at most once per this interval
 * (litellm/router_utils/cooldown_cache.py:44-54, `DEFAULT_COOLDOWN_REDIS_READ_INTERVAL_SECONDS`
 * in litellm/constants.py:139, 1 s unless set in the environment), and every request reads the
 * keys of all deployments. A replica that served any request within the last second can still
 * route to a deployment the other replica has just opened.
 */
export const COOLDOWN_READ_INTERVAL_MS = 1_000;

/** The fake answers every completion with this usage (fakes/llm-provider.ts). */
export const FAKE_USAGE = { prompt: 100, completion: 10 } as const;

export interface Deployment {
  /** `model_info.id` as the chart renders it (`<group>/<order>/<provider>`). */
  id: string;
  provider: FakeLlmProvider;
  /** Prices per million tokens, as given in the values. */
  inputPerMillion: number;
  outputPerMillion: number;
}

export interface GatewayUnderTest {
  /** Two replicas of one gateway sharing one Redis (base URLs without `/v1`). */
  replicas: readonly [string, string];
  masterKey: string;
  /** A model group of two deployments in order: `primary` first, `fallback` when it fails. */
  group: string;
  primary: Deployment;
  fallback: Deployment;
  /** A model group whose one deployment has an rpm limit of `rpm`. */
  limited: { group: string; rpm: number };
  /** The rendered settings: the breaker opens on the `openAfterFailures`-th failed request. */
  openAfterFailures: number;
  resetSeconds: number;
  timeoutSeconds: number;
  /** `retries.serverError`: retries of a 5xx on the same order level. */
  serverErrorRetries: number;
}

export interface Answer {
  status: number;
  headers: Headers;
  body: string;
  ms: number;
}

/** One chat completion through a proxy with the master key. */
export async function chat(baseUrl: string, masterKey: string, model: string, content: string, extra: Record<string, unknown> = {}): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(`${baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${masterKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }], ...extra }),
    signal: AbortSignal.timeout(60_000),
  });
  const body = await res.text();
  return { status: res.status, headers: res.headers, body, ms: performance.now() - started };
}

/** The deployment that answered (the proxy's `x-litellm-model-id` header). */
export const servedBy = (answer: Answer): string | null => answer.headers.get('x-litellm-model-id');
const count = (p: FakeLlmProvider, outcome: 'fail' | 'stall' | 'text') => p.requests.filter((r) => r.outcome === outcome).length;
/** A prompt no earlier run or check sent (the cache, where on, must not answer it). */
const unique = (what: string) => `${what} ${Date.now()}-${Math.random().toString(36).slice(2)}`;
const content = (answer: Answer): string => (JSON.parse(answer.body) as { choices: { message: { content: string } }[] }).choices[0]?.message.content ?? '';
const ask = (g: GatewayUnderTest, replica: 0 | 1, what: string, extra?: Record<string, unknown>, model = g.group) => chat(g.replicas[replica], g.masterKey, model, unique(what), extra);

/** Streams through the proxy (SSE), ending with `[DONE]` and a usage chunk; returns the chunk count. */
export async function checkStreaming(g: GatewayUnderTest): Promise<number> {
  const r = await ask(g, 0, 'stream please', { stream: true, stream_options: { include_usage: true } });
  equal(r.status, 200, `streamed completion: HTTP ${r.status} ${r.body.slice(0, 300)}`);
  ok(r.headers.get('content-type')?.includes('text/event-stream'), `content-type ${r.headers.get('content-type')}`);
  const events = r.body.split('\n\n').map((e) => e.trim()).filter((e) => e.startsWith('data: ')).map((e) => e.slice(6));
  equal(events.at(-1), '[DONE]', 'the stream does not end with [DONE]');
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as { choices: { delta?: { content?: string } }[]; usage?: { prompt_tokens: number; completion_tokens: number } });
  ok(chunks.length > 2, `only ${chunks.length} chunks`);
  const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
  ok(text.includes(`${g.primary.provider.name} answered`), `streamed text "${text}" is not the primary provider's`);
  const usage = chunks.find((c) => c.usage)?.usage;
  deepEqual({ prompt: usage?.prompt_tokens, completion: usage?.completion_tokens }, { ...FAKE_USAGE }, 'the usage chunk does not carry the provider\'s token counts');
  return chunks.length;
}

/** The cost of one answer equals tokens × price, in the response header and the spend counter. */
export async function checkCost(g: GatewayUnderTest): Promise<{ cost: number }> {
  const metric = () => proxyMetric(g.replicas[0], g.masterKey, 'litellm_spend_metric_total', { model_id: g.primary.id });
  const before = await metric();
  const r = await ask(g, 0, 'what does it cost');
  equal(r.status, 200, `completion: HTTP ${r.status} ${r.body.slice(0, 300)}`);
  equal(servedBy(r), g.primary.id);
  const expected = (FAKE_USAGE.prompt * g.primary.inputPerMillion + FAKE_USAGE.completion * g.primary.outputPerMillion) / 1e6;
  const header = Number(r.headers.get('x-litellm-response-cost'));
  ok(Math.abs(header - expected) < 1e-12, `x-litellm-response-cost ${header}, want ${expected}`);
  // The spend counter is written by a callback after the response.
  await eventually('the spend metric to count the request', 15_000, async () => Math.abs((await metric()) - before - expected) < 1e-12);
  return { cost: expected };
}

/** Past the rpm limit the proxy answers 429, counted in Redis: the second replica sees the first's requests. */
export async function checkRateLimit(g: GatewayUnderTest): Promise<number[]> {
  const statuses: number[] = [];
  // Alternate replicas: a per-process counter would let each replica answer rpm requests.
  for (let i = 0; i < g.limited.rpm + 2; i += 1) statuses.push((await ask(g, (i % 2) as 0 | 1, `limited ${i}`, {}, g.limited.group)).status);
  deepEqual(statuses, [...Array(g.limited.rpm).fill(200), 429, 429], `statuses over an rpm of ${g.limited.rpm} across both replicas`);
  return statuses;
}

export type BreakerFigures = {
  /** Calls the first failed-over request made to the primary (1 + serverErrorRetries). */
  firstAttempts: number;
  /** ms from the opening failure until the primary answered again. */
  closedAfterMs: number;
};

/**
 * 5xx on the primary: the request fails over to the fallback; the breaker opens on the
 * `openAfterFailures`-th failed request and no later request reaches the primary, on either replica
 * (the second one after COOLDOWN_READ_INTERVAL_MS); it closes once `resetSeconds` have passed and
 * the primary answers again.
 */
export async function checkBreaker(g: GatewayUnderTest): Promise<BreakerFigures> {
  const a = g.primary.provider;
  const before = count(a, 'fail');
  a.injectFault('fail');
  try {
    const first = await ask(g, 0, 'failover 0');
    equal(first.status, 200, `failed-over completion: HTTP ${first.status} ${first.body.slice(0, 300)}`);
    equal(servedBy(first), g.fallback.id);
    ok(content(first).includes(`${g.fallback.provider.name} answered`), `answer "${content(first)}" is not the fallback's`);
    const firstAttempts = count(a, 'fail') - before;
    equal(firstAttempts, 1 + g.serverErrorRetries, 'calls to the failing primary for one request (one attempt and the server-error retries)');
    // LiteLLM counts a failed request once per deployment (its retries there included).
    const reached: boolean[] = [true];
    let openedAt = 0;
    for (let i = 1; i < g.openAfterFailures + 3; i += 1) {
      const failedBefore = count(a, 'fail');
      const r = await ask(g, 0, `failover ${i}`);
      equal(r.status, 200, `request ${i}: HTTP ${r.status}`);
      equal(servedBy(r), g.fallback.id, `request ${i} was not answered by the fallback`);
      reached.push(count(a, 'fail') > failedBefore);
      if (openedAt === 0 && reached.filter(Boolean).length === g.openAfterFailures) openedAt = Date.now();
    }
    deepEqual(reached, [...Array(g.openAfterFailures).fill(true), ...Array(3).fill(false)], 'which requests reached the failing primary');
    const opened = count(a, 'fail');
    // The other replica honours the open breaker once its cached view has expired (see above).
    await new Promise((resolve) => setTimeout(resolve, COOLDOWN_READ_INTERVAL_MS + 500));
    const other = await ask(g, 1, 'second replica');
    equal(servedBy(other), g.fallback.id, 'the second replica did not answer from the fallback');
    equal(count(a, 'fail'), opened, 'the second replica sent traffic to the open deployment');
    const cooled = await proxyMetric(g.replicas[0], g.masterKey, 'litellm_deployment_cooled_down_total', { model_id: g.primary.id });
    ok(cooled >= 1, `litellm_deployment_cooled_down_total for ${g.primary.id} is ${cooled}`);
    a.heal();
    const textBefore = count(a, 'text');
    let closedAt = 0;
    await eventually('the breaker to close and send traffic to the primary again', (g.resetSeconds + 20) * 1000, async () => {
      const r = await ask(g, 1, 'after reset');
      if (servedBy(r) !== g.primary.id) return false;
      closedAt = Date.now();
      return true;
    }, 1_000);
    ok(count(a, 'text') > textBefore, 'the primary answered no request after the reset');
    ok(closedAt - openedAt >= (g.resetSeconds - 1) * 1000, `closed ${closedAt - openedAt} ms after opening, before the reset time of ${g.resetSeconds} s`);
    return { firstAttempts, closedAfterMs: closedAt - openedAt };
  } finally {
    a.heal();
  }
}

/** A stalled primary costs one timeout, not timeout × retries, then the fallback answers. */
export async function checkStall(g: GatewayUnderTest, replica: 0 | 1 = 0): Promise<{ ms: number }> {
  const a = g.primary.provider;
  const before = count(a, 'stall');
  a.injectFault('stall');
  try {
    const r = await ask(g, replica, 'stall');
    equal(r.status, 200, `completion past a stalled provider: HTTP ${r.status} ${r.body.slice(0, 300)}`);
    equal(servedBy(r), g.fallback.id);
    equal(count(a, 'stall') - before, 1, 'calls to the stalled provider (a timeout must not be retried)');
    ok(r.ms >= g.timeoutSeconds * 1000 - 200, `answered in ${Math.round(r.ms)} ms, before the ${g.timeoutSeconds} s timeout`);
    ok(r.ms < 2 * g.timeoutSeconds * 1000, `answered in ${Math.round(r.ms)} ms: more than one ${g.timeoutSeconds} s timeout`);
    return { ms: Math.round(r.ms) };
  } finally {
    a.heal();
  }
}

/**
 * With both providers down, the proxy at `cached` (cache on) answers a question it answered before
 * with the stored answer and fails one it never saw; `uncached` (cache off), when given, fails the
 * cached question too.
 */
export async function checkCache(g: GatewayUnderTest, cached: string, uncached?: string): Promise<void> {
  const question = unique('cache me exactly');
  const providers = [g.primary.provider, g.fallback.provider];
  const calls = () => providers.reduce((sum, p) => sum + p.requests.length, 0);
  const fresh = await chat(cached, g.masterKey, g.group, question);
  equal(fresh.status, 200, `first answer: HTTP ${fresh.status} ${fresh.body.slice(0, 300)}`);
  // The cache write is asynchronous: wait until a repeat is a hit while the providers still answer.
  const seen = calls();
  await eventually('the answer to be cached', 15_000, async () => (await chat(cached, g.masterKey, g.group, question)).status === 200 && calls() === seen, 500);
  for (const p of providers) p.injectFault('fail');
  try {
    const hit = await chat(cached, g.masterKey, g.group, question);
    equal(hit.status, 200, `cached answer with both providers down: HTTP ${hit.status} ${hit.body.slice(0, 300)}`);
    equal(content(hit), content(fresh), 'the cached answer differs from the first');
    const miss = await chat(cached, g.masterKey, g.group, unique('never asked'));
    ok(miss.status >= 500, `a question never asked got HTTP ${miss.status} with both providers down`);
    if (uncached) {
      const other = await chat(uncached, g.masterKey, g.group, question);
      ok(other.status >= 500, `the proxy without the cache answered HTTP ${other.status} with both providers down`);
    }
  } finally {
    for (const p of providers) p.heal();
  }
}
