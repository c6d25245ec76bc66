{{/*
Scheduling block of a Pod spec. Topology spread constraints without a labelSelector get the
component's selector labels.
Usage: include "deerflow.scheduling" (dict "ctx" $ "component" "gateway" "nodeSelector" ... "tolerations" ... "affinity" ... "topologySpreadConstraints" ... "priorityClassName" ...)
*/}}
{{- define "deerflow.scheduling" -}}
{{- with .nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- if .topologySpreadConstraints }}
{{- $selector := dict "matchLabels" (include "deerflow.selectorLabels" (dict "ctx" .ctx "component" .component) | fromYaml) }}
topologySpreadConstraints:
{{- range .topologySpreadConstraints }}
  - {{- toYaml (merge (deepCopy .) (dict "labelSelector" $selector)) | nindent 4 }}
{{- end }}
{{- end }}
{{- end -}}
