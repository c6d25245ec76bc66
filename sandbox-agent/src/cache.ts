// Watch-backed view of sandbox Pods, Services and Pod warning events. All reads on the request
// path and all readiness waits come from here (no polling). Our own writes are folded in
// immediately (`observe`) so a read right after a create does not depend on watch latency.
// Every object is reduced (slim.ts) before anything stores it: client-node's ListWatch keeps its
// own map of every object it has seen, so the reduction has to happen inside the LIST function
// and the watch stream (SlimWatch), not after the informer's callbacks.

import {
  type Informer,
  type KubeConfig,
  type KubernetesObject,
  ListWatch,
  type V1Pod,
  type V1Service,
  Watch,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { type CacheSource, WARNING_POD_EVENTS, listAllPages } from './kube.js';
import { SANDBOX_SELECTOR } from './naming.js';
import { type EventLike, slimEvent, slimPod, slimService } from './slim.js';

interface WarningEvent {
  reason: string;
  message: string;
  at: number;
}

type WatchCallback = (phase: string, apiObj: unknown, watchObj?: unknown) => void;

/** What an informer reports about an object (ADDED and MODIFIED are handled alike). */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/**
 * The HTTP status a finished watch had: 200 when the stream ran and closed, the status the API
 * server refused it with, 0 when no response arrived; undefined when we aborted it (shutdown).
 */
export function watchStatus(err: unknown): number | undefined {
  if (err === null || err === undefined) return 200;
  if (err instanceof Error && err.name === 'AbortError') return undefined;
  const code = (err as { statusCode?: unknown }).statusCode;
  return typeof code === 'number' ? code : 0;
}

/** A Watch that hands ListWatch reduced objects, so its store never holds full ones. */
export class SlimWatch<T extends KubernetesObject> extends Watch {
  constructor(
    kc: KubeConfig,
    private readonly slim: (o: T) => T,
    private readonly onEnd: (status: number) => void = () => undefined,
  ) {
    super(kc);
  }

  override watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: WatchCallback,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    return super.watch(
      path,
      queryParams,
      (phase, obj: unknown) => {
        // ERROR carries a Status (its `code` drives the informer's 410 handling) and BOOKMARK
        // only a resourceVersion: pass those through untouched.
        const isObject = phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED';
        const out = isObject && typeof obj === 'object' && obj !== null ? this.slim(obj as T) : obj;
        callback(phase, out, { type: phase, object: out });
      },
      (err: unknown) => {
        const status = watchStatus(err);
        if (status !== undefined) this.onEnd(status);
        done(err);
      },
    );
  }
}

function rvNumber(o: KubernetesObject): bigint {
  const rv = o.metadata?.resourceVersion ?? '';
  return /^\d+$/.test(rv) ? BigInt(rv) : -1n;
}

/** Name-keyed store that never lets an older version replace a newer one. */
class Store<T extends KubernetesObject> {
  readonly items = new Map<string, T>();
  constructor(private readonly onChange: (name: string) => void) {}

  upsert(obj: T): void {
    const name = obj.metadata?.name;
    if (!name) return;
    const cur = this.items.get(name);
    if (cur && cur.metadata?.uid === obj.metadata?.uid && rvNumber(cur) > rvNumber(obj)) return;
    this.items.set(name, obj);
    this.onChange(name);
  }

  remove(obj: T): void {
    const name = obj.metadata?.name;
    if (!name) return;
    const cur = this.items.get(name);
    // A delete for an older incarnation must not hide a newer object with the same name.
    if (cur && cur.metadata?.uid !== obj.metadata?.uid) return;
    this.items.delete(name);
    this.onChange(name);
  }
}

