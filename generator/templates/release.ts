/** Release-wide files: the validation guard and NOTES.txt. */
import { COMPONENTS } from '../components.js';
import { sandboxLabelSelector } from './lib/sandbox-labels.js';
import { header, lines } from './lib/text.js';
import type { TemplateModule } from './lib/types.js';

const SRC = 'generator/templates/release.ts';

const notes = String.raw`{{- include "deerflow.validate" . -}}
DeerFlow {{ .Chart.AppVersion }} is installed as release {{ .Release.Name }} in namespace {{ .Release.Namespace }}.
{{- with include "deerflow.notes.prerequisites" . }}

These must exist (the chart creates no secrets and no claims given by name); Pods that need one wait until it does:
{{- . }}
{{- end }}

Entry point: Service {{ include "deerflow.componentName" (dict "ctx" $ "component" "nginx") }} (port {{ .Values.nginx.service.port }}).
{{- if or .Values.ingress.enabled .Values.istio.ingress.enabled }}
{{- if .Values.ingress.enabled }}
Ingress: {{ ternary "https" "http" .Values.ingress.tls.enabled }}://{{ default "<any host>" .Values.ingress.host }}{{ .Values.ingress.path }}
{{- range .Values.ingress.extraHosts }}
Ingress: {{ ternary "https" "http" (gt (len $.Values.ingress.extraTls) 0) }}://{{ .name }}{{ .path | default "/" }}
{{- end }}
{{- end }}
{{- if .Values.istio.ingress.enabled }}
Istio ingress: {{ join ", " .Values.istio.ingress.hosts }}
{{- end }}

WARNING (D10): DeerFlow is published and its first-admin endpoint (POST /api/v1/auth/initialize) stays
unauthenticated until an admin exists: whoever calls it first becomes the admin. Create the admin now,
through a port-forward, before announcing the address:

  kubectl -n {{ .Release.Namespace }} port-forward svc/{{ include "deerflow.componentName" (dict "ctx" $ "component" "nginx") }} ${COMPONENTS.nginx.port.number}:{{ .Values.nginx.service.port }}
  open http://localhost:${COMPONENTS.nginx.port.number}
{{- else }}
No Ingress is published yet. Create the first admin through a port-forward, then enable the Ingress:

  kubectl -n {{ .Release.Namespace }} port-forward svc/{{ include "deerflow.componentName" (dict "ctx" $ "component" "nginx") }} ${COMPONENTS.nginx.port.number}:{{ .Values.nginx.service.port }}
  open http://localhost:${COMPONENTS.nginx.port.number}
{{- end }}

Gateway:  kubectl -n {{ .Release.Namespace }} logs deploy/{{ include "deerflow.componentName" (dict "ctx" $ "component" "gateway") }}
{{- if .Values.sandbox.enabled }}
Sandboxes: agent deploy/{{ include "deerflow.componentName" (dict "ctx" $ "component" "sandbox-agent") }}; sandbox Pods run in namespace {{ include "deerflow.sandbox.namespace" . }}
  kubectl -n {{ include "deerflow.sandbox.namespace" . }} get pods -l ${sandboxLabelSelector}
{{- else }}
Sandboxes: disabled; DeerFlow runs tools with its in-process LocalSandboxProvider. Set sandbox.enabled=true and sandbox.apiKey (or sandbox.existingSecret) for Kubernetes sandboxes.
{{- end }}
{{- if not .Values.deerflow.models }}

WARNING: deerflow.models is empty; DeerFlow needs at least one model to answer.
{{- end }}
{{- if not (include "deerflow.auth.enabled" .) }}

WARNING: no auth secrets are set (deerflow.auth). The gateway keeps its JWT secret in the home volume and the frontend has no BETTER_AUTH_SECRET. Set deerflow.auth.existingSecret for production.
{{- end }}

{{- range splitList "\n" (include "deerflow.quota.problems" (dict "ctx" . "mode" "warn")) }}
{{- if . }}

WARNING (quota fit=warn): {{ . }}
{{- end }}
{{- end }}

Run the chart's checks: helm test {{ .Release.Name }} -n {{ .Release.Namespace }}
`;

export const releaseTemplates: TemplateModule[] = [
  {
    path: 'validate.yaml',
    source: SRC,
    render: () => lines(header(SRC), '{{- /* Fails rendering with every invalid-values message at once; renders nothing otherwise. */}}', '{{- include "deerflow.validate" . }}', ''),
  },
  { path: 'NOTES.txt', source: SRC, render: () => `${header(SRC)}\n${notes}` },
  {
    path: 'extra-objects.yaml',
    source: SRC,
    render: () => lines(
      header(SRC),
      '{{- /* extraObjects: each item (a map or a YAML string) rendered through tpl with the release context. */}}',
      '{{- range .Values.extraObjects }}',
      '---',
      '{{- if typeIs "string" . }}',
      '{{ tpl . $ }}',
      '{{- else }}',
      '{{ tpl (toYaml .) $ }}',
      '{{- end }}',
      '{{- end }}',
      '',
    ),
  },
];
