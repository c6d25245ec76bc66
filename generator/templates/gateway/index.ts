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
  value: ${HOME}/extensions_config.json
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
- name: NO_PROXY
  value: {{ include "deerflow.noProxy" . | quote }}
- name: no_proxy
  value: {{ include "deerflow.noProxy" . | quote }}
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
{{- end }}
{{- if .Values.llmGateway.enabled }}
- name: LLM_GATEWAY_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "deerflow.llmGateway.secretName" . }}
      key: LITELLM_MASTER_KEY
{{- end }}`;

const mounts = String.raw`- name: config
  mountPath: /app/backend/config
  readOnly: true
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

const homeMount = String.raw`- name: home
  mountPath: ${HOME}
  {{- if ne .Values.persistence.home.mode "hostPath" }}
  subPath: deer-flow
  {{- end }}`;

// An init container as the gateway runs: its resources (an init container never adds to the Pod's
// effective requests beyond its largest container, and a LimitRange min applies to it as well) and
// its security context.
const asGateway = String.raw`  {{- with .Values.gateway.resources }}
  resources:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- include "deerflow.securityContext" (dict "ctx" $ "securityContext" .Values.gateway.containerSecurityContext) | nindent 4 }}`;

// Init containers, in order:
// - hostPath home only: the kubelet creates a missing hostPath directory root-owned 0755, where the
//   non-root gateway cannot write; one chown as root makes it the gateway user's (hostPath is the
//   single-node development mode that `persistence.allowHostPath` already gates).
// - the public skills from `deerflow.skills.image`, published into the home volume's skills root
//   (DeerFlow's image carries none: backend/Dockerfile copies only backend/).
// - extensions_config.json: the gateway rewrites it at runtime (MCP and skill toggles, D16), so it
//   lives on the home volume and the values only seed it when it does not exist yet.
const init = String.raw`{{- if eq .Values.persistence.home.mode "hostPath" }}
- name: own-home
  image: {{ include "deerflow.images.image" (dict "image" .Values.gateway.image "registry" .Values.global.imageRegistry) | quote }}
  imagePullPolicy: {{ .Values.gateway.image.pullPolicy }}
  command: ["chown", "{{ .Values.gateway.containerSecurityContext.runAsUser }}:{{ .Values.gateway.containerSecurityContext.runAsGroup }}", "${HOME}"]
  {{- with .Values.gateway.resources }}
  resources:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    runAsUser: 0
    runAsNonRoot: false
    allowPrivilegeEscalation: false
    readOnlyRootFilesystem: true
    capabilities:
      drop: ["ALL"]
      add: ["CHOWN"]
    seccompProfile:
      type: RuntimeDefault
  volumeMounts:
${indent(homeMount, 4)}
{{- end }}
{{- if .Values.deerflow.skills.image.repository }}
- name: publish-skills
  image: {{ include "deerflow.images.image" (dict "image" .Values.deerflow.skills.image "registry" .Values.global.imageRegistry) | quote }}
  imagePullPolicy: {{ .Values.deerflow.skills.image.pullPolicy }}
  command: ["sh", "-ec"]
  args:
    - |
      mkdir -p ${HOME}/skills/custom
      rm -rf ${HOME}/skills/.public-new
      cp -R {{ .Values.deerflow.skills.path }}/. ${HOME}/skills/.public-new
      rm -rf ${HOME}/skills/public
      mv ${HOME}/skills/.public-new ${HOME}/skills/public
${asGateway}
  volumeMounts:
${indent(homeMount, 4)}
{{- end }}
- name: seed-extensions
  image: {{ include "deerflow.images.image" (dict "image" .Values.gateway.image "registry" .Values.global.imageRegistry) | quote }}
  imagePullPolicy: {{ .Values.gateway.image.pullPolicy }}
  command: ["sh", "-c", "[ -e ${HOME}/extensions_config.json ] || cp /app/backend/config/extensions_config.json ${HOME}/extensions_config.json"]
${asGateway}
  volumeMounts:
    - name: config
      mountPath: /app/backend/config
      readOnly: true
${indent(homeMount, 4)}`;

function indent(text: string, n: number): string {
  return text.split('\n').map((l) => (l.length > 0 ? ' '.repeat(n) + l : l)).join('\n');
}

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
        // The image's own start command (backend/Dockerfile CMD) with the worker count it lacks:
        // GATEWAY_WORKERS is what DeerFlow's startup gates believe, so it is also what runs.
        command: ['sh', '-c', `cd /app/backend && PYTHONPATH=. exec uv run --no-sync uvicorn app.gateway.app:app --host 0.0.0.0 --port ${GATEWAY.port.number} --workers "$GATEWAY_WORKERS"`],
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
