// Sandbox operations behind the HTTP routes: acquire (idempotent create), get, list, destroy,
// touch and release. Kubernetes is the only store; the watch cache answers reads.

import type { V1OwnerReference, V1Pod, V1Service } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { type SandboxCache, isPodReady } from './cache.js';
import type { Config } from './config.js';
import { HttpError, KubeError, isConflict, isNotFound, kubeHttpError } from './errors.js';
import type { SandboxApi } from './kube.js';
import type { Metrics } from './metrics.js';
import { resolveMounts } from './mounts.js';
import {
  ANN_LAST_TOUCH,
  ANN_RELEASED_AT,
  ANN_REQUEST,
  ANN_USER_ID,
  LABEL_INSTANCE,
  LABEL_MANAGED_BY,
  LABEL_MANAGED_BY_VALUE,
  LABEL_SANDBOX_ID,
  isValidSandboxId,
  podName,
  serviceName,
} from './naming.js';
import { buildPod, buildService, headlessUrl, urlFromService } from './podspec.js';
import { type CreateSandboxRequest, parseRecordedRequest } from './validation.js';

export interface SandboxView {
  sandbox_id: string;
  sandbox_url: string;
  status: string;
  ready: boolean;
  reason?: string;
}

/** Why a sandbox is deleted (the `reason` label of `sandbox_agent_deletes_total`). */
export type DeleteReason = 'api' | 'reaper' | 'rollback';

export interface DestroyOptions {
  reason: DeleteReason;
  /** Delete the Pod only if it still has this uid (a newer Pod of the same name is left alone). */
  podUid?: string | undefined;
}

export interface WaitOptions {
  /** Milliseconds to wait for the Pod to become Ready; undefined = do not wait. */
  readyTimeoutMs?: number;
}

// Same order as String#localeCompare (what list() always used), but one collator instead of an
// ICU lookup per comparison: sorting 10k ids with localeCompare blocked the event loop ~100 ms.
const byId = new Intl.Collator();

const isTerminating = (p: V1Pod | undefined): boolean => p?.metadata?.deletionTimestamp != null;

export function ownedBy(obj: { metadata?: { labels?: Record<string, string> } }, release: string): boolean {
  const l = obj.metadata?.labels ?? {};
  return l[LABEL_MANAGED_BY] === LABEL_MANAGED_BY_VALUE && (l[LABEL_INSTANCE] ?? '') === release;
}

export class SandboxService {
  private readonly inflight = new Map<string, Promise<SandboxView>>();
  private readonly touching = new Set<string>();
  private pendingCreates = 0;
  private readonly pendingByUser = new Map<string, number>();

  constructor(
    private readonly cfg: Config,
    private readonly kube: SandboxApi,
    private readonly cache: SandboxCache,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly ownerReference: V1OwnerReference | undefined,
  ) {}

  private get serviceMode(): boolean {
    return this.cfg.serviceMode !== 'Headless';
  }

  private view(id: string, url: string): SandboxView {
    const pod = this.cache.pod(podName(id));
    const ready = isPodReady(pod);
    const v: SandboxView = { sandbox_id: id, sandbox_url: url, status: pod ? (pod.status?.phase ?? 'Unknown') : 'NotFound', ready };
    const reason = ready ? undefined : this.cache.reason(podName(id));
    if (reason) v.reason = reason;
    return v;
  }

  /** URL of an existing sandbox record, or undefined when there is none (upstream 404). */
  private existingUrl(id: string): string | undefined {
    if (this.serviceMode) {
      const svc = this.cache.service(serviceName(id));
      return svc ? urlFromService(svc, this.cfg) : undefined;
    }
    const pod = this.cache.pod(podName(id));
    return pod && !isTerminating(pod) ? headlessUrl(id, this.cfg) : undefined;
  }

  async acquire(req: CreateSandboxRequest, wait: WaitOptions): Promise<SandboxView> {
    const id = req.sandbox_id;
    const existing = this.inflight.get(id);
    const run = existing ?? this.acquireOnce(req);
    if (!existing) {
      this.inflight.set(id, run);
      void run.finally(() => this.inflight.delete(id)).catch(() => undefined);
    }
    const view = await run;
    return wait.readyTimeoutMs === undefined ? view : this.waitReady(id, view.sandbox_url, wait.readyTimeoutMs);
  }

