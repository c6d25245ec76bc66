// Prometheus metrics. One registry per process, created by main and passed down, so tests and
// the bench can run several agents (or none) without global state.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  acquireSeconds: Histogram<'mode' | 'outcome'>;
  acquireReadySeconds: Histogram<'mode'>;
  sandboxes: Gauge<'phase'>;
  creates: Counter<'kind' | 'result'>;
  deletes: Counter<'reason' | 'result'>;
  reaps: Counter<'reason'>;
  reaperSweepSeconds: Histogram<never>;
  reaperLastSweep: Gauge<'field'>;
  kubeRequests: Counter<'verb' | 'resource' | 'code'>;
  kubeRequestSeconds: Histogram<'verb' | 'resource'>;
  kubeRateLimitWaitSeconds: Histogram<never>;
  errors: Counter<'kind'>;
  httpRequests: Counter<'route' | 'method' | 'status'>;
  leader: Gauge<never>;
  capRejections: Counter<'cap'>;
  ownershipHeldSkips: Counter<'reason'>;
  ownershipCheckFailures: Counter<never>;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export function createMetrics(withProcessMetrics = true): Metrics {
  const registry = new Registry();
  if (withProcessMetrics) collectDefaultMetrics({ register: registry, prefix: 'sandbox_agent_' });
  const registers = [registry];
  return {
    registry,
    acquireSeconds: new Histogram({
      name: 'sandbox_agent_acquire_duration_seconds',
      help: 'POST /api/sandboxes latency until the response is sent',
      labelNames: ['mode', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    acquireReadySeconds: new Histogram({
      name: 'sandbox_agent_acquire_ready_seconds',
      help: 'Time from a new sandbox request until its Pod is observed Ready',
      labelNames: ['mode'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    sandboxes: new Gauge({ name: 'sandbox_agent_sandboxes', help: 'Sandbox Pods in the cache by phase', labelNames: ['phase'], registers }),
    creates: new Counter({ name: 'sandbox_agent_creates_total', help: 'Sandbox object creates by kind and result', labelNames: ['kind', 'result'], registers }),
    deletes: new Counter({ name: 'sandbox_agent_deletes_total', help: 'Sandbox deletions by reason and result', labelNames: ['reason', 'result'], registers }),
    reaps: new Counter({ name: 'sandbox_agent_reaps_total', help: 'Sandboxes reaped by the lifecycle reaper, by reason', labelNames: ['reason'], registers }),
    reaperSweepSeconds: new Histogram({ name: 'sandbox_agent_reaper_sweep_seconds', help: 'Duration of one reaper pass', buckets: LATENCY_BUCKETS, registers }),
    reaperLastSweep: new Gauge({
      name: 'sandbox_agent_reaper_last_sweep',
      help: 'Last reaper pass: field=seconds|examined|actions|api_calls',
      labelNames: ['field'],
      registers,
    }),
    kubeRequests: new Counter({
      name: 'sandbox_agent_kube_requests_total',
      help: 'Kubernetes API calls by verb, resource and result code (0 = no response)',
      labelNames: ['verb', 'resource', 'code'],
      registers,
    }),
    kubeRequestSeconds: new Histogram({
      name: 'sandbox_agent_kube_request_duration_seconds',
      help: 'Kubernetes API call latency (excluding client-side rate-limit wait)',
      labelNames: ['verb', 'resource'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    kubeRateLimitWaitSeconds: new Histogram({
      name: 'sandbox_agent_kube_ratelimit_wait_seconds',
      help: 'Time Kubernetes calls waited for the client-side token bucket',
      buckets: [0, 0.001, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    }),
    errors: new Counter({ name: 'sandbox_agent_errors_total', help: 'Errors by kind', labelNames: ['kind'], registers }),
    httpRequests: new Counter({ name: 'sandbox_agent_http_requests_total', help: 'HTTP requests by route, method and status', labelNames: ['route', 'method', 'status'], registers }),
    leader: new Gauge({ name: 'sandbox_agent_leader', help: '1 while this replica holds the reaper Lease', registers }),
    capRejections: new Counter({ name: 'sandbox_agent_cap_rejections_total', help: 'Creates refused by a sandbox cap', labelNames: ['cap'], registers }),
    ownershipHeldSkips: new Counter({
      name: 'sandbox_agent_ownership_held_skips_total',
      help: 'TTL reaps skipped because a live DeerFlow gateway holds the sandbox\'s ownership lease, by the reap reason',
      labelNames: ['reason'],
      registers,
    }),
    ownershipCheckFailures: new Counter({
      name: 'sandbox_agent_ownership_check_failures_total',
      help: 'Reaper passes whose ownership lease check failed (Redis unreachable or erroring); they reaped nothing for the idle and released TTLs',
      registers,
    }),
  };
}
