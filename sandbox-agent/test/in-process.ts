// The whole agent in one process without a cluster: the real routes, SandboxService, reaper and
// watch cache, with the Kubernetes side replaced by FakeApi, an in-memory implementation of the
// agent's own SandboxApi interface (not of client-node) that answers like an API server (uids,
// resourceVersions, 404/409, uid preconditions, NodePort allocation) and feeds the cache the
// watch events a real one would.
import type { V1ObjectMeta, V1Pod, V1Service } from '@kubernetes/client-node';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { ApiKeyChecker } from '../src/auth.js';
import { SandboxCache, type WatchEventType } from '../src/cache.js';
import { type Config, loadConfig } from '../src/config.js';
import { KubeError } from '../src/errors.js';
import type { CacheSource, CallTally, SandboxApi, Verb } from '../src/kube.js';
import { type Metrics, createMetrics } from '../src/metrics.js';
import { NO_OWNERSHIP_LEASES, type OwnershipLeases } from '../src/ownership.js';
import { Reaper } from '../src/reaper.js';
import { type App, type ReadinessProbe, buildApp } from '../src/routes.js';
import { SandboxService } from '../src/sandboxes.js';
import { slimPod, slimService } from '../src/slim.js';

type Resource = 'pods' | 'services';

export interface Call {
  verb: Verb;
  resource: Resource;
  name: string;
}

const REASON: Record<number, string> = { 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 422: 'Unprocessable Entity', 500: 'Internal Server Error', 503: 'Service Unavailable' };

function kubeError(status: number, message: string): KubeError {
  return new KubeError(status, REASON[status] ?? String(status), message);
}

export type WatchListener = (resource: Resource, type: WatchEventType, obj: V1Pod | V1Service) => void;

export class FakeApi implements SandboxApi {
  readonly pods = new Map<string, V1Pod>();
  readonly services = new Map<string, V1Service>();
  readonly calls: Call[] = [];
  readonly tally: CallTally = { total: 0, writes: 0, byVerb: {} };
  private rv = 0;
  private uid = 0;
  private nodePort = 30000;
  private readonly failures: { verb: Verb; resource: Resource; status: number }[] = [];
  /** Milliseconds each call takes (lets concurrent requests overlap). */
  latencyMs = 0;

  constructor(private readonly onWatch: WatchListener = () => undefined) {}

  /** The next `verb` on `resource` fails with `status`. */
  failNext(verb: Verb, resource: Resource, status: number): void {
    this.failures.push({ verb, resource, status });
  }

  private async enter(verb: Verb, resource: Resource, name: string): Promise<void> {
    this.calls.push({ verb, resource, name });
    this.tally.total++;
    this.tally.byVerb[verb] = (this.tally.byVerb[verb] ?? 0) + 1;
    if (verb !== 'get' && verb !== 'list' && verb !== 'watch') this.tally.writes++;
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    const i = this.failures.findIndex((f) => f.verb === verb && f.resource === resource);
    if (i >= 0) {
      const [f] = this.failures.splice(i, 1);
      throw kubeError(f?.status ?? 500, `injected ${verb} ${resource} failure`);
    }
  }

  count(verb: Verb, resource?: Resource): number {
    return this.calls.filter((c) => c.verb === verb && (resource === undefined || c.resource === resource)).length;
  }

  private stamp(meta: V1ObjectMeta | undefined, existing?: V1ObjectMeta): V1ObjectMeta {
    return {
      ...meta,
      uid: existing?.uid ?? `uid-${++this.uid}`,
      resourceVersion: String(++this.rv),
      creationTimestamp: existing?.creationTimestamp ?? new Date(),
    };
  }

  private emit(resource: Resource, type: WatchEventType, obj: V1Pod | V1Service): void {
    const copy = structuredClone(obj);
    setImmediate(() => this.onWatch(resource, type, copy));
  }

  /** Seeds a Pod as if another replica (or an earlier run) had created it. */
  seedPod(pod: V1Pod, opts: { watch?: boolean } = {}): V1Pod {
    const stored: V1Pod = { ...structuredClone(pod), metadata: this.stamp(pod.metadata, pod.metadata?.uid ? pod.metadata : undefined), status: pod.status ?? { phase: 'Pending' } };
    this.pods.set(stored.metadata?.name ?? '', stored);
    if (opts.watch !== false) this.emit('pods', 'ADDED', stored);
    return structuredClone(stored);
  }

  seedService(svc: V1Service): V1Service {
    const stored: V1Service = { ...structuredClone(svc), metadata: this.stamp(svc.metadata) };
    this.services.set(stored.metadata?.name ?? '', stored);
    this.emit('services', 'ADDED', stored);
    return structuredClone(stored);
  }

  /** The kubelet's part: the Pod becomes Running and Ready. */
  setReady(name: string): void {
    const pod = this.pods.get(name);
    if (!pod) throw new Error(`no pod ${name}`);
    pod.metadata = this.stamp(pod.metadata, pod.metadata);
    pod.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
    this.emit('pods', 'MODIFIED', pod);
  }

  async createPod(body: V1Pod): Promise<V1Pod> {
    const name = body.metadata?.name ?? '';
    await this.enter('create', 'pods', name);
    if (this.pods.has(name)) throw kubeError(409, `pods "${name}" already exists`);
    const pod: V1Pod = { ...structuredClone(body), metadata: this.stamp(body.metadata), status: { phase: 'Pending' } };
    this.pods.set(name, pod);
    this.emit('pods', 'ADDED', pod);
    return structuredClone(pod);
  }

