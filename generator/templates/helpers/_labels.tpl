{{/* Standard labels. Usage: include "deerflow.labels" (dict "ctx" $ "component" "gateway") */}}
{{- define "deerflow.labels" -}}
helm.sh/chart: {{ include "deerflow.chart" .ctx }}
{{ include "deerflow.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: deerflow
{{- with .ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Immutable selector labels. */}}
{{- define "deerflow.selectorLabels" -}}
app.kubernetes.io/name: {{ include "deerflow.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/*
Label and annotation keys: the schema checks their structure; this checks what a pattern cannot,
the 253-character bound of the prefix. Prints one message per line.
Usage: include "deerflow.labels.checkKeys" (dict "field" "commonLabels" "map" .Values.commonLabels)
*/}}
{{- define "deerflow.labels.checkKeys" -}}
{{- range $key, $_ := .map -}}
{{- $parts := splitList "/" $key -}}
{{- if and (gt (len $parts) 1) (gt (len (index $parts 0)) 253) }}
{{ $.field }}: the key {{ $key | quote }} has a prefix of {{ len (index $parts 0) }} characters; the API server allows at most 253.
{{- end -}}
{{- end -}}
{{- end -}}
