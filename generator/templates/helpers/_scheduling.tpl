{{/*
Scheduling block of a Pod spec. Topology spread constraints without a labelSelector get the
component's selector labels. With no `affinity` given, an `antiAffinity` preset (soft: preferred,
hard: required) keeps the component's Pods on different nodes.
Usage: include "deerflow.scheduling" (dict "ctx" $ "component" "gateway" "nodeSelector" ... "tolerations" ... "affinity" ... "topologySpreadConstraints" ... "priorityClassName" ... ["antiAffinity" "soft"|"hard"|""])
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
{{- else }}
{{- if .antiAffinity }}
{{- $term := dict "topologyKey" "kubernetes.io/hostname" "labelSelector" (dict "matchLabels" (include "deerflow.selectorLabels" (dict "ctx" .ctx "component" .component) | fromYaml)) }}
affinity:
  podAntiAffinity:
    {{- if eq .antiAffinity "hard" }}
    requiredDuringSchedulingIgnoredDuringExecution:
      - {{- toYaml $term | nindent 8 }}
    {{- else }}
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          {{- toYaml $term | nindent 10 }}
    {{- end }}
{{- end }}
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
