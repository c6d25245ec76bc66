/**
 * Tool lookup and process helpers for the generator's tests. Helm 4, Helm 3 and the helm-unittest
 * plugin come from the harness tool manager (which honours ANTLER_HELM, ANTLER_HELM3 and
 * ANTLER_HELM_UNITTEST overrides), so the tests use exactly what `make test` installed.
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { helmPluginsDir, resolveTool } from '../harness/tools.js';

export { mapLimit } from '../harness/parallel.js';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CHART_DIR = join(REPO_ROOT, 'chart');
export const VALUES_DIR = join(REPO_ROOT, 'values');

export type HelmMajor = 3 | 4;

export function helmBinary(major: HelmMajor): Promise<string> {
  return resolveTool(major === 4 ? 'helm' : 'helm3');
}

/** A HELM_PLUGINS directory with the pinned helm-unittest plugin. */
export function unittestPlugins(): Promise<string> {
  return helmPluginsDir();
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

