/**
 * Monitoring of the sandbox agent: ServiceMonitor (port http, /metrics), PrometheusRule with the
 * agent's real metric names, and a Grafana dashboard ConfigMap (sidecar label convention). The
 * dashboard JSON is a chart file (dashboards/sandbox-agent.json) so its `{{legend}}` templates
 * need no escaping.
 */
import { ALL_COMPONENTS, type Component, whenAnd } from '../../components.js';
import { metadata } from '../lib/meta.js';
import { header, lines } from '../lib/text.js';
import type { TemplateModule } from '../lib/types.js';

const SRC = 'generator/templates/monitoring/index.ts';
const M = '.Values.monitoring';
const AGENT = '{{ include "deerflow.componentName" (dict "ctx" $ "component" "sandbox-agent") }}';
/** Label matchers of the agent's series: the ServiceMonitor's job label is the Service name. */
const SEL = `namespace="{{ .Release.Namespace }}", job="${AGENT}"`;

interface Alert {
  readonly name: string;
  readonly expr: string;
  readonly for: string;
  readonly severity: 'critical' | 'warning';
  readonly summary: string;
  readonly description: string;
  readonly when?: string;
}

function alert(a: Alert): string {
  return lines(
    a.when !== undefined ? `{{- if ${a.when} }}` : undefined,
    `- alert: ${a.name}`,
    '  expr: |-',
    ...a.expr.split('\n').map((l) => `    ${l}`),
    `  for: ${a.for}`,
    '  labels:',
    `    severity: ${a.severity}`,
    '  annotations:',
    `    summary: ${JSON.stringify(a.summary)}`,
    `    description: ${JSON.stringify(a.description)}`,
    a.when !== undefined ? '{{- end }}' : undefined,
  );
}

const R = `${M}.prometheusRule`;
const alerts: Alert[] = [
  {
    name: 'DeerflowSandboxAgentDown',
    expr: `sum(up{${SEL}}) == 0 or absent(up{${SEL}})`,
    for: '5m', severity: 'critical',
    summary: 'No sandbox agent replica is up',
    description: `The sandbox agent of {{ .Release.Namespace }}/{{ .Release.Name }} has not been scraped successfully for 5 minutes: DeerFlow cannot acquire sandboxes.`,
  },
  {
    name: 'DeerflowSandboxAgentNoLeader',
    expr: `sum(up{${SEL}}) > 0 and max(sandbox_agent_leader{${SEL}}) == 0`,
    for: '5m', severity: 'warning',
    summary: 'No sandbox agent holds the reaper Lease',
    description: 'Agents are up but none is leader: idle, released and orphaned sandboxes are not being reaped.',
  },
  {
    name: 'DeerflowSandboxAcquireLatencySLO',
    expr: `histogram_quantile(0.95, sum by (le) (rate(sandbox_agent_acquire_duration_seconds_bucket{${SEL}, outcome="ok"}[10m]))) > {{ ${R}.acquireP95Seconds }}`,
    for: '15m', severity: 'warning',
    summary: 'Sandbox acquire p95 above the SLO',
    description: 'p95 of successful POST /api/sandboxes over 10m is above {{ .Values.monitoring.prometheusRule.acquireP95Seconds }}s (slow image pulls, scheduling pressure, or API throttling).',
  },
  {
    name: 'DeerflowSandboxAcquireErrors',
    expr: `(sum(rate(sandbox_agent_acquire_duration_seconds_count{${SEL}, outcome=~"error|http_5.."}[10m]))
  / sum(rate(sandbox_agent_acquire_duration_seconds_count{${SEL}}[10m]))) * 100 > {{ ${R}.acquireErrorPercent }}`,
    for: '10m', severity: 'critical',
    summary: 'Sandbox acquires failing',
    description: 'More than {{ .Values.monitoring.prometheusRule.acquireErrorPercent }}% of sandbox acquires end in a server error.',
  },
  {
    name: 'DeerflowSandboxReaperFailing',
    expr: `sum(increase(sandbox_agent_errors_total{${SEL}, kind="reaper"}[15m])) > 0`,
    for: '15m', severity: 'warning',
    summary: 'The sandbox reaper is failing',
    description: 'Reaper passes keep raising errors (sandbox_agent_errors_total{kind="reaper"}); sandboxes may outlive their TTLs.',
  },
  {
    name: 'DeerflowSandboxReaperStalled',
    expr: `max(sandbox_agent_leader{${SEL}}) == 1 and sum(increase(sandbox_agent_reaper_sweep_seconds_count{${SEL}}[15m])) == 0`,
    for: '15m', severity: 'warning',
    summary: 'The sandbox reaper has not run',
    description: 'A leader exists but no reaper pass completed in 15 minutes.',
  },
  {
    name: 'DeerflowSandboxLeak',
    expr: `sum(sandbox_agent_sandboxes{${SEL}, phase=~"Succeeded|Failed|Unknown"}) > 0`,
    for: '{{ .Values.monitoring.prometheusRule.leakMinutes }}m', severity: 'warning',
    summary: 'Finished sandbox Pods are not being deleted',
    description: 'Sandbox Pods in Succeeded/Failed/Unknown have stayed for {{ .Values.monitoring.prometheusRule.leakMinutes }} minutes; they hold quota and node resources. Check the reaper and the agent RBAC.',
  },
  {
    name: 'DeerflowSandboxesNearCap',
    when: 'gt (int .Values.sandbox.limits.maxSandboxes) 0',
    expr: `sum(sandbox_agent_sandboxes{${SEL}, phase=~"Pending|Running"}) > {{ .Values.sandbox.limits.maxSandboxes }} * {{ ${R}.capPercent }} / 100`,
    for: '10m', severity: 'warning',
    summary: 'Live sandboxes close to sandbox.limits.maxSandboxes',
    description: 'Live sandboxes exceed {{ .Values.monitoring.prometheusRule.capPercent }}% of the cap ({{ .Values.sandbox.limits.maxSandboxes }}); new acquires will be refused (sandbox_agent_cap_rejections_total).',
  },
  {
    name: 'DeerflowSandboxOwnershipCheckFailing',
    when: 'eq (include "deerflow.sandbox.ownershipInRedis" .) "true"',
    expr: `sum(increase(sandbox_agent_ownership_check_failures_total{${SEL}}[15m])) > 0`,
    for: '15m', severity: 'warning',
    summary: 'The sandbox reaper cannot read DeerFlow\'s ownership leases',
    description: 'Reading the sandbox ownership leases from Redis keeps failing (sandbox_agent_ownership_check_failures_total), so no sandbox is reaped for the idle or released TTL until it answers; leaks accumulate meanwhile. Check Redis, its password Secret and the NetworkPolicies.',
  },
];

