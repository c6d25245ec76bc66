// `make test` runs the same e2e job as `make e2e` (install from a chart repo and an OCI registry,
// concurrency, failover and upgrade suites, uninstall) on the shared local cluster, so CI proves
// it. Each e2e check becomes a test; the reports land in .e2e/ as with make e2e.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { LocalBackend } from './cluster.js';
import { SUITES, runE2e } from './e2e/run.js';
import type { Report } from './e2e/report.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let report: Report;

beforeAll(async () => {
  const cluster = new LocalBackend(inject('clusterName'));
  const info = await cluster.current();
  report = await runE2e({
    cluster,
    realNode: info?.realNode ? cluster.realNode : undefined,
    kubeconfig: inject('kubeconfig'),
    outDir: path.join(repoRoot, '.e2e'),
    threads: 50,
  });
  await report.write(path.join(repoRoot, '.e2e'));
}, 900_000);

describe.each(['install', ...SUITES, 'uninstall'])('e2e suite %s', (suiteName) => {
  it('ran and every check passed (or was skipped with a reason)', () => {
    const suite = report.suites.find((candidate) => candidate.name === suiteName);
    expect(suite, `suite ${suiteName} did not run`).toBeDefined();
    expect(suite!.checks.length).toBeGreaterThan(0);
    const failures = suite!.checks.filter((check) => !check.passed).map((check) => `${check.name}: ${check.error}`);
    expect(failures).toEqual([]);
    for (const check of suite!.checks.filter((c) => c.skipped)) expect(check.skipped).toMatch(/\S{10,}/);
  });
});

it('measured acquire latencies for the latency histogram', () => {
  const labels = report.latencies.map((series) => series.label);
  expect(labels).toEqual(['acquire → response', 'acquire → Ready']);
  for (const series of report.latencies) expect(series.samplesMs).toHaveLength(50);
});
