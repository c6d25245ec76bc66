/**
 * Render-time guards that repeat per component, container or image, generated from the registry
 * (components.ts) and the model so a new component or image is checked like the others:
 * autoscaling (HPA/KEDA exclusivity, min ≤ max, a metric or trigger, KEDA fallback), requests ≤
 * limits and the LimitRange fit of every container the chart or the agent creates, and the image
 * policy for every image. `deerflow.validate` (helpers/_validate.tpl) collects the lines printed.
 */
import { ALL_COMPONENTS, type Component } from '../../components.js';
import { annotationMap, imageReference, labelMap } from '../../model/formats.js';
import { model } from '../../model/index.js';
import { imageBlocks } from '../../model/images.js';
import { leaves } from '../../model/types.js';
import { header, lines, rv, when } from '../lib/text.js';
import type { TemplateModule } from '../lib/types.js';

const SRC = 'generator/templates/validate/index.ts';

/** A set of containers with one `resources` value: a component's, or Pods the chart or the agent creates. */
interface Containers {
  /** Dotted path of the `resources` object leaf (also the field named in messages). */
  readonly resources: string;
  /** Condition (root context as `$`); absent: always. */
  readonly when?: string;
  /** Extra condition for running in the release namespace (LimitRange, ResourceQuota); absent: always there. */
  readonly inReleaseNamespace?: string;
}

function componentContainers(c: Component): Containers {
  return { resources: `${c.values}.resources`, ...(c.when !== undefined ? { when: c.when } : {}) };
}

/**
 * Containers that are not a component's: the `helm test` Pods (templates/tests), the sandbox
 * Pods the agent creates from `sandbox.pod.resources` (in the release namespace or their own), and
 * the cold-start Pods (the placeholders with the sandbox resources, the pre-puller's two containers).
 */
const EXTRA_CONTAINERS: readonly Containers[] = [
  // Placeholder Pods (sandbox/coldstart.ts) carry the same resources and always run in the release namespace.
  { resources: 'sandbox.pod.resources', when: '$.Values.sandbox.enabled', inReleaseNamespace: '(or (eq (include "deerflow.sandbox.namespace" $) $.Release.Namespace) (gt (int $.Values.sandbox.placeholders.replicas) 0))' },
  { resources: 'sandbox.prePuller.resources', when: '(and $.Values.sandbox.enabled $.Values.sandbox.prePuller.enabled)' },
  { resources: 'tests.resources', when: '$.Values.tests.enabled' },
];

const CONTAINERS: readonly Containers[] = [...ALL_COMPONENTS.filter((c) => c.limitRange).map(componentContainers), ...EXTRA_CONTAINERS];

/** Label and annotation maps of the model (object leaves with those schemas). */
function keyedMaps(): string[] {
  return leaves(model).filter((l) => l.leaf.kind === 'object' && (l.leaf.schema === labelMap || l.leaf.schema === annotationMap)).map((l) => l.path.join('.'));
}

/** Full image references (string leaves with the reference pattern, e.g. the Lark images). */
function imageReferences(): string[] {
  // The pattern sits on the leaf, or in its chart policy (agent settings, model/agent-env.ts).
  return leaves(model)
    .filter((l) => l.leaf.kind === 'string' && (l.leaf.pattern === imageReference || (l.leaf.schema as { pattern?: string } | undefined)?.pattern === imageReference))
    .map((l) => l.path.join('.'));
}


function autoscalingChecks(c: Component): string {
  return when(c.when, `{{ include "deerflow.autoscaling.validate" (dict "field" "${c.values}.autoscaling" "autoscaling" ${rv(c.values)}.autoscaling) }}`);
}

function podExtrasCheck(c: Component): string {
  const V = rv(c.values);
  return when(c.when, `{{ include "deerflow.podExtras.check" (dict "field" "${c.values}" "main" "${c.name}" "initContainers" ${V}.initContainers "sidecars" ${V}.sidecars "dnsPolicy" ${V}.dnsPolicy "dnsConfig" ${V}.dnsConfig "limitRange" $.Values.limitRange) }}`);
}

function resourcesCheck(k: Containers): string {
  return when(k.when, `{{ include "deerflow.resources.check" (dict "field" "${k.resources}" "resources" ${rv(k.resources)}) }}`);
}

function limitRangeCheck(k: Containers): string {
  const conds = [k.when, k.inReleaseNamespace].filter((w): w is string => w !== undefined);
  const cond = conds.length === 0 ? undefined : conds.length === 1 ? conds[0] : `and ${conds.join(' ')}`;
  return when(cond, `{{ include "deerflow.limitRange.check" (dict "field" "${k.resources}" "resources" ${rv(k.resources)} "limitRange" $.Values.limitRange) }}`);
}

function render(): string {
  return lines(
    header(SRC),
    '{{/* Per-component, per-container and per-image guards (generated from generator/components.ts and the model); prints one message per line. Usage: include "deerflow.validate.components" . */}}',
    '{{- define "deerflow.validate.components" -}}',
    ...ALL_COMPONENTS.filter((c) => c.autoscaled).map(autoscalingChecks),
    ...CONTAINERS.map(resourcesCheck),
    ...ALL_COMPONENTS.map(podExtrasCheck),
    '{{- if $.Values.limitRange.enabled }}',
    ...CONTAINERS.map(limitRangeCheck),
    '{{- end }}',
    ...imageBlocks(model).map(({ path: p, optional }) => {
      const check = `{{ include "deerflow.images.check" (dict "field" "${p}" "image" ${rv(p)}) }}`;
      return optional ? `{{- if ${rv(p)}.repository }}${check}{{- end }}` : check;
    }),
    ...imageReferences().map((p) => `{{ include "deerflow.images.checkRef" (dict "field" "${p}" "ref" ${rv(p)}) }}`),
    ...keyedMaps().map((p) => `{{ include "deerflow.labels.checkKeys" (dict "field" "${p}" "map" ${rv(p)}) }}`),
    '{{- end -}}',
    '',
  );
}

export const validateTemplates: TemplateModule[] = [{ path: '_validate_components.tpl', source: SRC, render }];