  async readPod(name: string): Promise<V1Pod> {
    await this.enter('get', 'pods', name);
    const pod = this.pods.get(name);
    if (!pod) throw kubeError(404, `pods "${name}" not found`);
    return structuredClone(pod);
  }

  async deletePod(name: string, uid?: string): Promise<V1Pod> {
    await this.enter('delete', 'pods', name);
    const pod = this.pods.get(name);
    if (!pod) throw kubeError(404, `pods "${name}" not found`);
    if (uid !== undefined && pod.metadata?.uid !== uid) throw kubeError(409, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${pod.metadata?.uid}`);
    this.pods.delete(name);
    const gone: V1Pod = { ...pod, metadata: { ...this.stamp(pod.metadata, pod.metadata), deletionTimestamp: new Date() } };
    this.emit('pods', 'DELETED', gone);
    return structuredClone(gone);
  }

  async patchPodAnnotations(name: string, annotations: Record<string, string | null>): Promise<V1Pod> {
    await this.enter('patch', 'pods', name);
    const pod = this.pods.get(name);
    if (!pod) throw kubeError(404, `pods "${name}" not found`);
    const merged: Record<string, string> = { ...pod.metadata?.annotations };
    for (const [k, v] of Object.entries(annotations)) {
      if (v === null) delete merged[k];
      else merged[k] = v;
    }
    pod.metadata = { ...this.stamp(pod.metadata, pod.metadata), annotations: merged };
    this.emit('pods', 'MODIFIED', pod);
    return structuredClone(pod);
  }

  async createService(body: V1Service): Promise<V1Service> {
    const name = body.metadata?.name ?? '';
    await this.enter('create', 'services', name);
    if (this.services.has(name)) throw kubeError(409, `services "${name}" already exists`);
    const svc: V1Service = structuredClone(body);
    svc.metadata = this.stamp(body.metadata);
    if (svc.spec?.type === 'NodePort') svc.spec.ports = (svc.spec.ports ?? []).map((p) => ({ ...p, nodePort: ++this.nodePort }));
    this.services.set(name, svc);
    this.emit('services', 'ADDED', svc);
    return structuredClone(svc);
  }

  async readService(name: string): Promise<V1Service> {
    await this.enter('get', 'services', name);
    const svc = this.services.get(name);
    if (!svc) throw kubeError(404, `services "${name}" not found`);
    return structuredClone(svc);
  }

  async deleteService(name: string, uid?: string): Promise<V1Service> {
    await this.enter('delete', 'services', name);
    const svc = this.services.get(name);
    if (!svc) throw kubeError(404, `services "${name}" not found`);
    if (uid !== undefined && svc.metadata?.uid !== uid) throw kubeError(409, 'Precondition failed');
    this.services.delete(name);
    this.emit('services', 'DELETED', svc);
    return structuredClone(svc);
  }
}

/** The cache's list/watch side is never started in process: the FakeApi feeds it events instead. */
export function unstartedSource(namespace: string): CacheSource {
  const never = (): never => {
    throw new Error('the in-process cache is fed by FakeApi, not by informers');
  };
  return { kc: new KubeConfig(), namespace, watchStarted: never, watchEnded: never, listPods: never, listServices: never, listWarningPodEvents: never };
}

export interface InProcessAgent {
  cfg: Config;
  api: FakeApi;
  cache: SandboxCache;
  sandboxes: SandboxService;
  reaper: Reaper;
  metrics: Metrics;
  readiness: ReadinessProbe & { state: { ok: boolean; detail: string } };
  app: App;
  /** Resolves once every watch event emitted so far has reached the cache. */
  settle(): Promise<void>;
}

export const API_KEY = 'in-process-key';
export const OWNER = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: 'owner-uid', controller: false, blockOwnerDeletion: false };

/** `leases` stands in for DeerFlow's ownership leases (the agent's own interface, not Redis). */
export async function inProcessAgent(env: Record<string, string> = {}, leases: OwnershipLeases = NO_OWNERSHIP_LEASES): Promise<InProcessAgent> {
  const cfg = loadConfig({ PROVISIONER_API_KEY: API_KEY, K8S_NAMESPACE: 'sbx', DEER_FLOW_HOST_BASE_DIR: '/state', SANDBOX_AGENT_RELEASE: 'rel', ...env });
  const log = pino({ level: 'silent' });
  const metrics = createMetrics(false);
  const cache = new SandboxCache(unstartedSource(cfg.namespace), log, cfg.serviceMode !== 'Headless');
  const api = new FakeApi((resource, type, obj) => {
    if (resource === 'pods') cache.applyPod(type, slimPod(obj as V1Pod));
    else cache.applyService(type, slimService(obj as V1Service));
  });
  const sandboxes = new SandboxService(cfg, api, cache, metrics, log, OWNER);
  const reaper = new Reaper(cfg, api, cache, sandboxes, metrics, log, leases);
  const readiness = {
    state: { ok: true, detail: 'ok' },
    async ready() {
      return readiness.state;
    },
  };
  const app = buildApp({ cfg, log, metrics, auth: new ApiKeyChecker(cfg.apiKeys), sandboxes, readiness });
  await app.ready();
  return { cfg, api, cache, sandboxes, reaper, metrics, readiness, app, settle: () => new Promise((r) => setImmediate(r)) };
}
