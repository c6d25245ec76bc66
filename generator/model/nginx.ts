/** nginx: the same-origin reverse proxy (port: components.ts); its config is rendered from one template. */
import { arr, bool, group, int, obj, patterns, str } from './builders.js';
import { ipOrCidr } from './formats.js';
import * as k8s from './k8s.js';
import { COMPONENTS } from '../components.js';
import type { ValueNode } from './types.js';
import { service, workload } from './workload.js';

export const nginx: Record<string, ValueNode> = {
  nginx: group('nginx reverse proxy (the only entry point; Ingress targets it).', {
    ...workload({
      component: COMPONENTS.nginx,
      what: 'nginx',
      replicaCount: 1,
      image: { registry: 'docker.io', repository: 'library/nginx', tag: '1.29.1-alpine' },
      resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
      probes: {
        startup: { initialDelaySeconds: 1, periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 30 },
        readiness: { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
        liveness: { initialDelaySeconds: 0, periodSeconds: 20, timeoutSeconds: 3, failureThreshold: 3 },
      },
      security: { uid: 101, gid: 101, readOnlyRootFilesystem: true },
      terminationGracePeriodSeconds: 60,
      preStopSleepSeconds: 5,
    }),
    service: group('Service for nginx.', {
      type: { kind: 'string', default: 'ClusterIP', description: 'Service type.', enum: ['ClusterIP', 'NodePort', 'LoadBalancer'] },
      port: int(COMPONENTS.nginx.port.number, 'Service port.', { minimum: 1, maximum: 65535 }),
      nodePort: int(0, 'nodePort when `type` is NodePort (0 lets Kubernetes choose).', { minimum: 0, maximum: 32767 }),
      loadBalancerIP: str('', 'loadBalancerIP when `type` is LoadBalancer.'),
      annotations: obj({}, 'Service annotations.', k8s.annotations),
    }),
    clientMaxBodySize: str('20m', '`client_max_body_size` for API and LangGraph routes. The Ingress gets the larger of this and `uploadMaxBodySize`.', { pattern: patterns.nginxSize }),
    uploadMaxBodySize: str('100m', '`client_max_body_size` for `/api/threads/{id}/uploads`.', { pattern: patterns.nginxSize }),
    proxyTimeoutSeconds: int(600, 'Read/send timeout for streaming (SSE, WebSocket) routes.', { minimum: 30, maximum: 86400 }),
    gzip: bool(true, 'gzip text responses.'),
    realIpFrom: arr(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'],
      'Peers (ingress controllers, load balancers) whose X-Forwarded-For nginx trusts for the client address (`set_real_ip_from`).',
      { type: 'string', pattern: ipOrCidr }),
  }, 'nginx'),
};
