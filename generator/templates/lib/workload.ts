/**
 * Shared builders for Pod templates, Deployments, StatefulSets, Services, ServiceAccounts and
 * PodDisruptionBudgets. Every workload is assembled from these, so each one gets the same
 * image, probe, security, scheduling, hook and checksum handling.
 */
import { metadata } from './meta.js';
import { ctx, header, indent, lines, v } from './text.js';

export interface Port {
  readonly name: string;
  /** Template expression or literal for the container port. */
  readonly port: string;
}

export interface Probes {
  readonly startup: string;
  readonly readiness: string;
  readonly liveness: string;
}

export interface ContainerParts {
  readonly name: string;
  readonly ports: readonly Port[];
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  /** YAML list items (unindented) of fixed env entries; may hold template actions. */
  readonly env?: string;
  /** YAML list items (unindented) of fixed envFrom entries. */
  readonly envFrom?: string;
  /** Probe handlers (YAML, unindented), e.g. `httpGet:\n  path: /health\n  port: http`. */
  readonly probes: Probes;
  /** YAML list items (unindented) of fixed volume mounts. */
  readonly volumeMounts?: string;
}

export interface PodParts {
  /** Component name (object names, labels). */
  readonly component: string;
  /** Dotted values path of the component's workload block, e.g. `sandbox.agent`. */
  readonly values: string;
  /** Annotation lines (YAML, unindented) such as checksums. */
  readonly annotations?: string;
  /** YAML list items (unindented) of init containers. */
  readonly initContainers?: string;
  /** YAML list items (unindented) of fixed volumes. */
  readonly volumes?: string;
  /** Extra Pod spec fields (YAML, unindented). */
  readonly specExtra?: string;
  readonly container: ContainerParts;
}

function probe(kind: 'startup' | 'readiness' | 'liveness', handler: string, values: string): string {
  const key = `${kind}Probe`;
  return lines(
    `{{- if ${v(values)}.${key}.enabled }}`,
    `${key}:`,
    indent(handler, 2),
    `  {{- include "deerflow.probeTiming" ${v(values)}.${key} | nindent 2 }}`,
    '{{- end }}',
  );
}

function flowList(items: readonly string[]): string {
  return `[${items.map((i) => JSON.stringify(i)).join(', ')}]`;
}

/** The main container of a workload (YAML list item, unindented). */
export function container(c: ContainerParts, values: string): string {
  const V = v(values);
  return lines(
    `- name: ${c.name}`,
    `  image: {{ include "deerflow.images.image" (dict "image" ${V}.image "registry" .Values.global.imageRegistry) | quote }}`,
    `  imagePullPolicy: {{ ${V}.image.pullPolicy }}`,
    c.command !== undefined ? `  command: ${flowList(c.command)}` : undefined,
    c.args !== undefined ? `  args: ${flowList(c.args)}` : undefined,
    c.ports.length > 0 ? '  ports:' : undefined,
    ...c.ports.map((p) => `    - name: ${p.name}\n      containerPort: ${p.port}\n      protocol: TCP`),
    '  env:',
    c.env !== undefined ? indent(c.env, 4) : undefined,
    `    {{- with ${V}.extraEnv }}`,
    '    {{- toYaml . | nindent 4 }}',
    '    {{- end }}',
    c.envFrom !== undefined
      ? lines('  envFrom:', indent(c.envFrom, 4), `    {{- with ${V}.extraEnvFrom }}`, '    {{- toYaml . | nindent 4 }}', '    {{- end }}')
      : lines(`  {{- with ${V}.extraEnvFrom }}`, '  envFrom:', '    {{- toYaml . | nindent 4 }}', '  {{- end }}'),
    indent(probe('startup', c.probes.startup, values), 2),
    indent(probe('readiness', c.probes.readiness, values), 2),
    indent(probe('liveness', c.probes.liveness, values), 2),
    `  {{- include "deerflow.lifecycle" ${V}.preStopSleepSeconds | indent 2 }}`,
    `  {{- with ${V}.resources }}`,
    '  resources:',
    '    {{- toYaml . | nindent 4 }}',
    '  {{- end }}',
    '  securityContext:',
    `    {{- include "deerflow.securityContext" (dict "ctx" $ "securityContext" ${V}.containerSecurityContext) | nindent 4 }}`,
    c.volumeMounts !== undefined
      ? lines('  volumeMounts:', indent(c.volumeMounts, 4), `    {{- with ${V}.extraVolumeMounts }}`, '    {{- toYaml . | nindent 4 }}', '    {{- end }}')
      : lines(`  {{- with ${V}.extraVolumeMounts }}`, '  volumeMounts:', '    {{- toYaml . | nindent 4 }}', '  {{- end }}'),
  );
}

