/** metadata: blocks shared by every object. */
import { ctx, indent, lines } from './text.js';

export interface MetaOptions {
  /** Component name used for the object name and the component label. */
  readonly component: string;
  /** Template expression for the name; defaults to the component's full name. */
  readonly name?: string;
  /** Template expression for the namespace; defaults to the release namespace. */
  readonly namespace?: string;
  /** Fixed annotation lines (YAML, unindented, may hold template actions). */
  readonly annotations?: string;
  /** A `.Values` path whose map is merged into the annotations. */
  readonly annotationsValue?: string;
  /** Extra label lines (YAML, unindented). */
  readonly labels?: string;
  /** Omit the namespace (cluster-scoped objects). */
  readonly clusterScoped?: boolean;
}

export function componentName(component: string): string {
  return `{{ include "deerflow.componentName" ${ctx(component)} }}`;
}

export function metadata(o: MetaOptions): string {
  const name = o.name ?? componentName(o.component);
  const namespace = o.namespace ?? '{{ include "deerflow.namespace" . }}';
  const merged = o.annotationsValue !== undefined
    ? `(merge (dict) .Values.${o.annotationsValue} .Values.commonAnnotations)`
    : '.Values.commonAnnotations';
  const annotations = o.annotations !== undefined
    ? lines('  annotations:', indent(o.annotations, 4), `    {{- with ${merged} }}`, '    {{- toYaml . | nindent 4 }}', '    {{- end }}')
    : lines(`  {{- with ${merged} }}`, '  annotations:', '    {{- toYaml . | nindent 4 }}', '  {{- end }}');
  return lines(
    'metadata:',
    `  name: ${name}`,
    o.clusterScoped === true ? undefined : `  namespace: ${namespace}`,
    '  labels:',
    `    {{- include "deerflow.labels" ${ctx(o.component)} | nindent 4 }}`,
    o.labels !== undefined ? indent(o.labels, 4) : undefined,
    annotations,
  );
}
