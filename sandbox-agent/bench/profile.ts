// Where the agent's CPU goes under load (not a test): `make bench-profile`. On the bench's local
// control plane (kwok nodes, 127.0.0.1 only) it runs the compiled agent with the chart's env under
// `--cpu-prof`, drives BENCH_PROFILE_ACQUIRES acquires (default 300, 10–2000) of DeerFlow's request
// shape at concurrency BENCH_PROFILE_CONCURRENCY (default 50, 1–200), bounded by 120 s, then stops
// the agent (SIGTERM writes the profile) and prints the self time by package and the hottest
// functions (the bundle's frames mapped back to their sources through its map), with CPU seconds
// per 100 acquires, peak RSS and the event-loop lag the agent's own metrics saw.
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { SourceMap, type SourceMapPayload, type SourceMapping } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { LocalBackend } from '../../harness/cluster.js';
import { choiceKnob, intKnob } from '../../harness/knobs.js';
import { mapLimit } from '../../harness/parallel.js';
import { sumSamples } from '../../harness/prometheus.js';
import { summarize } from '../../harness/stats.js';
import { startAgentProcess } from '../../harness/agent-process.js';
import { AGENT_IMAGE_ENTRY } from '../node-flags.js';
import { repoRoot } from '../test/agent-process.js';
import { type AcquireTiming, OWNER_CONFIGMAP, POLL_MS, benchAgentEnv, chartAgentEnv, cpuSeconds, httpAcquire, peakRssMiB } from './contenders.js';
import { buildAgentBundle } from '../build.js';

const ACQUIRES = intKnob('BENCH_PROFILE_ACQUIRES', 300, 10, 2000);
const CONCURRENCY = intKnob('BENCH_PROFILE_CONCURRENCY', 50, 1, 200);
const MODE = choiceKnob('BENCH_PROFILE_MODE', 'Headless', ['Headless', 'ClusterIP'] as const);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code came from: the bundle's lines mapped back through its source map. */
type Origin = (url: string, line: number, column: number) => { file: string; line: number };

