/**
 * The Pods the release can run at once, for the ResourceQuota fit (helpers/_quota.tpl): every
 * registry component at its replica ceiling (autoscaling maximum, else replicaCount) plus the
 * rolling-update surge of its strategy, the helm test Pods, and up to `sandbox.limits.maxSandboxes`
 * sandbox Pods (with a container for the Lark images the agent adds when they are set), and the
 * sandbox placeholder Pods. The pre-puller's DaemonSet Pods are not counted: one per node.
 */
import { ALL_COMPONENTS, type Component } from '../../components.js';
import { header, lines, rv, when } from '../lib/text.js';
import type { TemplateModule } from '../lib/types.js';
import { TEST_PODS } from '../tests/index.js';

const SRC = 'generator/templates/validate/quota.ts';
const FIELDS = '{{ index $pod 0 }};{{ index $pod 1 }};{{ index $pod 2 }};{{ index $pod 3 }};{{ index $pod 4 }}';

function replicas(c: Component): string {
  const V = rv(c.values);
  if (c.kind === 'StatefulSet') return '1';
  return c.autoscaled ? `(include "deerflow.autoscaling.maxReplicas" (dict "replicaCount" ${V}.replicaCount "autoscaling" ${V}.autoscaling))` : `${V}.replicaCount`;
}

/** `$surge` for the component: ceil(25 % of the replicas) for the Deployment builder's RollingUpdate (maxSurge 25 %), else 0. */
function surge(c: Component): string {
  const rolling = '{{- $surge = div (add $n 3) 4 }}';
  if (c.surge === 'none') return '';
  if (c.surge === 'rolling') return rolling;
  return lines(`{{- if eq (${c.surge.expr}) "rolling" }}`, rolling, '{{- end }}');
}

function componentGroup(c: Component): string {
  const V = rv(c.values);
  const body = lines(
    `{{- $n := int64 ${replicas(c)} }}`,
    '{{- $surge := 0 }}',
    surge(c),
    `{{- $pod := splitList " " (include "deerflow.quota.pod" (dict "containers" (list ${V}.resources) "sidecars" ${V}.sidecars "initContainers" ${V}.initContainers "limitRange" $.Values.limitRange)) }}`,
    `release;${c.name};{{ add $n $surge }};${FIELDS}`,
  );
  return when(c.when, body);
}

function render(): string {
  return lines(
    header(SRC),
    '{{/* One line per kind of Pod the release runs at once (see _quota.tpl). Usage: include "deerflow.quota.groups" . */}}',
    '{{- define "deerflow.quota.groups" -}}',
    ...ALL_COMPONENTS.filter((c) => c.limitRange).map(componentGroup),
    '{{- $tests := 0 }}',
    ...TEST_PODS.map((t) => `{{- if ${t.when} }}{{ $tests = add1 $tests }}{{ end }}`),
    '{{- if gt $tests 0 }}',
    '{{- $pod := splitList " " (include "deerflow.quota.pod" (dict "containers" (list $.Values.tests.resources) "sidecars" list "initContainers" list "limitRange" $.Values.limitRange)) }}',
    `release;helm test Pods;{{ $tests }};${FIELDS}`,
    '{{- end }}',
    '{{- if $.Values.sandbox.enabled }}',
    '{{- $same := eq (include "deerflow.sandbox.namespace" $) $.Release.Namespace }}',
    '{{- $lark := or $.Values.sandbox.lark.initImage $.Values.sandbox.lark.brokerImage }}',
    '{{- $containers := list $.Values.sandbox.pod.resources }}',
    '{{- if $lark }}{{ $containers = append $containers dict }}{{ end }}',
    '{{- $pod := splitList " " (include "deerflow.quota.pod" (dict "containers" $containers "sidecars" list "initContainers" list "limitRange" (ternary $.Values.limitRange false $same))) }}',
    '{{- $max := int64 $.Values.sandbox.limits.maxSandboxes }}',
    `{{ ternary "release" "sandbox" $same }};sandbox Pods{{ if $lark }} (the agent adds Lark containers without resources; leave sandbox.lark empty, or run sandboxes in the release namespace with limitRange on){{ end }};{{ if gt $max 0 }}{{ $max }}{{ else }}unbounded{{ end }};${FIELDS}`,
    '{{- $placeholders := int64 $.Values.sandbox.placeholders.replicas }}',
    '{{- if gt $placeholders 0 }}',
    '{{- $pod := splitList " " (include "deerflow.quota.pod" (dict "containers" (list $.Values.sandbox.pod.resources) "sidecars" list "initContainers" list "limitRange" $.Values.limitRange)) }}',
    `release;sandbox placeholders;{{ $placeholders }};${FIELDS}`,
    '{{- end }}',
    '{{- end }}',
    '{{- end -}}',
    '',
  );
}

export const quotaTemplates: TemplateModule[] = [{ path: '_quota_groups.tpl', source: SRC, render }];
