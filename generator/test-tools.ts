/**
 * Tool lookup and process helpers for the generator's tests. Helm 4, Helm 3 and the helm-unittest
 * plugin come from the harness tool manager (which honours ANTLER_HELM, ANTLER_HELM3 and
 * ANTLER_HELM_UNITTEST overrides), so the tests use exactly what `make test` installed.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Outcome, outcome as harnessOutcome } from '../harness/exec.js';
import { helmPluginsDir, resolveTool } from '../harness/tools.js';

export type { Outcome } from '../harness/exec.js';

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

/**
 * Runs a command from the repo root and reports its exit code (the harness's one runner, without
 * throwing: these tests assert on failures as much as on successes).
 */
export function outcome(cmd: string, args: readonly string[], env: Record<string, string | undefined> = {}): Promise<Outcome> {
  return harnessOutcome(cmd, args, { cwd: REPO_ROOT, env });
}
