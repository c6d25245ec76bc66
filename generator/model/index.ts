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
} as const;
