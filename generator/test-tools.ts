/**
 * Tool lookup and process helpers for the generator's tests. Helm comes from `ANTLER_HELM` /
 * `ANTLER_HELM3`, then the prebuild cache, then the harness tool manager; helm-unittest from
 * `ANTLER_HELM_UNITTEST` (the `untt` binary), the prebuild cache, or the tool manager.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { helmPluginsDir, resolveTool } from '../harness/tools.js';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CHART_DIR = join(REPO_ROOT, 'chart');
export const VALUES_DIR = join(REPO_ROOT, 'values');
const PREBUILD = join(homedir(), '.cache', 'antler', 'prebuild');

export type HelmMajor = 3 | 4;

export async function helmBinary(major: HelmMajor): Promise<string> {
  const override = major === 4 ? process.env.ANTLER_HELM : process.env.ANTLER_HELM3;
  if (override) return override;
  const prebuilt = join(PREBUILD, major === 4 ? 'helm4' : 'helm3', 'helm');
  if (existsSync(prebuilt)) return prebuilt;
  return resolveTool(major === 4 ? 'helm' : 'helm3');
}

/** A HELM_PLUGINS directory with the helm-unittest plugin. */
export async function unittestPlugins(): Promise<string> {
  const explicit = process.env.ANTLER_HELM_UNITTEST ?? join(PREBUILD, 'bin', 'untt');
  if (!existsSync(explicit)) return helmPluginsDir();
  const dir = join(REPO_ROOT, 'node_modules', '.cache', 'antler-helm-plugins');
  await mkdir(join(dir, 'unittest'), { recursive: true });
  await writeFile(
    join(dir, 'unittest', 'plugin.yaml'),
    ['name: "unittest"', 'version: "1.1.2"', 'usage: "unittest for helm charts"', 'description: "helm-unittest"', 'ignoreFlags: false', `command: "${explicit}"`, ''].join('\n'),
  );
  return dir;
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(cmd, [...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Maps over items with at most `limit` in flight (the machine has 2 cores). */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, () => worker()));
  return results;
}
