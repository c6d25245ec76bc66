/**
 * Autoscaling objects for every Deployment that has an `autoscaling` block: an `autoscaling/v2`
 * HPA with tuned behaviour, or a KEDA ScaledObject (CPU, memory and Prometheus triggers,
 * fallback, the same behaviour under `advanced`). The two are mutually exclusive (guarded in
 * `_validate.tpl`); the Deployment builder drops `replicas` when either is on.
 */
import { ALL_COMPONENTS, type Component, whenAnd } from '../../components.js';
import { metadata } from '../lib/meta.js';
import { ctx, header, lines, v } from '../lib/text.js';
import type { TemplateModule } from '../lib/types.js';

const SRC = 'generator/templates/autoscaling/index.ts';

/** Every autoscaled component of the registry. */
const SCALED: readonly Component[] = ALL_COMPONENTS.filter((c) => c.autoscaled);

function cond(c: Component, engine: 'hpa' | 'keda'): string {
  return whenAnd(c, `${v(c.values)}.autoscaling.${engine}.enabled`) as string;
}

function hpa(s: Component): string {
  const A = `${v(s.values)}.autoscaling`;
  return lines(
    header(SRC),
    `{{- if ${cond(s, 'hpa')} }}`,
    'apiVersion: autoscaling/v2',
    'kind: HorizontalPodAutoscaler',
    metadata({ component: s.name }),
    'spec:',
    '  scaleTargetRef:',
    '    apiVersion: apps/v1',
    '    kind: Deployment',
    `    name: {{ include "deerflow.componentName" ${ctx(s.name)} }}`,
    `  minReplicas: {{ ${A}.minReplicas }}`,
    `  maxReplicas: {{ ${A}.maxReplicas }}`,
    '  metrics:',
    `    {{- if gt (int ${A}.targetCPUUtilizationPercentage) 0 }}`,
    '    - type: Resource',
    '      resource:',
    '        name: cpu',
    '        target:',
    '          type: Utilization',
    `          averageUtilization: {{ ${A}.targetCPUUtilizationPercentage }}`,
    '    {{- end }}',
    `    {{- if gt (int ${A}.targetMemoryUtilizationPercentage) 0 }}`,
    '    - type: Resource',
    '      resource:',
    '        name: memory',
    '        target:',
    '          type: Utilization',
    `          averageUtilization: {{ ${A}.targetMemoryUtilizationPercentage }}`,
    '    {{- end }}',
    '  behavior:',
    `    {{- include "deerflow.autoscaling.behavior" ${A} | nindent 4 }}`,
    '{{- end }}',
    '',
  );
}

function scaledObject(s: Component): string {
  const A = `${v(s.values)}.autoscaling`;
  return lines(
    header(SRC),
    `{{- if ${cond(s, 'keda')} }}`,
    'apiVersion: keda.sh/v1alpha1',
    'kind: ScaledObject',
    metadata({ component: s.name }),
    'spec:',
    '  scaleTargetRef:',
    '    apiVersion: apps/v1',
    '    kind: Deployment',
    `    name: {{ include "deerflow.componentName" ${ctx(s.name)} }}`,
    `  minReplicaCount: {{ ${A}.minReplicas }}`,
    `  maxReplicaCount: {{ ${A}.maxReplicas }}`,
    `  pollingInterval: {{ ${A}.keda.pollingInterval }}`,
    `  cooldownPeriod: {{ ${A}.keda.cooldownPeriod }}`,
    `  {{- if and (gt (int ${A}.keda.fallback.replicas) 0) (include "deerflow.autoscaling.prometheus" ${A}) }}`,
    '  fallback:',
    `    failureThreshold: {{ ${A}.keda.fallback.failureThreshold }}`,
    `    replicas: {{ ${A}.keda.fallback.replicas }}`,
    '  {{- end }}',
    '  advanced:',
    '    horizontalPodAutoscalerConfig:',
    '      behavior:',
    `        {{- include "deerflow.autoscaling.behavior" ${A} | nindent 8 }}`,
    '  triggers:',
    `    {{- if gt (int ${A}.targetCPUUtilizationPercentage) 0 }}`,
    '    - type: cpu',
    '      metricType: Utilization',
    '      metadata:',
    `        value: {{ ${A}.targetCPUUtilizationPercentage | quote }}`,
    '    {{- end }}',
    `    {{- if gt (int ${A}.targetMemoryUtilizationPercentage) 0 }}`,
    '    - type: memory',
    '      metricType: Utilization',
    '      metadata:',
    `        value: {{ ${A}.targetMemoryUtilizationPercentage | quote }}`,
    '    {{- end }}',
    `    {{- if include "deerflow.autoscaling.prometheus" ${A} }}`,
    '    - type: prometheus',
    '      metricType: AverageValue',
    '      metadata:',
    `        serverAddress: {{ ${A}.keda.prometheus.serverAddress | quote }}`,
    `        query: {{ ${A}.keda.prometheus.query | quote }}`,
    `        threshold: {{ ${A}.keda.prometheus.threshold | quote }}`,
    `        activationThreshold: {{ ${A}.keda.prometheus.activationThreshold | quote }}`,
    '    {{- end }}',
    '{{- end }}',
    '',
  );
}

export const autoscalingTemplates: TemplateModule[] = SCALED.flatMap((s) => [
  { path: `${s.dir}/hpa.yaml`, source: SRC, render: () => hpa(s) },
  { path: `${s.dir}/scaledobject.yaml`, source: SRC, render: () => scaledObject(s) },
]);
