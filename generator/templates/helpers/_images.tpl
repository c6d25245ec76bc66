{{/* Image reference. Usage: include "deerflow.images.image" (dict "image" .Values.gateway.image "registry" .Values.global.imageRegistry) */}}
{{- define "deerflow.images.image" -}}
{{- $registry := default .image.registry .registry -}}
{{- $ref := .image.repository -}}
{{- if $registry -}}
{{- $ref = printf "%s/%s" $registry .image.repository -}}
{{- end -}}
{{- $ref = printf "%s:%s" $ref .image.tag -}}
{{- if .image.digest -}}
{{- $ref = printf "%s@%s" $ref .image.digest -}}
{{- end -}}
{{- $ref -}}
{{- end -}}

{{/* imagePullSecrets for every Pod. Usage: include "deerflow.images.pullSecrets" . */}}
{{- define "deerflow.images.pullSecrets" -}}
{{- with .Values.global.imagePullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end -}}
