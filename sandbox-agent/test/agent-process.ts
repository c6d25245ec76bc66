// Test helpers: real agent processes on 127.0.0.1 and an admin Kubernetes client.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoordinationV1Api, CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { AGENT_DIST_ENTRY, type AgentProcess, startAgentProcess } from '../../harness/agent-process.js';
import { freePort as harnessFreePort } from '../../harness/ports.js';
import { waitFor } from '../../harness/wait.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function admin(kubeconfig: string) {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  return { kc, core: kc.makeApiClient(CoreV1Api), rbac: kc.makeApiClient(RbacAuthorizationV1Api), coord: kc.makeApiClient(CoordinationV1Api) };
}

export type Admin = ReturnType<typeof admin>;

export async function createNamespace(a: Admin, prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await a.core.createNamespace({ body: { metadata: { name } } });
  return name;
}

export async function deleteNamespace(a: Admin, name: string): Promise<void> {
  await a.core.deleteNamespace({ name }).catch(() => undefined);
}

/** A free loopback port (the repo's one free-port helper). */
export function freePort(): Promise<number> {
  return harnessFreePort('127.0.0.1');
}

/** A real agent process (harness/agent-process.ts, the repo's one spawner). */
export type Agent = AgentProcess;

export interface StartOptions {
  waitHealthy?: boolean;
  /** `src` (tsx, tests) or `dist` (the compiled output the image runs, benchmarks). */
  entry?: 'src' | 'dist';
  /** Extra Node flags, e.g. `--cpu-prof` for profiling. */
  nodeArgs?: string[];
}

export const DIST_ENTRY = AGENT_DIST_ENTRY;

/** An agent on 127.0.0.1 with `env` (LOG_LEVEL info unless given), ready within 40 s unless `waitHealthy: false`. */
export function startAgent(env: Record<string, string>, opts: StartOptions = {}): Promise<Agent> {
  return startAgentProcess({ env: { LOG_LEVEL: 'info', ...env }, entry: opts.entry, nodeArgs: opts.nodeArgs, waitReady: opts.waitHealthy !== false, readyTimeoutMs: 40_000 });
}

export interface Res {
  status: number;
  text: string;
  json: unknown;
  contentType: string | null;
}

export async function call(agent: Agent, method: string, p: string, body?: unknown, headers: Record<string, string> = { 'X-API-Key': 'k' }): Promise<Res> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const r = await fetch(agent.url + p, init);
  const text = await r.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, text, json, contentType: r.headers.get('content-type') };
}

/**
 * Bounded wait on a condition checked against the API (tests only; the agent itself never polls):
 * the repo's one wait (harness/wait.ts), which throws at its deadline.
 */
export function eventually<T>(fn: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  return waitFor(what, timeoutMs, fn, 200);
}

export async function podNames(a: Admin, ns: string): Promise<string[]> {
  const l = await a.core.listNamespacedPod({ namespace: ns });
  return l.items.filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.metadata?.name ?? '').sort();
}

export async function serviceNames(a: Admin, ns: string): Promise<string[]> {
  const l = await a.core.listNamespacedService({ namespace: ns });
  return l.items.map((p) => p.metadata?.name ?? '').sort();
}
