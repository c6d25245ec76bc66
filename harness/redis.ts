// The repo's one way to run Debian's redis-server as a host process (the LLM gateway's host suite
// and benchmark, the agent's ownership-lease tests): 127.0.0.1 only, in memory (no RDB, no AOF),
// an optional password, ready once the port accepts connections; stopped by its pid.
import path from 'node:path';
import { portListening } from './ports.js';
import { logTail, processRunning, startDaemon, stopProcesses } from './processes.js';
import { ensureSystemPackages } from './system-packages.js';
import { eventually } from './wait.js';

export interface RunningRedis {
  /** `redis://127.0.0.1:<port>` (no password, no database). */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface RedisOptions {
  /** `--requirepass`. */
  password?: string;
  /** Who needs it, for the install message when the package is missing. */
  purpose?: string;
}

/** redis-server on 127.0.0.1:`port`, pid and log files in `dir` (`redis.pid`, `redis.log`). */
export async function startRedis(dir: string, port: number, o: RedisOptions = {}): Promise<RunningRedis> {
  await ensureSystemPackages(['redis-server'], o.purpose ?? 'a test Redis (harness/redis.ts)');
  const pid = await startDaemon({
    name: 'redis',
    command: '/usr/bin/redis-server',
    args: ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'yes', ...(o.password ? ['--requirepass', o.password] : [])],
    pidDir: dir,
    logDir: dir,
  });
  await eventually(`redis-server on 127.0.0.1:${port}`, 20_000, async () => {
    if (!processRunning(pid)) throw new Error(`redis-server exited: ${await logTail(path.join(dir, 'redis.log'))}`);
    return portListening(port);
  }, 50);
  return { url: `redis://127.0.0.1:${port}`, port, stop: () => stopProcesses([pid], 5_000, 'redis-server') };
}
