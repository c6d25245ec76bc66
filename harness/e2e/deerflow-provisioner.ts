// DeerFlow's own provisioner client in the e2e: `harness/deerflow/provisioner_client.py` runs
// DeerFlow's RemoteSandboxBackend (pinned source, its locked environment) with the release's own
// config.yaml, and this class talks to it. Behaviour checks (discover, create races, caps as
// DeerFlow sees them, list, destroy) go through it; the simulator (gateway-sim.ts) stays for the
// 50-way load, for our `release` extension, and where a check needs the raw HTTP answer.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { deerflowEnvironment } from '../deerflow/python.js';

const DRIVER = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'deerflow', 'provisioner_client.py');
const START_TIMEOUT_MS = 180_000;

export interface SandboxInfo {
  sandbox_id: string;
  sandbox_url: string;
}

/** What DeerFlow's client returned, or the exception it raised (type and message). */
export type Outcome<T> = { ok: true; result: T } | { ok: false; error: string };

interface Reply {
  id?: number;
  ok?: boolean;
  result?: unknown;
  error?: string;
  ready?: boolean;
}

/** `$NAME` references in a DeerFlow config (resolved from the environment when it loads). */
export function configEnvReferences(configYaml: string): string[] {
  return [...new Set([...configYaml.matchAll(/\$([A-Z_][A-Z0-9_]*)/g)].map((match) => match[1] as string))];
}

export class DeerflowProvisionerClient {
  private nextId = 1;
  private readonly pending = new Map<number, (reply: Reply) => void>();

  private readonly ready: Promise<void>;

  private constructor(private readonly child: ChildProcessWithoutNullStreams, log: string) {
    let markReady: () => void = () => {};
    let fail: (error: Error) => void = () => {};
    this.ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      fail = reject;
    });
    const timer = setTimeout(() => fail(new Error(`DeerFlow's provisioner client did not start within ${START_TIMEOUT_MS / 1000}s (log: ${log})`)), START_TIMEOUT_MS);
    createInterface({ input: child.stdout }).on('line', (line) => {
      const reply = JSON.parse(line) as Reply;
      if (reply.ready) {
        clearTimeout(timer);
        markReady();
        return;
      }
      if (reply.id === undefined) return;
      this.pending.get(reply.id)?.(reply);
      this.pending.delete(reply.id);
    });
    // A write after the client died fails with EPIPE; its pending calls are answered by 'exit'.
    child.stdin.on('error', () => undefined);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      fail(new Error(`DeerFlow's provisioner client exited (${code ?? signal}) (log: ${log})`));
      for (const resolve of this.pending.values()) resolve({ ok: false, error: `DeerFlow's client exited (${code ?? signal})` });
      this.pending.clear();
    });
  }

  /**
   * Starts DeerFlow's client with the release's config.yaml. Only `PROVISIONER_API_KEY` matters to
   * the provisioner client; the config's other `$VAR` references (database URL, model keys) are set
   * to a placeholder so the config loads, and nothing here uses them.
   */
  static async start(options: { configYaml: string; apiKey: string; workDir: string }): Promise<DeerflowProvisionerClient> {
    const env = await deerflowEnvironment();
    const dir = path.join(options.workDir, 'deerflow-client');
    await mkdir(path.join(dir, 'home'), { recursive: true });
    const configPath = path.join(dir, 'config.yaml');
    await writeFile(configPath, options.configYaml);
    const childEnv: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      DEER_FLOW_CONFIG_PATH: configPath,
      DEER_FLOW_HOME: path.join(dir, 'home'),
      PYTHONUNBUFFERED: '1',
    };
    for (const name of configEnvReferences(options.configYaml)) childEnv[name] = 'unused-by-the-provisioner-client';
    childEnv.PROVISIONER_API_KEY = options.apiKey;
    const child = spawn(env.python, [DRIVER, options.apiKey], { env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    const log = path.join(dir, 'client.log');
    child.stderr.pipe(createWriteStream(log));
    const client = new DeerflowProvisionerClient(child, log);
    await client.ready;
    return client;
  }

  private call<T>(url: string, op: string, args: Record<string, unknown> = {}, timeoutMs = 60_000): Promise<Outcome<T>> {
    const id = this.nextId;
    this.nextId += 1;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ ok: false, error: `no answer from DeerFlow's client to ${op} within ${timeoutMs / 1000}s` });
      }, timeoutMs);
      this.pending.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply.ok ? { ok: true, result: reply.result as T } : { ok: false, error: reply.error ?? 'no error message' });
      });
      this.child.stdin.write(`${JSON.stringify({ id, url, op, ...args })}\n`);
    });
  }

  create(url: string, sandboxId: string, threadId: string, userId: string): Promise<Outcome<SandboxInfo>> {
    return this.call(url, 'create', { sandbox_id: sandboxId, thread_id: threadId, user_id: userId });
  }

  discover(url: string, sandboxId: string): Promise<Outcome<SandboxInfo | null>> {
    return this.call(url, 'discover', { sandbox_id: sandboxId });
  }

  isAlive(url: string, sandboxId: string): Promise<Outcome<boolean>> {
    return this.call(url, 'is_alive', { sandbox_id: sandboxId });
  }

  destroy(url: string, sandboxId: string): Promise<Outcome<null>> {
    return this.call(url, 'destroy', { sandbox_id: sandboxId });
  }

  list(url: string): Promise<Outcome<SandboxInfo[]>> {
    return this.call(url, 'list');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end();
    setTimeout(() => this.child.kill('SIGKILL'), 5000).unref();
    await exited;
  }
}
