/**
 * The component registry: one entry per workload the chart runs. Everything that is the same
 * kind of fact for every component is generated from here, never typed twice:
 *
 * - the model: `replicaCount` + `autoscaling` for `autoscaled` components, `pdb` when `pdb`,
 *   the Service port default (`model/workload.ts#workload`, `#service`);
 * - the container port, named `port.name` (`templates/lib/workload.ts`), and every literal use
 *   of the port number (env, nginx `listen`, NOTES);
 * - HPA and KEDA ScaledObject (`templates/autoscaling`), ServiceAccount and PDB
 *   (`templates/workloads`), ServiceMonitor for components with `metrics`
 *   (`templates/monitoring`);
 * - the per-component render-time guards (`templates/validate`): autoscaling, LimitRange fit,
 *   requests ≤ limits, ResourceQuota fit;
 * - NetworkPolicy peers (`templates/networkpolicy`): each component accepts its `clients` on its
 *   port, and each client gets the matching egress rule, under the target's `when`.
 */

export interface Component {
  /** Object names (`<fullname>-<name>`) and the `app.kubernetes.io/component` label. */
  readonly name: ComponentName;
  /** What it is, one line (the chart README's topology table). */
  readonly description: string;
  /** Dotted values path of the component's workload block. */
  readonly values: string;
  /** Directory of its files under chart/templates. */
  readonly dir: string;
  readonly kind: 'Deployment' | 'StatefulSet';
  /** The container port: its name (Services and policies target it by name) and number. */
  readonly port: { readonly name: string; readonly number: number };
  /**
   * Condition under which the component is rendered, as a Go template expression on the root
   * context written with `$` (valid in templates and in helpers given the root). Absent: always.
   */
  readonly when?: string;
  /** An `autoscaling` block (HPA or KEDA; the Deployment omits `replicas` while one is on). */
  readonly autoscaled: boolean;
  /** A PodDisruptionBudget (`<values>.pdb`). */
  readonly pdb: boolean;
  /** Its containers are checked against `limitRange` and counted against `resourceQuota`. */
  readonly limitRange: boolean;
  /** Components whose Pods connect to this one's port (NetworkPolicy ingress here, egress there). */
  readonly clients: readonly ComponentName[];
  /**
   * Prometheus endpoint on the container port: a ServiceMonitor (`monitoring.serviceMonitor`),
   * and `networkPolicy.metricsFrom` may reach the port.
   */
  readonly metrics?: {
    readonly path: string;
    /**
     * The endpoint needs a bearer token: the named helper that prints its Secret's name (given the
     * root context) and the key, handed to the ServiceMonitor's `authorization.credentials`.
     */
    readonly bearer?: { readonly secretHelper: string; readonly key: string };
  };
  /** Its NetworkPolicy beyond the component flows (plus DNS and `networkPolicy.extraEgress`, unless `noEgress`). */
  readonly policy: {
    /** What the policy allows, one line (a comment in the rendered object). */
    readonly comment: string;
    /** No egress at all, not even DNS (the bundled datastores only answer). */
    readonly noEgress?: boolean;
    /**
     * Egress to the public internet (`networkPolicy.internetCidrs` minus the cluster and metadata
     * CIDRs) on the ports listed at this values path (an array leaf; empty allows every port).
     */
    readonly internetPorts?: string;
  };
  /**
   * Extra Pods a rolling update adds: `rolling` (the Deployment builder's maxSurge 25 %),
   * `none` (StatefulSet or Recreate), or a template expression that prints `rolling` or `none`.
   */
  readonly surge: 'rolling' | 'none' | { readonly expr: string };
}

export type ComponentName = 'gateway' | 'frontend' | 'nginx' | 'postgresql' | 'redis' | 'sandbox-agent' | 'llm-gateway';

const SANDBOX = '$.Values.sandbox.enabled';