  private async acquireOnce(req: CreateSandboxRequest): Promise<SandboxView> {
    const id = req.sandbox_id;
    const pName = podName(id);
    const url = this.existingUrl(id);
    if (url !== undefined) {
      const pod = this.cache.pod(pName);
      if (pod && !isTerminating(pod)) {
        this.touchLater(id, pod);
        return this.view(id, url);
      }
      // Upstream reports a Service without a Pod forever; we rebuild the Pod from the recorded request.
      const svc = this.cache.service(serviceName(id));
      const recorded = parseRecordedRequest(svc?.metadata?.annotations?.[ANN_REQUEST]);
      await this.waitTerminated(id);
      await this.createPod(recorded ?? req, 'recreate');
      return this.view(id, url);
    }
    await this.waitTerminated(id);
    // Only brand-new sandboxes validate mounts and count against caps (upstream fast path semantics).
    const mounts = resolveMounts(req, this.cfg);
    this.reserve(req.user_id);
    try {
      if (!this.serviceMode) {
        await this.createPod(req, 'new', mounts);
        return this.view(id, headlessUrl(id, this.cfg));
      }
      // The Service selects the Pod by its labels and needs nothing from it, so both creates go
      // out at once (upstream makes them one after the other); a failure of either undoes the
      // other's object if this request made it.
      const [podResult, svcResult] = await Promise.allSettled([this.createPod(req, 'new', mounts), this.createService(req)]);
      if (podResult.status === 'rejected') {
        if (svcResult.status === 'fulfilled' && svcResult.value.createdHere) await this.rollbackService(id);
        throw podResult.reason;
      }
      if (svcResult.status === 'rejected') {
        if (podResult.value.createdHere) await this.rollbackPod(id, podResult.value.pod);
        throw svcResult.reason;
      }
      const svcUrl = urlFromService(svcResult.value.svc, this.cfg);
      if (svcUrl === undefined) throw new HttpError(500, 'Service access URL was not available in time');
      return this.view(id, svcUrl);
    } finally {
      this.unreserve(req.user_id);
    }
  }

  private reserve(userId: string): void {
    const { maxSandboxes, maxSandboxesPerUser } = this.cfg;
    if (maxSandboxes > 0 || maxSandboxesPerUser > 0) {
      let total = this.pendingCreates;
      let mine = this.pendingByUser.get(userId) ?? 0;
      for (const p of this.cache.allPods()) {
        if (isTerminating(p) || !ownedBy(p, this.cfg.release)) continue;
        total++;
        if (p.metadata?.annotations?.[ANN_USER_ID] === userId) mine++;
      }
      if (maxSandboxes > 0 && total >= maxSandboxes) {
        this.metrics.capRejections.inc({ cap: 'global' });
        throw new HttpError(429, `Sandbox limit reached: global cap SANDBOX_AGENT_MAX_SANDBOXES=${maxSandboxes}`);
      }
      if (maxSandboxesPerUser > 0 && mine >= maxSandboxesPerUser) {
        this.metrics.capRejections.inc({ cap: 'per_user' });
        throw new HttpError(429, `Sandbox limit reached for user '${userId}': per-user cap SANDBOX_AGENT_MAX_SANDBOXES_PER_USER=${maxSandboxesPerUser}`);
      }
    }
    this.pendingCreates++;
    this.pendingByUser.set(userId, (this.pendingByUser.get(userId) ?? 0) + 1);
  }

  private unreserve(userId: string): void {
    this.pendingCreates--;
    const n = (this.pendingByUser.get(userId) ?? 1) - 1;
    if (n <= 0) this.pendingByUser.delete(userId);
    else this.pendingByUser.set(userId, n);
  }

  /** A Pod of the same name that is still terminating would turn our create into a 409 on a dying Pod. */
  private async waitTerminated(id: string): Promise<void> {
    const name = podName(id);
    if (!isTerminating(this.cache.pod(name))) return;
    const gone = await this.cache.waitFor(name, (p) => p === undefined || !isTerminating(p), this.cfg.terminatingWaitSeconds * 1000);
    if (!gone) throw new HttpError(503, `Sandbox '${id}' is still terminating; retry later`);
  }

  /** Creates the sandbox's Pod, or reads it back when another replica or a retry won (409); says whether this call made it. */
  private async createPod(req: CreateSandboxRequest, kind: 'new' | 'recreate', mounts = resolveMounts(req, this.cfg)): Promise<{ pod: V1Pod; createdHere: boolean }> {
    const started = performance.now();
    const body = buildPod(req, mounts, { cfg: this.cfg, ownerReference: this.ownerReference, now: new Date() });
    let pod: V1Pod;
    let createdHere = false;
    try {
      pod = await this.kube.createPod(body);
      createdHere = true;
      this.metrics.creates.inc({ kind: `pod_${kind}`, result: 'created' });
      this.trackReady(pod.metadata?.name ?? podName(req.sandbox_id), started);
    } catch (err) {
      if (!isConflict(err)) {
        this.metrics.creates.inc({ kind: `pod_${kind}`, result: 'error' });
        throw kubeHttpError('Pod creation failed', err);
      }
      // AlreadyExists: someone (another replica, a retry) won the race; read it back directly.
      this.metrics.creates.inc({ kind: `pod_${kind}`, result: 'exists' });
      try {
        pod = await this.kube.readPod(podName(req.sandbox_id));
      } catch (readErr) {
        throw kubeHttpError('Pod creation failed', readErr);
      }
    }
    this.cache.observePod(pod);
    return { pod, createdHere };
  }