/** A Pod template (`template:` body, unindented). */
export function podTemplate(p: PodParts): string {
  const V = v(p.values);
  return lines(
    'metadata:',
    '  labels:',
    `    {{- include "deerflow.labels" ${ctx(p.component)} | nindent 4 }}`,
    `    {{- with ${V}.podLabels }}`,
    '    {{- toYaml . | nindent 4 }}',
    '    {{- end }}',
    '  annotations:',
    p.annotations !== undefined ? indent(p.annotations, 4) : undefined,
    `    {{- with ${V}.podAnnotations }}`,
    '    {{- toYaml . | nindent 4 }}',
    '    {{- end }}',
    'spec:',
    `  serviceAccountName: {{ include "deerflow.serviceAccountName" (dict "ctx" $ "component" "${p.component}" "serviceAccount" ${V}.serviceAccount) }}`,
    `  automountServiceAccountToken: {{ ${V}.serviceAccount.automountToken }}`,
    '  enableServiceLinks: false',
    `  terminationGracePeriodSeconds: {{ ${V}.terminationGracePeriodSeconds }}`,
    '  {{- include "deerflow.images.pullSecrets" . | indent 2 }}',
    '  securityContext:',
    `    {{- include "deerflow.securityContext" (dict "ctx" $ "securityContext" ${V}.podSecurityContext) | nindent 4 }}`,
    `  {{- include "deerflow.scheduling" (dict "ctx" $ "component" "${p.component}" "nodeSelector" ${V}.nodeSelector "tolerations" ${V}.tolerations "affinity" ${V}.affinity "topologySpreadConstraints" ${V}.topologySpreadConstraints "priorityClassName" ${V}.priorityClassName) | indent 2 }}`,
    p.specExtra !== undefined ? indent(p.specExtra, 2) : undefined,
    p.initContainers !== undefined ? lines('  initContainers:', indent(p.initContainers, 4)) : undefined,
    '  containers:',
    indent(container(p.container, p.values), 4),
    p.volumes !== undefined
      ? lines('  volumes:', indent(p.volumes, 4), `    {{- with ${V}.extraVolumes }}`, '    {{- toYaml . | nindent 4 }}', '    {{- end }}')
      : lines(`  {{- with ${V}.extraVolumes }}`, '  volumes:', '    {{- toYaml . | nindent 4 }}', '  {{- end }}'),
  );
}

export interface DeploymentParts extends PodParts {
  readonly source: string;
  /** Condition wrapping the whole file (template expression), e.g. `.Values.sandbox.enabled`. */
  readonly when?: string;
  /** `strategy:` body (YAML, unindented); defaults to RollingUpdate maxSurge 25%/maxUnavailable 0. */
  readonly strategy?: string;
}

function wrap(when: string | undefined, body: string): string {
  return when === undefined ? body : lines(`{{- if ${when} }}`, body, '{{- end }}');
}

export function deployment(d: DeploymentParts): string {
  const V = v(d.values);
  return lines(
    header(d.source),
    wrap(d.when, lines(
      'apiVersion: apps/v1',
      'kind: Deployment',
      metadata({ component: d.component }),
      'spec:',
      `  {{- if not (include "deerflow.autoscaling.on" ${V}.autoscaling) }}`,
      `  replicas: {{ ${V}.replicaCount }}`,
      '  {{- end }}',
      '  revisionHistoryLimit: 5',
      '  strategy:',
      indent(d.strategy ?? 'type: RollingUpdate\nrollingUpdate:\n  maxSurge: 25%\n  maxUnavailable: 0', 4),
      '  selector:',
      '    matchLabels:',
      `      {{- include "deerflow.selectorLabels" ${ctx(d.component)} | nindent 6 }}`,
      '  template:',
      indent(podTemplate(d), 4),
    )),
    '',
  );
}

