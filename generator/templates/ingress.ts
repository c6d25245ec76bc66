/** Ingress to nginx, with body-size and streaming annotations that match nginx's own limits (D20). */
import { metadata } from './lib/meta.js';
import { header, indent, lines } from './lib/text.js';
import type { TemplateModule } from './lib/types.js';

const SRC = 'generator/templates/ingress.ts';
const BACKEND = lines(
  'backend:',
  '  service:',
  '    name: {{ include "deerflow.componentName" (dict "ctx" $ "component" "nginx") }}',
  '    port:',
  '      name: http',
);

export const ingressTemplates: TemplateModule[] = [
  {
    path: 'ingress.yaml',
    source: SRC,
    render: () => lines(
      header(SRC),
      '{{- if .Values.ingress.enabled }}',
      'apiVersion: networking.k8s.io/v1',
      'kind: Ingress',
      metadata({
        component: 'nginx',
        annotations: String.raw`{{- if .Values.ingress.bodySizeAnnotations }}
nginx.ingress.kubernetes.io/proxy-body-size: {{ include "deerflow.ingress.bodySize" . | quote }}
nginx.ingress.kubernetes.io/proxy-read-timeout: {{ .Values.nginx.proxyTimeoutSeconds | quote }}
nginx.ingress.kubernetes.io/proxy-send-timeout: {{ .Values.nginx.proxyTimeoutSeconds | quote }}
nginx.ingress.kubernetes.io/proxy-buffering: "off"
nginx.ingress.kubernetes.io/proxy-request-buffering: "off"
{{- end }}`,
        annotationsValue: 'ingress.annotations',
      }),
      'spec:',
      '  {{- with .Values.ingress.className }}',
      '  ingressClassName: {{ . }}',
      '  {{- end }}',
      '  {{- if or .Values.ingress.tls.enabled .Values.ingress.extraTls }}',
      '  tls:',
      '    {{- if .Values.ingress.tls.enabled }}',
      '    - hosts:',
      '        - {{ .Values.ingress.host | quote }}',
      '      secretName: {{ default (include "deerflow.componentName" (dict "ctx" $ "component" "tls")) .Values.ingress.tls.secretName }}',
      '    {{- end }}',
      '    {{- with .Values.ingress.extraTls }}',
      '    {{- toYaml . | nindent 4 }}',
      '    {{- end }}',
      '  {{- end }}',
      '  rules:',
      '    - {{- with .Values.ingress.host }}',
      '      host: {{ . | quote }}',
      '      {{- end }}',
      '      http:',
      '        paths:',
      '          - path: {{ .Values.ingress.path }}',
      '            pathType: {{ .Values.ingress.pathType }}',
      indent(BACKEND, 12),
      '    {{- range .Values.ingress.extraHosts }}',
      '    - host: {{ .name | quote }}',
      '      http:',
      '        paths:',
      '          - path: {{ .path | default "/" }}',
      '            pathType: {{ .pathType | default "Prefix" }}',
      indent(BACKEND, 12),
      '    {{- end }}',
      '{{- end }}',
      '',
    ),
  },
];
