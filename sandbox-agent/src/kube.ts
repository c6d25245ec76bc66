// The only door to the Kubernetes API: every call goes through the optional client-side token
// bucket, is timed, counted by verb/resource and the HTTP status the API server answered
// (metrics + an in-process tally the bench reads), and errors are normalised into KubeError
// carrying the HTTP reason phrase upstream puts into `detail`.

import { STATUS_CODES } from 'node:http';
import { ApiException, type KubeConfig, type KubernetesObject, type V1ConfigMap, type V1Lease, type V1Namespace, type V1Pod, type V1Service } from '@kubernetes/client-node';
import { KubeError } from './errors.js';
import { HttpMethod, JsonApi, type JsonResponse, MERGE_PATCH, resourcePath } from './jsonapi.js';
import type { Metrics } from './metrics.js';
import { TokenBucket } from './tokenbucket.js';
import { PooledAuthentication } from './transport.js';

export function toKubeError(err: unknown): KubeError {
  if (err instanceof KubeError) return err;
  if (err instanceof ApiException) {
    const code = Number(err.code);
    let message = STATUS_CODES[code] ?? String(code);
    try {
      const body: unknown = typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
      if (typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string') message = body.message;
    } catch {
      // body was not JSON; keep the reason phrase
    }
    return new KubeError(code, STATUS_CODES[code] ?? String(code), message);
  }
  const msg = err instanceof Error ? err.message : String(err);
  return new KubeError(0, 'Connection Error', msg);
}

export const WARNING_POD_EVENTS = 'involvedObject.kind=Pod,type=Warning';

export type Verb = 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete' | 'watch';

export interface CallTally {
  total: number;
  writes: number;
  byVerb: Record<string, number>;
}

/**
 * Page size for the informers' LISTs. One unpaged LIST of 10k Pods is a ~50 MB response held
 * as text, parsed JSON and deserialized objects at once; pages keep that spike to a few MB
 * (pages come from one consistent snapshot; the last page's resourceVersion is the list's).
 */
export const LIST_PAGE_SIZE = 500;

/** A LIST response as the API server sends it (JSON names: `continue`, not client-node's `_continue`). */
export interface Page<T> {
  items: T[];
  metadata?: { resourceVersion?: string; continue?: string };
}

/** Follows `continue` tokens; `map` runs on each page's items before the next page is fetched. */
export async function listAllPages<T, U>(fetchPage: (cont: string | undefined) => Promise<Page<T>>, map: (item: T) => U): Promise<{ items: U[]; metadata: { resourceVersion?: string } }> {
  const items: U[] = [];
  let cont: string | undefined;
  let resourceVersion: string | undefined;
  for (;;) {
    const page = await fetchPage(cont);
    for (const it of page.items) items.push(map(it));
    resourceVersion = page.metadata?.resourceVersion;
    cont = page.metadata?.continue || undefined;
    if (cont === undefined) break;
  }
  return { items, metadata: resourceVersion === undefined ? {} : { resourceVersion } };
}

/** What sandbox operations and the reaper need from the API (tests implement it with an in-memory fake). */
export type SandboxApi = Pick<KubeClient, 'createPod' | 'readPod' | 'deletePod' | 'patchPodAnnotations' | 'createService' | 'readService' | 'deleteService' | 'tally'>;

/** What the watch cache needs to list and watch. */
export type CacheSource = Pick<KubeClient, 'kc' | 'namespace' | 'watchStarted' | 'watchEnded' | 'listPods' | 'listServices' | 'listWarningPodEvents'>;

export class KubeClient {
  /** Every call is plain JSON (jsonapi.ts), none through client-node's generated clients. */
  private readonly json: JsonApi;
  /** Undefined when the client-side limit is off (QPS 0, the default). */
  private readonly bucket: TokenBucket | undefined;
  private readonly auth: PooledAuthentication;
  readonly tally: CallTally = { total: 0, writes: 0, byVerb: {} };

  constructor(
    readonly kc: KubeConfig,
    readonly namespace: string,
    private readonly metrics: Metrics,
    qps: number,
    burst: number,
  ) {
    // One keep-alive agent shared by all API clients (see transport.ts); watches keep their own.
    this.auth = new PooledAuthentication(kc);
    this.json = new JsonApi(kc, this.auth);
    this.bucket = qps > 0 ? new TokenBucket(qps, burst) : undefined;
  }

  /** Runs one API call through the limiter and the accounting; counts the status the server sent. */
  async call<T>(verb: Verb, resource: string, fn: () => Promise<JsonResponse<T>>): Promise<T> {
    if (this.bucket) this.metrics.kubeRateLimitWaitSeconds.observe((await this.bucket.take()) / 1000);
    this.tally.total++;
    this.tally.byVerb[verb] = (this.tally.byVerb[verb] ?? 0) + 1;
    if (verb === 'create' || verb === 'update' || verb === 'patch' || verb === 'delete') this.tally.writes++;
    const end = this.metrics.kubeRequestSeconds.startTimer({ verb, resource });
    try {
      const res = await fn();
      this.metrics.kubeRequests.inc({ verb, resource, code: String(res.httpStatusCode) });
      return res.data;
    } catch (err) {
      const ke = toKubeError(err);
      this.metrics.kubeRequests.inc({ verb, resource, code: String(ke.status) });
      throw ke;
    } finally {
      end();
    }
  }

  /** Closes pooled keep-alive connections (shutdown). */
  close(): void {
    this.auth.destroy();
  }

  /** Tallies a watch (re)connection as it starts; the stream itself is not rate-limited. */
  watchStarted(): void {
    this.tally.total++;
    this.tally.byVerb['watch'] = (this.tally.byVerb['watch'] ?? 0) + 1;
  }

  /** Counts a finished watch with the status it got (200 for a stream that ran, 0 without a response). */
  watchEnded(resource: string, code: number): void {
    this.metrics.kubeRequests.inc({ verb: 'watch', resource, code: String(code) });
  }

  private path(resource: 'pods' | 'services' | 'events' | 'configmaps', name?: string): string {
    return resourcePath(this.namespace, resource, name);
  }
  private leasePath(name?: string): string {
    return resourcePath(this.namespace, 'leases', name, 'coordination.k8s.io/v1');
  }
  /** DeleteOptions with a uid precondition when given, so we never remove a newer object of the same name. */
  private static deleteBody(uid: string | undefined): { body?: unknown } {
    return uid ? { body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid } } } : {};
  }

  createPod(body: V1Pod): Promise<V1Pod> {
    return this.call('create', 'pods', () => this.json.request<V1Pod>(HttpMethod.POST, this.path('pods'), { body }));
  }
  readPod(name: string): Promise<V1Pod> {
    return this.call('get', 'pods', () => this.json.request<V1Pod>(HttpMethod.GET, this.path('pods', name)));
  }
  deletePod(name: string, uid?: string): Promise<V1Pod> {
    return this.call('delete', 'pods', () => this.json.request<V1Pod>(HttpMethod.DELETE, this.path('pods', name), KubeClient.deleteBody(uid)));
  }
  patchPodAnnotations(name: string, annotations: Record<string, string | null>): Promise<V1Pod> {
    return this.call('patch', 'pods', () => this.json.request<V1Pod>(HttpMethod.PATCH, this.path('pods', name), { body: { metadata: { annotations } }, contentType: MERGE_PATCH }));
  }
  listPods(labelSelector: string, cont?: string): Promise<Page<V1Pod>> {
    return this.call('list', 'pods', () => this.json.request<Page<V1Pod>>(HttpMethod.GET, this.path('pods'), { query: { labelSelector, limit: LIST_PAGE_SIZE, continue: cont } }));
  }
  createService(body: V1Service): Promise<V1Service> {
    return this.call('create', 'services', () => this.json.request<V1Service>(HttpMethod.POST, this.path('services'), { body }));
  }
  readService(name: string): Promise<V1Service> {
    return this.call('get', 'services', () => this.json.request<V1Service>(HttpMethod.GET, this.path('services', name)));
  }
  deleteService(name: string, uid?: string): Promise<V1Service> {
    return this.call('delete', 'services', () => this.json.request<V1Service>(HttpMethod.DELETE, this.path('services', name), KubeClient.deleteBody(uid)));
  }
  listServices(labelSelector: string, cont?: string): Promise<Page<V1Service>> {
    return this.call('list', 'services', () => this.json.request<Page<V1Service>>(HttpMethod.GET, this.path('services'), { query: { labelSelector, limit: LIST_PAGE_SIZE, continue: cont } }));
  }
  listWarningPodEvents(cont?: string): Promise<Page<KubernetesObject>> {
    return this.call('list', 'events', () => this.json.request<Page<KubernetesObject>>(HttpMethod.GET, this.path('events'), { query: { fieldSelector: WARNING_POD_EVENTS, limit: LIST_PAGE_SIZE, continue: cont } }));
  }
  readConfigMap(name: string): Promise<V1ConfigMap> {
    return this.call('get', 'configmaps', () => this.json.request<V1ConfigMap>(HttpMethod.GET, this.path('configmaps', name)));
  }
  readNamespace(): Promise<V1Namespace> {
    return this.call('get', 'namespaces', () => this.json.request<V1Namespace>(HttpMethod.GET, `/api/v1/namespaces/${encodeURIComponent(this.namespace)}`));
  }
  createNamespace(labels: Record<string, string>): Promise<V1Namespace> {
    return this.call('create', 'namespaces', () => this.json.request<V1Namespace>(HttpMethod.POST, '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: this.namespace, labels } } }));
  }
  // Lease times are V1MicroTime, whose toISOString (and so JSON.stringify) writes the six
  // fractional digits the API server's MicroTime requires.
  readLease(name: string): Promise<V1Lease> {
    return this.call('get', 'leases', () => this.json.request<V1Lease>(HttpMethod.GET, this.leasePath(name)));
  }
  createLease(body: V1Lease): Promise<V1Lease> {
    return this.call('create', 'leases', () => this.json.request<V1Lease>(HttpMethod.POST, this.leasePath(), { body }));
  }
  replaceLease(name: string, body: V1Lease): Promise<V1Lease> {
    return this.call('update', 'leases', () => this.json.request<V1Lease>(HttpMethod.PUT, this.leasePath(name), { body }));
  }
  /** Cheap reachability probe for /readyz. */
  serverVersion(): Promise<unknown> {
    return this.call('get', 'version', () => this.json.request<unknown>(HttpMethod.GET, '/version'));
  }
}