const LLM = '{{ include "deerflow.componentName" (dict "ctx" $ "component" "llm-gateway") }}';
const LSEL = `namespace="{{ .Release.Namespace }}", job="${LLM}"`;
const LA = '.Values.llmGateway.alerts';
/** The LLM gateway's alerts, on LiteLLM's prometheus callback metrics. */
const llmAlerts: Alert[] = [
  {
    name: 'DeerflowLlmGatewayDown',
    expr: `sum(up{${LSEL}}) == 0 or absent(up{${LSEL}})`,
    for: '5m', severity: 'critical',
    summary: 'No LLM gateway replica is up',
    description: 'The LLM gateway of {{ .Release.Namespace }}/{{ .Release.Name }} has not been scraped for 5 minutes: DeerFlow\'s models that go through it cannot answer.',
  },
  {
    name: 'DeerflowLlmGatewayDeploymentCooldown',
    expr: `sum by (model_id) (increase(litellm_deployment_cooled_down_total{${LSEL}}[5m])) > 0`,
    for: '0m', severity: 'warning',
    summary: 'An LLM deployment is in cooldown (breaker open)',
    description: 'Deployment {{`{{ $labels.model_id }}`}} failed llmGateway.breaker.openAfterFailures times and gets no traffic for llmGateway.breaker.resetSeconds; its group fails over to the next order level.',
  },
  {
    name: 'DeerflowLlmGatewayErrors',
    expr: `(sum(rate(litellm_proxy_failed_requests_metric_total{${LSEL}}[10m]))
  / sum(rate(litellm_proxy_total_requests_metric_total{${LSEL}}[10m]))) * 100 > {{ ${LA}.errorPercent }}`,
    for: '10m', severity: 'critical',
    summary: 'LLM gateway requests failing',
    description: 'More than {{ .Values.llmGateway.alerts.errorPercent }}% of requests through the LLM gateway fail after retries and failover.',
  },
  {
    name: 'DeerflowLlmGatewaySpend',
    when: `gt (int ${LA}.spendPerHour) 0`,
    expr: `sum(increase(litellm_spend_metric_total{${LSEL}}[1h])) > {{ ${LA}.spendPerHour }}`,
    for: '5m', severity: 'warning',
    summary: 'LLM spend per hour above the threshold',
    description: 'Spend through the LLM gateway over the last hour is above {{ .Values.llmGateway.alerts.spendPerHour }} (tokens x the prices in llmGateway.modelGroups).',
  },
];

