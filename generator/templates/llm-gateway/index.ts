/**
 * LLM gateway objects (issue 11): the LiteLLM proxy Deployment, its Service, config.yaml
 * ConfigMap, Secret, PrometheusRule and Grafana dashboard. HPA/KEDA, PDB, ServiceAccount,
 * NetworkPolicy and ServiceMonitor come from the registry entry (components.ts).
 */
import { COMPONENTS } from '../../components.js';
import { metadata } from '../lib/meta.js';
import { header, lines } from '../lib/text.js';
import type { TemplateModule } from '../lib/types.js';
import { deployment, service } from '../lib/workload.js';
import { HELPERS_SRC, llmGatewayHelpers } from './helpers.js';

const SRC = 'generator/templates/llm-gateway/index.ts';
const C = COMPONENTS['llm-gateway'];
const G = '.Values.llmGateway';
const ON = `{{- if ${G}.enabled }}`;
const CONFIG_PATH = '/etc/litellm/config.yaml';

/** The proxy's env: master key, provider keys, the Redis URL, and no price list fetched at start-up. */
const env = lines(
  '- name: LITELLM_MASTER_KEY',
  '  valueFrom:',
  '    secretKeyRef:',
  '      name: {{ include "deerflow.llmGateway.secretName" . }}',
  '      key: LITELLM_MASTER_KEY',
  // One entry per key: providers may share a key (two endpoints of one account), and a repeated
  // env name is refused by server-side apply (Helm 4's install), not merely shadowed.
  '{{- $seen := dict }}',
  '{{- range .Values.llmGateway.providers }}',
  '{{- if not (hasKey $seen .apiKeyEnv) }}',
  '{{- $_ := set $seen .apiKeyEnv true }}',
  '- name: {{ .apiKeyEnv }}',
  '  valueFrom:',
  '    secretKeyRef:',
  '      name: {{ include "deerflow.llmGateway.secretName" $ }}',
  '      key: {{ .apiKeyEnv }}',
  '{{- end }}',
  '{{- end }}',
  '{{- $redis := include "deerflow.llmGateway.redis" . }}',
  '{{- if eq $redis "external" }}',
  '- name: LITELLM_REDIS_URL',
  '  valueFrom:',
  '    secretKeyRef:',
  `      name: {{ ${G}.redis.existingSecret | default (include "deerflow.llmGateway.secretName" .) }}`,
  `      key: {{ ternary ${G}.redis.existingSecretKey "REDIS_URL" (ne ${G}.redis.existingSecret "") }}`,
  '{{- else if and (eq $redis "release") (eq .Values.redis.mode "bundled") }}',
  '- name: REDIS_PASSWORD',
  '  valueFrom:',
  '    secretKeyRef:',
  '      name: {{ include "deerflow.redis.secretName" . }}',
  '      key: {{ include "deerflow.redis.passwordKey" . }}',
  '- name: LITELLM_REDIS_URL',
  '  value: {{ printf "redis://:$(REDIS_PASSWORD)@%s:%v/1" (include "deerflow.serviceHost" (dict "ctx" . "component" "redis")) .Values.redis.service.port | quote }}',
  '{{- else if eq $redis "release" }}',
  '- name: LITELLM_REDIS_URL',
  '  valueFrom:',
  '    secretKeyRef:',
  '      name: {{ include "deerflow.redis.secretName" . }}',
  '      key: {{ include "deerflow.redis.urlKey" . }}',
  '{{- end }}',
  '- name: LITELLM_LOCAL_MODEL_COST_MAP',
  '  value: "True"',
  '- name: HOME',
  '  value: /tmp',
);

const http = (path: string) => `httpGet:\n  path: ${path}\n  port: http`;

export const llmGatewayTemplates: TemplateModule[] = [
  { path: '_llm_gateway.tpl', source: HELPERS_SRC, render: llmGatewayHelpers },
  {
    path: 'llm-gateway/deployment.yaml',
    source: SRC,
    render: () => deployment({
      source: SRC,
      component: C,
      antiAffinity: true,
      annotations: lines(
        'kubectl.kubernetes.io/default-container: llm-gateway',
        `checksum/config: {{ include "deerflow.llmGateway.config" . | sha256sum }}`,
        `checksum/secret: {{ list ${G}.masterKey ${G}.apiKeys ${G}.redis.url | toJson | sha256sum }}`,
      ),
      volumes: '- name: config\n  configMap:\n    name: {{ include "deerflow.componentName" (dict "ctx" $ "component" "llm-gateway") }}\n- name: tmp\n  emptyDir:\n    sizeLimit: 256Mi',
      container: {
        args: ['--config', CONFIG_PATH, '--port', String(C.port.number), '--num_workers', '1'],
        env,
        // Liveness and start-up on the process alone; readiness adds the proxy's own dependencies.
        // Neither calls a provider (`/health` would, and bill it).
        probes: { startup: http('/health/liveliness'), readiness: http('/health/readiness'), liveness: http('/health/liveliness') },
        volumeMounts: `- name: config\n  mountPath: ${CONFIG_PATH}\n  subPath: config.yaml\n  readOnly: true\n- name: tmp\n  mountPath: /tmp`,
      },
    }),
  },
  {
    path: 'llm-gateway/service.yaml',
    source: SRC,
    render: () => service({
      source: SRC,
      component: C.name,
      when: `${G}.enabled`,
      values: 'llmGateway.service',
      type: `{{ ${G}.service.type }}`,
      ports: `- name: http\n  port: {{ ${G}.service.port }}\n  targetPort: http\n  protocol: TCP`,
    }),
  },
  {
    path: 'llm-gateway/configmap.yaml',
    source: SRC,
    render: () => lines(
      header(SRC),
      ON,
      'apiVersion: v1',
      'kind: ConfigMap',
      metadata({ component: C.name }),
      'data:',
      '  config.yaml: |',
      '    {{- include "deerflow.llmGateway.config" . | nindent 4 }}',
      '{{- end }}',
      '',
    ),
  },
  {
    path: 'llm-gateway/secret.yaml',
    source: SRC,
    render: () => lines(
      header(SRC),
      `{{- if and ${G}.enabled (not ${G}.existingSecret) }}`,
      'apiVersion: v1',
      'kind: Secret',
      metadata({ component: C.name }),
      'type: Opaque',
      'stringData:',
      `  LITELLM_MASTER_KEY: {{ ${G}.masterKey | quote }}`,
      `  {{- range $k, $v := ${G}.apiKeys }}`,
      '  {{ $k }}: {{ $v | quote }}',
      '  {{- end }}',
      `  {{- if and (eq ${G}.redis.mode "external") (not ${G}.redis.existingSecret) }}`,
      `  REDIS_URL: {{ ${G}.redis.url | quote }}`,
      '  {{- end }}',
      '{{- end }}',
      '',
    ),
  },
];
