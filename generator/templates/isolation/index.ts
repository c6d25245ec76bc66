/**
 * Namespace guard rails: ResourceQuota and LimitRange in the release namespace; the optional
 * sandbox Namespace (Pod Security Admission labels) and its own ResourceQuota.
 */
import { metadata } from '../lib/meta.js';
import { header, indent, lines } from '../lib/text.js';
import type { TemplateModule } from '../lib/types.js';

const SRC = 'generator/templates/isolation/index.ts';
const SANDBOX_NS = '{{ include "deerflow.sandbox.namespace" . }}';

function hard(values: string, extra?: string): string {
  return lines(
    '  hard:',
    `    requests.cpu: {{ ${values}.requests.cpu | quote }}`,
    `    requests.memory: {{ ${values}.requests.memory | quote }}`,
    `    limits.cpu: {{ ${values}.limits.cpu | quote }}`,
    `    limits.memory: {{ ${values}.limits.memory | quote }}`,
    `    pods: {{ ${values}.pods | quote }}`,
    extra !== undefined ? indent(extra, 4) : undefined,
  );
}

function pair(key: string, values: string): string {
  return lines(`${key}:`, `  cpu: {{ ${values}.cpu | quote }}`, `  memory: {{ ${values}.memory | quote }}`);
}

export const isolationTemplates: TemplateModule[] = [
  {
    path: 'isolation/resourcequota.yaml',
    source: SRC,
    render: () => lines(
      header(SRC),
      '{{- if .Values.resourceQuota.enabled }}',
      'apiVersion: v1',
      'kind: ResourceQuota',
      metadata({ component: 'quota' }),
      'spec:',
      hard('.Values.resourceQuota', '{{- range $k, $v := .Values.resourceQuota.extraHard }}\n{{ $k }}: {{ $v | quote }}\n{{- end }}'),
      '{{- end }}',
      '',
    ),
  },
  {
    path: 'isolation/limitrange.yaml',
    source: SRC,
    render: () => lines(
      header(SRC),
      '{{- if .Values.limitRange.enabled }}',
      'apiVersion: v1',
      'kind: LimitRange',
      metadata({ component: 'limits' }),
      'spec:',
      '  limits:',
      '    - type: Container',
      indent(pair('max', '.Values.limitRange.max'), 6),
      indent(pair('min', '.Values.limitRange.min'), 6),
      indent(pair('default', '.Values.limitRange.default'), 6),
      indent(pair('defaultRequest', '.Values.limitRange.defaultRequest'), 6),
      '{{- end }}',
      '',
    ),
  },
  {
    path: 'sandbox/namespace.yaml',
    source: SRC,
    render: () => lines(
      header(SRC),
      '{{- if and .Values.sandbox.enabled .Values.sandbox.createNamespace }}',
      '# Cluster-scoped: its name is sandbox.namespace, which the release owns.',
      'apiVersion: v1',
      'kind: Namespace',
      metadata({
        component: 'sandbox-namespace',
        name: SANDBOX_NS,
        clusterScoped: true,
        labels: lines(
          'pod-security.kubernetes.io/enforce: {{ .Values.sandbox.podSecurity.enforce }}',
          'pod-security.kubernetes.io/enforce-version: {{ .Values.sandbox.podSecurity.version }}',
          'pod-security.kubernetes.io/audit: {{ .Values.sandbox.podSecurity.audit }}',
          'pod-security.kubernetes.io/audit-version: {{ .Values.sandbox.podSecurity.version }}',
          'pod-security.kubernetes.io/warn: {{ .Values.sandbox.podSecurity.warn }}',
          'pod-security.kubernetes.io/warn-version: {{ .Values.sandbox.podSecurity.version }}',
        ),
      }),
      '{{- end }}',
      '',
    ),
  },
  {
    path: 'sandbox/resourcequota.yaml',
    source: SRC,
    render: () => lines(
      header(SRC),
      '{{- if and .Values.sandbox.enabled .Values.sandbox.quota.enabled }}',
      'apiVersion: v1',
      'kind: ResourceQuota',
      metadata({ component: 'sandbox-quota', namespace: SANDBOX_NS }),
      'spec:',
      hard('.Values.sandbox.quota'),
      '{{- end }}',
      '',
    ),
  },
];
