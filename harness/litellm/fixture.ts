// What the gateway suite and the benchmark stand up on loopback: the chart's own rendering of the
// proxy config (`helm template --show-only templates/llm-gateway/configmap.yaml` with given
// values) and Debian's redis-server as a host process (no persistence). The proxies themselves
// come from proxy.ts, the providers from fakes/llm-provider.ts.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { run } from '../exec.js';
import { portListening } from '../ports.js';
import { logTail, processRunning, startDaemon, stopProcesses } from '../processes.js';
import { ensureSystemPackages } from '../system-packages.js';
import { resolveTool } from '../tools.js';
import { eventually } from '../wait.js';

const CHART = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'chart');

/** Renders the chart's LLM gateway config.yaml for `values` into `<dir>/<name>.yaml`; returns the path. */
export async function renderGatewayConfig(values: Readonly<Record<string, unknown>>, dir: string, name: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const valuesFile = path.join(dir, `${name}.values.json`);
  await writeFile(valuesFile, JSON.stringify(values, null, 2));
  const helm = await resolveTool('helm');
  const { stdout } = await run(helm, ['template', 'llm', CHART, '-f', valuesFile, '--show-only', 'templates/llm-gateway/configmap.yaml']);
  const doc = parseAllDocuments(stdout).map((d) => d.toJS() as { kind?: string; data?: Record<string, string> } | null).find((d) => d?.kind === 'ConfigMap');
  const config = doc?.data?.['config.yaml'];
  if (config === undefined) throw new Error(`helm rendered no llm-gateway ConfigMap for ${valuesFile}`);
  const file = path.join(dir, `${name}.yaml`);
  await writeFile(file, config);
  return file;
}

export interface RunningRedis {
  readonly url: string;
  stop(): Promise<void>;
}

/** redis-server on 127.0.0.1:`port`, in memory only. */
export async function startRedis(dir: string, port: number): Promise<RunningRedis> {
  await ensureSystemPackages(['redis-server'], 'the LLM gateway tests (shared cooldowns, rate limits, cache)');
  const pid = await startDaemon({
    name: 'redis',
    command: '/usr/bin/redis-server',
    args: ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'yes'],
    pidDir: dir,
    logDir: dir,
  });
  await eventually(`redis-server on 127.0.0.1:${port}`, 20_000, async () => {
    if (!processRunning(pid)) throw new Error(`redis-server exited: ${await logTail(path.join(dir, 'redis.log'))}`);
    return portListening(port);
  }, 100);
  return { url: `redis://127.0.0.1:${port}`, stop: () => stopProcesses([pid], 5_000, 'redis-server') };
}
