/** prometheus-operator and Grafana integration for the sandbox agent (port 8002, `/metrics`). */
import { bool, group, int, obj, str } from './builders.js';
import * as k8s from './k8s.js';
import type { ValueNode } from './types.js';

const duration = '^[0-9]+(ms|s|m|h)$';

export const monitoring: Record<string, ValueNode> = {
  monitoring: group('Monitoring of the sandbox agent (with `sandbox.enabled`) and the LLM gateway (with `llmGateway.enabled`: its `/metrics` takes the master key as a bearer token). DeerFlow\'s gateway, frontend and nginx expose no Prometheus metrics, and the bundled Postgres/Redis ship without exporters, so there is nothing else to scrape.', {
    serviceMonitor: group('prometheus-operator ServiceMonitor for the agent\'s `/metrics`.', {
      enabled: bool(false, 'Create the ServiceMonitor (needs the monitoring.coreos.com CRDs).'),
      interval: str('30s', 'Scrape interval.', { pattern: duration }),
      scrapeTimeout: str('10s', 'Scrape timeout.', { pattern: duration }),
      labels: obj({}, 'Extra labels (e.g. `release: kube-prometheus-stack` for the operator\'s selector).', k8s.labels),
    }),
    prometheusRule: group('PrometheusRules: the sandbox alerts (agent down, no leader, acquire latency SLO, acquire errors, reaper failing or stalled, sandbox leak, near the cap) and the LLM gateway\'s (down, a deployment in cooldown, error rate, spend per hour; thresholds in `llmGateway.alerts`).', {
      enabled: bool(false, 'Create the PrometheusRule.'),
      labels: obj({}, 'Extra labels (for the operator\'s `ruleSelector`).', k8s.labels),
      acquireP95Seconds: int(10, 'SLO: p95 of successful `POST /api/sandboxes` (including waiting for Ready) stays below this.', { minimum: 1, maximum: 600 }),
      acquireErrorPercent: int(5, 'Alert when more than this percent of acquires fail with a server error.', { minimum: 1, maximum: 100 }),
      leakMinutes: int(30, 'Alert when finished (Succeeded/Failed/Unknown) sandbox Pods stay this long: the reaper is not deleting them.', { minimum: 5, maximum: 1440 }),
      capPercent: int(90, 'Warn when live sandboxes exceed this percent of `sandbox.limits.maxSandboxes` (skipped when it is 0).', { minimum: 1, maximum: 100 }),
    }),
    grafanaDashboard: group('Grafana dashboard ConfigMaps (the agent\'s; the LLM gateway\'s: requests, failovers, cooldowns, spend and tokens by model group and provider), picked up by the Grafana sidecar.', {
      enabled: bool(false, 'Create the dashboard ConfigMap.'),
      labels: obj({ grafana_dashboard: '1' }, 'Labels the Grafana sidecar watches for.', k8s.labels),
      annotations: obj({}, 'Annotations (e.g. `grafana_folder: DeerFlow`).', k8s.annotations),
    }),
  }, 'Monitoring'),
};
