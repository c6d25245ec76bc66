/** Gateway: FastAPI with the embedded LangGraph runtime (port: components.ts). */
import { enumOf, group, int } from './builders.js';
import { COMPONENTS } from '../components.js';
import type { ValueNode } from './types.js';
import { service, workload } from './workload.js';

export const gateway: Record<string, ValueNode> = {
  gateway: group('Gateway (FastAPI with the embedded LangGraph runtime).', {
    ...workload({
      component: COMPONENTS.gateway,
      what: 'gateway',
      replicaCount: 1,
      image: { registry: 'ghcr.io', repository: 'bytedance/deer-flow-backend', tag: 'v2.1.0' },
      resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '2', memory: '2Gi', 'ephemeral-storage': '2Gi' } },
      probes: {
        startup: { initialDelaySeconds: 5, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 60 },
        readiness: { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
        liveness: { initialDelaySeconds: 0, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 3 },
      },
      security: { uid: 1000, gid: 1000, readOnlyRootFilesystem: true },
      terminationGracePeriodSeconds: 45,
      preStopSleepSeconds: 5,
    }),
    workers: int(1, '`GATEWAY_WORKERS` (uvicorn workers per Pod). More than one needs the multi-worker prerequisites.', { minimum: 1, maximum: 32 }),
    updateStrategy: enumOf(['auto', 'RollingUpdate', 'Recreate'], 'auto', '`auto`: Recreate while the home volume is ReadWriteOnce (a new Pod on another node could never attach it), RollingUpdate otherwise.'),
    service: service('the gateway', COMPONENTS.gateway.port.number),
  }, 'Gateway'),
};
