// Sandbox-agent benchmark (not a test): `make bench`. On its own local control plane
// ("antler-bench", kwok nodes, 127.0.0.1 only) it runs, in one run and in alternating rounds at
// concurrency 1, 10 and 50, DeerFlow's request shape (create, poll until Running, delete) against:
// our agent compiled as the image runs it with the chart's shipped env, in Headless and ClusterIP
// mode; the official provisioner from the pinned DeerFlow source in ClusterIP and NodePort mode;
// and a keep-alive floor client doing only the Pod's create, watch and delete. Then the reaper's
// sweep at 1k and 10k sandboxes. Every load loop is bounded in count and time. Writes
// .bench/sandbox-agent.json and .bench/sandbox-agent.html and prints the table and the ratios.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { LocalBackend } from '../../harness/cluster.js';
import { intKnob, intListKnob } from '../../harness/knobs.js';
import { mapLimit } from '../../harness/parallel.js';
import { type LatencySummary, summarize } from '../../harness/stats.js';
import { resolveTool } from '../../harness/tools.js';
import { waitFor } from '../../harness/wait.js';
import { LABEL_APP, LABEL_APP_VALUE } from '../src/naming.js';
import { type ApiCalls, apiCalls, callsBetween } from './apiserver.js';
import { type AcquireTiming, type BenchCluster, type Contender, OWNER_CONFIGMAP, chartAgentEnv, cpuSeconds, peakRssMiB, startAgentContender, startFloorContender, startUpstreamContender } from './contenders.js';
import { buildAgentBundle } from '../build.js';
import { repoRoot } from '../test/agent-process.js';
import { benchHtml } from './html.js';
import { sweeps, type SweepResult } from './sweep.js';

const LEVELS = [1, 10, 50] as const;
/** Acquires per contender, level and round, and the rounds (contender order rotates each round). */
const SAMPLES: Record<(typeof LEVELS)[number], number> = process.env.BENCH_QUICK === '1' ? { 1: 3, 10: 10, 50: 50 } : { 1: 10, 10: 40, 50: 100 };
const ROUNDS = intKnob('BENCH_ROUNDS', 2, 1, 10, 'alternating rounds');
/**
 * Acquires each contender serves at concurrency 10 before anything is measured, so that no phase
 * pays for a first-run cost production pays once (V8 compiling the agent's code, Python's
 * first imports, connection pools opening) and the first contender is not penalised for going first.
 */
const WARMUP = intKnob('BENCH_WARMUP', 20, 0, 200, 'unmeasured acquires per contender');
/** No acquire starts after this long in one phase. */
const PHASE_BUDGET_MS = 90_000;
const SWEEP_SIZES = intListKnob('BENCH_SWEEP_SIZES', [1000, 10000], 1, 20_000, 'sandboxes per reaper sweep, or none');

export interface ConfigResult {
  contender: string;
  concurrency: number;
  acquires: number;
  errors: number;
  firstError?: string;
  acquiresPerSecond: number;
  toResponseMs: LatencySummary;
  toRunningMs: LatencySummary;
  writesPerAcquire: number;
  readsPerAcquire: number;
  /** CPU seconds of the contender's process per 100 acquires (undefined for the in-process floor). */
  cpuSecondsPer100?: number;
}

interface Accumulator {
  timings: AcquireTiming[];
  errors: string[];
  seconds: number;
  calls: ApiCalls;
  cpu: number;
}

