/**
 * Cold-start features of the sandbox path: the image pre-puller DaemonSet and the placeholder Pods,
 * each with its own low PriorityClass. Both run in the release namespace (the sandbox namespace's
 * quota counts every Pod there, and a placeholder that took sandbox quota would block the sandbox
 * it makes room for) and follow the sandbox Pods' node placement.
 */
import { metadata } from '../lib/meta.js';
import { ctx, header, indent, lines } from '../lib/text.js';
import type { TemplateModule } from '../lib/types.js';

const SRC = 'generator/templates/sandbox/coldstart.ts';
const PULLER = 'sandbox-pre-puller';
const PLACEHOLDER = 'sandbox-placeholder';
const PULLER_ON = 'and .Values.sandbox.enabled .Values.sandbox.prePuller.enabled';
const PLACEHOLDERS_ON = 'and .Values.sandbox.enabled (gt (int .Values.sandbox.placeholders.replicas) 0)';

const className = (component: string): string => `{{ include "deerflow.clusterScopedName" ${ctx(component)} }}`;

function priorityClass(component: string, value: string, what: string): string {
  return lines(
    `# Cluster-scoped, named after the release namespace and release. ${what}`,
    'apiVersion: scheduling.k8s.io/v1',
    'kind: PriorityClass',
    metadata({ component, name: className(component), clusterScoped: true }),
    `value: {{ int64 ${value} }}`,
    'globalDefault: false',
    'preemptionPolicy: Never',
    `description: ${JSON.stringify(what)}`,
  );
}

/** Restricted-profile security: these containers only wait or exit, as a UID no image owns. */
const podSecurity = lines(
  'securityContext:',
  '  runAsNonRoot: true',
  '  runAsUser: 65534',
  '  runAsGroup: 65534',
  '  seccompProfile:',
  '    type: RuntimeDefault',
);
const containerSecurity = lines(
  'securityContext:',
  '  allowPrivilegeEscalation: false',
  '  readOnlyRootFilesystem: true',
  '  capabilities:',
  '    drop: ["ALL"]',
);

/** The sandbox Pods' node placement: nodeSelector, tolerations and node affinity (not their Pod (anti-)affinity, which names sandbox labels). */
function placement(component: string): string {
  return `{{- include "deerflow.scheduling" (dict "ctx" $ "component" "${component}" "nodeSelector" .Values.sandbox.pod.nodeSelector "tolerations" .Values.sandbox.pod.tolerations "affinity" (pick .Values.sandbox.pod.affinity "nodeAffinity") "priorityClassName" (include "deerflow.clusterScopedName" ${ctx(component)})) | indent 0 }}`;
}

/** Pod spec lines shared by both: no API access, no Service env, placement, security, no grace period. */
function podBasics(component: string): string {
  return lines(
    'automountServiceAccountToken: false',
    'enableServiceLinks: false',
    // Preemption waits for the victim's grace period; these Pods hold nothing worth waiting for.
    'terminationGracePeriodSeconds: 0',
    '{{- include "deerflow.images.pullSecrets" . | indent 0 }}',
    placement(component),
    podSecurity,
  );
}

const pauseImage = '{{ include "deerflow.images.image" (dict "image" .Values.sandbox.pauseImage "registry" .Values.global.imageRegistry) }}';

function pauseContainer(resources: string): string {
  return lines(
    '- name: pause',
    `  image: ${pauseImage}`,
    '  imagePullPolicy: {{ .Values.sandbox.pauseImage.pullPolicy }}',
    '  resources:',
    `    {{- toYaml ${resources} | nindent 4 }}`,
    indent(containerSecurity, 2),
  );
}

const daemonSet = lines(
  '# One Pod per node that can run sandboxes. Its init container runs the sandbox image, so the',
  '# node pulls it ahead of the first sandbox; the pause container keeps the Pod (and the image',
  '# reference) in place. A new sandbox image rolls out to every node at once.',
  'apiVersion: apps/v1',
  'kind: DaemonSet',
  metadata({ component: PULLER }),
  'spec:',
  '  selector:',
  '    matchLabels:',
  `      {{- include "deerflow.selectorLabels" ${ctx(PULLER)} | nindent 6 }}`,
  '  updateStrategy:',
  '    type: RollingUpdate',
  '    rollingUpdate:',
  '      maxUnavailable: 100%',
  '  template:',
  '    metadata:',
  '      labels:',
  `        {{- include "deerflow.labels" ${ctx(PULLER)} | nindent 8 }}`,
  '    spec:',
  indent(podBasics(PULLER), 6),
  '      initContainers:',
  '        - name: pull-sandbox-image',
  '          image: {{ include "deerflow.images.image" (dict "image" .Values.sandbox.image "registry" .Values.global.imageRegistry) }}',
  '          imagePullPolicy: {{ .Values.sandbox.image.pullPolicy }}',
  '          command:',
  '            {{- toYaml .Values.sandbox.prePuller.command | nindent 12 }}',
  '          resources:',
  '            {{- toYaml .Values.sandbox.prePuller.resources | nindent 12 }}',
  indent(containerSecurity, 10),
  '      containers:',
  indent(pauseContainer('.Values.sandbox.prePuller.resources'), 8),
);

const placeholderDeployment = lines(
  '# Pods that hold one sandbox Pod\'s requests each on the nodes sandboxes use, at a priority below',
  '# theirs: a sandbox that finds no room preempts one, and the re-created placeholder waits Pending',
  '# (what a cluster autoscaler adds a node for).',
  'apiVersion: apps/v1',
  'kind: Deployment',
  metadata({ component: PLACEHOLDER }),
  'spec:',
  '  replicas: {{ int .Values.sandbox.placeholders.replicas }}',
  '  selector:',
  '    matchLabels:',
  `      {{- include "deerflow.selectorLabels" ${ctx(PLACEHOLDER)} | nindent 6 }}`,
  '  strategy:',
  '    type: RollingUpdate',
  '    rollingUpdate:',
  '      maxSurge: 0',
  '      maxUnavailable: 100%',
  '  template:',
  '    metadata:',
  '      labels:',
  `        {{- include "deerflow.labels" ${ctx(PLACEHOLDER)} | nindent 8 }}`,
  '    spec:',
  indent(podBasics(PLACEHOLDER), 6),
  '      containers:',
  indent(pauseContainer('.Values.sandbox.pod.resources'), 8),
);

/** A template of this module: `body` rendered only when `condition` holds. */
function gated(path: string, condition: string, body: string): TemplateModule {
  return { path, source: SRC, render: () => lines(header(SRC), `{{- if ${condition} }}`, body, '{{- end }}', '') };
}

export const coldStartTemplates: TemplateModule[] = [
  gated('sandbox/prepuller-priorityclass.yaml', PULLER_ON, priorityClass(PULLER, '.Values.sandbox.prePuller.priority', 'Antler sandbox image pre-puller: below the sandbox Pods, never preempts.')),
  gated('sandbox/prepuller-daemonset.yaml', PULLER_ON, daemonSet),
  gated('sandbox/placeholder-priorityclass.yaml', PLACEHOLDERS_ON, priorityClass(PLACEHOLDER, '.Values.sandbox.placeholders.priority', 'Antler sandbox placeholders: preempted by sandbox Pods, never preempt.')),
  gated('sandbox/placeholder-deployment.yaml', PLACEHOLDERS_ON, placeholderDeployment),
];
