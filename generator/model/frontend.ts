/** Frontend: Next.js (port: components.ts). */
import { group } from './builders.js';
import { COMPONENTS } from '../components.js';
import type { ValueNode } from './types.js';
import { service, workload } from './workload.js';

export const frontend: Record<string, ValueNode> = {
  frontend: group('Frontend (Next.js).', {
    ...workload({
      component: COMPONENTS.frontend,
      what: 'frontend',
      replicaCount: 1,
      image: { registry: 'ghcr.io', repository: 'bytedance/deer-flow-frontend', tag: 'v2.1.0' },
      resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
      probes: {
        startup: { initialDelaySeconds: 2, periodSeconds: 3, timeoutSeconds: 2, failureThreshold: 40 },
        readiness: { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
        liveness: { initialDelaySeconds: 0, periodSeconds: 20, timeoutSeconds: 3, failureThreshold: 3 },
      },
      // `next start` writes only .next/cache (its image and fetch cache) and /tmp, both volumes
      // of the Deployment (templates/frontend): the root filesystem is read-only like the other
      // components', proven by the e2e's ui suite on the real Pod.
      security: { uid: 1000, gid: 1000, readOnlyRootFilesystem: true },
      terminationGracePeriodSeconds: 30,
      preStopSleepSeconds: 5,
    }),
    service: service('the frontend', COMPONENTS.frontend.port.number),
  }, 'Frontend'),
};
