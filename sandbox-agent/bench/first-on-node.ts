// The first sandbox on a node whose image store lacks the sandbox image (`make bench-ready`, second
// table): a large image (the stand-in plus a BALLAST_MIB random layer) in the harness's loopback
// registry (distribution, harness/e2e/chart-repo.ts), pulled through a proxy that paces it to a
// node link's rate. Per round, the image is first removed from the node's containerd, then:
//   - without the pre-puller: the agent creates a sandbox, the kubelet pulls while DeerFlow waits;
//   - with the pre-puller: the chart's DaemonSet and PriorityClass (rendered by helm from
//     chart/, applied as they are) pull the image; then the first sandbox starts from the cache.
// Every sample checks that the ballast really crossed the proxy, so a run where eviction failed
// cannot report a cached start as a pull. The fakes are the same as the first table's.
import type { KubeConfig } from '@kubernetes/client-node';
import type { LocalBackend } from '../../harness/cluster.js';
import { type Registry, startRegistry } from '../../harness/e2e/chart-repo.js';
import { imageValues } from '../../harness/e2e/real-node.js';
import { buildImage, ctr, imageReference, importImage, type Ctr } from '../../harness/images/build.js';
import { BALLAST_MIB } from '../../harness/images/catalog.js';
import { type LatencySummary, summarize } from '../../harness/stats.js';
import { sleep, waitFor } from '../../harness/wait.js';
import { isPodReady } from '../src/cache.js';
import { chartWorkload, pauseImageSets } from './chart-objects.js';
import { type BenchCluster, type HttpContender, startAgentContender } from './contenders.js';
import { PodWatch, SAMPLE_LIMIT_MS, type Sample, acquire } from './real-pods.js';
import { type ThrottledProxy, startThrottledProxy } from './throttle.js';

const PULLER_COMPONENT = 'sandbox-pre-puller';
const PULLER_TEMPLATES = ['templates/sandbox/prepuller-priorityclass.yaml', 'templates/sandbox/prepuller-daemonset.yaml'];

export interface FirstOnNodeResult {
  /** Pacing of the registry link, MB/s (10^6 bytes). */
  linkMBps: number;
  imageMiB: number;
  samples: number;
  /** Without the pre-puller: create → Ready, the kubelet pulling meanwhile. */
  coldToReadyMs: LatencySummary;
  /** The pre-puller's DaemonSet created → its Pod on the node Ready (image pulled). */
  prePullMs: LatencySummary;
  /** With the pre-puller done: create → Ready of the first sandbox on the node. */
  warmToReadyMs: LatencySummary;
  /** MiB that crossed the proxy per pull (p50), the check that each pull was real. */
  pulledMiB: number;
}

export interface FirstOnNodeInputs {
  backend: LocalBackend;
  kc: KubeConfig;
  cluster: BenchCluster;
  chartEnv: Readonly<Record<string, string>>;
  /** Env every agent contender of the bench gets (host paths). */
  common: Readonly<Record<string, string>>;
  watch: PodWatch;
  port: number;
  /** The node's pause image (the pre-puller's main container). */
  pauseImage: string;
  workDir: string;
  samples: number;
  linkMBps: number;
  cleanups: (() => Promise<unknown>)[];
}

/** Removes every name containerd holds for `digest` and waits for the garbage collection (`--sync`). */
async function evict(c: Ctr, digest: string): Promise<void> {
  const refs = (await ctr(c, ['images', 'ls'])).split('\n').slice(1).map((l) => l.split(/\s+/)).filter((cols) => cols[2] === digest).map((cols) => cols[0] as string);
  if (refs.length > 0) await ctr(c, ['images', 'rm', '--sync', ...refs]);
}

