/**
 * Sandbox wiring: the sandbox agent (Deployment, Service, ServiceAccount, PDB), its namespaced
 * Role/RoleBinding in the sandbox namespace, the headless Service for sandbox Pod DNS, the owner
 * ConfigMap (garbage-collects sandboxes on uninstall), the API-key Secret and skills storage.
 */
import { AGENT_ENV, type AgentEnvName, type EnvSpec } from '../../../sandbox-agent/src/env.js';
import { COMPONENTS } from '../../components.js';
import { SANDBOX_AGENT_PORT } from '../../model/sandbox.js';
import { metadata } from '../lib/meta.js';
import { SANDBOX_LABELS, sandboxLabelsYaml } from '../lib/sandbox-labels.js';
import { header, lines } from '../lib/text.js';
import type { TemplateModule } from '../lib/types.js';
import { deployment, service } from '../lib/workload.js';
import { coldStartTemplates } from './coldstart.js';

const SRC = 'generator/templates/sandbox/index.ts';
const AGENT = COMPONENTS['sandbox-agent'];
const ON = '.Values.sandbox.enabled';
const SANDBOX_NS = '{{ include "deerflow.sandbox.namespace" . }}';

function name(component: string): string {
  return `{{ include "deerflow.componentName" (dict "ctx" $ "component" "${component}") }}`;
}

/** Env entries the chart computes from other facts (the agent's env table marks them `derived`). */
const DERIVED: Partial<Record<AgentEnvName, string>> = {
  K8S_NAMESPACE: 'value: {{ include "deerflow.sandbox.namespace" . | quote }}',
  SANDBOX_IMAGE: 'value: {{ include "deerflow.images.image" (dict "image" .Values.sandbox.image "registry" .Values.global.imageRegistry) | quote }}',
  SANDBOX_AGENT_POD_IMAGE_PULL_POLICY: 'value: {{ .Values.sandbox.image.pullPolicy | quote }}',
  THREADS_HOST_PATH: 'value: {{ printf "%s/threads" (include "deerflow.hostBaseDir" .) | quote }}',
  DEER_FLOW_HOST_BASE_DIR: 'value: {{ include "deerflow.hostBaseDir" . | quote }}',
  SKILLS_PVC_NAME: 'value: {{ include "deerflow.sandbox.skillsClaim" . | quote }}',
  SKILLS_PVC_SUBPATH_TEMPLATE: 'value: {{ include "deerflow.sandbox.skillsSubPath" . | quote }}',
  USERDATA_PVC_NAME: 'value: {{ include "deerflow.sandbox.userDataClaim" . | quote }}',
  PROVISIONER_API_KEY: String.raw`valueFrom:
  secretKeyRef:
    name: {{ include "deerflow.sandbox.secretName" . }}
    key: {{ include "deerflow.sandbox.secretKey" . }}`,
  SANDBOX_AGENT_API_KEYS: String.raw`valueFrom:
  secretKeyRef:
    name: {{ include "deerflow.sandbox.secretName" . }}
    key: extra-api-keys
    optional: true`,
  SANDBOX_AGENT_PORT: `value: "${SANDBOX_AGENT_PORT}"`,
  SANDBOX_AGENT_HEADLESS_SERVICE: `value: ${name('sandboxes')}`,
  SANDBOX_AGENT_CLUSTER_DOMAIN: 'value: {{ .Values.clusterDomain | quote }}',
  SANDBOX_AGENT_RELEASE: 'value: {{ .Release.Name | quote }}',
  SANDBOX_AGENT_OWNER_CONFIGMAP: `value: ${name('sandbox-owner')}`,
  SANDBOX_AGENT_OWNERSHIP_REDIS_URL: String.raw`{{- if eq .Values.redis.mode "external" }}
valueFrom:
  secretKeyRef:
    name: {{ include "deerflow.redis.secretName" . }}
    key: {{ include "deerflow.redis.urlKey" . }}
{{- else }}
value: {{ printf "redis://%s:%v/0" (include "deerflow.serviceHost" (dict "ctx" . "component" "redis")) .Values.redis.service.port | quote }}
{{- end }}`,
  SANDBOX_AGENT_OWNERSHIP_REDIS_PASSWORD: String.raw`valueFrom:
  secretKeyRef:
    name: {{ include "deerflow.redis.secretName" . }}
    key: {{ include "deerflow.redis.passwordKey" . }}`,
  SANDBOX_AGENT_OWNERSHIP_KEY_PREFIX: `value: {{ dig "sandbox" "ownership" "key_prefix" ${JSON.stringify(AGENT_ENV.SANDBOX_AGENT_OWNERSHIP_KEY_PREFIX.default)} .Values.deerflow.config.extra | quote }}`,
  SANDBOX_AGENT_LEASE_NAME: `value: ${name('sandbox-agent-leader')}`,
  POD_NAME: 'valueFrom:\n  fieldRef:\n    fieldPath: metadata.name',
  SANDBOX_AGENT_POD_IMAGE_PULL_SECRETS: 'value: {{ toJson .Values.global.imagePullSecrets | quote }}',
};

