/** The Grafana dashboards, built as data and shipped as chart/dashboards/*.json: the sandbox agent's and the LLM gateway's. */

const SEL = 'namespace="$namespace", job="$job"';

interface Target { readonly expr: string; readonly legend: string }

let nextId = 1;
function panel(title: string, unit: string, targets: readonly Target[], x: number, y: number, w = 12, h = 8): Record<string, unknown> {
  return {
    id: nextId++,
    type: 'timeseries',
    title,
    datasource: { type: 'prometheus', uid: '${datasource}' },
    gridPos: { x, y, w, h },
    fieldConfig: { defaults: { unit }, overrides: [] },
    options: { legend: { displayMode: 'list', placement: 'bottom' }, tooltip: { mode: 'multi' } },
    targets: targets.map((t, i) => ({ refId: String.fromCharCode(65 + i), expr: t.expr, legendFormat: t.legend })),
  };
}

function quantile(q: string, metric: string, extra = '', by = ''): string {
  const labels = extra === '' ? SEL : `${SEL}, ${extra}`;
  return `histogram_quantile(${q}, sum by (le${by === '' ? '' : `, ${by}`}) (rate(${metric}_bucket{${labels}}[5m])))`;
}

export function sandboxAgentDashboard(): string {
  nextId = 1;
  const panels = [
    panel('Sandboxes by phase', 'short', [{ expr: `sum by (phase) (sandbox_agent_sandboxes{${SEL}})`, legend: '{{phase}}' }], 0, 0),
    panel('Acquire latency (successful)', 's', [
      { expr: quantile('0.5', 'sandbox_agent_acquire_duration_seconds', 'outcome="ok"'), legend: 'p50' },
      { expr: quantile('0.95', 'sandbox_agent_acquire_duration_seconds', 'outcome="ok"'), legend: 'p95' },
      { expr: quantile('0.99', 'sandbox_agent_acquire_duration_seconds', 'outcome="ok"'), legend: 'p99' },
    ], 12, 0),
    panel('Acquires by outcome', 'reqps', [{ expr: `sum by (outcome) (rate(sandbox_agent_acquire_duration_seconds_count{${SEL}}[5m]))`, legend: '{{outcome}}' }], 0, 8),
    panel('Time to Ready (new sandboxes, p95)', 's', [{ expr: quantile('0.95', 'sandbox_agent_acquire_ready_seconds', '', 'mode'), legend: '{{mode}}' }], 12, 8),
    panel('Creates by kind and result', 'ops', [{ expr: `sum by (kind, result) (rate(sandbox_agent_creates_total{${SEL}}[5m]))`, legend: '{{kind}} {{result}}' }], 0, 16),
    panel('Deletes by reason and result', 'ops', [{ expr: `sum by (reason, result) (rate(sandbox_agent_deletes_total{${SEL}}[5m]))`, legend: '{{reason}} {{result}}' }], 12, 16),
    panel('Reaps by reason', 'ops', [{ expr: `sum by (reason) (rate(sandbox_agent_reaps_total{${SEL}}[5m]))`, legend: '{{reason}}' }], 0, 24),
    panel('Reaper sweep', 's', [
      { expr: quantile('0.95', 'sandbox_agent_reaper_sweep_seconds'), legend: 'sweep p95' },
      { expr: `max by (field) (sandbox_agent_reaper_last_sweep{${SEL}, field="seconds"})`, legend: 'last sweep' },
    ], 12, 24),
    panel('Last sweep: examined, actions, API calls', 'short', [{ expr: `max by (field) (sandbox_agent_reaper_last_sweep{${SEL}, field!="seconds"})`, legend: '{{field}}' }], 0, 32),
    panel('Kubernetes API calls by verb, resource and code', 'reqps', [{ expr: `sum by (verb, resource, code) (rate(sandbox_agent_kube_requests_total{${SEL}}[5m]))`, legend: '{{verb}} {{resource}} {{code}}' }], 12, 32),
    panel('Errors by kind', 'ops', [{ expr: `sum by (kind) (rate(sandbox_agent_errors_total{${SEL}}[5m]))`, legend: '{{kind}}' }], 0, 40),
    panel('Cap rejections', 'ops', [{ expr: `sum by (cap) (rate(sandbox_agent_cap_rejections_total{${SEL}}[5m]))`, legend: '{{cap}}' }], 12, 40),
    panel('Leader and replicas up', 'short', [
      { expr: `sum(sandbox_agent_leader{${SEL}})`, legend: 'leaders' },
      { expr: `sum(up{${SEL}})`, legend: 'replicas up' },
    ], 0, 48),
  ];
  return dashboard('antler-sandbox-agent', 'DeerFlow sandbox agent', 'sandbox', 'sandbox_agent_leader', 'Agent', panels);
}