export const COMPONENTS: Readonly<Record<ComponentName, Component>> = {
  gateway: {
    name: 'gateway',
    description: 'FastAPI with the embedded LangGraph runtime; `config.yaml` and `extensions_config.json` come from structured values.',
    values: 'gateway', dir: 'gateway', kind: 'Deployment',
    port: { name: 'http', number: 8001 },
    autoscaled: true, pdb: true, limitRange: true,
    clients: ['nginx', 'frontend'],
    policy: {
      comment: 'gateway: in from nginx, the frontend and helm tests; out to Postgres, Redis, the sandbox agent, sandboxes, DNS and external HTTPS (LLM providers) outside the cluster and metadata CIDRs.',
      internetPorts: 'networkPolicy.gateway.externalPorts',
    },
    surge: { expr: 'ternary "none" "rolling" (eq (include "deerflow.gateway.strategy" $) "Recreate")' },
  },
  frontend: {
    name: 'frontend',
    description: 'Next.js.',
    values: 'frontend', dir: 'frontend', kind: 'Deployment',
    port: { name: 'http', number: 3000 },
    autoscaled: true, pdb: true, limitRange: true,
    clients: ['nginx'],
    policy: { comment: 'frontend: in from nginx; out to the gateway (server-side rendering calls it) and DNS.' },
    surge: 'rolling',
  },
  nginx: {
    name: 'nginx',
    description: 'The only entry point. Config rendered from one template (LangGraph rewrite, uploads, browser WebSocket, `$connection_upgrade`). `/api/sandboxes` is never proxied.',
    values: 'nginx', dir: 'nginx', kind: 'Deployment',
    port: { name: 'http', number: 2026 },
    autoscaled: true, pdb: true, limitRange: true,
    clients: [],
    policy: { comment: 'nginx: in from the edge (networkPolicy.ingressFrom, any source when empty) and helm tests; out to the gateway, the frontend and DNS.' },
    surge: 'rolling',
  },
  postgresql: {
    name: 'postgresql',
    description: '`postgresql.mode: bundled`; `PGDATA` in a subdirectory; PVC kept on uninstall. Or `external`, or `none` (SQLite).',
    values: 'postgresql', dir: 'postgresql', kind: 'StatefulSet',
    port: { name: 'postgresql', number: 5432 },
    when: '(eq $.Values.postgresql.mode "bundled")',
    autoscaled: false, pdb: true, limitRange: true,
    clients: ['gateway'],
    policy: { comment: 'PostgreSQL: in from the gateway only; no egress.', noEgress: true },
    surge: 'none',
  },
  redis: {
    name: 'redis',
    description: '`redis.mode: bundled` (password required); or `external`, or `none`.',
    values: 'redis', dir: 'redis', kind: 'StatefulSet',
    port: { name: 'redis', number: 6379 },
    when: '(eq $.Values.redis.mode "bundled")',
    autoscaled: false, pdb: true, limitRange: true,
    // The sandbox agent reads DeerFlow's sandbox ownership leases here (issue 10 finding 2).
    clients: ['gateway', 'sandbox-agent', 'llm-gateway'],
    policy: { comment: 'Redis: in from the gateway, the sandbox agent (DeerFlow\'s ownership leases) and the LLM gateway (cooldowns, rate limits, cache); no egress.', noEgress: true },
    surge: 'none',
  },
  'sandbox-agent': {
    name: 'sandbox-agent',
    description: '`sandbox.enabled`. Namespaced Role in the sandbox namespace, an admission policy that keeps it on its own sandboxes, headless Service for sandbox Pod DNS, owner ConfigMap so uninstall garbage-collects sandboxes.',
    values: 'sandbox.agent', dir: 'sandbox', kind: 'Deployment',
    port: { name: 'http', number: 8002 },
    when: SANDBOX,
    autoscaled: true, pdb: true, limitRange: true,
    clients: ['gateway'],
    metrics: { path: '/metrics' },
    policy: { comment: 'sandbox agent: in from the gateway, Prometheus (networkPolicy.metricsFrom) and helm tests; out to the API server (networkPolicy.apiServer) and DNS.' },
    surge: 'rolling',
  },
  'llm-gateway': {
    name: 'llm-gateway',
    description: '`llmGateway.enabled`. LiteLLM proxy between DeerFlow and the LLM providers: order-based failover, a breaker per deployment, retries, rpm/tpm limits, cost metrics, optional Redis cache; `config.yaml` generated from typed values.',
    values: 'llmGateway', dir: 'llm-gateway', kind: 'Deployment',
    port: { name: 'http', number: 4000 },
    when: '$.Values.llmGateway.enabled',
    autoscaled: true, pdb: true, limitRange: true,
    clients: ['gateway'],
    metrics: { path: '/metrics/', bearer: { secretHelper: 'deerflow.llmGateway.secretName', key: 'LITELLM_MASTER_KEY' } },
    policy: { comment: 'LLM gateway: in from the DeerFlow gateway and Prometheus (networkPolicy.metricsFrom); out to Redis, DNS and the providers\' CIDRs (llmGateway.providers[].cidrs) only.' },
    surge: 'rolling',
  },
};

/** Every component, in declaration order. */
export const ALL_COMPONENTS: readonly Component[] = Object.values(COMPONENTS);

/** The components a component's Pods connect to (its egress peers), in declaration order. */
export function targetsOf(name: ComponentName): Component[] {
  return ALL_COMPONENTS.filter((c) => c.clients.includes(name));
}

/** `when` combined with another condition (`and A B`), or the other alone. */
export function whenAnd(c: Component, other?: string): string | undefined {
  if (c.when === undefined) return other;
  return other === undefined ? c.when : `and ${c.when} ${other}`;
}