/** The large image in the loopback registry, and its reference through the paced proxy. */
async function publishLargeImage(c: Ctr, workDir: string, linkMBps: number, cleanups: (() => Promise<unknown>)[]): Promise<{ ref: string; digest: string; sizeBytes: number; proxy: ThrottledProxy }> {
  const image = await buildImage('sandbox-standin-large');
  await importImage(c, image);
  const registry: Registry = await startRegistry(workDir);
  cleanups.unshift(() => registry.stop());
  const repo = image.repository.replace(/^localhost\//, '');
  const pushed = `${registry.host}/${repo}:${image.tag}`;
  await ctr(c, ['images', 'tag', '--force', `${image.repository}:${image.tag}`, pushed]);
  await ctr(c, ['images', 'push', '--plain-http', pushed]);
  const [host, port] = registry.host.split(':') as [string, string];
  const proxy = await startThrottledProxy({ host, port: Number(port) }, linkMBps * 1e6);
  cleanups.unshift(() => proxy.close());
  await evict(c, image.digest);
  return { ref: imageReference({ ...image, repository: `${proxy.host}/${repo}` }), digest: image.digest, sizeBytes: image.sizeBytes, proxy };
}

/** The real node's pre-puller Pod, once Ready: when its init container has pulled the image. */
function prePullerReadyAt(watch: PodWatch, node: string): number | undefined {
  const pod = watch.component(PULLER_COMPONENT, node).find(isPodReady);
  return pod === undefined ? undefined : watch.readyAt.get(pod.metadata?.name as string);
}

export async function measureFirstOnNode(o: FirstOnNodeInputs): Promise<FirstOnNodeResult> {
  const c = await o.backend.realNode.ctr;
  const node = o.backend.realNode.name;
  const { ref, digest, sizeBytes, proxy } = await publishLargeImage(c, o.workDir, o.linkMBps, o.cleanups);
  const agent: HttpContender = await startAgentContender(o.cluster, 'Headless', o.chartEnv, { ...o.common, SANDBOX_IMAGE: ref, SANDBOX_AGENT_POD_IMAGE_PULL_POLICY: 'IfNotPresent' }, 'agent/Headless, image pulled');
  o.cleanups.unshift(() => agent.stop());
  const sets = [
    'sandbox.prePuller.enabled=true',
    ...Object.entries(imageValues(ref)).map(([k, v]) => `sandbox.image.${k}=${v}`),
    'sandbox.image.pullPolicy=IfNotPresent',
    ...pauseImageSets(o.pauseImage),
  ];
  const puller = await chartWorkload({ kc: o.kc, namespace: o.cluster.namespace, templates: PULLER_TEMPLATES, sets, kind: 'DaemonSet', component: PULLER_COMPONENT, watch: o.watch, cleanups: o.cleanups });

  const cold: Sample[] = [];
  const prePull: number[] = [];
  const warm: Sample[] = [];
  const pulled: number[] = [];
  const minimum = BALLAST_MIB * 1048576;
  const pulledSince = (before: number, what: string): void => {
    const bytes = proxy.bytes() - before;
    if (bytes < minimum) throw new Error(`${what}: only ${bytes} bytes crossed the registry proxy, less than the ${BALLAST_MIB} MiB layer: the image was not evicted`);
    pulled.push(bytes);
  };
  for (let i = 0; i < o.samples; i++) {
    await evict(c, digest);
    let before = proxy.bytes();
    cold.push(await acquire(agent, o.watch, `p${i}c${Date.now().toString(36)}`, o.port));
    pulledSince(before, `round ${i + 1}, no pre-puller`);
    await evict(c, digest);
    before = proxy.bytes();
    const t0 = performance.now();
    await puller.create();
    await waitFor(`the pre-puller's Pod on ${node} Ready`, SAMPLE_LIMIT_MS, () => prePullerReadyAt(o.watch, node) !== undefined, 20);
    prePull.push((prePullerReadyAt(o.watch, node) as number) - t0);
    pulledSince(before, `round ${i + 1}, pre-puller`);
    warm.push(await acquire(agent, o.watch, `p${i}w${Date.now().toString(36)}`, o.port));
    await puller.remove();
    process.stdout.write(`[bench-ready] pull round ${i + 1}/${o.samples} done\n`);
    await sleep(200);
  }
  return {
    linkMBps: o.linkMBps,
    imageMiB: Math.round(sizeBytes / 1048576),
    samples: o.samples,
    coldToReadyMs: summarize(cold.map((s) => s.toReadyMs)),
    prePullMs: summarize(prePull),
    warmToReadyMs: summarize(warm.map((s) => s.toReadyMs)),
    pulledMiB: Math.round(summarize(pulled).p50 / 1048576),
  };
}
