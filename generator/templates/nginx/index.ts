/** nginx objects: Deployment, Service, ConfigMap (ServiceAccount, PDB: templates/workloads). */
import { COMPONENTS } from '../../components.js';
import { metadata } from '../lib/meta.js';
import { header, indent, lines } from '../lib/text.js';
import type { TemplateModule } from '../lib/types.js';
import { deployment, service } from '../lib/workload.js';
import { nginxConf } from './conf.js';

const SRC = 'generator/templates/nginx/index.ts';
const probe = 'httpGet:\n  path: /nginx-health\n  port: http';

export const nginxTemplates: TemplateModule[] = [
  {
    // nginx.conf as a named template: the ConfigMap renders it and the Deployment hashes it.
    path: '_nginx.tpl',
    source: 'generator/templates/nginx/conf.ts',
    render: () => lines(
      header('generator/templates/nginx/conf.ts'),
      '{{/* The proxy configuration (single source, D6). Usage: include "deerflow.nginx.conf" . */}}',
      '{{- define "deerflow.nginx.conf" -}}',
      nginxConf,
      '{{- end -}}',
      '',
    ),
  },
  {
    path: 'nginx/deployment.yaml',
    source: SRC,
    render: () => deployment({
      source: SRC,
      component: COMPONENTS.nginx,
      annotations: String.raw`kubectl.kubernetes.io/default-container: nginx
checksum/config: {{ include "deerflow.checksum.nginxConfig" . }}`,
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
        // Bypass the image entrypoint: its scripts rewrite /etc/nginx, which is read-only here.
        command: ['nginx', '-g', 'daemon off;'],
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
      '    {{- include "deerflow.nginx.conf" . | nindent 4 }}',
      '',
    ),
  },
];
