/** Shared shape of the bundled datastores (StatefulSet + Service + headless Service + Secret; SA and PDB: templates/workloads). */
import { COMPONENTS } from '../../components.js';
import { metadata } from './meta.js';
import { ctx, header, lines } from './text.js';
import type { TemplateModule } from './types.js';
import type { ContainerParts } from './workload.js';
import { service, statefulSet } from './workload.js';

export interface DatastoreParts {
  readonly source: string;
  /** Component and values key: `postgresql` or `redis`. */
  readonly key: 'postgresql' | 'redis';
  readonly dataPath: string;
  readonly container: ContainerParts;
  /** Extra volumes besides data and tmp (YAML list items). */
  readonly volumes?: string;
  /** Secret `data:` body for the bundled store (YAML, unindented, under the bundled condition). */
  readonly bundledSecret: string;
  /** Secret `data:` body for the external URL. */
  readonly externalSecret: string;
}

export function datastoreTemplates(d: DatastoreParts): TemplateModule[] {
  const component = COMPONENTS[d.key];
  const when = component.when;
  const headlessName = `{{ include "deerflow.componentName" (dict "ctx" $ "component" "${d.key}-headless") }}`;
  return [
    {
      path: `${d.key}/statefulset.yaml`,
      source: d.source,
      render: () => statefulSet({
        source: d.source,
        component,
        serviceName: headlessName,
        annotations: `kubectl.kubernetes.io/default-container: ${d.key}\nchecksum/secret: {{ toJson (list .Values.${d.key}.auth .Values.${d.key}.external) | sha256sum }}`,
        volumes: lines(
          `{{- if not .Values.${d.key}.persistence.enabled }}`,
          '- name: data\n  emptyDir: {}',
          '{{- end }}',
          '- name: tmp\n  emptyDir:\n    sizeLimit: 256Mi',
          d.volumes,
        ),
        container: d.container,
        claimTemplates: lines(
          `  {{- if .Values.${d.key}.persistence.enabled }}`,
          '  volumeClaimTemplates:',
          '    - metadata:',
          '        name: data',
          '        labels:',
          `          {{- include "deerflow.selectorLabels" ${ctx(d.key)} | nindent 10 }}`,
          '        annotations:',
          '          helm.sh/resource-policy: keep',
          '      spec:',
          '        accessModes: ["ReadWriteOnce"]',
          `        {{- with (default .Values.global.storageClass .Values.${d.key}.persistence.storageClass) }}`,
          '        storageClassName: {{ . }}',
          '        {{- end }}',
          '        resources:',
          '          requests:',
          `            storage: {{ .Values.${d.key}.persistence.size }}`,
          '  {{- end }}',
        ),
      }),
    },
    {
      path: `${d.key}/service.yaml`,
      source: d.source,
      render: () => service({
        source: d.source,
        when,
        component: d.key,
        ports: `- name: ${d.key}\n  port: {{ .Values.${d.key}.service.port }}\n  targetPort: ${d.key}\n  protocol: TCP`,
      }),
    },
    {
      path: `${d.key}/service-headless.yaml`,
      source: d.source,
      render: () => service({
        source: d.source,
        when,
        component: d.key,
        name: headlessName,
        headless: true,
        extraSpec: 'publishNotReadyAddresses: true',
        ports: `- name: ${d.key}\n  port: ${component.port.number}\n  targetPort: ${component.port.name}\n  protocol: TCP`,
      }),
    },
    {
      path: `${d.key}/secret.yaml`,
      source: d.source,
      render: () => lines(
        header(d.source),
        `{{- if and (eq .Values.${d.key}.mode "bundled") (not .Values.${d.key}.auth.existingSecret) .Values.${d.key}.auth.password }}`,
        'apiVersion: v1',
        'kind: Secret',
        metadata({ component: d.key }),
        'type: Opaque',
        'data:',
        d.bundledSecret,
        `{{- else if and (eq .Values.${d.key}.mode "external") (not .Values.${d.key}.external.existingSecret) .Values.${d.key}.external.url }}`,
        'apiVersion: v1',
        'kind: Secret',
        metadata({ component: `${d.key}-external` }),
        'type: Opaque',
        'data:',
        d.externalSecret,
        '{{- end }}',
        '',
      ),
    },
  ];
}
