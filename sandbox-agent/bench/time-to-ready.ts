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
// Samples run one at a time, contenders alternating; every wait is bounded.
// A second table (first-on-node.ts) measures the first sandbox on a node that lacks the image: a
// large stand-in pulled from the loopback registry at a paced rate, without and with the chart's
// pre-puller DaemonSet; a third (placeholders.ts) a sandbox on a node the chart's placeholder Pods
// have filled. Writes .bench/time-to-ready.json and prints the tables.
// Knobs: BENCH_READY_SAMPLES (1–50, default 8), BENCH_READY_PULL_SAMPLES (0–20, default 3; 0 skips
// the pull and placeholder tables), BENCH_READY_LINK_MBPS (1–10000 MB/s, default 50).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { LocalBackend } from '../../harness/cluster.js';
import { run } from '../../harness/exec.js';
import { freePort } from '../../harness/ports.js';
import { type LatencySummary, summarize } from '../../harness/stats.js';
import { sleep, waitFor } from '../../harness/wait.js';
import { readAgentEnv } from '../src/config.js';
import { type BenchCluster, type HttpContender, OWNER_CONFIGMAP, chartAgentEnv, startAgentContender, startUpstreamContender } from './contenders.js';
import { buildAgentBundle } from '../build.js';
import { measureFirstOnNode } from './first-on-node.js';
import { measurePlaceholders } from './placeholders.js';
import { PodWatch, type Sample, USER, acquire, answers, onlyTheRealNode, until } from './real-pods.js';
import { repoRoot } from '../test/agent-process.js';
import { intKnob, numberKnob } from '../../harness/knobs.js';

const SAMPLES = intKnob('BENCH_READY_SAMPLES', 8, 1, 50);
/** Rounds of the pull table (each pulls the large image twice). */
const PULL_SAMPLES = intKnob('BENCH_READY_PULL_SAMPLES', 3, 0, 20, '0 skips the pull and placeholder tables');
/** The paced registry link, MB/s: about what one node pulls from a cloud registry. */
const LINK_MBPS = numberKnob('BENCH_READY_LINK_MBPS', 50, 1, 10_000, 'MB/s');
const BARE = 'bare container (ctr run)';

interface Result {
  config: string;
  samples: number;
  toResponseMs: LatencySummary;
  toUpMs: LatencySummary;
  toReadyMs: LatencySummary;
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

function row(cells: string[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(38) : c.padStart(20))).join('');
}

const spread = (s: LatencySummary) => [s.p50, s.p95, s.max].map(Math.round).join('/');

async function main(): Promise<void> {
  buildAgentBundle();
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
    // The node's own pause image: the pre-puller's and the placeholders' container.
    const pauseImage = (await backend.realNode.loadImages(['pause'])).pause as string;
    const pull = PULL_SAMPLES === 0 ? undefined : await measureFirstOnNode({ backend, kc, cluster, chartEnv, common, watch, port, pauseImage, workDir, samples: PULL_SAMPLES, linkMBps: LINK_MBPS, cleanups });
    if (pull !== undefined) {
      process.stdout.write([
        `First sandbox on a node without the image: ${pull.imageMiB} MiB image, ${pull.pulledMiB} MiB pulled per start from the loopback registry paced to ${pull.linkMBps} MB/s (${pull.samples} rounds, ms; p50 / p95 / max)`,
        row(['config', 'Ready (reachable)']),
        row(['agent, no pre-puller (kubelet pulls)', spread(pull.coldToReadyMs)]),
        row(['pre-puller DaemonSet: pull done', spread(pull.prePullMs)]),
        row(['agent, after the pre-puller', spread(pull.warmToReadyMs)]),
      ].join('\n') + '\n');
    }
    const held = PULL_SAMPLES === 0 ? undefined : await measurePlaceholders({ kc, cluster, node: backend.realNode.name, chartEnv, agentEnv: ours, pauseImage, watch, port, samples: PULL_SAMPLES, cleanups });
    if (held !== undefined) {
      process.stdout.write([
        `A sandbox on a node full of placeholders (${held.placeholders} placeholder Pods, each one sandbox's requests; image cached; ${held.samples} rounds, ms; p50 / p95 / max)`,
        row(['config', 'Ready (reachable)']),
        row(['agent, preempting a placeholder', spread(held.toReadyMs)]),
        row(['without placeholders', 'Pending until a node is added']),
      ].join('\n') + '\n');
    }
    const dir = path.join(repoRoot, '.bench');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'time-to-ready.json'), `${JSON.stringify({ measuredAt: new Date().toISOString(), image, samples: SAMPLES, results, firstOnNode: pull ?? null, placeholders: held ?? null }, null, 2)}\n`);
    process.stdout.write(`[bench-ready] wrote .bench/time-to-ready.json\n`);
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((e: Error) => process.stderr.write(`[bench-ready] cleanup: ${e.message}\n`));
  }
}

main().catch((error: Error) => {
  process.stderr.write(`[bench-ready] ${error.stack ?? error.message}\n`);
  process.exit(1);
});