const LEASES_IN_REDIS = 'eq (include "deerflow.sandbox.ownershipInRedis" .) "true"';

/** Variables rendered only when the condition holds. */
const WHEN: Partial<Record<AgentEnvName, string>> = {
  NODE_HOST: 'eq .Values.sandbox.serviceType "NodePort"',
  DEERFLOW_LARK_BROKER_DENY_SUBCOMMANDS: '.Values.sandbox.lark.denySubcommands',
  SANDBOX_AGENT_OWNERSHIP_REDIS_URL: LEASES_IN_REDIS,
  // An external Redis's URL Secret carries its own credentials.
  SANDBOX_AGENT_OWNERSHIP_REDIS_PASSWORD: `and (${LEASES_IN_REDIS}) (eq .Values.redis.mode "bundled")`,
  SANDBOX_AGENT_OWNERSHIP_KEY_PREFIX: LEASES_IN_REDIS,
};

/** `entry` inside the variable's WHEN condition, if it has one. */
function conditional(key: AgentEnvName, entry: string[]): string[] {
  const when = WHEN[key];
  return when === undefined ? entry : [`{{- if ${when} }}`, ...entry, '{{- end }}'];
}

/** Values-bound variables with their own encoding (the table's `note` says which). */
const ENCODED: Partial<Record<AgentEnvName, (v: string) => string>> = {
  SANDBOX_AGENT_POD_RUN_AS_USER: (v) => `{{ ternary (toString (int64 ${v})) "" (gt (int64 ${v}) 0) | quote }}`,
};

/** How a values leaf of each kind becomes an env string the agent parses. */
function encode(spec: EnvSpec, v: string): string {
  switch (spec.kind) {
    case 'integer':
      return `{{ ${v} | int64 | quote }}`; // Helm reads YAML numbers as float64: 2592000 would print as 2.592e+06
    case 'json':
      return `{{ toJson ${v} | quote }}`;
    case 'list':
      return `{{ join "," ${v} | quote }}`;
    default:
      return `{{ ${v} | quote }}`;
  }
}

/** The agent container's env, in the agent env table's order: every variable the chart sets. */
export function agentEnv(): string {
  const out: string[] = [];
  const used = new Set<string>();
  for (const [key, spec] of Object.entries(AGENT_ENV) as [AgentEnvName, EnvSpec][]) {
    const binding = spec.chart;
    if (binding === undefined) continue;
    used.add(key);
    if ('derived' in binding) {
      const body = DERIVED[key];
      if (body === undefined) throw new Error(`${key}: marked derived in the agent env table but the template has no value for it`);
      out.push(...conditional(key, [`- name: ${key}`, ...body.split('\n').map((l) => `  ${l}`)]));
      continue;
    }
    const v = `.Values.${binding.values}`;
    out.push(...conditional(key, [`- name: ${key}`, `  value: ${(ENCODED[key] ?? ((x: string) => encode(spec, x)))(v)}`]));
  }
  for (const key of [...Object.keys(DERIVED), ...Object.keys(WHEN), ...Object.keys(ENCODED)]) {
    if (!used.has(key)) throw new Error(`${key}: rendered by the template but not bound in the agent env table`);
  }
  return out.join('\n');
}


