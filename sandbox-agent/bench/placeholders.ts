// The chart's placeholder Pods at work (`make bench-ready`, third table): the real node is filled
// with placeholders (rendered by helm from chart/, applied as they are) that each hold one
// sandbox's requests, so a new sandbox fits only by preempting one. Per sample: the agent creates
// a sandbox (image cached) → Ready, and the check that a placeholder made way for it; then the
// placeholder's Deployment puts it back before the next sample. Without placeholders the same
// sandbox on a full node waits Pending until a node is added, which no local run can show.
import { CoreV1Api, KubeConfig, topNodes } from '@kubernetes/client-node';
import { type LatencySummary, summarize } from '../../harness/stats.js';
import { sleep, waitFor } from '../../harness/wait.js';
import { isPodReady } from '../src/cache.js';
import { chartWorkload, pauseImageSets } from './chart-objects.js';
import { type BenchCluster, type HttpContender, startAgentContender } from './contenders.js';
import { type PodWatch, acquire } from './real-pods.js';

const COMPONENT = 'sandbox-placeholder';
const TEMPLATES = ['templates/sandbox/placeholder-priorityclass.yaml', 'templates/sandbox/placeholder-deployment.yaml'];
/** One sandbox's requests here, for the sandboxes and the placeholders alike. */
const CPU_MILLI = 200;
const MEMORY_MI = 128;
const RESOURCES = { requests: { cpu: `${CPU_MILLI}m`, memory: `${MEMORY_MI}Mi` }, limits: { cpu: '500m', memory: '256Mi' } };

export interface PlaceholderResult {
  placeholders: number;
  samples: number;
  /** Create → Ready of a sandbox that preempted a placeholder. */
  toReadyMs: LatencySummary;
}

export interface PlaceholderInputs {
  kc: KubeConfig;
  cluster: BenchCluster;
  node: string;
  chartEnv: Readonly<Record<string, string>>;
  /** The agent env of the cached-image table (image, pull policy Never, host paths). */
  agentEnv: Readonly<Record<string, string>>;
  pauseImage: string;
  watch: PodWatch;
  port: number;
  samples: number;
  cleanups: (() => Promise<unknown>)[];
}

function readyPlaceholders(watch: PodWatch, node: string): number {
  return watch.component(COMPONENT, node).filter((p) => isPodReady(p) && p.metadata?.deletionTimestamp === undefined).length;
}

/** Whole sandboxes' worth of CPU and memory requests still free on the node. */
async function freeSlots(core: CoreV1Api, node: string): Promise<number> {
  const status = (await topNodes(core)).find((n) => n.Node.metadata?.name === node);
  if (status === undefined) throw new Error(`node ${node} is not in the node list`);
  const cpu = Number(status.CPU.Capacity) - Number(status.CPU.RequestTotal);
  const memory = Number(status.Memory.Capacity) - Number(status.Memory.RequestTotal);
  return Math.floor(Math.min(cpu / (CPU_MILLI / 1000), memory / (MEMORY_MI * 1048576)));
}

export async function measurePlaceholders(o: PlaceholderInputs): Promise<PlaceholderResult> {
  const core = o.kc.makeApiClient(CoreV1Api);
  const count = await freeSlots(core, o.node);
  if (count < 1 || count > 200) throw new Error(`the real node has room for ${count} sandboxes of ${CPU_MILLI}m/${MEMORY_MI}Mi; this bench needs 1–200`);
  const agent: HttpContender = await startAgentContender(o.cluster, 'Headless', o.chartEnv, { ...o.agentEnv, SANDBOX_AGENT_POD_RESOURCES: JSON.stringify(RESOURCES) }, 'agent/Headless, node full of placeholders');
  o.cleanups.unshift(() => agent.stop());
  const sets = [
    `sandbox.placeholders.replicas=${count}`,
    `sandbox.pod.resources.requests.cpu=${RESOURCES.requests.cpu}`, `sandbox.pod.resources.requests.memory=${RESOURCES.requests.memory}`,
    `sandbox.pod.resources.limits.cpu=${RESOURCES.limits.cpu}`, `sandbox.pod.resources.limits.memory=${RESOURCES.limits.memory}`,
    'sandbox.pod.resources.requests.ephemeral-storage=null', 'sandbox.pod.resources.limits.ephemeral-storage=null',
    ...pauseImageSets(o.pauseImage),
  ];
  const placeholders = await chartWorkload({ kc: o.kc, namespace: o.cluster.namespace, templates: TEMPLATES, sets, kind: 'Deployment', component: COMPONENT, watch: o.watch, cleanups: o.cleanups });
  await placeholders.create();
  const allBack = () => waitFor(`${count} placeholders Ready on ${o.node}`, 120_000, () => readyPlaceholders(o.watch, o.node) === count, 50);
  await allBack();
  const left = await freeSlots(core, o.node);
  if (left !== 0) throw new Error(`with ${count} placeholders the node still has room for ${left} sandboxes: the bench would not measure preemption`);
  const samples: number[] = [];
  for (let i = 0; i < o.samples; i++) {
    const sample = await acquire(agent, o.watch, `h${i}${Date.now().toString(36)}`, o.port, () => {
      // Checked while the sandbox is Ready, before it is deleted: it took a placeholder's room.
      const ready = readyPlaceholders(o.watch, o.node);
      if (ready !== count - 1) throw new Error(`a sandbox is Ready beside ${ready} Ready placeholders, not ${count - 1}: no placeholder made way for it`);
    });
    samples.push(sample.toReadyMs);
    await allBack();
    process.stdout.write(`[bench-ready] placeholder round ${i + 1}/${o.samples} done\n`);
    await sleep(200);
  }
  return { placeholders: count, samples: o.samples, toReadyMs: summarize(samples) };
}