async function bundleOrigin(): Promise<Origin> {
  const bundle = path.join(repoRoot, 'sandbox-agent', AGENT_IMAGE_ENTRY);
  const map = new SourceMap(JSON.parse(await readFile(`${bundle}.map`, 'utf8')) as SourceMapPayload);
  const bundleUrl = pathToFileURL(bundle).href;
  return (url, line, column) => {
    if (url !== bundleUrl) return { file: url, line: line + 1 };
    const entry = map.findEntry(line, column) as Partial<SourceMapping>;
    if (!entry.originalSource) return { file: url, line: line + 1 };
    return { file: path.resolve(path.dirname(bundle), entry.originalSource.replace(/^file:\/\//, '')), line: (entry.originalLine ?? 0) + 1 };
  };
}

/** `node_modules/<pkg>` for dependencies, `agent:<file>` for ours, `node:<module>` for Node's own, else the frame kind. */
function packageOf(file: string, fn: string): string {
  if (!file) return fn.startsWith('(') ? fn : '(native)';
  const nm = file.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = file.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (file.startsWith('node:')) return file;
  const ours = path.join(repoRoot, 'sandbox-agent/src') + path.sep;
  if (file.startsWith(ours)) return `agent:${file.slice(ours.length)}`;
  return file;
}

function selfTimes(profile: CpuProfile, origin: Origin): { byPackage: Map<string, number>; byFunction: Map<string, number>; totalMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let totalMs = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(id);
    if (!node) return;
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') return;
    totalMs += ms;
    const at = origin(url, lineNumber, columnNumber);
    const pkg = packageOf(at.file, functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + ms);
    const file = pkg.startsWith('agent:') || pkg.startsWith('node:') || pkg.startsWith('(') ? pkg : `${pkg}/${path.basename(at.file)}`;
    const key = `${functionName || '(anonymous)'} ${file}:${at.line}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
  });
  return { byPackage, byFunction, totalMs };
}

async function main(): Promise<void> {
  buildAgentBundle();
  const chartEnv = await chartAgentEnv();
  const backend = new LocalBackend('antler-bench', { realNode: false });
  const info = await backend.up();
  const kc = new KubeConfig();
  kc.loadFromFile(info.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const namespace = `profile-${Date.now().toString(36)}`;
  const profDir = await mkdtemp(path.join(os.tmpdir(), 'antler-profile-'));
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  try {
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: OWNER_CONFIGMAP } } });
    const env = benchAgentEnv({ kubeconfig: info.kubeconfig, namespace }, chartEnv, 'bench-profile', MODE);
    const agent = await startAgentProcess({ env, entry: 'dist', name: `agent (${MODE}, profiled)`, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`] });
    const pid = agent.proc.pid!;
    let timings: AcquireTiming[] = [];
    let errors = 0;
    let cpu = 0;
    let lag = '';
    let rss = 0;
    let seconds = 0;
    try {
      const cpu0 = await cpuSeconds(pid);
      const t0 = performance.now();
      const outcomes = await mapLimit(Array.from({ length: ACQUIRES }, (_, i) => i), CONCURRENCY, (i) =>
        httpAcquire(agent.url, `prof${i}`, `user-${i % 20}`, POLL_MS).then((t) => t, () => undefined), { budgetMs: 120_000 });
      seconds = (performance.now() - t0) / 1000;
      cpu = (await cpuSeconds(pid)) - cpu0;
      timings = outcomes.filter((t): t is AcquireTiming => t !== undefined);
      errors = outcomes.length - timings.length;
      const metrics = await (await fetch(`${agent.url}/metrics`)).text();
      const q = (stat: 'p50' | 'p99' | 'max') => sumSamples(metrics, `sandbox_agent_nodejs_eventloop_lag_${stat}_seconds`) * 1000;
      rss = await peakRssMiB(pid);
      lag = `event-loop lag p50 ${q('p50').toFixed(1)} ms, p99 ${q('p99').toFixed(1)} ms, max ${q('max').toFixed(1)} ms`;
    } finally {
      await agent.stop();
    }
    const file = (await readdir(profDir)).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`the agent wrote no .cpuprofile into ${profDir}`);
    const { byPackage, byFunction, totalMs } = selfTimes(JSON.parse(await readFile(path.join(profDir, file), 'utf8')) as CpuProfile, await bundleOrigin());
    const kept = path.join(repoRoot, '.bench', `agent-${MODE.toLowerCase()}-c${CONCURRENCY}.cpuprofile`);
    await mkdir(path.dirname(kept), { recursive: true });
    await copyFile(path.join(profDir, file), kept);
    const resp = summarize(timings.map((t) => t.toResponseMs));
    console.log(`\n${MODE} c${CONCURRENCY}: ${timings.length} acquires, ${errors} errors, ${(timings.length / seconds).toFixed(1)} acq/s, to-response p50/p99 ${resp.p50.toFixed(0)}/${resp.p99.toFixed(0)} ms`);
    console.log(`agent CPU ${cpu.toFixed(2)} s (${((cpu / Math.max(1, timings.length)) * 100).toFixed(2)} s per 100 acquires); profiled busy time ${(totalMs / 1000).toFixed(2)} s; peak RSS ${rss.toFixed(0)} MiB; ${lag}`);
    const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
    console.log('\nself time by package                          ms      %');
    for (const [k, ms] of top(byPackage, 20)) console.log(`  ${k.slice(0, 42).padEnd(42)} ${ms.toFixed(0).padStart(6)} ${((ms / totalMs) * 100).toFixed(1).padStart(6)}`);
    console.log('\nhottest functions (self)                                                         ms      %');
    for (const [k, ms] of top(byFunction, 30)) console.log(`  ${k.slice(0, 76).padEnd(76)} ${ms.toFixed(0).padStart(6)} ${((ms / totalMs) * 100).toFixed(1).padStart(6)}`);
    console.log(`\nthe profile: ${kept} (Chrome DevTools, Performance, Load profile)`);
  } finally {
    await core.deleteNamespace({ name: namespace }).catch(() => undefined);
    await rm(profDir, { recursive: true, force: true });
    if (info.created && process.env.KEEP !== '1') await backend.down();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
