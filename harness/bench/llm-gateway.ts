// LLM gateway benchmark (not a test): `make bench-llm-gateway`. The latency the pinned LiteLLM
// proxy adds on loopback, p50/p99 at concurrency 1, 10 and 50, against calling the fake provider
// directly, in one run: one fake provider, one proxy with the chart-rendered config (one model
// group, one deployment, no Redis, no cache), non-streaming chat completions. Every phase is
// bounded in requests and time; only 127.0.0.1 is contacted. Writes .bench/llm-gateway.json.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { summarize, type LatencySummary } from '../stats.js';
import { FakeLlmProvider } from '../fakes/llm-provider.js';
import { renderGatewayConfig } from '../litellm/fixture.js';
import { startProxy } from '../litellm/proxy.js';
import { LITELLM_VERSION } from '../litellm/version.js';
import { mapLimit } from '../parallel.js';
import { freePort } from '../ports.js';

const LEVELS = [1, 10, 50] as const;
const REQUESTS: Record<(typeof LEVELS)[number], number> = { 1: 100, 10: 300, 50: 500 };
const WARMUP = 20;
const PHASE_BUDGET_MS = 120_000;
const MASTER = 'sk-antler-bench-0123456789';

interface Phase {
  target: 'direct' | 'gateway';
  concurrency: number;
  ok: number;
  failed: number;
  latency: LatencySummary;
}

async function phase(target: Phase['target'], url: string, model: string, concurrency: number, requests: number, headers: Record<string, string>): Promise<Phase> {
  const deadline = Date.now() + PHASE_BUDGET_MS;
  const samples: number[] = [];
  let failed = 0;
  await mapLimit(Array.from({ length: requests }, (_, i) => i), concurrency, async (i) => {
    if (Date.now() > deadline) return;
    const started = performance.now();
    try {
      const res = await fetch(`${url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: `bench ${i}` }] }),
        signal: AbortSignal.timeout(30_000),
      });
      await res.text();
      if (res.ok) samples.push(performance.now() - started);
      else failed += 1;
    } catch {
      failed += 1;
    }
  });
  return { target, concurrency, ok: samples.length, failed, latency: summarize(samples) };
}

async function main(): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'antler-bench-llm-'));
  const provider = new FakeLlmProvider('bench');
  const direct = await provider.start();
  const values = {
    llmGateway: {
      enabled: true,
      replicaCount: 1,
      image: { digest: `sha256:${'0'.repeat(64)}` },
      masterKey: MASTER,
      apiKeys: { KEY: 'k' },
      redis: { mode: 'none' },
      providers: [{ name: 'bench', baseUrl: direct, apiKeyEnv: 'KEY', cidrs: ['127.0.0.1/32'] }],
      modelGroups: [{ name: 'chat', deployments: [{ provider: 'bench', model: 'fake-model', inputPricePerMillion: 1, outputPricePerMillion: 1 }] }],
    },
  };
  const config = await renderGatewayConfig(values, work, 'bench');
  const proxy = await startProxy({ name: 'bench', config, port: await freePort('127.0.0.1'), workDir: work, env: { LITELLM_MASTER_KEY: MASTER, KEY: 'k' }, startTimeoutMs: 240_000 });
  const results: Phase[] = [];
  try {
    const gateway = `${proxy.url}/v1`;
    const auth = { authorization: `Bearer ${MASTER}` };
    await phase('gateway', gateway, 'chat', 1, WARMUP, auth);
    await phase('direct', direct, 'fake-model', 1, WARMUP, {});
    for (const c of LEVELS) {
      results.push(await phase('direct', direct, 'fake-model', c, REQUESTS[c], {}));
      results.push(await phase('gateway', gateway, 'chat', c, REQUESTS[c], auth));
    }
  } finally {
    await proxy.stop();
    await provider.stop();
    await rm(work, { recursive: true, force: true });
  }
  const rows = LEVELS.map((c) => {
    const d = results.find((r) => r.target === 'direct' && r.concurrency === c)!;
    const g = results.find((r) => r.target === 'gateway' && r.concurrency === c)!;
    return { concurrency: c, direct: d, gateway: g, addedP50: g.latency.p50 - d.latency.p50, addedP99: g.latency.p99 - d.latency.p99 };
  });
  await mkdir('.bench', { recursive: true });
  await writeFile('.bench/llm-gateway.json', `${JSON.stringify({ cpus: os.cpus().length, litellm: LITELLM_VERSION, rows }, null, 2)}\n`);
  const fmt = (n: number) => `${n.toFixed(1)}`.padStart(8);
  process.stdout.write('LLM gateway added latency on loopback (ms; LiteLLM 1.108.7, 1 worker, fake provider)\n');
  process.stdout.write('conc  requests   direct p50  p99  |  gateway p50  p99  |  added p50  p99  | gateway failed\n');
  for (const r of rows) {
    process.stdout.write(`${String(r.concurrency).padStart(4)}  ${String(r.gateway.ok).padStart(8)} ${fmt(r.direct.latency.p50)}${fmt(r.direct.latency.p99)} | ${fmt(r.gateway.latency.p50)}${fmt(r.gateway.latency.p99)} | ${fmt(r.addedP50)}${fmt(r.addedP99)} | ${r.gateway.failed}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
