// What the real-Pod benchmarks share (`make bench-ready`): a Pod watch that notes when each Pod is
// first Ready, DeerFlow's create → Ready → delete against a provisioner with the three moments of
// a sample, and the node setup that puts every Pod on the real node.
import { CoreV1Api, KubeConfig, PatchStrategy, Watch, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { FAKE_NODE_ANNOTATION } from '../../harness/backends/local.js';
import { REAL_NODE_TAINT } from '../../harness/node/layout.js';
import { waitFor } from '../../harness/wait.js';
import { isPodReady } from '../src/cache.js';
import { podName } from '../src/naming.js';
import { API_HEADERS, DEERFLOW_BODY, type HttpContender } from './contenders.js';

/** No single sample may take longer (DeerFlow itself gives up after 60 s). */
export const SAMPLE_LIMIT_MS = 60_000;
const POLL_MS = 20;
export const USER = 'bench-user';

export interface Sample {
  toResponseMs: number;
  /** The container answers `/v1/sandbox` (at the Pod IP, or on the host for bare). */
  toUpMs: number;
  /** The Pod's Ready condition seen by the watch (bare: the same as up). */
  toReadyMs: number;
}

export async function answers(url: string): Promise<boolean> {
  return fetch(url, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false);
}

/** Polls `probe` every POLL_MS until it holds; the elapsed time since `t0`. */
export async function until(t0: number, what: string, probe: () => Promise<boolean> | boolean): Promise<number> {
  await waitFor(what, SAMPLE_LIMIT_MS - (performance.now() - t0), async () => (await probe()) || undefined, POLL_MS);
  return performance.now() - t0;
}

/** Pods of the namespace as a watch reports them, with the moment each was first seen Ready. */
export class PodWatch {
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

  /** The Pods of one chart component (`app.kubernetes.io/component`), terminating ones too, on `node` if given. */
  component(component: string, node?: string): V1Pod[] {
    return [...this.pods.values()].filter((p) => p.metadata?.labels?.['app.kubernetes.io/component'] === component && (node === undefined || p.spec?.nodeName === node));
  }

  stop(): void {
    this.stopped = true;
    this.request?.abort();
  }
}

/** DeerFlow's create, then the sample's moments; `whileReady` runs once the sandbox is Ready, before the delete. */
export async function acquire(c: HttpContender, watch: PodWatch, id: string, port: number, whileReady?: () => void): Promise<Sample> {
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
    whileReady?.();
    return { toResponseMs, toUpMs, toReadyMs: (watch.readyAt.get(name) as number) - t0 };
  } finally {
    const deleted = await fetch(`${c.url}/api/sandboxes/${id}`, { method: 'DELETE', headers, signal: AbortSignal.timeout(15_000) });
    if (deleted.status !== 200) throw new Error(`${c.name}: delete ${id}: HTTP ${deleted.status}`);
    await waitFor(`${name} to be gone`, 60_000, () => !watch.pods.has(name), 100);
  }
}

/**
 * Every Pod schedules onto the real node: kwok nodes cordoned, the real node's taint lifted. The
 * returned function puts each node's spec back, for a cluster the bench did not create.
 */
export async function onlyTheRealNode(core: CoreV1Api): Promise<() => Promise<void>> {
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