export interface StatefulSetParts extends PodParts {
  readonly source: string;
  readonly when: string;
  /** Name of the headless governing Service (template expression). */
  readonly serviceName: string;
  /** `volumeClaimTemplates:` items (YAML, unindented), wrapped in a condition by the caller. */
  readonly claimTemplates: string;
}

export function statefulSet(s: StatefulSetParts): string {
  return lines(
    header(s.source),
    wrap(s.when, lines(
      'apiVersion: apps/v1',
      'kind: StatefulSet',
      metadata({ component: s.component }),
      'spec:',
      '  replicas: 1',
      `  serviceName: ${s.serviceName}`,
      '  podManagementPolicy: OrderedReady',
      '  updateStrategy:',
      '    type: RollingUpdate',
      '  selector:',
      '    matchLabels:',
      `      {{- include "deerflow.selectorLabels" ${ctx(s.component)} | nindent 6 }}`,
      '  template:',
      indent(podTemplate(s), 4),
      s.claimTemplates,
    )),
    '',
  );
}

export function serviceAccount(source: string, component: string, values: string, when?: string): string {
  const V = v(values);
  const cond = when === undefined ? `${V}.serviceAccount.create` : `and ${when} ${V}.serviceAccount.create`;
  return lines(
    header(source),
    `{{- if ${cond} }}`,
    'apiVersion: v1',
    'kind: ServiceAccount',
    metadata({
      component,
      name: `{{ include "deerflow.serviceAccountName" (dict "ctx" $ "component" "${component}" "serviceAccount" ${V}.serviceAccount) }}`,
      annotationsValue: `${values}.serviceAccount.annotations`,
    }),
    `automountServiceAccountToken: {{ ${V}.serviceAccount.automountToken }}`,
    '{{- end }}',
    '',
  );
}

export function podDisruptionBudget(source: string, component: string, values: string, when?: string): string {
  const V = v(values);
  const cond = when === undefined ? `${V}.pdb.enabled` : `and ${when} ${V}.pdb.enabled`;
  return lines(
    header(source),
    `{{- if ${cond} }}`,
    'apiVersion: policy/v1',
    'kind: PodDisruptionBudget',
    metadata({ component }),
    'spec:',
    `  {{- if ne (toString ${V}.pdb.minAvailable) "" }}`,
    `  minAvailable: {{ ${V}.pdb.minAvailable }}`,
    '  {{- else }}',
    `  maxUnavailable: {{ ${V}.pdb.maxUnavailable }}`,
    '  {{- end }}',
    '  unhealthyPodEvictionPolicy: AlwaysAllow',
    '  selector:',
    '    matchLabels:',
    `      {{- include "deerflow.selectorLabels" ${ctx(component)} | nindent 6 }}`,
    '{{- end }}',
    '',
  );
}

export interface ServiceParts {
  readonly source: string;
  readonly component: string;
  /** Dotted path of the service values (must have `port` and `annotations`). */
  readonly values?: string;
  readonly when?: string;
  /** `spec.type` line value (template expression); default ClusterIP. */
  readonly type?: string;
  readonly headless?: boolean;
  readonly name?: string;
  readonly namespace?: string;
  /** Ports (YAML list items, unindented). */
  readonly ports: string;
  /** Selector component; defaults to `component`. Ignored when `selector` is given. */
  readonly selectorComponent?: string;
  /** Full selector body (YAML, unindented). */
  readonly selector?: string;
  readonly extraSpec?: string;
}

export function service(s: ServiceParts): string {
  return lines(
    header(s.source),
    wrap(s.when, lines(
      'apiVersion: v1',
      'kind: Service',
      metadata({
        component: s.component,
        ...(s.name !== undefined ? { name: s.name } : {}),
        ...(s.namespace !== undefined ? { namespace: s.namespace } : {}),
        ...(s.values !== undefined ? { annotationsValue: `${s.values}.annotations` } : {}),
      }),
      'spec:',
      `  type: ${s.type ?? 'ClusterIP'}`,
      s.headless === true ? '  clusterIP: None' : undefined,
      s.extraSpec !== undefined ? indent(s.extraSpec, 2) : undefined,
      '  ports:',
      indent(s.ports, 4),
      '  selector:',
      s.selector !== undefined
        ? indent(s.selector, 4)
        : `    {{- include "deerflow.selectorLabels" ${ctx(s.selectorComponent ?? s.component)} | nindent 4 }}`,
    )),
    '',
  );
}
