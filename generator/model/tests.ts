/** `helm test` hook Pods. */
import { bool, group } from './builders.js';
import type { ValueNode } from './types.js';
import { image } from './workload.js';

export const tests: Record<string, ValueNode> = {
  tests: group('`helm test` Pods that probe the gateway, nginx routes and the sandbox agent.', {
    enabled: bool(true, 'Render the test hook Pods.'),
    image: image({ registry: 'docker.io', repository: 'library/busybox', tag: '1.37.0' }, 'the test Pods'),
  }, 'Helm tests'),
};
