{{/*
Guards for a workload's extension points (sidecars, initContainers, dnsPolicy): every extra
container has a unique name and a pinned image (the image policy, _images.tpl), requests ≤ limits,
and fits the LimitRange; dnsPolicy None comes with nameservers. Prints one message per line.
Usage: include "deerflow.podExtras.check" (dict "field" "gateway" "main" "gateway" "initContainers" .Values.gateway.initContainers "sidecars" .Values.gateway.sidecars "dnsPolicy" .Values.gateway.dnsPolicy "dnsConfig" .Values.gateway.dnsConfig "limitRange" .Values.limitRange)
*/}}
{{- define "deerflow.podExtras.check" -}}
{{- $seen := dict .main true -}}
{{- $all := list -}}
{{- range $i, $c := .initContainers -}}{{- $all = append $all (list (printf "%s.initContainers[%d]" $.field $i) $c) -}}{{- end -}}
{{- range $i, $c := .sidecars -}}{{- $all = append $all (list (printf "%s.sidecars[%d]" $.field $i) $c) -}}{{- end -}}
{{- range $all -}}
{{- $f := index . 0 -}}{{- $c := index . 1 -}}
{{- if hasKey $seen $c.name }}
{{ $f }}.name: {{ $c.name | quote }} is already a container of the Pod; container names must be unique.
{{- end -}}
{{- $_ := set $seen $c.name true -}}
{{- $digest := regexFind "@sha256:[a-f0-9]{64}$" $c.image -}}
{{- $last := regexFind "[^/]+$" (trimSuffix $digest $c.image) -}}
{{- $tag := "" -}}
{{- if contains ":" $last -}}{{- $tag = regexFind "[^:]+$" $last -}}{{- end -}}
{{- if not (include "deerflow.images.pinned" (dict "tag" $tag "digest" $digest)) }}
{{ $f }}.image: {{ $c.image | quote }} is not pinned; use a versioned tag (e.g. :1.2.0) or a digest (@sha256:...).
{{- end -}}
{{- include "deerflow.resources.check" (dict "field" (printf "%s.resources" $f) "resources" $c.resources) -}}
{{- if $.limitRange.enabled -}}
{{- include "deerflow.limitRange.check" (dict "field" (printf "%s.resources" $f) "resources" $c.resources "limitRange" $.limitRange) -}}
{{- end -}}
{{- end -}}
{{- if and (eq .dnsPolicy "None") (not (.dnsConfig | default dict).nameservers) }}
{{ .field }}.dnsConfig.nameservers: {{ .field }}.dnsPolicy=None needs at least one nameserver; the API server rejects the Pod otherwise.
{{- end -}}
{{- end -}}
