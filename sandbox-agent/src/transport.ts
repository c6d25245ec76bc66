// Connection reuse for API calls. client-node 1.4.0 builds a new https.Agent for every request
// (KubeConfig.applySecurityAuthentication → createAgent), so every create/get/patch pays a fresh
// TCP + TLS handshake and a new SecureContext (parsing CA, client cert and key) on our event
// loop. Profiled at 50 concurrent acquires that was the largest CPU item in the agent and the
// main source of event-loop lag. We keep client-node's per-request authentication (headers, token
// refresh, token-file rotation) and only swap its throwaway agent for one keep-alive agent per
// distinct TLS identity.

import { createHash } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions as HttpsAgentOptions } from 'node:https';
import {
  type KubeConfig,
  type RequestContext,
  type SecurityAuthentication,
  ServerConfiguration,
  createConfiguration,
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

/** Identity of the TLS material a per-request agent would use (files are re-read per request). */
export function tlsIdentity(o: TlsOptions): string {
  const h = createHash('sha256');
  for (const v of [o.ca, o.cert, o.key, o.pfx, o.passphrase, String(o.rejectUnauthorized), o.servername]) feed(h, v);
  return h.digest('hex');
}

export class PooledAuthentication implements SecurityAuthentication {
  private current: { id: string; agent: HttpAgent } | undefined;

  constructor(private readonly kc: KubeConfig) {}

  getName(): string {
    return 'kubeconfig-keepalive';
  }

  async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await this.kc.applySecurityAuthentication(context);
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

/** Same as `kc.makeApiClient(Api)`, but every call goes through `auth` (shared keep-alive agent). */
export function makePooledApiClient<T>(kc: KubeConfig, auth: PooledAuthentication, Api: new (config: ReturnType<typeof createConfiguration>) => T): T {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('No active cluster');
  return new Api(createConfiguration({ baseServer: new ServerConfiguration(cluster.server, {}), authMethods: { default: auth } }));
}
