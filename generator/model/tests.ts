/** `helm test` hook Pods. */
import { bool, group, obj } from './builders.js';
import * as k8s from './k8s.js';
import type { ValueNode } from './types.js';
import { image } from './workload.js';

export const tests: Record<string, ValueNode> = {
  tests: group('`helm test` Pods that probe the gateway, nginx routes and the sandbox agent.', {
    enabled: bool(true, 'Render the test hook Pods.'),
    resources: obj({ requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '64Mi' } }, 'Resources of the test containers (raise them to fit a `limitRange.min`).', k8s.resources),
    image: image({ registry: 'docker.io', repository: 'library/busybox', tag: '1.37.0' }, 'the test Pods'),
  }, 'Helm tests'),
};
