/** nginx objects: Deployment, Service, ServiceAccount, PDB, ConfigMap. */
import { metadata } from '../lib/meta.js';
import { header, indent, lines } from '../lib/text.js';
import type { TemplateModule } from '../lib/types.js';
import { deployment, podDisruptionBudget, service, serviceAccount } from '../lib/workload.js';
import { nginxConf } from './conf.js';

const SRC = 'generator/templates/nginx/index.ts';
const probe = 'httpGet:\n  path: /nginx-health\n  port: http';

export const nginxTemplates: TemplateModule[] = [
  {
    path: 'nginx/deployment.yaml',
    source: SRC,
    render: () => deployment({
      source: SRC,
      component: 'nginx',
      values: 'nginx',
      annotations: String.raw`kubectl.kubernetes.io/default-container: nginx
checksum/config: {{ include (print $.Template.BasePath "/nginx/configmap.yaml") . | sha256sum }}`,
      volumes: String.raw`- name: config
  configMap:
    name: {{ include "deerflow.componentName" (dict "ctx" $ "component" "nginx") }}
- name: cache
  emptyDir:
    sizeLimit: 256Mi
- name: tmp
  emptyDir:
    sizeLimit: 1Gi`,
      container: {
        name: 'nginx',
        // Bypass the image entrypoint: its scripts rewrite /etc/nginx, which is read-only here.
        command: ['nginx', '-g', 'daemon off;'],
        ports: [{ name: 'http', port: '2026' }],
        env: '- name: NGINX_ENTRYPOINT_QUIET_LOGS\n  value: "1"',
        probes: { startup: probe, readiness: probe, liveness: probe },
        volumeMounts: String.raw`- name: config
  mountPath: /etc/nginx/nginx.conf
  subPath: nginx.conf
  readOnly: true
- name: cache
  mountPath: /var/cache/nginx
- name: tmp
  mountPath: /tmp`,
      },
    }),
  },
  {
    path: 'nginx/service.yaml',
    source: SRC,
    render: () => service({
      source: SRC,
      component: 'nginx',
      values: 'nginx.service',
      type: '{{ .Values.nginx.service.type }}',
      extraSpec: '{{- if and (eq .Values.nginx.service.type "LoadBalancer") .Values.nginx.service.loadBalancerIP }}\nloadBalancerIP: {{ .Values.nginx.service.loadBalancerIP }}\n{{- end }}',
      ports: String.raw`- name: http
  port: {{ .Values.nginx.service.port }}
  targetPort: http
  protocol: TCP
  {{- if and (eq .Values.nginx.service.type "NodePort") (gt (int .Values.nginx.service.nodePort) 0) }}
  nodePort: {{ .Values.nginx.service.nodePort }}
  {{- end }}`,
    }),
  },
  { path: 'nginx/serviceaccount.yaml', source: SRC, render: () => serviceAccount(SRC, 'nginx', 'nginx') },
  { path: 'nginx/pdb.yaml', source: SRC, render: () => podDisruptionBudget(SRC, 'nginx', 'nginx') },
  {
    path: 'nginx/configmap.yaml',
    source: SRC,
    render: () => lines(
      header(SRC),
      'apiVersion: v1',
      'kind: ConfigMap',
      metadata({ component: 'nginx' }),
      'data:',
      '  nginx.conf: |',
      indent(nginxConf, 4),
      '',
    ),
  },
];
