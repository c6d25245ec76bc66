// Sandbox time-to-ready benchmark (not a test): `make bench-ready`. What a DeerFlow user waits for
// on a real cluster: from the create call until the sandbox answers at the URL DeerFlow is given.
// On a local control plane with the real kubelet node (containerd + runc; the kwok nodes are
// cordoned and the real node's taint lifted, so every contender's Pods start there for real):
//   - bare: the same image started by containerd directly (`ctr run`, host network), until its
//     `/v1/sandbox` answers: the floor no Pod can beat;
//   - the official provisioner from the pinned DeerFlow source (ClusterIP, its probe: 5 s delay,
//     5 s period);
//   - our agent as the chart ships it (readiness probed every second from container start), and
//     with the probe at upstream's 5 s period.
// Per sample: the create's response, the Pod's container answering at its Pod IP ("up"), and the
// Pod Ready, from a watch: DeerFlow's URL names only Ready Pods (Service endpoints, or headless DNS
// with publishNotReadyAddresses off), so Ready is when the sandbox becomes reachable to DeerFlow.
// The image is the AIO sandbox's stand-in (harness/fakes/sandbox-standin.ts: the AIO image itself
// cannot be pulled here), already in the node's image store (imagePullPolicy Never).
// Samples run one at a time, contenders alternating; every wait is bounded. Writes
// .bench/time-to-ready.json and prints the table.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CoreV1Api, KubeConfig, PatchStrategy, Watch, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { LocalBackend } from '../../harness/cluster.js';
import { run } from '../../harness/exec.js';
import { FAKE_NODE_ANNOTATION } from '../../harness/backends/local.js';
import { REAL_NODE_TAINT } from '../../harness/node/layout.js';
import { freePort } from '../../harness/ports.js';
import { type LatencySummary, summarize } from '../../harness/stats.js';
import { sleep, waitFor } from '../../harness/wait.js';
import { isPodReady } from '../src/cache.js';
import { readAgentEnv } from '../src/config.js';
import { podName } from '../src/naming.js';
import { API_HEADERS, type BenchCluster, DEERFLOW_BODY, type HttpContender, OWNER_CONFIGMAP, buildAgent, chartAgentEnv, startAgentContender, startUpstreamContender } from './contenders.js';
import { repoRoot } from '../test/agent-process.js';

const SAMPLES = Number(process.env.BENCH_READY_SAMPLES ?? '8');
/** No single sample may take longer (DeerFlow itself gives up after 60 s). */
const SAMPLE_LIMIT_MS = 60_000;
const POLL_MS = 20;
const USER = 'bench-user';
const BARE = 'bare container (ctr run)';

interface Sample {
  toResponseMs: number;
  /** The container answers `/v1/sandbox` (at the Pod IP, or on the host for bare). */
  toUpMs: number;
  /** The Pod's Ready condition seen by the watch (bare: the same as up). */
  toReadyMs: number;
}

interface Result {
  config: string;
  samples: number;
  toResponseMs: LatencySummary;
  toUpMs: LatencySummary;
  toReadyMs: LatencySummary;
}

async function answers(url: string): Promise<boolean> {
  return fetch(url, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false);
}

/** Polls `probe` every POLL_MS until it holds; the elapsed time since `t0`. */
async function until(t0: number, what: string, probe: () => Promise<boolean> | boolean): Promise<number> {
  await waitFor(what, SAMPLE_LIMIT_MS - (performance.now() - t0), async () => (await probe()) || undefined, POLL_MS);
  return performance.now() - t0;
}

/** Pods of the namespace as a watch reports them, with the moment each was first seen Ready. */
class PodWatch {
  readonly pods = new Map<string, V1Pod>();
  readonly readyAt = new Map<string, number>();
  private request: { abort(): void } | undefined;
  private stopped = false;

  constructor(private readonly kc: KubeConfig, private readonly namespace: string) {}

  async start(): Promise<void> {
    if (this.stopped) return;
    this.request = await new Watch(this.kc).watch(`/api/v1/namespaces/${this.namespace}/pods`, {}, (type: string, pod: V1Pod) => {
      const name = pod.metadata?.name ?? '';
      if (type === 'DELETED') {
        this.pods.delete(name);
        this.readyAt.delete(name);
        return;
      }
      this.pods.set(name, pod);
      if (isPodReady(pod) && !this.readyAt.has(name)) this.readyAt.set(name, performance.now());
    }, () => void this.start().catch(() => undefined));
  }

  stop(): void {
    this.stopped = true;
    this.request?.abort();
  }
}

