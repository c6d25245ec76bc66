/**
 * Render-time guards that repeat per component, generated from the registry (components.ts) so a
 * new component is checked like the others: autoscaling (HPA/KEDA exclusivity, min ≤ max, a
 * metric or trigger, KEDA fallback) and the LimitRange fit of every container the chart runs.
 * `deerflow.validate` (helpers/_validate.tpl) collects the lines this helper prints.
 */
import { ALL_COMPONENTS, type Component } from '../../components.js';
import { header, lines, rv } from '../lib/text.js';
import type { TemplateModule } from '../lib/types.js';

const SRC = 'generator/templates/validate/index.ts';

/** A set of containers with one `resources` value: a component's, or Pods the chart or the agent creates. */
interface Containers {
  /** Dotted path of the `resources` object leaf (also the field named in messages). */
  readonly resources: string;
  /** Condition (root context as `$`); absent: always. */
  readonly when?: string;
}

function componentContainers(c: Component): Containers {
  return { resources: `${c.values}.resources`, ...(c.when !== undefined ? { when: c.when } : {}) };
}

/**
 * Containers that are not a component's: the `helm test` Pods (templates/tests) and, when they
 * run in the release namespace, the sandbox Pods the agent creates from `sandbox.pod.resources`.
 */
const EXTRA_CONTAINERS: readonly Containers[] = [
  { resources: 'sandbox.pod.resources', when: '(and $.Values.sandbox.enabled (eq (include "deerflow.sandbox.namespace" $) $.Release.Namespace))' },
  { resources: 'tests.resources', when: '$.Values.tests.enabled' },
];

function guarded(when: string | undefined, body: string): string {
  return when === undefined ? body : lines(`{{- if ${when} }}`, body, '{{- end }}');
}

function autoscalingChecks(c: Component): string {
  return guarded(c.when, `{{ include "deerflow.autoscaling.validate" (dict "field" "${c.values}.autoscaling" "autoscaling" ${rv(c.values)}.autoscaling) }}`);
}

function limitRangeCheck(k: Containers): string {
  return guarded(k.when, `{{ include "deerflow.limitRange.check" (dict "field" "${k.resources}" "resources" ${rv(k.resources)} "limitRange" $.Values.limitRange) }}`);
}

function render(): string {
  const containers = [...ALL_COMPONENTS.filter((c) => c.limitRange).map(componentContainers), ...EXTRA_CONTAINERS];
  return lines(
    header(SRC),
    '{{/* Per-component guards (generated from generator/components.ts); prints one message per line. Usage: include "deerflow.validate.components" . */}}',
    '{{- define "deerflow.validate.components" -}}',
    ...ALL_COMPONENTS.filter((c) => c.autoscaled).map(autoscalingChecks),
    '{{- if $.Values.limitRange.enabled }}',
    ...containers.map(limitRangeCheck),
    '{{- end }}',
    '{{- end -}}',
    '',
  );
}

export const validateTemplates: TemplateModule[] = [{ path: '_validate_components.tpl', source: SRC, render }];
