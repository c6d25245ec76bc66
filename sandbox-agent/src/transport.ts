// Connection reuse for API calls. client-node 1.4.0 builds a new https.Agent for every request
// (KubeConfig.applySecurityAuthentication → createAgent), so every create/get/patch pays a fresh
// TCP + TLS handshake and a new SecureContext (parsing CA, client cert and key) on our event
// loop. Profiled at 50 concurrent acquires that was the largest CPU item in the agent and the
// main source of event-loop lag. We keep client-node's per-request authentication (headers, token
// refresh, token-file rotation) and only swap its throwaway agent for one keep-alive agent per
// distinct TLS identity. client-node also reads the CA, client certificate and key files with
// readFileSync on every request (blocking the event loop three times per call); we hand it a copy
// of the kubeconfig with that material read in, re-read when a file's inode, size or mtime
// changes (checked at most once a second), so a rotated certificate is picked up within a second.

import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions as HttpsAgentOptions } from 'node:https';
import {
  type Cluster,
  KubeConfig,
  type RequestContext,
  type SecurityAuthentication,
  type User,
} from '@kubernetes/client-node';

/** Agents replaced because the TLS material changed are closed after this long (in-flight calls finish). */
const RETIRE_AFTER_MS = 60_000;

type TlsOptions = Pick<HttpsAgentOptions, 'ca' | 'cert' | 'key' | 'pfx' | 'passphrase' | 'rejectUnauthorized' | 'servername'>;

function feed(h: ReturnType<typeof createHash>, v: unknown): void {
  if (v === undefined || v === null) h.update('\0u');
  else if (Buffer.isBuffer(v) || typeof v === 'string') h.update(v);
  else if (Array.isArray(v)) for (const x of v) feed(h, x);
  else h.update(JSON.stringify(v));
  h.update('\0');
}

/** Identity of the TLS material a per-request agent would use. */
export function tlsIdentity(o: TlsOptions): string {
  const h = createHash('sha256');
  for (const v of [o.ca, o.cert, o.key, o.pfx, o.passphrase, String(o.rejectUnauthorized), o.servername]) feed(h, v);
  return h.digest('hex');
}

/** How often the TLS files are stat'ed for rotation. */
export const TLS_FILE_CHECK_MS = 1000;

function fileStamp(file: string): string {
  const st = statSync(file);
  return `${st.ino}:${st.size}:${st.mtimeMs}`;
}

/**
 * `kc` with the current cluster's CA file and the current user's certificate and key files read
 * into *Data fields (everything else, exec and auth providers included, as in `kc`); `kc` itself
 * when it names no such files. Rebuilt when `kc`'s current cluster or user changes or a file's
 * stamp does; the stamps are taken at most every TLS_FILE_CHECK_MS.
 */
export class InlinedTlsConfig {
  private view: { kc: KubeConfig; cluster: Cluster; user: User; stamp: string } | undefined;
  private checkedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly kc: KubeConfig,
    private readonly now: () => number = Date.now,
  ) {}

  get(): KubeConfig {
    const cluster = this.kc.getCurrentCluster();
    const user = this.kc.getCurrentUser();
    if (!cluster || !user || !(cluster.caFile || user.certFile || user.keyFile)) return this.kc;
    const same = this.view?.cluster === cluster && this.view.user === user;
    const now = this.now();
    if (this.view && same && now - this.checkedAt < TLS_FILE_CHECK_MS) return this.view.kc;
    this.checkedAt = now;
    const stamp = [cluster.caFile, user.certFile, user.keyFile].map((f) => (f ? fileStamp(f) : '-')).join('|');
    if (this.view && same && this.view.stamp === stamp) return this.view.kc;
    const b64 = (file: string) => readFileSync(file).toString('base64');
    const { caFile, ...clusterRest } = cluster;
    const { certFile, keyFile, ...userRest } = user;
    const inlinedCluster: Cluster = caFile ? { ...clusterRest, caData: b64(caFile) } : clusterRest;
    const inlinedUser: User = { ...userRest, ...(certFile ? { certData: b64(certFile) } : {}), ...(keyFile ? { keyData: b64(keyFile) } : {}) };
    const view = new KubeConfig();
    view.loadFromOptions({ clusters: [inlinedCluster], users: [inlinedUser], contexts: [{ name: 'current', cluster: cluster.name, user: user.name }], currentContext: 'current' });
    this.view = { kc: view, cluster, user, stamp };
    return view;
  }
}

export class PooledAuthentication implements SecurityAuthentication {
  private current: { id: string; agent: HttpAgent } | undefined;
  private readonly tls: InlinedTlsConfig;

  constructor(kc: KubeConfig, now?: () => number) {
    this.tls = new InlinedTlsConfig(kc, now);
  }

  getName(): string {
    return 'kubeconfig-keepalive';
  }

  async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await this.tls.get().applySecurityAuthentication(context);
    const shared = this.share(context.getAgent());
    if (shared) context.setAgent(shared);
  }

  /** The pooled equivalent of `fresh`, or undefined to keep `fresh` (proxy agents, unknown kinds). */
  private share(fresh: HttpAgent | undefined): HttpAgent | undefined {
    if (!fresh) return undefined;
    // Exact classes only: proxy agents subclass http.Agent and carry their own connection logic.
    const isHttps = fresh.constructor === HttpsAgent;
    if (!isHttps && fresh.constructor !== HttpAgent) return undefined;
    const opts = (fresh as HttpsAgent).options as TlsOptions;
    const id = `${isHttps ? 'https' : 'http'}:${isHttps ? tlsIdentity(opts) : ''}`;
    if (this.current?.id === id) return this.current.agent;
    const agent = isHttps
      ? new HttpsAgent({ ...pickTls(opts), keepAlive: true, scheduling: 'lifo' })
      : new HttpAgent({ keepAlive: true, scheduling: 'lifo' });
    const old = this.current?.agent;
    if (old) setTimeout(() => old.destroy(), RETIRE_AFTER_MS).unref();
    this.current = { id, agent };
    return agent;
  }

  destroy(): void {
    this.current?.agent.destroy();
    this.current = undefined;
  }
}

function pickTls(o: TlsOptions): TlsOptions {
  const out: TlsOptions = {};
  if (o.ca !== undefined) out.ca = o.ca;
  if (o.cert !== undefined) out.cert = o.cert;
  if (o.key !== undefined) out.key = o.key;
  if (o.pfx !== undefined) out.pfx = o.pfx;
  if (o.passphrase !== undefined) out.passphrase = o.passphrase;
  if (o.rejectUnauthorized !== undefined) out.rejectUnauthorized = o.rejectUnauthorized;
  if (o.servername !== undefined) out.servername = o.servername;
  return out;
}