async function acquire(c: HttpContender, watch: PodWatch, id: string, port: number): Promise<Sample> {
  const headers = API_HEADERS;
  const name = podName(id);
  const t0 = performance.now();
  const created = await fetch(`${c.url}/api/sandboxes`, { method: 'POST', headers, body: JSON.stringify(DEERFLOW_BODY(id, USER)), signal: AbortSignal.timeout(30_000) });
  if (created.status !== 200) throw new Error(`${c.name}: create ${id}: HTTP ${created.status} ${(await created.text()).slice(0, 200)}`);
  await created.text();
  const toResponseMs = performance.now() - t0;
  try {
    const up = until(t0, `${name} to answer at its Pod IP`, () => {
      const ip = watch.pods.get(name)?.status?.podIP;
      return ip !== undefined && answers(`http://${ip}:${port}/v1/sandbox`);
    });
    const ready = until(t0, `${name} Ready`, () => watch.readyAt.has(name));
    const [toUpMs] = await Promise.all([up, ready]);
    return { toResponseMs, toUpMs, toReadyMs: (watch.readyAt.get(name) as number) - t0 };
  } finally {
    const deleted = await fetch(`${c.url}/api/sandboxes/${id}`, { method: 'DELETE', headers, signal: AbortSignal.timeout(15_000) });
    if (deleted.status !== 200) throw new Error(`${c.name}: delete ${id}: HTTP ${deleted.status}`);
    await waitFor(`${name} to be gone`, 60_000, () => !watch.pods.has(name), 100);
  }
}

/** The same image started by containerd with no Pod around it, until its HTTP route answers. */
async function bareStart(ctr: { binary: string; address: string }, image: string, i: number): Promise<Sample> {
  const port = await freePort('127.0.0.1');
  const id = `antler-bench-bare-${process.pid}-${i}`;
  const c = (args: string[]) => run(ctr.binary, ['--address', ctr.address, '--namespace', 'k8s.io', ...args]);
  const t0 = performance.now();
  // containerd names the image by its tag; the digest is the kubelet's pin.
  await c(['run', '-d', '--net-host', '--env', `SANDBOX_STANDIN_PORT=${port}`, image.replace(/@sha256:[0-9a-f]+$/, ''), id]);
  try {
    const toUpMs = await until(t0, `bare container ${id} to answer`, () => answers(`http://127.0.0.1:${port}/v1/sandbox`));
    return { toResponseMs: 0, toUpMs, toReadyMs: toUpMs };
  } finally {
    await c(['tasks', 'kill', '--signal', 'SIGKILL', id]).catch(() => undefined);
    await waitFor(`bare container ${id} to stop`, 15_000, () => c(['tasks', 'delete', id]).then(() => true, () => false), 100);
    await c(['containers', 'rm', id]);
  }
}

/**
 * Every Pod schedules onto the real node: kwok nodes cordoned, the real node's taint lifted. The
 * returned function puts each node's spec back, for a cluster the bench did not create.
 */
async function onlyTheRealNode(core: CoreV1Api): Promise<() => Promise<void>> {
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const nodes = (await core.listNode()).items;
  const before = nodes.map((node) => ({ name: node.metadata?.name as string, spec: { unschedulable: node.spec?.unschedulable ?? null, taints: node.spec?.taints ?? null } }));
  for (const node of nodes) {
    const fake = node.metadata?.annotations?.[FAKE_NODE_ANNOTATION.key] === FAKE_NODE_ANNOTATION.value;
    const spec = fake ? { unschedulable: true } : { taints: (node.spec?.taints ?? []).filter((t) => t.key !== REAL_NODE_TAINT.key) };
    await core.patchNode({ name: node.metadata?.name as string, body: { spec } }, mergePatch);
  }
  return async () => {
    for (const { name, spec } of before) await core.patchNode({ name, body: { spec } }, mergePatch);
  };
}

function row(cells: string[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(38) : c.padStart(20))).join('');
}

const spread = (s: LatencySummary) => [s.p50, s.p95, s.max].map(Math.round).join('/');

