/** Frontend objects: Deployment, Service (ServiceAccount, PDB: templates/workloads). */
import { COMPONENTS } from '../../components.js';
import type { TemplateModule } from '../lib/types.js';
import { deployment, service } from '../lib/workload.js';

const SRC = 'generator/templates/frontend/index.ts';
const FRONTEND = COMPONENTS.frontend;

const env = `- name: NODE_ENV
  value: production
- name: PORT
  value: "${FRONTEND.port.number}"
- name: HOSTNAME
  value: 0.0.0.0
- name: NEXT_TELEMETRY_DISABLED
  value: "1"
- name: DEER_FLOW_INTERNAL_GATEWAY_BASE_URL
  value: {{ include "deerflow.gateway.url" . | quote }}`;
// Only variables DeerFlow 2.1's frontend reads (frontend/src/env.js, core/auth/gateway-config.ts);
// BETTER_AUTH_SECRET is read nowhere there any more, so it is not passed (issue 10 finding 9).

const tcp = 'tcpSocket:\n  port: http';

export const frontendTemplates: TemplateModule[] = [
  {
    path: 'frontend/deployment.yaml',
    source: SRC,
    render: () => deployment({
      source: SRC,
      component: FRONTEND,
      annotations: String.raw`kubectl.kubernetes.io/default-container: frontend
checksum/secret: {{ include "deerflow.checksum.secrets" . }}`,
      // Next.js writes its image and fetch cache under .next/cache; with these two volumes the root is read-only.
      volumes: '- name: tmp\n  emptyDir:\n    sizeLimit: 512Mi\n- name: next-cache\n  emptyDir:\n    sizeLimit: 1Gi',
      container: {
        env,
        probes: { startup: tcp, readiness: tcp, liveness: tcp },
        volumeMounts: '- name: tmp\n  mountPath: /tmp\n- name: next-cache\n  mountPath: /app/frontend/.next/cache',
      },
    }),
  },
  {
    path: 'frontend/service.yaml',
    source: SRC,
    render: () => service({
      source: SRC,
      component: 'frontend',
      values: 'frontend.service',
      type: '{{ .Values.frontend.service.type }}',
      ports: '- name: http\n  port: {{ .Values.frontend.service.port }}\n  targetPort: http\n  protocol: TCP',
    }),
  },
];