const role = String.raw`rules:
  - apiGroups: [""]
    resources: ["pods"]
    verbs: ["create", "get", "list", "watch", "delete", "patch"]
  {{- if ne .Values.sandbox.serviceType "Headless" }}
  - apiGroups: [""]
    resources: ["services"]
    verbs: ["create", "get", "list", "watch", "delete"]
  {{- end }}
  - apiGroups: [""]
    resources: ["events"]
    verbs: ["get", "list", "watch"]
  - apiGroups: ["coordination.k8s.io"]
    resources: ["leases"]
    verbs: ["get", "create", "update"]
  - apiGroups: [""]
    resources: ["configmaps"]
    resourceNames: [${name('sandbox-owner')}]
    verbs: ["get"]`;

const skillsOn = `and ${ON} (has .Values.sandbox.skills.source (list "nfs" "hostPath"))`;

const policyName = '{{ include "deerflow.clusterScopedName" (dict "ctx" $ "component" "sandbox-agent") }}';
const agentUser = 'system:serviceaccount:{{ include "deerflow.namespace" . }}:{{ include "deerflow.serviceAccountName" (dict "ctx" $ "component" "sandbox-agent" "serviceAccount" .Values.sandbox.agent.serviceAccount) }}';
/** CEL: an object carries every one of this release's sandbox labels. */
const labelled = (obj: string): string => `has(${obj}.metadata.labels) && variables.sandboxLabels.all(k, k in ${obj}.metadata.labels && ${obj}.metadata.labels[k] == variables.sandboxLabels[k])`;
const celLabels = `{${SANDBOX_LABELS.map(([k, v]) => `"${k}": "${v}"`).join(', ')}}`;

// D13: in the release namespace the agent's Role (Pods create/patch/delete) would reach the
// gateway and Postgres; RBAC cannot select by label, so admission does.
const labelList = SANDBOX_LABELS.map(([k, v]) => `${k}=${v}`).join(', ');
const policyMeta = lines(
  'metadata:',
  `  name: ${policyName}`,
  '  labels:',
  '    {{- include "deerflow.labels" (dict "ctx" $ "component" "sandbox-agent") | nindent 4 }}',
  '  {{- with .Values.commonAnnotations }}',
  '  annotations:',
  '    {{- toYaml . | nindent 4 }}',
  '  {{- end }}',
);
const admissionPolicy = lines(
  '# Cluster-scoped, named after the release namespace and release. Requests of this release\'s sandbox',
  '# agent ServiceAccount to create, update/patch or delete Pods and Services are admitted only for',
  '# objects that carry this release\'s sandbox labels (before and after the change), in the sandbox',
  '# namespace.',
  'apiVersion: admissionregistration.k8s.io/v1',
  'kind: ValidatingAdmissionPolicy',
  policyMeta,
  'spec:',
  '  failurePolicy: Fail',
  '  matchConstraints:',
  '    resourceRules:',
  '      - apiGroups: [""]',
  '        apiVersions: ["v1"]',
  '        operations: ["CREATE", "UPDATE", "DELETE"]',
  '        resources: ["pods", "services"]',
  '  matchConditions:',
  '    - name: this-release-sandbox-agent',
  `      expression: 'request.userInfo.username == "${agentUser}"'`,
  '  variables:',
  '    - name: sandboxLabels',
  `      expression: '${celLabels}'`,
  '  validations:',
  `    - expression: 'request.namespace == "${SANDBOX_NS}"'`,
  `      messageExpression: '"the sandbox agent of release {{ .Release.Name }} may only write in namespace ${SANDBOX_NS}, not " + request.namespace'`,
  '      reason: Forbidden',
  `    - expression: 'request.operation == "CREATE" || (${labelled('oldObject')})'`,
  '      messageExpression: \'"the sandbox agent of release {{ .Release.Name }} may only change or delete its own sandboxes; " + request.resource.resource + "/" + request.name + " does not carry its sandbox labels"\'',
  '      reason: Forbidden',
  `    - expression: 'request.operation == "DELETE" || (${labelled('object')})'`,
  `      messageExpression: '"the sandbox agent of release {{ .Release.Name }} may only create or keep " + request.resource.resource + " that carry its sandbox labels (${labelList})"'`,
  '      reason: Forbidden',
);
const admissionPolicyBinding = lines(
  'apiVersion: admissionregistration.k8s.io/v1',
  'kind: ValidatingAdmissionPolicyBinding',
  policyMeta,
  'spec:',
  `  policyName: ${policyName}`,
  '  validationActions: [Deny]',
);

