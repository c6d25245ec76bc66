// Test helpers: real agent processes on 127.0.0.1 and an admin Kubernetes client.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoordinationV1Api, CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
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

export interface Agent {
  url: string;
  proc: ChildProcess;
  logs: () => string;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  waitHealthy?: boolean;
  /**
   * `src` runs the TypeScript under tsx (tests); `dist` runs the compiled output, as the image
   * does (the bench: tsx's loader adds tens of MB of RSS and CPU that production never pays).
   */
  entry?: 'src' | 'dist';
  /** Extra Node flags, e.g. `--cpu-prof` for profiling. */
  nodeArgs?: string[];
}

export const DIST_ENTRY = 'sandbox-agent/dist/main.js';

export async function startAgent(env: Record<string, string>, opts: StartOptions = {}): Promise<Agent> {
  const port = await freePort();
  let out = '';
  const entryArgs = opts.entry === 'dist' ? [DIST_ENTRY] : ['--import', 'tsx', 'sandbox-agent/src/main.ts'];
  const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), ...entryArgs], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      SANDBOX_AGENT_HOST: '127.0.0.1',
      SANDBOX_AGENT_PORT: String(port),
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const agent: Agent = {
    url,
    proc,
    logs: () => out,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 30_000))]);
    },
  };
  if (opts.waitHealthy !== false) {
    const deadline = Date.now() + 40_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`agent exited with ${proc.exitCode}:\n${out}`);
      try {
        const r = await fetch(`${url}/readyz`);
        if (r.status === 200) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`agent not ready within 40s:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return agent;
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
