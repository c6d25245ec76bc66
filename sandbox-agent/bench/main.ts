// Sandbox-agent benchmark (not a test): `make bench`. Runs on its own local control plane
// ("antler-bench"), talks only to 127.0.0.1, and bounds every loop in count and time.
// Writes .bench/sandbox-agent.json and prints a summary table.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CoreV1Api, KubeConfig, type V1Pod, Watch } from '@kubernetes/client-node';
import { LocalBackend } from '../../harness/cluster.js';
import { mapLimit } from '../../harness/parallel.js';
import { type LatencySummary, summarize } from '../../harness/stats.js';
import { loadConfig } from '../src/config.js';
import { resolveMounts } from '../src/mounts.js';
import { buildPod } from '../src/podspec.js';
import { parseCreateRequest } from '../src/validation.js';
import { type Agent, call, createNamespace, admin, repoRoot, startAgent } from '../test/agent-process.js';

const LEVELS = [1, 10, 50];
const SAMPLES: Record<number, number> = { 1: 20, 10: 60, 50: 100 };
const SWEEP_SIZES = (process.env.BENCH_SWEEP_SIZES ?? '1000,10000').split(',').map(Number);
const PHASE_BUDGET_MS = 120_000;

type Stats = LatencySummary;
interface SweepResult {
  sandboxes: number;
  examined: number;
  sweepSeconds: number;
  sweepApiCalls: number;
  agentListCalls: number;
  agentRssMB: number;
  createSeconds: number;
}

/** `count` calls of `fn` at `concurrency`, none started after `budgetMs` (the one bounded pool). */
function pool<T>(count: number, concurrency: number, budgetMs: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  return mapLimit(Array.from({ length: count }, (_, i) => i), concurrency, fn, { budgetMs });
}

async function metric(agent: Agent, re: RegExp): Promise<number> {
  const text = (await call(agent, 'GET', '/metrics', undefined, {})).text;
  let n = 0;
  for (const m of text.matchAll(new RegExp(re.source, 'gm'))) n += Number(m[m.length - 1]);
  return n;
}

/** Compiles the agent the way the image does, so the bench measures what production runs. */
function buildAgent(): void {
  execFileSync(process.execPath, [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'sandbox-agent/tsconfig.build.json'], { cwd: repoRoot, stdio: 'inherit' });
}

