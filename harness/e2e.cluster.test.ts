// `make test` runs the same e2e job as `make e2e` (install from a chart repo and an OCI registry,
// the concurrency, isolation, failures, deerflow, llm-gateway, failover and upgrade suites, uninstall) on the
// shared local cluster, so CI proves it. The job runs once while this file is collected; every e2e
// check then becomes its own vitest test: a failed check fails its test with the check's error, a
// skipped check is reported as skipped (with its reason as the test name's suffix), never as
// passed. The reports land in .e2e/ as with make e2e.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { LocalBackend } from './cluster.js';
import { SUITES, runE2e } from './e2e/run.js';
import type { CheckResult } from './e2e/report.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cluster = new LocalBackend(inject('clusterName'));
const info = await cluster.current();
const report = await runE2e({
  cluster,
  realNode: info?.realNode ? cluster.realNode : undefined,
  kubeconfig: inject('kubeconfig'),
  outDir: path.join(repoRoot, '.e2e'),
  threads: 50,
});
await report.write(path.join(repoRoot, '.e2e'));

function checkTest(check: CheckResult): void {
  if (check.status === 'skipped') {
    it.skip(`${check.name} — skipped: ${check.skipped ?? 'no reason given'}`, () => {});
    return;
  }
  it(check.name, () => {
    expect(check.status, check.error ?? 'failed without an error message').toBe('passed');
  });
}

for (const suiteName of ['install', ...SUITES, 'uninstall']) {
  const suite = report.suites.find((candidate) => candidate.name === suiteName);
  describe(`e2e suite ${suiteName}`, () => {
    if (!suite || suite.checks.length === 0) {
      it('ran', () => {
        expect.fail(`suite ${suiteName} ${suite ? 'ran no check' : 'did not run'}`);
      });
      return;
    }
    for (const check of suite.checks) checkTest(check);
  });
}

it('measured acquire latencies for the latency histogram', () => {
  const labels = report.latencies.map((series) => series.label);
  expect(labels).toEqual(['acquire → response', 'acquire → Ready']);
  for (const series of report.latencies) expect(series.samplesMs).toHaveLength(50);
});
