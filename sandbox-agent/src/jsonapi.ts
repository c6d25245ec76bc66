// Kubernetes API calls as plain JSON over the pooled transport. client-node's generated clients run
// every request body through ObjectSerializer.serialize and every response through
// ObjectSerializer.deserialize, a walk over the model's attribute table for each nested object
// (a Pod is hundreds of them); profiled at 50 concurrent acquires that was 7 % of the agent's CPU,
// more than our own code, and the generated clients pull every API group's classes and every
// model into the process (the bundle was 7 MB with them, 2 MB without). The agent reads a
// handful of fields (slim.ts), whose JSON and
// deserialized forms are the same apart from timestamps, which it already accepts as strings
// (the watch stream delivers them as strings too). Authentication, the keep-alive agent and the
// HTTP library are client-node's own (transport.ts), so TLS, token refresh and proxies behave as
// for the generated clients, and errors are client-node's ApiException, with the server's body.

import { ApiException, HttpMethod, IsomorphicFetchHttpLibrary, type KubeConfig, RequestContext } from '@kubernetes/client-node';
import type { PooledAuthentication } from './transport.js';

export { HttpMethod };

export interface JsonResponse<T> {
  httpStatusCode: number;
  data: T;
}

export interface JsonRequest {
  query?: Readonly<Record<string, string | number | undefined>>;
  body?: unknown;
  /** Content-Type of `body`: application/json unless given (e.g. a merge patch). */
  contentType?: string;
}

export const MERGE_PATCH = 'application/merge-patch+json';

export class JsonApi {
  private readonly server: string;
  private readonly http = new IsomorphicFetchHttpLibrary();

  constructor(kc: KubeConfig, private readonly auth: PooledAuthentication) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('No active cluster');
    this.server = cluster.server.replace(/\/+$/, '');
  }

  /** One call to `path` (e.g. /api/v1/namespaces/x/pods); 2xx → the parsed body, else an ApiException. */
  async request<T>(method: HttpMethod, path: string, o: JsonRequest = {}): Promise<JsonResponse<T>> {
    const ctx = new RequestContext(this.server + path, method);
    ctx.setHeaderParam('Accept', 'application/json');
    for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined && v !== '') ctx.setQueryParam(k, String(v));
    if (o.body !== undefined) {
      ctx.setHeaderParam('Content-Type', o.contentType ?? 'application/json');
      ctx.setBody(JSON.stringify(o.body));
    }
    await this.auth.applySecurityAuthentication(ctx);
    const res = await this.http.send(ctx).toPromise();
    const text = await res.body.text();
    if (res.httpStatusCode >= 200 && res.httpStatusCode <= 299) return { httpStatusCode: res.httpStatusCode, data: JSON.parse(text) as T };
    throw new ApiException(res.httpStatusCode, `${method} ${path}: HTTP ${res.httpStatusCode}`, text, res.headers);
  }
}

/** `/api/v1/namespaces/<ns>/<resource>[/<name>]`, or `/apis/<group>/…` when `group` is given. */
export function resourcePath(namespace: string, resource: string, name?: string, group = ''): string {
  const base = group ? `/apis/${group}` : '/api/v1';
  return `${base}/namespaces/${encodeURIComponent(namespace)}/${resource}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
}
