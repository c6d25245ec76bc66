// Long-running host processes the harness owns (control-plane restarts, the real node's daemons):
// started detached with a pid file and a log file, found again by pid file from another process
// (`make cluster-down`), and stopped with SIGTERM, then SIGKILL.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sleep } from './wait.js';

/**
 * Running, not a zombie. A SIGKILLed multi-threaded (Go) process shows its leader as a zombie
 * while its other threads are still tearing down and holding its sockets, and where init does
 * not reap, dead children linger as <defunct>: so every thread must be gone or a zombie.
 */
export function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform !== 'linux') return true;
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return false;
  }
  return tasks.some((tid) => {
    try {
      return !/^State:\s+[ZX]/m.test(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'));
    } catch {
      return false;
    }
  });
}

/** Waits until none of `pids` runs; false if some still do at the deadline. */
export async function waitForExit(pids: readonly number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(processRunning)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/** SIGTERM, up to `graceMs` to exit, then SIGKILL; throws if a process survives even that. */
export async function stopProcesses(pids: readonly number[], graceMs: number, what: string): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    for (const pid of pids.filter(processRunning)) {
      try {
        process.kill(pid, sig);
      } catch {
        // exited in between
      }
    }
  };
  signal('SIGTERM');
  if (await waitForExit(pids, graceMs)) return;
  signal('SIGKILL');
  if (!(await waitForExit(pids, 10_000))) {
    throw new Error(`${what}: pid(s) ${pids.filter(processRunning).join(', ')} still run 10s after SIGKILL`);
  }
}

export interface DaemonSpec {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Directory of `<name>.pid` files. */
  pidDir: string;
  /** Directory of `<name>.log` files (appended to). */
  logDir: string;
}

/** Starts a detached daemon whose pid file holds its real pid (no shell in between). */
export async function startDaemon(spec: DaemonSpec): Promise<number> {
  await mkdir(spec.pidDir, { recursive: true });
  await mkdir(spec.logDir, { recursive: true });
  const logFd = openSync(path.join(spec.logDir, `${spec.name}.log`), 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      detached: true,
      stdio: ['ignore', logFd, logFd],
    });
    const pid = child.pid;
    if (!pid) throw new Error(`could not start ${spec.name} (${spec.command})`);
    child.unref();
    await writeFile(path.join(spec.pidDir, `${spec.name}.pid`), String(pid));
    return pid;
  } finally {
    closeSync(logFd);
  }
}

/** The pid recorded for `name`, if its pid file exists. */
export async function daemonPid(pidDir: string, name: string): Promise<number | undefined> {
  const text = await readFile(path.join(pidDir, `${name}.pid`), 'utf8').catch(() => '');
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Stops the daemon recorded under `name` and removes its pid file. */
export async function stopDaemon(pidDir: string, name: string, graceMs: number): Promise<void> {
  const pid = await daemonPid(pidDir, name);
  if (pid !== undefined) await stopProcesses([pid], graceMs, name);
  await rm(path.join(pidDir, `${name}.pid`), { force: true });
}

/** The tail of a log file, for error messages. */
export async function logTail(file: string, lines = 15): Promise<string> {
  return (await readFile(file, 'utf8').catch(() => '')).trimEnd().split('\n').slice(-lines).join('\n');
}