/** A dashboard with a data source, namespace and job variable (the job label is the Service name). */
function dashboard(uid: string, title: string, tag: string, jobMetric: string, jobLabel: string, panels: readonly Record<string, unknown>[]): string {
  const board = {
    uid,
    title,
    tags: ['deerflow', 'antler', tag],
    timezone: 'browser',
    schemaVersion: 39,
    version: 1,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [
        { name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Data source' },
        {
          name: 'namespace', type: 'query', label: 'Namespace', datasource: { type: 'prometheus', uid: '${datasource}' },
          query: `label_values(${jobMetric}, namespace)`, refresh: 2,
        },
        {
          name: 'job', type: 'query', label: jobLabel, datasource: { type: 'prometheus', uid: '${datasource}' },
          query: `label_values(${jobMetric}{namespace="$namespace"}, job)`, refresh: 2,
        },
      ],
    },
    panels,
  };
  return `${JSON.stringify(board, null, 2)}\n`;
}

/** The LLM gateway (LiteLLM's prometheus callback): requests, failovers, cooldowns, spend and tokens by deployment. */
export function llmGatewayDashboard(): string {
  nextId = 1;
  const by = (metric: string, label: string, window = '5m') => `sum by (${label}) (rate(${metric}{${SEL}}[${window}]))`;
  const panels = [
    panel('Requests by status', 'reqps', [{ expr: by('litellm_proxy_total_requests_metric_total', 'status_code'), legend: '{{status_code}}' }], 0, 0),
    panel('Failed requests', 'reqps', [{ expr: `sum(rate(litellm_proxy_failed_requests_metric_total{${SEL}}[5m]))`, legend: 'failed' }], 12, 0),
    panel('Failovers (fallbacks)', 'ops', [
      { expr: `sum(rate(litellm_deployment_successful_fallbacks_total{${SEL}}[5m]))`, legend: 'successful' },
      { expr: `sum(rate(litellm_deployment_failed_fallbacks_total{${SEL}}[5m]))`, legend: 'failed' },
    ], 0, 8),
    panel('Cooldowns (breaker opened) by deployment', 'short', [{ expr: `sum by (model_id) (increase(litellm_deployment_cooled_down_total{${SEL}}[5m]))`, legend: '{{model_id}}' }], 12, 8),
    panel('Deployment state (0 healthy, 1 partial, 2 outage)', 'short', [{ expr: `max by (model_id) (litellm_deployment_state{${SEL}})`, legend: '{{model_id}}' }], 0, 16),
    panel('Deployment failures by deployment', 'ops', [{ expr: by('litellm_deployment_failure_responses_total', 'model_id'), legend: '{{model_id}}' }], 12, 16),
    panel('Spend per hour by model group and provider (deployment)', 'currencyUSD', [{ expr: `sum by (model_id) (increase(litellm_spend_metric_total{${SEL}}[1h]))`, legend: '{{model_id}}' }], 0, 24),
    panel('Total spend', 'currencyUSD', [{ expr: `sum(litellm_spend_metric_total{${SEL}})`, legend: 'spend' }], 12, 24),
    panel('Tokens by deployment', 'short', [
      { expr: by('litellm_input_tokens_metric_total', 'model_id'), legend: 'in {{model_id}}' },
      { expr: by('litellm_output_tokens_metric_total', 'model_id'), legend: 'out {{model_id}}' },
    ], 0, 32),
    panel('Request latency', 's', [
      { expr: quantile('0.5', 'litellm_request_total_latency_metric'), legend: 'p50' },
      { expr: quantile('0.99', 'litellm_request_total_latency_metric'), legend: 'p99' },
    ], 12, 32),
  ];
  return dashboard('antler-llm-gateway', 'DeerFlow LLM gateway', 'llm', 'litellm_proxy_total_requests_metric_total', 'Gateway', panels);
}
