{{/*
Kubernetes quantities as numbers (cores or bytes) so guards can compare them.
Usage: float64 (include "deerflow.quantity" "512Mi")
*/}}
{{- define "deerflow.quantity" -}}
{{- $q := toString . -}}
{{- $num := regexFind "^[0-9]+(\\.[0-9]+)?" $q -}}
{{- $unit := trimPrefix $num $q -}}
{{- $mult := dict "" 1.0 "m" 0.001 "k" 1000.0 "M" 1000000.0 "G" 1000000000.0 "T" 1000000000000.0 "Ki" 1024.0 "Mi" 1048576.0 "Gi" 1073741824.0 "Ti" 1099511627776.0 "Pi" 1125899906842624.0 -}}
{{- mulf (float64 $num) (get $mult $unit) -}}
{{- end -}}

{{/*
Checks one container's resources against the LimitRange; prints one message per line.
Usage: include "deerflow.limitRange.check" (dict "field" "gateway.resources" "resources" .Values.gateway.resources "limitRange" .Values.limitRange)
*/}}
{{- define "deerflow.limitRange.check" -}}
{{- $lr := .limitRange -}}
{{- include "deerflow.limitRange.checkOne" (dict "field" .field "resource" "cpu" "resources" .resources "min" $lr.min.cpu "max" $lr.max.cpu "default" $lr.default.cpu "defaultRequest" $lr.defaultRequest.cpu) -}}
{{- include "deerflow.limitRange.checkOne" (dict "field" .field "resource" "memory" "resources" .resources "min" $lr.min.memory "max" $lr.max.memory "default" $lr.default.memory "defaultRequest" $lr.defaultRequest.memory) -}}
{{- end -}}

{{/* One resource (cpu or memory) of deerflow.limitRange.check. */}}
{{- define "deerflow.limitRange.checkOne" -}}
{{- $r := .resource -}}
{{- $res := .resources | default dict -}}
{{- $req := $res.requests | default dict -}}
{{- $lim := $res.limits | default dict -}}
{{- $min := float64 (include "deerflow.quantity" .min) -}}
{{- $max := float64 (include "deerflow.quantity" .max) -}}
{{- $request := get $req $r | default (get $lim $r) | default .defaultRequest -}}
{{- if lt (float64 (include "deerflow.quantity" $request)) $min }}
{{ .field }}.requests.{{ $r }}: {{ $request }} is below limitRange.min.{{ $r }} ({{ .min }}); the API server would reject the Pod. Raise the request or lower limitRange.min.{{ $r }}.
{{- end }}
{{- $limit := get $lim $r | default .default -}}
{{- if gt (float64 (include "deerflow.quantity" $limit)) $max }}
{{ .field }}.limits.{{ $r }}: {{ $limit }} is above limitRange.max.{{ $r }} ({{ .max }}); the API server would reject the Pod.
{{- end }}
{{- end -}}