/** A ServiceMonitor for a component of the registry that exposes `metrics`. */
function serviceMonitor(c: Component, path: string): TemplateModule {
  return {
    path: `${c.dir}/servicemonitor.yaml`,
    source: SRC,
    render: () => lines(
      header(SRC),
      `{{- if ${whenAnd(c, `${M}.serviceMonitor.enabled`) as string} }}`,
      'apiVersion: monitoring.coreos.com/v1',
      'kind: ServiceMonitor',
      metadata({ component: c.name, labels: `{{- with ${M}.serviceMonitor.labels }}\n{{- toYaml . | nindent 0 }}\n{{- end }}` }),
      'spec:',
      '  selector:',
      '    matchLabels:',
      `      {{- include "deerflow.selectorLabels" (dict "ctx" $ "component" "${c.name}") | nindent 6 }}`,
      '  namespaceSelector:',
      '    matchNames:',
      '      - {{ .Release.Namespace }}',
      '  endpoints:',
      `    - port: ${c.port.name}`,
      `      path: ${path}`,
      `      interval: {{ ${M}.serviceMonitor.interval }}`,
      `      scrapeTimeout: {{ ${M}.serviceMonitor.scrapeTimeout }}`,
      c.metrics?.bearer !== undefined
        ? lines('      authorization:', '        type: Bearer', '        credentials:', `          name: {{ include "${c.metrics.bearer.secretHelper}" $ }}`, `          key: ${c.metrics.bearer.key}`)
        : undefined,
      '{{- end }}',
      '',
    ),
  };
}

export const monitoringTemplates: TemplateModule[] = [
  ...ALL_COMPONENTS.flatMap((c) => (c.metrics !== undefined ? [serviceMonitor(c, c.metrics.path)] : [])),
  {
    path: 'sandbox/prometheusrule.yaml',
    source: SRC,
    render: () => lines(
      header(SRC),
      `{{- if and .Values.sandbox.enabled ${R}.enabled }}`,
      'apiVersion: monitoring.coreos.com/v1',
      'kind: PrometheusRule',
      metadata({ component: 'sandbox-agent', labels: `{{- with ${R}.labels }}\n{{- toYaml . | nindent 0 }}\n{{- end }}` }),
      'spec:',
      '  groups:',
      '    - name: deerflow-sandbox-agent',
      '      rules:',
      ...alerts.map((a) => alert(a).split('\n').map((l) => `        ${l}`).join('\n')),
      '{{- end }}',
      '',
    ),
  },
  {
    path: 'llm-gateway/prometheusrule.yaml',
    source: SRC,
    render: () => lines(
      header(SRC),
      `{{- if and .Values.llmGateway.enabled ${R}.enabled }}`,
      'apiVersion: monitoring.coreos.com/v1',
      'kind: PrometheusRule',
      metadata({ component: 'llm-gateway', labels: `{{- with ${R}.labels }}\n{{- toYaml . | nindent 0 }}\n{{- end }}` }),
      'spec:',
      '  groups:',
      '    - name: deerflow-llm-gateway',
      '      rules:',
      ...llmAlerts.map((a) => alert(a).split('\n').map((l) => `        ${l}`).join('\n')),
      '{{- end }}',
      '',
    ),
  },
  {
    path: 'llm-gateway/configmap-dashboard.yaml',
    source: SRC,
    render: () => lines(
      header(SRC),
      `{{- if and .Values.llmGateway.enabled ${M}.grafanaDashboard.enabled }}`,
      'apiVersion: v1',
      'kind: ConfigMap',
      metadata({
        component: 'llm-gateway-dashboard',
        labels: `{{- with ${M}.grafanaDashboard.labels }}\n{{- toYaml . | nindent 0 }}\n{{- end }}`,
        annotationsValue: 'monitoring.grafanaDashboard.annotations',
      }),
      'data:',
      '  deerflow-llm-gateway.json: |-',
      '    {{- .Files.Get "dashboards/llm-gateway.json" | nindent 4 }}',
      '{{- end }}',
      '',
    ),
  },
  {
    path: 'sandbox/configmap-dashboard.yaml',
    source: SRC,
    render: () => lines(
      header(SRC),
      `{{- if and .Values.sandbox.enabled ${M}.grafanaDashboard.enabled }}`,
      'apiVersion: v1',
      'kind: ConfigMap',
      metadata({
        component: 'sandbox-dashboard',
        labels: `{{- with ${M}.grafanaDashboard.labels }}\n{{- toYaml . | nindent 0 }}\n{{- end }}`,
        annotationsValue: 'monitoring.grafanaDashboard.annotations',
      }),
      'data:',
      '  deerflow-sandbox-agent.json: |-',
      '    {{- .Files.Get "dashboards/sandbox-agent.json" | nindent 4 }}',
      '{{- end }}',
      '',
    ),
  },
];