  /** Creates the sandbox's Service, or reads it back when it exists (409); says whether this call made it. */
  private async createService(req: CreateSandboxRequest): Promise<{ svc: V1Service; createdHere: boolean }> {
    const body = buildService(req, { cfg: this.cfg, ownerReference: this.ownerReference, now: new Date() });
    let svc: V1Service;
    let createdHere = false;
    try {
      svc = await this.kube.createService(body);
      createdHere = true;
      this.metrics.creates.inc({ kind: 'service', result: 'created' });
    } catch (err) {
      if (!isConflict(err)) {
        this.metrics.creates.inc({ kind: 'service', result: 'error' });
        throw kubeHttpError('Service creation failed', err);
      }
      this.metrics.creates.inc({ kind: 'service', result: 'exists' });
      try {
        svc = await this.kube.readService(serviceName(req.sandbox_id));
      } catch (readErr) {
        throw kubeHttpError('Service creation failed', readErr);
      }
    }
    this.cache.observeService(svc);
    return { svc, createdHere };
  }

  /** Deletes the Pod a failed acquire created (upstream also deletes a pre-existing one; we only ours), by its uid. */
  private async rollbackPod(id: string, pod: V1Pod): Promise<void> {
    await this.destroy(id, { reason: 'rollback', podUid: pod.metadata?.uid }).catch((e: unknown) => this.log.warn({ err: e }, 'rollback delete failed'));
  }

  /** Deletes the Service a failed acquire created, so no Service is left without its Pod. */
  private async rollbackService(id: string): Promise<void> {
    const name = serviceName(id);
    try {
      await this.kube.deleteService(name);
      this.cache.forgetService(name, this.cache.service(name)?.metadata?.uid);
      this.metrics.deletes.inc({ reason: 'rollback', result: 'ok' });
    } catch (err) {
      if (isNotFound(err)) return;
      this.metrics.deletes.inc({ reason: 'rollback', result: 'error' });
      this.log.warn({ err }, 'rollback delete of the Service failed');
    }
  }

  /** Observes create→Ready latency for new Pods in the background (bounded wait). */
  private trackReady(name: string, started: number): void {
    void this.cache.waitFor(name, isPodReady, 600_000).then((ok) => {
      if (ok) this.metrics.acquireReadySeconds.observe({ mode: this.cfg.serviceMode }, (performance.now() - started) / 1000);
    });
  }

  private async waitReady(id: string, url: string, timeoutMs: number): Promise<SandboxView> {
    const ok = await this.cache.waitFor(podName(id), isPodReady, timeoutMs);
    const v = this.view(id, url);
    if (ok) return v;
    const why = v.reason ? `: ${v.reason}` : ` (status ${v.status})`;
    throw new HttpError(504, `Sandbox '${id}' was not ready within ${Math.round(timeoutMs / 100) / 10}s${why}`, { ...v });
  }

  async get(id: string, wait: WaitOptions): Promise<SandboxView> {
    const url = this.existingUrl(id);
    if (url === undefined) throw new HttpError(404, `Sandbox '${id}' not found`);
    const pod = this.cache.pod(podName(id));
    if (pod && !isTerminating(pod)) this.touchLater(id, pod);
    return wait.readyTimeoutMs === undefined ? this.view(id, url) : this.waitReady(id, url, wait.readyTimeoutMs);
  }

  list(): SandboxView[] {
    const out: SandboxView[] = [];
    if (this.serviceMode) {
      for (const svc of this.cache.allServices()) {
        const id = svc.metadata?.labels?.[LABEL_SANDBOX_ID];
        if (!id) continue;
        const url = urlFromService(svc, this.cfg);
        if (url !== undefined) out.push(this.view(id, url));
      }
    } else {
      for (const pod of this.cache.allPods()) {
        const id = pod.metadata?.labels?.[LABEL_SANDBOX_ID];
        if (!id || isTerminating(pod) || pod.metadata?.name !== podName(id)) continue;
        out.push(this.view(id, headlessUrl(id, this.cfg)));
      }
    }
    return out.sort((a, b) => byId.compare(a.sandbox_id, b.sandbox_id));
  }

