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

{{/*
The image policy: an image is pinned when it has a digest, or when its tag holds a dotted version
number (`v2.1.0`, `16.10-alpine`, `1.29.1-alpine`). Anything else is a floating tag (`latest`,
`Latest`, `alpine`, `stable`, `main`, `16`) that may point at different content tomorrow, so it
needs a digest. "true" when pinned. Usage: include "deerflow.images.pinned" (dict "tag" "v2.1.0" "digest" "")
*/}}
{{- define "deerflow.images.pinned" -}}
{{- if or .digest (regexMatch "[0-9]+\\.[0-9]+" .tag) -}}true{{- end -}}
{{- end -}}

{{/* The image policy for an image block; prints a message when it fails. Usage: include "deerflow.images.check" (dict "field" "gateway.image" "image" .Values.gateway.image) */}}
{{- define "deerflow.images.check" -}}
{{- if not (include "deerflow.images.pinned" (dict "tag" .image.tag "digest" .image.digest)) }}
{{ .field }}.tag: {{ .image.tag | quote }} is a floating tag; pin a version (e.g. v2.1.0, 16.10-alpine) or set {{ .field }}.digest (sha256:...).
{{- end }}
{{- end -}}

{{/* The image policy for a full reference (`[host[:port]/]repo:tag[@sha256:...]`, empty allowed). Usage: include "deerflow.images.checkRef" (dict "field" "sandbox.lark.initImage" "ref" .Values.sandbox.lark.initImage) */}}
{{- define "deerflow.images.checkRef" -}}
{{- with .ref -}}
{{- $digest := regexFind "@sha256:[a-f0-9]{64}$" . -}}
{{- $tag := regexFind "[^:/]+$" (trimSuffix $digest .) -}}
{{- if not (include "deerflow.images.pinned" (dict "tag" $tag "digest" $digest)) }}
{{ $.field }}: {{ $.ref | quote }} has the floating tag {{ $tag | quote }}; pin a version (e.g. :1.2.0) or add @sha256:<digest>.
{{- end }}
{{- end -}}
{{- end -}}
