/** Gateway objects: Deployment, Service, ConfigMap, provider Secret, home PVC (ServiceAccount, PDB: templates/workloads). */
import { COMPONENTS } from '../../components.js';
import { metadata } from '../lib/meta.js';
import { header, lines } from '../lib/text.js';
import type { TemplateModule } from '../lib/types.js';
import { deployment, service } from '../lib/workload.js';

const SRC = 'generator/templates/gateway/index.ts';
const GATEWAY = COMPONENTS.gateway;
const HOME = '/app/backend/.deer-flow';

const env = String.raw`- name: DEER_FLOW_PROJECT_ROOT
  value: /app
- name: DEER_FLOW_HOME
  value: ${HOME}
- name: DEER_FLOW_CONFIG_PATH
  value: /app/backend/config/config.yaml
- name: DEER_FLOW_EXTENSIONS_CONFIG_PATH
  value: /app/backend/runtime/extensions_config.json
- name: DEER_FLOW_HOST_BASE_DIR
  value: {{ include "deerflow.hostBaseDir" . | quote }}
- name: DEER_FLOW_CHANNELS_LANGGRAPH_URL
  value: {{ printf "%s/api" (include "deerflow.gateway.url" .) | quote }}
- name: DEER_FLOW_CHANNELS_GATEWAY_URL
  value: {{ include "deerflow.gateway.url" . | quote }}
- name: DEER_FLOW_ENV
  value: {{ .Values.deerflow.environment | quote }}
- name: ENVIRONMENT
  value: {{ .Values.deerflow.environment | quote }}
- name: GATEWAY_ENABLE_DOCS
  value: {{ .Values.deerflow.enableDocs | quote }}
- name: GATEWAY_WORKERS
  value: {{ .Values.gateway.workers | quote }}
- name: AUTH_TRUSTED_PROXIES
  value: {{ join "," .Values.deerflow.trustedProxies | quote }}
{{- with .Values.deerflow.corsOrigins }}
- name: GATEWAY_CORS_ORIGINS
  value: {{ join "," . | quote }}
{{- end }}
- name: PYTHONDONTWRITEBYTECODE
  value: "1"
- name: UV_NO_SYNC
  value: "1"
- name: UV_CACHE_DIR
  value: /tmp/uv-cache
- name: HOME
  value: /tmp/home
{{- if include "deerflow.auth.enabled" . }}
- name: AUTH_JWT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ include "deerflow.auth.secretName" . }}
      key: AUTH_JWT_SECRET
      optional: true
- name: DEER_FLOW_INTERNAL_AUTH_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "deerflow.auth.secretName" . }}
      key: DEER_FLOW_INTERNAL_AUTH_TOKEN
      optional: true
{{- end }}
{{- if .Values.sandbox.enabled }}
- name: PROVISIONER_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "deerflow.sandbox.secretName" . }}
      key: {{ include "deerflow.sandbox.secretKey" . }}
{{- end }}
{{- include "deerflow.datastoreEnv" . | indent 0 }}
{{- $seen := dict }}
{{- range .Values.deerflow.models }}
{{- if and .apiKeyEnv (not (hasKey $seen .apiKeyEnv)) }}
{{- $_ := set $seen .apiKeyEnv true }}
- name: {{ .apiKeyEnv }}
  valueFrom:
    secretKeyRef:
      name: {{ include "deerflow.providers.secretName" $ }}
      key: {{ .apiKeyEnv }}
{{- end }}
{{- end }}`;

const mounts = String.raw`- name: config
  mountPath: /app/backend/config
  readOnly: true
- name: runtime
  mountPath: /app/backend/runtime
- name: home
  mountPath: ${HOME}
  {{- if ne .Values.persistence.home.mode "hostPath" }}
  subPath: deer-flow
  {{- end }}
- name: tmp
  mountPath: /tmp
{{- if include "deerflow.gateway.mountSkills" . }}
- name: skills
  mountPath: /app/skills
  readOnly: true
{{- end }}`;

const volumes = String.raw`- name: config
  configMap:
    name: {{ include "deerflow.componentName" (dict "ctx" $ "component" "gateway") }}
- name: runtime
  emptyDir:
    sizeLimit: 16Mi
- name: tmp
  emptyDir:
    sizeLimit: 1Gi
- name: home
  {{- if eq .Values.persistence.home.mode "pvc" }}
  persistentVolumeClaim:
    claimName: {{ include "deerflow.home.claimName" . }}
  {{- else if eq .Values.persistence.home.mode "hostPath" }}
  hostPath:
    path: {{ include "deerflow.hostBaseDir" . }}
    type: DirectoryOrCreate
  {{- else }}
  emptyDir: {}
  {{- end }}
{{- if include "deerflow.gateway.mountSkills" . }}
- name: skills
  persistentVolumeClaim:
    claimName: {{ include "deerflow.sandbox.skillsClaim" . }}
    readOnly: true
{{- end }}`;