  /** Sandboxes per phase for the metrics gauge: same selection as list(), without views or sorting. */
  countByPhase(): Record<string, number> {
    const out: Record<string, number> = { Pending: 0, Running: 0, Succeeded: 0, Failed: 0, Unknown: 0 };
    const add = (pod: V1Pod | undefined): void => {
      const phase = pod ? (pod.status?.phase ?? 'Unknown') : 'NotFound';
      out[phase] = (out[phase] ?? 0) + 1;
    };
    if (this.serviceMode) {
      for (const svc of this.cache.allServices()) {
        const id = svc.metadata?.labels?.[LABEL_SANDBOX_ID];
        if (id && urlFromService(svc, this.cfg) !== undefined) add(this.cache.pod(podName(id)));
      }
    } else {
      for (const pod of this.cache.allPods()) {
        const id = pod.metadata?.labels?.[LABEL_SANDBOX_ID];
        if (id && !isTerminating(pod) && pod.metadata?.name === podName(id)) add(pod);
      }
    }
    return out;
  }

  /**
   * The one way a sandbox is removed (DELETE, the reaper, a create's rollback). Idempotent; both
   * deletes are always attempted, in upstream's order (Service, then Pod); failures other than
   * "already gone" come back as upstream's `500 Partial cleanup: ...`.
   */
  async destroy(id: string, opts: DestroyOptions = { reason: 'api' }): Promise<void> {
    if (!isValidSandboxId(id)) return; // no object can carry such a name
    const errors: string[] = [];
    if (this.serviceMode) {
      const name = serviceName(id);
      try {
        await this.kube.deleteService(name);
        this.cache.forgetService(name, this.cache.service(name)?.metadata?.uid);
      } catch (err) {
        if (isNotFound(err)) this.cache.forgetService(name, this.cache.service(name)?.metadata?.uid);
        else errors.push(`service: ${reasonOf(err)}`);
      }
    }
    try {
      const res = await this.kube.deletePod(podName(id), opts.podUid);
      if (isPodObject(res)) this.cache.observePod(res);
    } catch (err) {
      // 404: already gone. 409 under a uid precondition: a newer Pod took the name; leave it.
      if (!isNotFound(err) && !(opts.podUid !== undefined && isConflict(err))) errors.push(`pod: ${reasonOf(err)}`);
    }
    this.metrics.deletes.inc({ reason: opts.reason, result: errors.length > 0 ? 'error' : 'ok' });
    if (errors.length > 0) throw new HttpError(500, `Partial cleanup: ${errors.join(', ')}`);
  }

  /** Last-touch bookkeeping for GET/POST, throttled so polling clients do not write on every call. */
  private touchLater(id: string, pod: V1Pod): void {
    const ann = pod.metadata?.annotations ?? {};
    const last = Date.parse(ann[ANN_LAST_TOUCH] ?? '') || 0;
    const released = ann[ANN_RELEASED_AT] !== undefined;
    if (!released && Date.now() - last < this.cfg.touchMinIntervalSeconds * 1000) return;
    if (!ownedBy(pod, this.cfg.release) || this.touching.has(id)) return;
    this.touching.add(id);
    this.patchLifecycle(id, false)
      .catch((err: unknown) => {
        if (!isNotFound(err)) this.log.warn({ err, sandbox_id: id }, 'touch failed');
      })
      .finally(() => this.touching.delete(id));
  }

  private async patchLifecycle(id: string, release: boolean): Promise<V1Pod> {
    const now = new Date().toISOString();
    const pod = await this.kube.patchPodAnnotations(podName(id), { [ANN_LAST_TOUCH]: now, [ANN_RELEASED_AT]: release ? now : null });
    this.cache.observePod(pod);
    return pod;
  }

  /** Extension endpoints: explicit touch / release (release starts the released-TTL clock). */
  async mark(id: string, release: boolean): Promise<SandboxView & { released: boolean }> {
    const url = this.existingUrl(id);
    const pod = this.cache.pod(podName(id));
    if (url === undefined || !pod || isTerminating(pod)) throw new HttpError(404, `Sandbox '${id}' not found`);
    try {
      await this.patchLifecycle(id, release);
    } catch (err) {
      if (isNotFound(err)) throw new HttpError(404, `Sandbox '${id}' not found`);
      throw kubeHttpError(release ? 'Release failed' : 'Touch failed', err);
    }
    return { ...this.view(id, url), released: release };
  }
}

function isPodObject(v: unknown): v is V1Pod {
  return typeof v === 'object' && v !== null && 'metadata' in v && (v as V1Pod).kind !== 'Status';
}

function reasonOf(err: unknown): string {
  return err instanceof KubeError ? err.reason : String(err);
}
