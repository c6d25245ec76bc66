import { defineConfig } from 'vitest/config';

// Three projects: `unit` needs nothing but Node and the pinned tools; `host` runs real servers as
// host processes on loopback (the pinned LiteLLM proxy, redis-server: installed on first use);
// `cluster` shares one local Kubernetes control plane per run (harness/vitest-cluster-setup.ts).
// Cluster files run one at a time: they share a 2-core machine and one API server, and each
// one's timing assertions must not depend on what another file is doing. The projects run one
// after another (sequence.groupOrder): the host suite's timing checks (a stalled provider costs
// one timeout, a breaker's reset time) and the e2e's real-Pod budgets never share the 2 cores.
export default defineConfig({
  test: {
    // The JSON report feeds harness/test-summary.ts, which prints the plain `N passed, N failed`
    // line that CI counts.
    reporters: ['default', ['json', { outputFile: '.cache/vitest-report.json' }]],
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['{generator,harness,sandbox-agent,test}/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/*.cluster.test.ts', '**/*.host.test.ts'],
          testTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'host',
          sequence: { groupOrder: 1 },
          include: ['{generator,harness,sandbox-agent,test}/**/*.host.test.ts'],
          exclude: ['**/node_modules/**'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 600_000,
        },
      },
      {
        test: {
          name: 'cluster',
          sequence: { groupOrder: 2 },
          include: ['{generator,harness,sandbox-agent,test}/**/*.cluster.test.ts'],
          exclude: ['**/node_modules/**'],
          globalSetup: ['harness/vitest-cluster-setup.ts'],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