async function main(): Promise<void> {
  buildAgent();
  const backend = new LocalBackend('antler-bench', { realNode: false });
  const info = await backend.up();
  const a = admin(info.kubeconfig);
  const ns = await createNamespace(a, 'bench');
  const results: Record<string, unknown> = { namespace: ns, startedAt: new Date().toISOString() };
  const env = {
    KUBECONFIG_PATH: info.kubeconfig,
    K8S_NAMESPACE: ns,
    PROVISIONER_API_KEY: 'k',
    SANDBOX_SERVICE_TYPE: 'Headless',
    SANDBOX_AGENT_HEADLESS_SERVICE: 'sbx',
    SANDBOX_AGENT_RELEASE: 'bench',
    LOG_LEVEL: 'warn',
    SANDBOX_AGENT_KUBE_QPS: '1000',
    SANDBOX_AGENT_KUBE_BURST: '1000',
    SANDBOX_AGENT_REAPER_INTERVAL_SECONDS: '1',
    SANDBOX_AGENT_IDLE_TTL_SECONDS: '0',
  };
  const cfg = loadConfig(env);
  let agent: Agent | undefined;
  try {
    // Floor: the same Pod spec created by a minimal client and watched to Ready.
    const kc = new KubeConfig();
    kc.loadFromFile(info.kubeconfig);
    const core = kc.makeApiClient(CoreV1Api);
    const watch = new Watch(kc);
    const floorOne = async (id: string): Promise<[number, number]> => {
      const parsed = parseCreateRequest({ sandbox_id: id });
      if (!parsed.ok) throw new Error('bad id');
      const body = buildPod(parsed.value, resolveMounts(parsed.value, cfg), { cfg, ownerReference: undefined, now: new Date() });
      const t0 = performance.now();
      let ready!: () => void;
      const readyP = new Promise<void>((r) => (ready = r));
      const ctl = await watch.watch(`/api/v1/namespaces/${ns}/pods`, { fieldSelector: `metadata.name=sandbox-${id}` }, (_t, p: V1Pod) => {
        if (p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) ready();
      }, () => undefined);
      await core.createNamespacedPod({ namespace: ns, body });
      const tResp = performance.now() - t0;
      await Promise.race([readyP, new Promise((r) => setTimeout(r, 60_000))]);
      ctl.abort();
      return [tResp, performance.now() - t0];
    };

    agent = await startAgent(env, { entry: 'dist' });
    const ag = agent;
    const agentOne = async (id: string, wait: boolean): Promise<number> => {
      const t0 = performance.now();
      const r = await call(ag, 'POST', `/api/sandboxes${wait ? '?wait=ready&timeout=60' : ''}`, { sandbox_id: id });
      if (r.status !== 200) throw new Error(`acquire ${id}: ${r.status} ${r.text}`);
      return performance.now() - t0;
    };
    const writesRe = /^sandbox_agent_kube_requests_total\{verb="(?:create|update|patch|delete)",resource="pods"[^}]*\} (\d+)/;

    const latency: Record<string, unknown> = {};
    for (const c of LEVELS) {
      const n = SAMPLES[c] ?? 20;
      const floor = await pool(n, c, PHASE_BUDGET_MS, (i) => floorOne(`fl${c}x${i}`));
      const w0 = await metric(ag, writesRe);
      const resp = await pool(n, c, PHASE_BUDGET_MS, (i) => agentOne(`ar${c}x${i}`, false));
      const w1 = await metric(ag, writesRe);
      const ready = await pool(n, c, PHASE_BUDGET_MS, (i) => agentOne(`aw${c}x${i}`, true));
      latency[`c${c}`] = {
        floorResponseMs: summarize(floor.map((x) => x[0])),
        floorReadyMs: summarize(floor.map((x) => x[1])),
        agentResponseMs: summarize(resp),
        agentReadyMs: summarize(ready),
        writesPerAcquire: (w1 - w0) / Math.max(1, resp.length),
      };
    }
    results.latency = latency;

    // Sustained acquires per second at concurrency 50 (bounded to 500 acquires / 20 s).
    const t0 = performance.now();
    const done = await pool(500, 50, 20_000, (i) => agentOne(`sus${i}`, false));
    results.sustainedAcquiresPerSecond = done.length / ((performance.now() - t0) / 1000);

    // Reaper sweep at N sandboxes: Pods carrying the agent's labels, parked (no scheduler) so
    // the control plane is not busy scheduling them; the agent's informer sees them all.
    const sweeps: Record<string, unknown> = {};
    let created = await metric(ag, /^sandbox_agent_sandboxes\{phase="Pending"\} (\d+)/);
    const existing = (await a.core.listNamespacedPod({ namespace: ns })).items.length;
    created = existing;
    for (const size of SWEEP_SIZES) {
      const need = Math.max(0, size - created);
      const tCreate = Date.now();
      await pool(need, 64, 300_000, async (i) => {
        const parsed = parseCreateRequest({ sandbox_id: `sw${size}x${i}`, user_id: `u${i % 100}` });
        if (!parsed.ok) return;
        const body = buildPod(parsed.value, resolveMounts(parsed.value, cfg), { cfg, ownerReference: undefined, now: new Date() });
        body.spec = { ...body.spec, containers: body.spec?.containers ?? [], schedulerName: 'bench-parked' };
        await core.createNamespacedPod({ namespace: ns, body });
      });
      created = (await a.core.listNamespacedPod({ namespace: ns, limit: 1 })).metadata?.remainingItemCount ?? 0;
      created += 1;
      // wait (bounded) until a sweep has examined them all
      const deadline = Date.now() + 120_000;
      let examined = 0;
      while (Date.now() < deadline) {
        examined = await metric(ag, /^sandbox_agent_reaper_last_sweep\{field="examined"\} (\d+)/);
        if (examined >= created) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      await new Promise((r) => setTimeout(r, 1500)); // one more full pass at this size
      const sweep: SweepResult = {
        sandboxes: created,
        examined: await metric(ag, /^sandbox_agent_reaper_last_sweep\{field="examined"\} (\d+)/),
        sweepSeconds: await metric(ag, /^sandbox_agent_reaper_last_sweep\{field="seconds"\} ([\d.e+-]+)/),
        sweepApiCalls: await metric(ag, /^sandbox_agent_reaper_last_sweep\{field="api_calls"\} (\d+)/),
        agentListCalls: await metric(ag, /^sandbox_agent_kube_requests_total\{verb="list"[^}]*\} (\d+)/),
        agentRssMB: (await metric(ag, /^sandbox_agent_process_resident_memory_bytes (\d+)/)) / 2 ** 20,
        createSeconds: (Date.now() - tCreate) / 1000,
      };
      sweeps[`n${size}`] = sweep;
    }
    results.sweeps = sweeps;
  } finally {
    await agent?.stop();
    await a.core.deleteNamespace({ name: ns }).catch(() => undefined);
    if (info.created && process.env.KEEP !== '1') await backend.down();
  }

  const out = path.join(repoRoot, '.bench');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'sandbox-agent.json'), `${JSON.stringify(results, null, 2)}\n`);
  const lat = results.latency as Record<string, Record<string, Stats | number>>;
  const f = (s: Stats | number | undefined) => (typeof s === 'object' ? `${s.p50.toFixed(1)}/${s.p95.toFixed(1)}/${s.p99.toFixed(1)}` : String(s));
  console.log('\nacquire latency ms p50/p95/p99');
  console.log('conc | floor resp | agent resp | floor ready | agent ready | writes/acquire');
  for (const [k, v] of Object.entries(lat)) {
    console.log(`${k.padEnd(4)} | ${f(v.floorResponseMs)} | ${f(v.agentResponseMs)} | ${f(v.floorReadyMs)} | ${f(v.agentReadyMs)} | ${v.writesPerAcquire}`);
  }
  console.log(`sustained acquires/s: ${(results.sustainedAcquiresPerSecond as number).toFixed(1)}`);
  for (const [k, v] of Object.entries(results.sweeps as Record<string, SweepResult>)) {
    console.log(`sweep ${k}: ${v.sandboxes} sandboxes, ${(v.sweepSeconds * 1000).toFixed(1)} ms, ${v.sweepApiCalls} API calls, agent LIST calls total ${v.agentListCalls}, RSS ${v.agentRssMB.toFixed(0)} MB`);
  }
  console.log(`written ${path.join(out, 'sandbox-agent.json')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
