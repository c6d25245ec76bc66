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