// extensions_config.json is rewritten by the gateway at runtime (MCP/skill toggles, D16), so it is
// seeded into a writable emptyDir instead of being mounted read-only from the ConfigMap.
const init = String.raw`- name: seed-extensions
  image: {{ include "deerflow.images.image" (dict "image" .Values.gateway.image "registry" .Values.global.imageRegistry) | quote }}
  imagePullPolicy: {{ .Values.gateway.image.pullPolicy }}
  command: ["cp", "/app/backend/config/extensions_config.json", "/app/backend/runtime/extensions_config.json"]
  {{- with .Values.gateway.resources }}
  # The gateway's own resources: an init container never adds to the Pod's effective requests
  # beyond its largest container, and a LimitRange min applies to it as well.
  resources:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- include "deerflow.securityContext" (dict "ctx" $ "securityContext" .Values.gateway.containerSecurityContext) | nindent 4 }}
  volumeMounts:
    - name: config
      mountPath: /app/backend/config
      readOnly: true
    - name: runtime
      mountPath: /app/backend/runtime`;

const health = 'httpGet:\n  path: /health\n  port: http';

export const gatewayTemplates: TemplateModule[] = [
  {
    path: 'gateway/deployment.yaml',
    source: SRC,
    render: () => deployment({
      source: SRC,
      component: GATEWAY,
      strategy: String.raw`{{- if eq (include "deerflow.gateway.strategy" .) "Recreate" }}
type: Recreate
{{- else }}
type: RollingUpdate
rollingUpdate:
  maxSurge: 25%
  maxUnavailable: 0
{{- end }}`,
      annotations: String.raw`kubectl.kubernetes.io/default-container: gateway
checksum/config: {{ include "deerflow.checksum.gatewayConfig" . }}
checksum/secret: {{ include "deerflow.checksum.secrets" . }}`,
      initContainers: init,
      volumes,
      container: {
        env,
        probes: { startup: health, readiness: health, liveness: health },
        volumeMounts: mounts,
      },
    }),
  },
  {
    path: 'gateway/service.yaml',
    source: SRC,
    render: () => service({
      source: SRC,
      component: 'gateway',
      values: 'gateway.service',
      type: '{{ .Values.gateway.service.type }}',
      ports: '- name: http\n  port: {{ .Values.gateway.service.port }}\n  targetPort: http\n  protocol: TCP',
    }),
  },
  {
    path: 'gateway/configmap.yaml',
    source: SRC,
    render: () => lines(
      header(SRC),
      'apiVersion: v1',
      'kind: ConfigMap',
      metadata({ component: 'gateway' }),
      'data:',
      '  config.yaml: |',
      '    {{- include "deerflow.config" . | nindent 4 }}',
      '  extensions_config.json: |',
      '    {{- include "deerflow.extensionsConfig" . | nindent 4 }}',
      '',
    ),
  },
  {
    path: 'gateway/secret-providers.yaml',
    source: SRC,
    render: () => lines(
      header(SRC),
      '{{- if and (not .Values.deerflow.providers.existingSecret) .Values.deerflow.providers.apiKeys }}',
      'apiVersion: v1',
      'kind: Secret',
      metadata({ component: 'providers' }),
      'type: Opaque',
      'data:',
      '  {{- range $key, $value := .Values.deerflow.providers.apiKeys }}',
      '  {{ $key }}: {{ $value | b64enc | quote }}',
      '  {{- end }}',
      '{{- end }}',
      '',
    ),
  },
  {
    path: 'gateway/pvc-home.yaml',
    source: SRC,
    render: () => lines(
      header(SRC),
      '{{- if and (eq .Values.persistence.home.mode "pvc") (not .Values.persistence.home.existingClaim) }}',
      'apiVersion: v1',
      'kind: PersistentVolumeClaim',
      metadata({
        component: 'home',
        annotations: '{{- if .Values.persistence.home.keep }}\nhelm.sh/resource-policy: keep\n{{- end }}',
      }),
      'spec:',
      '  accessModes:',
      '    - {{ .Values.persistence.home.accessMode }}',
      '  {{- with (default .Values.global.storageClass .Values.persistence.home.storageClass) }}',
      '  storageClassName: {{ . }}',
      '  {{- end }}',
      '  resources:',
      '    requests:',
      '      storage: {{ .Values.persistence.home.size }}',
      '{{- end }}',
      '',
    ),
  },
];
