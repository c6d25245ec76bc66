// A LiteLLM proxy as a host process (tests, benchmark): the pinned install, one config file, a
// loopback port, `LITELLM_LOCAL_MODEL_COST_MAP=True` so start-up fetches no price list, and ready
// when `/health/readiness` answers. Stopped by its pid (SIGTERM, then SIGKILL).
import path from 'node:path';
import { logTail, processRunning, startDaemon, stopProcesses } from '../processes.js';
import { eventually } from '../wait.js';
import { litellmEnvironment } from './install.js';

export interface ProxyOptions {
  /** Names the pid and log files (`<workDir>/<name>.log`). */
  readonly name: string;
  /** The proxy's config.yaml. */
  readonly config: string;
  readonly port: number;
  readonly workDir: string;
  /** Secrets the config names as `os.environ/NAME` (master key, provider keys, Redis password). */
  readonly env: Readonly<Record<string, string>>;
  readonly startTimeoutMs?: number;
}

export interface RunningProxy {
  readonly url: string;
  readonly pid: number;
  readonly log: string;
  stop(): Promise<void>;
}

/** The proxy fetches nothing at start-up: the price list bundled with the release is used (host processes and the image). */
export const OFFLINE_ENV: Readonly<Record<string, string>> = { LITELLM_LOCAL_MODEL_COST_MAP: 'True' };

/** Environment every proxy the harness starts gets: nothing fetched at start-up, plain logs. */
export const PROXY_ENV: Readonly<Record<string, string>> = {
  ...OFFLINE_ENV,
  LITELLM_LOG: 'WARNING',
  NO_PROXY: '127.0.0.1,localhost',
};

export async function startProxy(o: ProxyOptions): Promise<RunningProxy> {
  const env = await litellmEnvironment();
  const pid = await startDaemon({
    name: o.name,
    command: env.litellm,
    args: ['--config', o.config, '--host', '127.0.0.1', '--port', String(o.port), '--num_workers', '1'],
    env: { ...PROXY_ENV, ...o.env },
    pidDir: o.workDir,
    logDir: o.workDir,
  });
  const url = `http://127.0.0.1:${o.port}`;
  const log = path.join(o.workDir, `${o.name}.log`);
  let exited = false;
  await eventually(`litellm ${o.name} on ${url}/health/readiness`, o.startTimeoutMs ?? 180_000, async () => {
    if (!processRunning(pid)) return (exited = true);
    const res = await fetch(`${url}/health/readiness`, { signal: AbortSignal.timeout(2_000) });
    return res.ok;
  }, 500).catch(async (error: unknown) => {
    await stopProcesses([pid], 5_000, `litellm ${o.name}`);
    throw new Error(`${(error as Error).message}\n${await logTail(log, 30)}`);
  });
  if (exited) throw new Error(`litellm ${o.name} exited during start-up:\n${await logTail(log, 30)}`);
  return { url, pid, log, stop: () => stopProcesses([pid], 10_000, `litellm ${o.name}`) };
}
