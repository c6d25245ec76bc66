// The repo's one way to run the sandbox agent as a host process on 127.0.0.1 (the agent's own
// tests and benchmarks, and the e2e's host-process replicas on kwok-only clusters): a free port,
// the TypeScript under tsx or the compiled output as the image runs it, output kept in memory and
// optionally appended to a file, ready once `/readyz` answers 200 (thrown at the deadline with the
// output's tail, the process killed).
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENT_IMAGE_ENTRY, AGENT_NODE_ARGS } from '../sandbox-agent/node-flags.js';
import { freePort } from './ports.js';
import { waitFor } from './wait.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The bundle the image runs (`npm run build -w sandbox-agent`, sandbox-agent/build.ts). */
export const AGENT_DIST_ENTRY = path.join('sandbox-agent', AGENT_IMAGE_ENTRY);
/** Output kept in memory for `logs()`: the tail, so a long benchmark does not grow without bound. */
const KEEP_OUTPUT = 4 * 1024 * 1024;

export interface AgentProcessOptions {
  /** The agent's environment (SANDBOX_AGENT_HOST and _PORT are set here). PATH and HOME are added when missing. */
  env: Readonly<Record<string, string>>;
  /**
   * `src` runs the TypeScript under tsx (tests); `dist` runs the bundle, as the image does
   * (benchmarks: tsx's loader and unbundled modules add tens of MB of RSS that production never pays).
   */
  entry?: 'src' | 'dist';
  /** Extra Node flags, e.g. `--cpu-prof` (with `dist`, after the image's own, AGENT_NODE_ARGS). */
  nodeArgs?: readonly string[];
  /** Also append the output to this file. */
  logFile?: string;
  /** Wait for `/readyz` (default true) for up to `readyTimeoutMs` (default 60 s). */
  waitReady?: boolean;
  readyTimeoutMs?: number;
  /** Names the process in errors. */
  name?: string;
}

export interface AgentProcess {
  url: string;
  proc: ChildProcess;
  /** What the process wrote to stdout and stderr (the last 4 MiB). */
  logs(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  running(): boolean;
  /** Sends `signal` (default SIGTERM) and waits up to 30 s for the exit; resolves with the code, or null. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startAgentProcess(o: AgentProcessOptions): Promise<AgentProcess> {
  const port = await freePort('127.0.0.1');
  const name = o.name ?? `agent on port ${port}`;
  const entryArgs = o.entry === 'dist' ? [...AGENT_NODE_ARGS, AGENT_DIST_ENTRY] : ['--import', 'tsx', 'sandbox-agent/src/main.ts'];
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...o.env, SANDBOX_AGENT_HOST: '127.0.0.1', SANDBOX_AGENT_PORT: String(port) };
  const proc = spawn(process.execPath, [...(o.nodeArgs ?? []), ...entryArgs], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (chunk: Buffer) => {
    out += chunk.toString();
    if (out.length > KEEP_OUTPUT) out = out.slice(out.length - KEEP_OUTPUT);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  if (o.logFile) {
    await mkdir(path.dirname(o.logFile), { recursive: true });
    const file = createWriteStream(o.logFile, { flags: 'a' });
    proc.stdout?.pipe(file);
    proc.stderr?.pipe(file);
  }
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const running = () => proc.exitCode === null && proc.signalCode === null;
  const agent: AgentProcess = {
    url: `http://127.0.0.1:${port}`,
    proc,
    logs: () => out,
    exited,
    running,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (running()) proc.kill(signal);
      return Promise.race([exited, new Promise<null>((resolve) => setTimeout(() => resolve(null), 30_000))]);
    },
  };
  if (o.waitReady === false) return agent;
  const timeoutMs = o.readyTimeoutMs ?? 60_000;
  // A process that exits ends the wait at once (the probe's answer), not at the deadline.
  const outcome = await waitFor(`${name} to answer ${agent.url}/readyz with 200`, timeoutMs, async () => {
    if (!running()) return 'exited' as const;
    return fetch(`${agent.url}/readyz`, { signal: AbortSignal.timeout(2_000) }).then((res) => res.status === 200 && ('ready' as const), () => false as const);
  }, 100).catch(async (error: Error) => {
    await agent.stop('SIGKILL');
    throw new Error(`${error.message}${o.logFile ? `; log: ${o.logFile}` : ''}\n${out.slice(-3000)}`);
  });
  if (outcome === 'exited') throw new Error(`${name} exited with ${proc.exitCode ?? proc.signalCode} before it was ready${o.logFile ? `; log: ${o.logFile}` : ''}\n${out.slice(-3000)}`);
  return agent;
}
