/**
 * Shared builders for Pod templates, Deployments, StatefulSets, Services, ServiceAccounts and
 * PodDisruptionBudgets. Every workload is assembled from these, so each one gets the same
 * image, probe, security, scheduling, hook and checksum handling.
 */
import type { Component } from '../../components.js';
import { metadata } from './meta.js';
import { ctx, header, indent, lines, v, when } from './text.js';

export interface Port {
  readonly name: string;
  /** Template expression or literal for the container port. */
  readonly port: string;
}

/** A component's container port, from the registry. */
export function componentPort(c: Component): Port {
  return { name: c.port.name, port: String(c.port.number) };
}

export interface Probes {
  readonly startup: string;
  readonly readiness: string;
  readonly liveness: string;
}

/** The main container; its name is the component's (extra containers must not reuse it). */
export interface ContainerParts {
  /** Ports besides the component's own (which comes from the registry). */
  readonly ports?: readonly Port[];
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
  /** The registry entry: name (object names, labels), values path, port, condition. */
  readonly component: Component;
  /** Annotation lines (YAML, unindented) such as checksums. */
  readonly annotations?: string;
  /** YAML list items (unindented) of init containers. */
  readonly initContainers?: string;
  /** YAML list items (unindented) of fixed volumes. */
  readonly volumes?: string;
  /** Extra Pod spec fields (YAML, unindented). */
  readonly specExtra?: string;
  readonly container: ContainerParts;
  /** The component's values carry `podAntiAffinityPreset` (used while `affinity` is empty). */
  readonly antiAffinity?: boolean;
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

/** `command`/`args`: the values override when non-empty, else the chart's (if any). */
function override(key: 'command' | 'args', chart: readonly string[] | undefined, V: string): string {
  return chart !== undefined
    ? lines(`  {{- if ${V}.${key} }}`, `  ${key}:`, `    {{- toYaml ${V}.${key} | nindent 4 }}`, '  {{- else }}', `  ${key}: ${flowList(chart)}`, '  {{- end }}')
    : lines(`  {{- with ${V}.${key} }}`, `  ${key}:`, '    {{- toYaml . | nindent 4 }}', '  {{- end }}');
}

/** The main container of a workload (YAML list item, unindented). */
export function container(c: ContainerParts, name: string, values: string): string {
  const V = v(values);
  return lines(
    `- name: ${name}`,
    `  image: {{ include "deerflow.images.image" (dict "image" ${V}.image "registry" .Values.global.imageRegistry) | quote }}`,
    `  imagePullPolicy: {{ ${V}.image.pullPolicy }}`,
    override('command', c.command, V),
    override('args', c.args, V),
    (c.ports ?? []).length > 0 ? '  ports:' : undefined,
    ...(c.ports ?? []).map((p) => `    - name: ${p.name}\n      containerPort: ${p.port}\n      protocol: TCP`),
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
    `  {{- if ${V}.lifecycleHooks }}`,
    '  lifecycle:',
    `    {{- toYaml ${V}.lifecycleHooks | nindent 4 }}`,
    '  {{- else }}',
    `  {{- include "deerflow.lifecycle" ${V}.preStopSleepSeconds | indent 2 }}`,
    '  {{- end }}',
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
  const V = v(p.component.values);
  const name = p.component.name;
  return lines(
    'metadata:',
    '  labels:',
    `    {{- include "deerflow.labels" ${ctx(name)} | nindent 4 }}`,
    `    {{- with ${V}.podLabels }}`,
    '    {{- toYaml . | nindent 4 }}',
    '    {{- end }}',
    '  annotations:',
    p.annotations !== undefined ? indent(p.annotations, 4) : undefined,
    `    {{- with ${V}.podAnnotations }}`,
    '    {{- toYaml . | nindent 4 }}',
    '    {{- end }}',
    'spec:',
    `  serviceAccountName: {{ include "deerflow.serviceAccountName" (dict "ctx" $ "component" "${name}" "serviceAccount" ${V}.serviceAccount) }}`,
    `  automountServiceAccountToken: {{ ${V}.serviceAccount.automountToken }}`,
    '  enableServiceLinks: false',
    `  terminationGracePeriodSeconds: {{ ${V}.terminationGracePeriodSeconds }}`,
    '  {{- include "deerflow.images.pullSecrets" . | indent 2 }}',
    '  securityContext:',
    `    {{- include "deerflow.securityContext" (dict "ctx" $ "securityContext" ${V}.podSecurityContext) | nindent 4 }}`,
    `  {{- include "deerflow.scheduling" (dict "ctx" $ "component" "${name}" "nodeSelector" ${V}.nodeSelector "tolerations" ${V}.tolerations "affinity" ${V}.affinity "topologySpreadConstraints" ${V}.topologySpreadConstraints "priorityClassName" ${V}.priorityClassName${p.antiAffinity === true ? ` "antiAffinity" ${V}.podAntiAffinityPreset` : ''}) | indent 2 }}`,
    `  {{- with ${V}.schedulerName }}`,
    '  schedulerName: {{ . }}',
    '  {{- end }}',
    `  {{- with ${V}.dnsPolicy }}`,
    '  dnsPolicy: {{ . }}',
    '  {{- end }}',
    `  {{- with ${V}.dnsConfig }}`,
    '  dnsConfig:',
    '    {{- toYaml . | nindent 4 }}',
    '  {{- end }}',
    `  {{- with ${V}.hostAliases }}`,
    '  hostAliases:',
    '    {{- toYaml . | nindent 4 }}',
    '  {{- end }}',
    p.specExtra !== undefined ? indent(p.specExtra, 2) : undefined,
    p.initContainers !== undefined
      ? lines('  initContainers:', indent(p.initContainers, 4), `    {{- with ${V}.initContainers }}`, '    {{- toYaml . | nindent 4 }}', '    {{- end }}')
      : lines(`  {{- with ${V}.initContainers }}`, '  initContainers:', '    {{- toYaml . | nindent 4 }}', '  {{- end }}'),
    '  containers:',
    indent(container({ ...p.container, ports: [componentPort(p.component), ...(p.container.ports ?? [])] }, name, p.component.values), 4),
    `    {{- with ${V}.sidecars }}`,
    '    {{- toYaml . | nindent 4 }}',
    '    {{- end }}',
    p.volumes !== undefined
      ? lines('  volumes:', indent(p.volumes, 4), `    {{- with ${V}.extraVolumes }}`, '    {{- toYaml . | nindent 4 }}', '    {{- end }}')
      : lines(`  {{- with ${V}.extraVolumes }}`, '  volumes:', '    {{- toYaml . | nindent 4 }}', '  {{- end }}'),
  );
}

export interface DeploymentParts extends PodParts {
  readonly source: string;
  /** `strategy:` body (YAML, unindented); defaults to {@link ROLLING_UPDATE}. */
  readonly strategy?: string;
}

/** The default Deployment strategy; `Component.surge: 'rolling'` (quota fit) assumes exactly this surge. */
export const ROLLING_UPDATE = 'type: RollingUpdate\nrollingUpdate:\n  maxSurge: 25%\n  maxUnavailable: 0';


export function deployment(d: DeploymentParts): string {
  const c = d.component;
  const V = v(c.values);
  return lines(
    header(d.source),
    when(c.when, lines(
      'apiVersion: apps/v1',
      'kind: Deployment',
      metadata({ component: c.name }),
      'spec:',
      c.autoscaled ? `  {{- if not (include "deerflow.autoscaling.on" ${V}.autoscaling) }}` : undefined,
      `  replicas: {{ ${V}.replicaCount }}`,
      c.autoscaled ? '  {{- end }}' : undefined,
      `  revisionHistoryLimit: {{ ${V}.revisionHistoryLimit }}`,
      '  strategy:',
      indent(d.strategy ?? ROLLING_UPDATE, 4),
      '  selector:',
      '    matchLabels:',
      `      {{- include "deerflow.selectorLabels" ${ctx(c.name)} | nindent 6 }}`,
      '  template:',
      indent(podTemplate(d), 4),
    )),
    '',
  );
}

export interface StatefulSetParts extends PodParts {
  readonly source: string;
  /** Name of the headless governing Service (template expression). */
  readonly serviceName: string;
  /** `volumeClaimTemplates:` items (YAML, unindented), wrapped in a condition by the caller. */
  readonly claimTemplates: string;
}

export function statefulSet(s: StatefulSetParts): string {
  const c = s.component;
  return lines(
    header(s.source),
    when(c.when, lines(
      'apiVersion: apps/v1',
      'kind: StatefulSet',
      metadata({ component: c.name }),
      'spec:',
      '  replicas: 1',
      `  revisionHistoryLimit: {{ ${v(c.values)}.revisionHistoryLimit }}`,
      `  serviceName: ${s.serviceName}`,
      '  podManagementPolicy: OrderedReady',
      '  updateStrategy:',
      '    type: RollingUpdate',
      '  selector:',
      '    matchLabels:',
      `      {{- include "deerflow.selectorLabels" ${ctx(c.name)} | nindent 6 }}`,
      '  template:',
      indent(podTemplate(s), 4),
      s.claimTemplates,
    )),
    '',
  );
}

export function serviceAccount(source: string, c: Component): string {
  const V = v(c.values);
  return lines(
    header(source),
    when(c.when, lines(
      `{{- if ${V}.serviceAccount.create }}`,
      'apiVersion: v1',
      'kind: ServiceAccount',
      metadata({
        component: c.name,
        name: `{{ include "deerflow.serviceAccountName" (dict "ctx" $ "component" "${c.name}" "serviceAccount" ${V}.serviceAccount) }}`,
        annotationsValue: `${c.values}.serviceAccount.annotations`,
      }),
      `automountServiceAccountToken: {{ ${V}.serviceAccount.automountToken }}`,
      '{{- end }}',
    )),
    '',
  );
}

export function podDisruptionBudget(source: string, c: Component): string {
  const V = v(c.values);
  return lines(
    header(source),
    when(c.when, lines(
      `{{- if ${V}.pdb.enabled }}`,
      'apiVersion: policy/v1',
      'kind: PodDisruptionBudget',
      metadata({ component: c.name }),
      'spec:',
      `  {{- if ne (toString ${V}.pdb.minAvailable) "" }}`,
      `  minAvailable: {{ ${V}.pdb.minAvailable }}`,
      '  {{- else }}',
      `  maxUnavailable: {{ ${V}.pdb.maxUnavailable }}`,
      '  {{- end }}',
      '  unhealthyPodEvictionPolicy: AlwaysAllow',
      '  selector:',
      '    matchLabels:',
      `      {{- include "deerflow.selectorLabels" ${ctx(c.name)} | nindent 6 }}`,
      '{{- end }}',
    )),
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
    when(s.when, lines(
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