async function main(): Promise<void> {
  buildAgentBundle();
  const chartEnv = await chartAgentEnv();
  const backend = new LocalBackend('antler-bench', { realNode: false });
  const info = await backend.up();
  const kubectl = await resolveTool('kubectl');
  const kc = new KubeConfig();
  kc.loadFromFile(info.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const namespace = `bench-${Date.now().toString(36)}`;
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: OWNER_CONFIGMAP } } });
  const cluster: BenchCluster = { kubeconfig: info.kubeconfig, namespace };
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'antler-bench-'));
  const contenders: Contender[] = [];
  const acc = new Map<string, Accumulator>();
  const startedAt = new Date().toISOString();
  let sweepResults: Record<string, SweepResult> = {};
  const peaks: Record<string, number> = {};
  try {
    contenders.push(
      await startFloorContender(cluster, chartEnv),
      await startAgentContender(cluster, 'Headless', chartEnv),
      await startAgentContender(cluster, 'ClusterIP', chartEnv),
      await startUpstreamContender(cluster, 'ClusterIP', workDir),
      await startUpstreamContender(cluster, 'NodePort', workDir),
    );
    const sandboxPods = async () => (await core.listNamespacedPod({ namespace, labelSelector: `${LABEL_APP}=${LABEL_APP_VALUE}` })).items.length;
    for (const contender of contenders) {
      if (WARMUP === 0) break;
      const t0 = performance.now();
      const outcomes = await mapLimit(Array.from({ length: WARMUP }, (_, i) => i), 10, (i) => contender.acquire(`${contender.name.replace(/[^a-z]/gi, '').toLowerCase().slice(0, 8)}w${i}`, `user-${i % 20}`).then(() => true, () => false), { budgetMs: PHASE_BUDGET_MS });
      console.log(`[bench] ${contender.name.padEnd(18)} warm-up: ${outcomes.filter(Boolean).length}/${WARMUP} in ${((performance.now() - t0) / 1000).toFixed(1)} s (not measured)`);
      await waitFor(`the warm-up's sandbox Pods of ${contender.name} to be gone`, 60_000, async () => (await sandboxPods()) === 0, 500);
    }
    for (const level of LEVELS) {
      for (let round = 0; round < ROUNDS; round += 1) {
        const order = contenders.map((_, i) => contenders[(i + round) % contenders.length]!);
        for (const contender of order) {
          // A phase starts on an empty namespace; what an earlier phase left (a failed acquire) is removed first.
          const clean = await waitFor(`the namespace to hold no sandbox Pod before ${contender.name} c${level}`, 30_000, async () => (await sandboxPods()) === 0, 500).then(() => true, () => false);
          if (!clean) {
            console.log(`[bench] removing ${await sandboxPods()} sandbox Pods an earlier phase left`);
            await core.deleteCollectionNamespacedPod({ namespace, labelSelector: `${LABEL_APP}=${LABEL_APP_VALUE}`, gracePeriodSeconds: 0 });
            await waitFor(`the namespace to hold no sandbox Pod before ${contender.name} c${level}`, 60_000, async () => (await sandboxPods()) === 0, 500);
          }
          const key = `${contender.name}|${level}`;
          const a = acc.get(key) ?? { timings: [], errors: [], seconds: 0, calls: { writes: 0, reads: 0 }, cpu: 0 };
          acc.set(key, a);
          const tag = `${contender.name.replace(/[^a-z]/gi, '').toLowerCase().slice(0, 8)}${level}r${round}`;
          const callsBefore = await apiCalls(kubectl, info.kubeconfig);
          const cpuBefore = contender.pid === undefined ? 0 : await cpuSeconds(contender.pid);
          const t0 = performance.now();
          const outcomes = await mapLimit(Array.from({ length: SAMPLES[level] }, (_, i) => i), level, (i) =>
            contender.acquire(`${tag}x${i}`, `user-${i % 20}`).then((t) => ({ ok: true as const, t }), (error: Error) => ({ ok: false as const, error: error.message })), { budgetMs: PHASE_BUDGET_MS });
          a.seconds += (performance.now() - t0) / 1000;
          if (contender.pid !== undefined) a.cpu += (await cpuSeconds(contender.pid)) - cpuBefore;
          const calls = callsBetween(callsBefore, await apiCalls(kubectl, info.kubeconfig));
          a.calls = { writes: a.calls.writes + calls.writes, reads: a.calls.reads + calls.reads };
          for (const o of outcomes) if (o.ok) a.timings.push(o.t); else a.errors.push(o.error);
          console.log(`[bench] ${contender.name.padEnd(18)} c${String(level).padEnd(3)} round ${round + 1}/${ROUNDS}: ${outcomes.filter((o) => o.ok).length}/${outcomes.length} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        }
      }
    }
    for (const c of contenders) if (c.pid !== undefined) peaks[c.name] = await peakRssMiB(c.pid);
  } finally {
    await Promise.allSettled(contenders.map((c) => c.stop()));
  }
  try {
    if (SWEEP_SIZES.length > 0) {
      const sweepNs = `${namespace}-sweep`;
      await core.createNamespace({ body: { metadata: { name: sweepNs } } });
      await core.createNamespacedConfigMap({ namespace: sweepNs, body: { metadata: { name: OWNER_CONFIGMAP } } });
      sweepResults = await sweeps({ kubeconfig: info.kubeconfig, namespace: sweepNs }, chartEnv, SWEEP_SIZES);
      await core.deleteNamespace({ name: sweepNs }).catch(() => undefined);
    }
  } finally {
    await core.deleteNamespace({ name: namespace }).catch(() => undefined);
    await rm(workDir, { recursive: true, force: true });
    if (info.created && process.env.KEEP !== '1') await backend.down();
  }

  const results: ConfigResult[] = [];
  for (const [key, a] of acc) {
    const [contender, level] = key.split('|') as [string, string];
    const n = a.timings.length;
    results.push({
      contender,
      concurrency: Number(level),
      acquires: n,
      errors: a.errors.length,
      ...(a.errors[0] ? { firstError: a.errors[0] } : {}),
      acquiresPerSecond: n / Math.max(a.seconds, 1e-9),
      toResponseMs: summarize(a.timings.map((t) => t.toResponseMs)),
      toRunningMs: summarize(a.timings.map((t) => t.toRunningMs)),
      writesPerAcquire: a.calls.writes / Math.max(1, n + a.errors.length),
      readsPerAcquire: a.calls.reads / Math.max(1, n + a.errors.length),
      ...(contender === 'floor' ? {} : { cpuSecondsPer100: (a.cpu / Math.max(1, n)) * 100 }),
    });
  }
  const ratios = ratioRows(results);
  const report = { startedAt, finishedAt: new Date().toISOString(), rounds: ROUNDS, warmup: WARMUP, samples: SAMPLES, pollMs: 250, configs: results, peakRssMiB: peaks, ratios, sweeps: sweepResults };
  const out = path.join(repoRoot, '.bench');
  await mkdir(out, { recursive: true });
  await writeFile(path.join(out, 'sandbox-agent.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(path.join(out, 'sandbox-agent.html'), benchHtml(report));
  printTable(results, peaks, ratios, sweepResults);
  console.log(`written ${path.join(out, 'sandbox-agent.json')} and sandbox-agent.html`);
}

export interface RatioRow {
  ours: string;
  upstream: string;
  concurrency: number;
  acquiresPerSecond: number;
  p99ToResponse: number;
  p99ToRunning: number;
  cpuPerAcquire: number;
}

/** ours / upstream for each agent mode against each upstream mode, per level. */
function ratioRows(results: readonly ConfigResult[]): RatioRow[] {
  const rows: RatioRow[] = [];
  const find = (name: string, level: number) => results.find((r) => r.contender === name && r.concurrency === level);
  for (const level of LEVELS) {
    for (const ours of ['agent/Headless', 'agent/ClusterIP']) {
      for (const upstream of ['upstream/ClusterIP', 'upstream/NodePort']) {
        const o = find(ours, level);
        const u = find(upstream, level);
        if (!o || !u || o.acquires === 0 || u.acquires === 0) continue;
        rows.push({
          ours,
          upstream,
          concurrency: level,
          acquiresPerSecond: o.acquiresPerSecond / u.acquiresPerSecond,
          p99ToResponse: o.toResponseMs.p99 / u.toResponseMs.p99,
          p99ToRunning: o.toRunningMs.p99 / u.toRunningMs.p99,
          cpuPerAcquire: (o.cpuSecondsPer100 ?? Number.NaN) / (u.cpuSecondsPer100 ?? Number.NaN),
        });
      }
    }
  }
  return rows;
}

function printTable(results: readonly ConfigResult[], peaks: Record<string, number>, ratios: readonly RatioRow[], sweepResults: Record<string, SweepResult>): void {
  const f = (s: LatencySummary) => `${s.p50.toFixed(0)}/${s.p95.toFixed(0)}/${s.p99.toFixed(0)}`;
  console.log('\nconfig              conc  acq/s   to-response p50/p95/p99 ms  to-Running p50/p95/p99 ms  err  writes/acq reads/acq  CPU s/100');
  for (const r of [...results].sort((x, y) => x.concurrency - y.concurrency || x.contender.localeCompare(y.contender))) {
    console.log(`${r.contender.padEnd(19)} ${String(r.concurrency).padStart(4)} ${r.acquiresPerSecond.toFixed(1).padStart(6)}   ${f(r.toResponseMs).padEnd(26)}  ${f(r.toRunningMs).padEnd(25)}  ${String(r.errors).padStart(3)}  ${r.writesPerAcquire.toFixed(1).padStart(9)} ${r.readsPerAcquire.toFixed(1).padStart(9)}  ${r.cpuSecondsPer100 === undefined ? '   -' : r.cpuSecondsPer100.toFixed(2).padStart(8)}`);
    if (r.firstError) console.log(`    first error: ${r.firstError.slice(0, 200)}`);
  }
  console.log(`peak RSS MiB: ${Object.entries(peaks).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`);
  console.log('\nratios ours/upstream (acq/s higher is better; p99 and CPU lower is better)');
  for (const r of ratios) console.log(`c${String(r.concurrency).padEnd(3)} ${r.ours.padEnd(16)} / ${r.upstream.padEnd(18)} acq/s ${r.acquiresPerSecond.toFixed(2)}  p99 to-response ${r.p99ToResponse.toFixed(2)}  p99 to-Running ${r.p99ToRunning.toFixed(2)}  CPU/acquire ${r.cpuPerAcquire.toFixed(2)}`);
  for (const [k, v] of Object.entries(sweepResults)) {
    console.log(`sweep ${k}: ${v.sandboxes} sandboxes, ${(v.sweepSeconds * 1000).toFixed(1)} ms, ${v.sweepApiCalls} API calls, agent LIST calls total ${v.agentListCalls}, RSS ${v.agentRssMiB.toFixed(0)} MiB`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
