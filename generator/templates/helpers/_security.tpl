{{/* A pod or container securityContext. Usage: include "deerflow.securityContext" (dict "ctx" $ "securityContext" .Values.gateway.podSecurityContext) */}}
{{- define "deerflow.securityContext" -}}
{{- $sc := omit .securityContext -}}
{{- if .ctx.Values.global.openshift -}}
{{- $sc = omit .securityContext "runAsUser" "runAsGroup" "fsGroup" -}}
{{- end -}}
{{- toYaml $sc -}}
{{- end -}}