export const sandboxTemplates: TemplateModule[] = [
  {
    path: 'sandbox/deployment.yaml',
    source: SRC,
    render: () => deployment({
      source: SRC,
      component: AGENT,
      annotations: String.raw`kubectl.kubernetes.io/default-container: sandbox-agent
checksum/secret: {{ include "deerflow.checksum.sandboxSecret" . }}
{{- if eq (include "deerflow.sandbox.ownershipInRedis" .) "true" }}
checksum/redis: {{ include "deerflow.checksum.redisSecret" . }}
{{- end }}`,
      volumes: '- name: tmp\n  emptyDir:\n    sizeLimit: 64Mi',
      container: {
        env: agentEnv(),
        probes: {
          startup: 'httpGet:\n  path: /health\n  port: http',
          readiness: 'httpGet:\n  path: /readyz\n  port: http',
          liveness: 'httpGet:\n  path: /health\n  port: http',
        },
        volumeMounts: '- name: tmp\n  mountPath: /tmp',
      },
    }),
  },
  {
    path: 'sandbox/service.yaml',
    source: SRC,
    render: () => service({
      source: SRC,
      when: ON,
      component: 'sandbox-agent',
      values: 'sandbox.agent.service',
      type: '{{ .Values.sandbox.agent.service.type }}',
      ports: '- name: http\n  port: {{ .Values.sandbox.agent.service.port }}\n  targetPort: http\n  protocol: TCP',
    }),
  },
  {
    path: 'sandbox/role.yaml',
    source: SRC,
    render: () => lines(
      header(SRC),
      `{{- if ${ON} }}`,
      'apiVersion: rbac.authorization.k8s.io/v1',
      'kind: Role',
      metadata({ component: 'sandbox-agent', namespace: SANDBOX_NS }),
      role,
      '{{- end }}',
      '',
    ),
  },
  {
    path: 'sandbox/admissionpolicy.yaml',
    source: SRC,
    render: () => lines(header(SRC), `{{- if and ${ON} .Values.sandbox.admissionPolicy.enabled }}`, admissionPolicy, '{{- end }}', ''),
  },
  {
    path: 'sandbox/admissionpolicybinding.yaml',
    source: SRC,
    render: () => lines(header(SRC), `{{- if and ${ON} .Values.sandbox.admissionPolicy.enabled }}`, admissionPolicyBinding, '{{- end }}', ''),
  },
  {
    path: 'sandbox/rolebinding.yaml',
    source: SRC,
    render: () => lines(
      header(SRC),
      `{{- if ${ON} }}`,
      'apiVersion: rbac.authorization.k8s.io/v1',
      'kind: RoleBinding',
      metadata({ component: 'sandbox-agent', namespace: SANDBOX_NS }),
      'roleRef:',
      '  apiGroup: rbac.authorization.k8s.io',
      '  kind: Role',
      `  name: ${name('sandbox-agent')}`,
      'subjects:',
      '  - kind: ServiceAccount',
      '    name: {{ include "deerflow.serviceAccountName" (dict "ctx" $ "component" "sandbox-agent" "serviceAccount" .Values.sandbox.agent.serviceAccount) }}',
      '    namespace: {{ include "deerflow.namespace" . }}',
      '{{- end }}',
      '',
    ),
  },
  {
    path: 'sandbox/service-headless.yaml',
    source: SRC,
    render: () => service({
      source: SRC,
      when: ON,
      component: 'sandboxes',
      namespace: SANDBOX_NS,
      headless: true,
      extraSpec: 'publishNotReadyAddresses: false',
      ports: '- name: http\n  port: {{ .Values.sandbox.containerPort }}\n  targetPort: {{ .Values.sandbox.containerPort }}\n  protocol: TCP',
      selector: sandboxLabelsYaml,
    }),
  },
  {
    path: 'sandbox/configmap-owner.yaml',
    source: SRC,
    render: () => lines(
      header(SRC),
      `{{- if ${ON} }}`,
      '# Owner of every sandbox Pod the agent creates: deleting it (helm uninstall) garbage-collects them.',
      'apiVersion: v1',
      'kind: ConfigMap',
      metadata({ component: 'sandbox-owner', namespace: SANDBOX_NS }),
      'data:',
      '  release: {{ .Release.Name | quote }}',
      '  releaseNamespace: {{ .Release.Namespace | quote }}',
      '{{- end }}',
      '',
    ),
  },
  {
    path: 'sandbox/secret.yaml',
    source: SRC,
    render: () => lines(
      header(SRC),
      `{{- if and ${ON} (not .Values.sandbox.existingSecret) .Values.sandbox.apiKey }}`,
      'apiVersion: v1',
      'kind: Secret',
      metadata({ component: 'sandbox-api-key' }),
      'type: Opaque',
      'data:',
      '  api-key: {{ .Values.sandbox.apiKey | b64enc | quote }}',
      '  {{- with .Values.sandbox.rotationApiKeys }}',
      '  extra-api-keys: {{ join "," . | b64enc | quote }}',
      '  {{- end }}',
      '{{- end }}',
      '',
    ),
  },
  {
    path: 'sandbox/pv-skills.yaml',
    source: SRC,
    render: () => lines(
      header(SRC),
      `{{- if ${skillsOn} }}`,
      '# Cluster-scoped: the name carries namespace and release so releases never collide.',
      'apiVersion: v1',
      'kind: PersistentVolume',
      metadata({ component: 'skills', name: '{{ include "deerflow.clusterScopedName" (dict "ctx" $ "component" "skills") }}', clusterScoped: true }),
      'spec:',
      '  capacity:',
      '    storage: {{ .Values.sandbox.skills.size }}',
      '  accessModes: ["ReadOnlyMany"]',
      '  persistentVolumeReclaimPolicy: Retain',
      '  storageClassName: ""',
      '  claimRef:',
      `    namespace: ${SANDBOX_NS}`,
      `    name: ${name('skills')}`,
      '  {{- if eq .Values.sandbox.skills.source "nfs" }}',
      '  nfs:',
      '    server: {{ .Values.sandbox.skills.nfs.server }}',
      '    path: {{ .Values.sandbox.skills.nfs.path }}',
      '    readOnly: true',
      '  {{- else }}',
      '  hostPath:',
      '    path: {{ .Values.sandbox.skills.hostPath }}',
      '    type: DirectoryOrCreate',
      '  {{- end }}',
      '{{- end }}',
      '',
    ),
  },
  {
    path: 'sandbox/pvc-skills.yaml',
    source: SRC,
    render: () => lines(
      header(SRC),
      `{{- if ${skillsOn} }}`,
      'apiVersion: v1',
      'kind: PersistentVolumeClaim',
      metadata({ component: 'skills', namespace: SANDBOX_NS }),
      'spec:',
      '  accessModes: ["ReadOnlyMany"]',
      '  storageClassName: ""',
      '  volumeName: {{ include "deerflow.clusterScopedName" (dict "ctx" $ "component" "skills") }}',
      '  resources:',
      '    requests:',
      '      storage: {{ .Values.sandbox.skills.size }}',
      '{{- end }}',
      '',
    ),
  },
  ...coldStartTemplates,
];