async function main(): Promise<void> {
  if (!Number.isInteger(SAMPLES) || SAMPLES < 1 || SAMPLES > 50) throw new Error(`BENCH_READY_SAMPLES must be an integer 1–50, got '${process.env.BENCH_READY_SAMPLES}'`);
  buildAgent();
  const chartEnv = await chartAgentEnv();
  const backend = new LocalBackend('antler-bench-ready', { realNode: true });
  const info = await backend.up();
  const cleanups: (() => Promise<unknown>)[] = [];
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'antler-bench-ready-'));
  cleanups.push(() => rm(workDir, { recursive: true, force: true }));
  if (info.created) cleanups.push(() => backend.down());
  try {
    if (info.realNode === undefined) throw new Error(`the real node is off (${(await backend.realNodeEnabled()).reason}); this bench measures real Pods`);
    const image = (await backend.realNode.loadImages(['sandbox-standin']))['sandbox-standin'] as string;
    const kc = new KubeConfig();
    kc.loadFromFile(info.kubeconfig);
    const core = kc.makeApiClient(CoreV1Api);
    const restoreNodes = await onlyTheRealNode(core);
    if (!info.created) cleanups.unshift(restoreNodes);
    const namespace = `ready-${Date.now().toString(36)}`;
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    cleanups.unshift(() => core.deleteNamespace({ name: namespace }));
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: OWNER_CONFIGMAP } } });
    // The skills and thread directories DeerFlow makes before it asks for a sandbox (hostPath layout).
    const base = path.join(workDir, 'deer-flow');
    for (const dir of ['skills_view/public', `users/${USER}/skills_view/custom`, `users/${USER}/skills_view/legacy`, 'threads']) await mkdir(path.join(base, dir), { recursive: true, mode: 0o777 });
    const cluster: BenchCluster = { kubeconfig: info.kubeconfig, namespace };
    const port = readAgentEnv(chartEnv).SANDBOX_CONTAINER_PORT;
    const common = { SANDBOX_IMAGE: image, DEER_FLOW_HOST_BASE_DIR: base, THREADS_HOST_PATH: path.join(base, 'threads') };
    const ours = { ...common, SANDBOX_AGENT_POD_IMAGE_PULL_POLICY: 'Never' };
    const contenders: HttpContender[] = [
      await startUpstreamContender(cluster, 'ClusterIP', workDir, common),
      await startAgentContender(cluster, 'Headless', chartEnv, ours, 'agent/Headless (shipped: probe 1 s)'),
      await startAgentContender(cluster, 'Headless', chartEnv, { ...ours, SANDBOX_AGENT_POD_READINESS_PERIOD_SECONDS: '5' }, 'agent/Headless (probe 5 s)'),
    ];
    for (const c of contenders) cleanups.unshift(() => c.stop());
    const watch = new PodWatch(kc, namespace);
    await watch.start();
    cleanups.unshift(async () => watch.stop());
    const ctr = await backend.realNode.ctr;
    const samples = new Map<string, Sample[]>([[BARE, []], ...contenders.map((c) => [c.name, []] as [string, Sample[]])]);
    for (let i = 0; i < SAMPLES; i++) {
      const order = [undefined, ...contenders];
      for (let k = 0; k < order.length; k++) {
        const c = order[(k + i) % order.length];
        const sample = c === undefined ? await bareStart(ctr, image, i) : await acquire(c, watch, `r${i}${k}${Date.now().toString(36)}`, port);
        samples.get(c === undefined ? BARE : c.name)?.push(sample);
        await sleep(200);
      }
      process.stdout.write(`[bench-ready] round ${i + 1}/${SAMPLES} done\n`);
    }
    const results: Result[] = [...samples].map(([config, s]) => ({
      config,
      samples: s.length,
      toResponseMs: summarize(s.map((x) => x.toResponseMs)),
      toUpMs: summarize(s.map((x) => x.toUpMs)),
      toReadyMs: summarize(s.map((x) => x.toReadyMs)),
    }));
    const out = [
      `Sandbox time-to-ready on the real node, image cached (${SAMPLES} samples each, ms; p50 / p95 / max)`,
      row(['config', 'to response', 'container up', 'Ready (reachable)', 'Ready − up p50']),
      ...results.map((r) => row([r.config, `${Math.round(r.toResponseMs.p50)}`, spread(r.toUpMs), spread(r.toReadyMs), `${Math.round(r.toReadyMs.p50 - r.toUpMs.p50)}`])),
    ];
    process.stdout.write(`${out.join('\n')}\n`);
    const dir = path.join(repoRoot, '.bench');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'time-to-ready.json'), `${JSON.stringify({ measuredAt: new Date().toISOString(), image, samples: SAMPLES, results }, null, 2)}\n`);
    process.stdout.write(`[bench-ready] wrote .bench/time-to-ready.json\n`);
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((e: Error) => process.stderr.write(`[bench-ready] cleanup: ${e.message}\n`));
  }
}

main().catch((error: Error) => {
  process.stderr.write(`[bench-ready] ${error.stack ?? error.message}\n`);
  process.exit(1);
});
