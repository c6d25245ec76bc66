/** The whole values model, assembled from one module per component or feature. */
import { group } from './builders.js';
import { common } from './common.js';
import { datastores } from './datastores.js';
import { deerflow } from './deerflow.js';
import { frontend } from './frontend.js';
import { gateway } from './gateway.js';
import { ingress } from './ingress.js';
import { isolation } from './isolation.js';
import { istio } from './istio.js';
import { llmGateway } from './llm-gateway.js';
import { monitoring } from './monitoring.js';
import { networkPolicy } from './networkpolicy.js';
import { nginx } from './nginx.js';
import { persistence } from './persistence.js';
import { sandbox } from './sandbox.js';
import { tests } from './tests.js';
import type { Group } from './types.js';

export const model: Group = group('Values of the deerflow chart.', {
  ...common,
  ...deerflow,
  ...gateway,
  ...frontend,
  ...nginx,
  ...ingress,
  ...persistence,
  ...datastores,
  ...sandbox,
  ...llmGateway,
  ...isolation,
  ...networkPolicy,
  ...istio,
  ...monitoring,
  ...tests,
});

export const chartMeta = {
  name: 'deerflow',
  version: '0.1.0',
  appVersion: '2.1.0',
  kubeVersion: '>=1.30.0-0',
  description: 'DeerFlow 2.x (ByteDance\'s agent harness) on Kubernetes: gateway, frontend, nginx, optional Postgres/Redis and the Antler sandbox agent.',
  home: 'https://github.com/bytedance/deer-flow',
  /** DeerFlow's own logo at the pinned version (frontend/public/images/deer.svg). */
  icon: 'https://raw.githubusercontent.com/bytedance/deer-flow/v2.1.0/frontend/public/images/deer.svg',
  license: 'Apache-2.0',
  maintainers: [{ name: 'Antler' }],
  links: [
    { name: 'DeerFlow', url: 'https://github.com/bytedance/deer-flow' },
    { name: 'DeerFlow deployment guide', url: 'https://github.com/bytedance/deer-flow/blob/v2.1.0/frontend/src/content/en/application/deployment-guide.mdx' },
  ],
  /** Artifact Hub `changes` of this chart version (kind: added, changed, deprecated, removed, fixed, security). */
  changes: [
    { kind: 'added', description: 'DeerFlow 2.1.0: gateway, frontend, nginx, optional bundled Postgres and Redis, and the Antler sandbox agent with per-release RBAC.' },
    { kind: 'added', description: 'HPA or KEDA autoscaling, PodDisruptionBudgets, NetworkPolicies, ResourceQuota and LimitRange, Istio ingress and weighted LLM routing, ServiceMonitor, alerts and a dashboard.' },
    { kind: 'added', description: 'Extension points on every workload: initContainers, sidecars, command/args, lifecycleHooks, hostAliases, dnsPolicy/dnsConfig, schedulerName, revisionHistoryLimit; extraObjects; global.storageClass; several Ingress hosts and TLS entries.' },
    { kind: 'security', description: 'A ValidatingAdmissionPolicy keeps the sandbox agent on its own release\'s sandboxes; a sandbox namespace must be the release namespace or under it.' },
    { kind: 'fixed', description: 'Render-time checks for what the API server or kubelet would refuse: CIDRs, label keys and values, requests above limits, CPU and memory units, floating image tags, ResourceQuota fit.' },
  ],
} as const;