export function isPodReady(pod: V1Pod | undefined): boolean {
  return (pod?.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

const BAD_WAITING = new Set(['ImagePullBackOff', 'ErrImagePull', 'ErrImageNeverPull', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError', 'CrashLoopBackOff', 'RunContainerError']);

type ListFn<T extends KubernetesObject> = () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>;

export class SandboxCache {
  private readonly pods: Store<V1Pod>;
  private readonly services: Store<V1Service>;
  private readonly warnings = new Map<string, WarningEvent>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly informers: { name: string; informer: Informer<KubernetesObject>; synced: boolean; errors: number }[] = [];
  private stopped = false;

  constructor(
    private readonly kube: CacheSource,
    private readonly log: Logger,
    readonly watchServices: boolean,
  ) {
    this.pods = new Store<V1Pod>((n) => this.notify(n));
    this.services = new Store<V1Service>((n) => this.notify(n.replace(/-svc$/, '')));
  }

  private notify(podName: string): void {
    const set = this.waiters.get(podName);
    if (!set) return;
    for (const fn of [...set]) fn();
  }

  private add<T extends KubernetesObject>(
    name: string,
    informer: Informer<T>,
    onUpsert: (o: T) => void,
    onDelete: (o: T) => void,
  ): void {
    const entry = { name, informer: informer as unknown as Informer<KubernetesObject>, synced: false, errors: 0 };
    this.informers.push(entry);
    informer.on('add', onUpsert);
    informer.on('update', onUpsert);
    informer.on('delete', onDelete);
    informer.on('connect', () => this.kube.watchStarted());
    informer.on('error', (err: unknown) => {
      entry.synced = false;
      entry.errors++;
      if (this.stopped) return;
      this.log.warn({ err, informer: name }, 'informer error; restarting in 2s');
      setTimeout(() => {
        if (this.stopped) return;
        const before = entry.errors;
        // start() also resolves when its LIST failed (it reports through 'error' instead).
        informer.start().then(
          () => {
            if (entry.errors === before) entry.synced = true;
          },
          (e: unknown) => this.log.warn({ err: e, informer: name }, 'informer restart failed'),
        );
      }, 2000).unref();
    });
  }

  private path(resource: string): string {
    return `/api/v1/namespaces/${this.kube.namespace}/${resource}`;
  }

  async start(timeoutMs: number): Promise<void> {
    const kc = this.kube.kc;
    const podList: ListFn<V1Pod> = () => listAllPages((c) => this.kube.listPods(SANDBOX_SELECTOR, c), slimPod);
    const pods = new ListWatch<V1Pod>(this.path('pods'), new SlimWatch(kc, slimPod, (code) => this.kube.watchEnded('pods', code)), podList, false, SANDBOX_SELECTOR);
    this.add('pods', pods, (p) => this.applyPod('MODIFIED', p), (p) => this.applyPod('DELETED', p));
    if (this.watchServices) {
      const svcList: ListFn<V1Service> = () => listAllPages((c) => this.kube.listServices(SANDBOX_SELECTOR, c), slimService);
      const services = new ListWatch<V1Service>(this.path('services'), new SlimWatch(kc, slimService, (code) => this.kube.watchEnded('services', code)), svcList, false, SANDBOX_SELECTOR);
      this.add('services', services, (s) => this.applyService('MODIFIED', s), (s) => this.applyService('DELETED', s));
    }
    const evList: ListFn<EventLike> = () => listAllPages((c) => this.kube.listWarningPodEvents(c), slimEvent);
    const events = new ListWatch<EventLike>(this.path('events'), new SlimWatch(kc, slimEvent, (code) => this.kube.watchEnded('events', code)), evList, false, undefined, WARNING_POD_EVENTS);
    this.add('events', events, (e) => this.applyWarning('MODIFIED', e), (e) => this.applyWarning('DELETED', e));

    const deadline = Date.now() + timeoutMs;
    for (const entry of this.informers) {
      const before = entry.errors;
      const remaining = deadline - Date.now();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        entry.informer.start(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`cache sync timed out for ${entry.name}`)), Math.max(1, remaining));
        }),
      ]).finally(() => clearTimeout(timer));
      if (entry.errors !== before) throw new Error(`initial list failed for ${entry.name}`);
      entry.synced = true;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.informers.map((i) => i.informer.stop().catch(() => undefined)));
    for (const set of this.waiters.values()) for (const fn of set) fn();
  }

  get synced(): boolean {
    return this.informers.length > 0 && this.informers.every((i) => i.synced);
  }

  /** A watch event for a (slim) sandbox Pod: the informers' entry point, and the tests'. */
  applyPod(type: WatchEventType, p: V1Pod): void {
    if (type === 'DELETED') this.removePod(p);
    else this.pods.upsert(p);
  }

  /** A watch event for a (slim) sandbox Service. */
  applyService(type: WatchEventType, s: V1Service): void {
    if (type === 'DELETED') this.services.remove(s);
    else this.services.upsert(s);
  }

  /** A watch event for a (slim) Pod warning Event. */
  applyWarning(type: WatchEventType, e: EventLike): void {
    const pod = e.involvedObject?.name;
    if (type === 'DELETED') {
      // An expired Event of a Pod that is gone frees its entry; for live Pods the newest one stays.
      if (pod && !this.pods.items.has(pod)) this.warnings.delete(pod);
      return;
    }
    if (!pod || !pod.startsWith('sandbox-')) return;
    const ts = e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp;
    const at = ts ? new Date(ts).getTime() : Date.now();
    const prev = this.warnings.get(pod);
    if (prev && prev.at > at) return;
    this.warnings.set(pod, { reason: e.reason ?? 'Warning', message: e.message ?? '', at });
    this.notify(pod);
  }

  pod(name: string): V1Pod | undefined {
    return this.pods.items.get(name);
  }
  service(name: string): V1Service | undefined {
    return this.services.items.get(name);
  }
  allPods(): IterableIterator<V1Pod> {
    return this.pods.items.values();
  }
  allServices(): IterableIterator<V1Service> {
    return this.services.items.values();
  }
  get podCount(): number {
    return this.pods.items.size;
  }

  /** Folds in a Pod from one of our own API responses (create/patch/delete). */
  observePod(p: V1Pod): void {
    this.applyPod('MODIFIED', slimPod(p));
  }
  observeService(s: V1Service): void {
    this.applyService('MODIFIED', slimService(s));
  }
  /** Removes a Pod and, once no Pod of that name is cached, its last warning (else it would never be freed). */
  private removePod(p: V1Pod): void {
    this.pods.remove(p);
    const name = p.metadata?.name;
    if (name && !this.pods.items.has(name)) this.warnings.delete(name);
  }
  forgetService(name: string, uid: string | undefined): void {
    this.services.remove({ metadata: { name, uid } });
  }

  /** Why a Pod is not Ready, from its status and the newest warning event; undefined when fine. */
  reason(podName: string): string | undefined {
    const pod = this.pods.items.get(podName);
    if (pod && isPodReady(pod)) return undefined;
    for (const cs of [...(pod?.status?.initContainerStatuses ?? []), ...(pod?.status?.containerStatuses ?? [])]) {
      // A container killed at its memory limit restarts and then waits in CrashLoopBackOff: the
      // OOM kill is the cause worth reporting.
      const oom = [cs.state?.terminated, cs.lastState?.terminated].find((t) => t?.reason === 'OOMKilled');
      if (oom) return `OOMKilled: container ${cs.name} exceeded its memory limit (exit code ${oom.exitCode}, ${cs.restartCount ?? 0} restarts)`;
      const w = cs.state?.waiting;
      if (w?.reason && BAD_WAITING.has(w.reason)) return `${w.reason}: ${w.message ?? ''}`.trim();
    }
    const sched = (pod?.status?.conditions ?? []).find((c) => c.type === 'PodScheduled' && c.status === 'False');
    if (sched?.reason) return `${sched.reason}: ${sched.message ?? ''}`.trim();
    const ev = this.warnings.get(podName);
    const created = pod?.metadata?.creationTimestamp ? new Date(pod.metadata.creationTimestamp).getTime() : 0;
    if (ev && ev.at >= created - 1000) return `${ev.reason}: ${ev.message}`;
    return undefined;
  }

  /**
   * Resolves true once `predicate` holds for the Pod's cached state, false at the deadline or
   * on shutdown. Driven by watch notifications, not a polling loop.
   */
  waitFor(podName: string, predicate: (pod: V1Pod | undefined) => boolean, timeoutMs: number): Promise<boolean> {
    if (predicate(this.pods.items.get(podName))) return Promise.resolve(true);
    if (this.stopped || timeoutMs <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      let set = this.waiters.get(podName);
      if (!set) {
        set = new Set();
        this.waiters.set(podName, set);
      }
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        set.delete(check);
        if (set.size === 0) this.waiters.delete(podName);
        resolve(ok);
      };
      const check = (): void => {
        if (predicate(this.pods.items.get(podName))) done(true);
        else if (this.stopped) done(false);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      set.add(check);
    });
  }
}
