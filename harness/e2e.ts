// `make e2e`: stand up a cluster (kind if a container engine answers, else local), install the
// chart the way users do, run the concurrency, failover and upgrade suites, write the reports,
// and tear the cluster down (KEEP=1 keeps it). Exit code non-zero on any failure.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalBackend, selectBackend } from './cluster.js';
import { intKnob } from './knobs.js';
import { SUITES, type SuiteName, runE2e } from './e2e/run.js';
import { formatDuration, log, step } from './progress.js';
import { TOOL_SETS } from './tool-manifest.js';
import { ensureTools } from './tools.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function suitesFromEnv(): SuiteName[] {
  const raw = process.env.E2E_SUITES;
  if (!raw) return [...SUITES];
  const names = raw.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = names.filter((name) => !(SUITES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`E2E_SUITES: unknown suite(s) ${unknown.join(', ')}; choose from ${SUITES.join(', ')}`);
  return names as SuiteName[];
}

async function main(): Promise<number> {
  const started = performance.now();
  const threads = intKnob('E2E_THREADS', 50, 1, 200, 'concurrent DeerFlow threads');
  const suites = suitesFromEnv();
  const backend = await selectBackend();
  await step('e2e', `resolving tools for the ${backend.name} backend`, () => ensureTools(backend.name === 'kind' ? [...TOOL_SETS.kind, 'registry'] : TOOL_SETS.e2e));
  const info = await step('e2e', `bringing up the ${backend.name} cluster`, () => backend.up());
  const outDir = path.join(repoRoot, '.e2e');
  let exitCode = 1;
  try {
    const realNode = backend instanceof LocalBackend && info.realNode ? backend.realNode : undefined;
    const report = await runE2e({ cluster: backend, kubeconfig: info.kubeconfig, outDir, threads, suites, realNode });
    report.meta.wallTimeIncludingClusterMs = Math.round(performance.now() - started);
    const files = await report.write(outDir);
    const { passed, failed, skipped } = report.counts;
    for (const file of files) log('e2e', `report: ${path.relative(repoRoot, file)}`);
    log('e2e', `wall time ${formatDuration(performance.now() - started)}`);
    if (skipped) process.stdout.write(`${skipped} skipped (reasons in the report)\n`);
    process.stdout.write(`${passed} passed, ${failed} failed\n`);
    exitCode = failed === 0 ? 0 : 1;
  } finally {
    if (process.env.KEEP === '1' || !info.created) {
      log('e2e', `cluster kept${info.created ? ' (KEEP=1)' : ' (it was running before make e2e)'}: kubectl --kubeconfig ${info.kubeconfig} get pods -A; make cluster-down when done`);
    } else {
      await backend.down();
    }
  }
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.stdout.write('0 passed, 1 failed\n');
    process.exit(1);
  },
);
