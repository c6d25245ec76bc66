{{/*
Kubernetes quantities as exact integers in milli-units (cores × 1000, bytes × 1000), so guards can
compare and add them without floating point: 500m → 500, 2 → 2000, 1.5Gi → 1610612736000, and a
plain YAML number such as 1073741824 → 1073741824000 (Helm reads it as a float; it is printed with
%f, never in e-notation). Empty → 0. Fractions beyond a milli-unit round up, as the API server's
MilliValue does. The schema limits the forms to what this handles (no E/Ei, at most 3 decimals).
Usage: int64 (include "deerflow.quantity.milli" "512Mi")
*/}}
{{- define "deerflow.quantity.milli" -}}
{{- $q := . -}}
{{- $s := "0" -}}
{{- if kindIs "string" $q -}}{{- $s = default "0" $q -}}
{{- else if or (kindIs "float64" $q) (kindIs "float32" $q) -}}{{- $s = printf "%f" $q -}}
{{- else if not (kindIs "invalid" $q) -}}{{- $s = printf "%d" $q -}}
{{- end -}}
{{- $num := regexFind "^[0-9]+(\\.[0-9]+)?" $s -}}
{{- $unit := trimPrefix $num $s -}}
{{- $whole := regexFind "^[0-9]+" $num -}}
{{- $frac := regexReplaceAll "0+$" (trimPrefix "." (trimPrefix $whole $num)) "" -}}
{{- $mult := get (dict "m" 1 "" 1000 "k" 1000000 "M" 1000000000 "G" 1000000000000 "T" 1000000000000000 "P" 1000000000000000000 "Ki" 1024000 "Mi" 1048576000 "Gi" 1073741824000 "Ti" 1099511627776000 "Pi" 1125899906842624000) $unit -}}
{{- $den := 1 -}}
{{- range until (len $frac) -}}{{- $den = mul $den 10 -}}{{- end -}}
{{- $total := mul (add (mul (atoi $whole) $den) (atoi (default "0" $frac))) $mult -}}
{{- div (add $total (sub $den 1)) $den -}}
{{- end -}}

{{/* A quantity as the user wrote it, for messages (a plain YAML number without e-notation). Usage: include "deerflow.quantity.text" 1073741824 */}}
{{- define "deerflow.quantity.text" -}}
{{- if and (or (kindIs "float64" .) (kindIs "float32" .)) (eq (float64 (int64 .)) (float64 .)) -}}{{ printf "%.0f" . }}{{- else -}}{{ . }}{{- end -}}
{{- end -}}

{{/*
A milli-unit integer as a quantity for messages: cpu as cores ("2", "500m", "24.5"), bytes in the largest
binary unit that divides them exactly ("36Gi", "1536Mi", "1000000"); cpu below one core in
millicores, above in cores ("24.5").
Usage: include "deerflow.quantity.format" (dict "milli" "1500" "kind" "cpu")
*/}}
{{- define "deerflow.quantity.format" -}}
{{- $m := int64 .milli -}}
{{- if eq .kind "cpu" -}}
{{- if eq (mod $m 1000) 0 -}}{{ div $m 1000 }}
{{- else if lt $m 1000 -}}{{ $m }}m
{{- else -}}{{ printf "%d.%03d" (div $m 1000) (mod $m 1000) | trimSuffix "0" | trimSuffix "0" }}
{{- end -}}
{{- else -}}
{{- $b := div (add $m 999) 1000 -}}
{{- if and (gt $b 0) (eq (mod $b 1099511627776) 0) -}}{{ div $b 1099511627776 }}Ti
{{- else if and (gt $b 0) (eq (mod $b 1073741824) 0) -}}{{ div $b 1073741824 }}Gi
{{- else if and (gt $b 0) (eq (mod $b 1048576) 0) -}}{{ div $b 1048576 }}Mi
{{- else if and (gt $b 0) (eq (mod $b 1024) 0) -}}{{ div $b 1024 }}Ki
{{- else -}}{{ $b }}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
requests ≤ limits for one container's resources (cpu, memory, ephemeral-storage); prints one
message per line. Usage: include "deerflow.resources.check" (dict "field" "gateway.resources" "resources" .Values.gateway.resources)
*/}}
{{- define "deerflow.resources.check" -}}
{{- $res := .resources | default dict -}}
{{- $req := $res.requests | default dict -}}
{{- $lim := $res.limits | default dict -}}
{{- range $r := list "cpu" "memory" "ephemeral-storage" -}}
{{- if and (hasKey $req $r) (hasKey $lim $r) -}}
{{- if gt (int64 (include "deerflow.quantity.milli" (get $req $r))) (int64 (include "deerflow.quantity.milli" (get $lim $r))) }}
{{ $.field }}.requests.{{ $r }}: {{ include "deerflow.quantity.text" (get $req $r) }} is above {{ $.field }}.limits.{{ $r }} ({{ include "deerflow.quantity.text" (get $lim $r) }}); the API server rejects a container whose request exceeds its limit.
{{- end }}
{{- end -}}
{{- end -}}
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

{{/*
One resource of deerflow.limitRange.check: the request (or, as the LimitRanger defaults it, the
limit, else defaultRequest) is at least min, the limit (or default) at most max, and a request
never exceeds the default limit a container without a limit gets.
*/}}
{{- define "deerflow.limitRange.checkOne" -}}
{{- $r := .resource -}}
{{- $res := .resources | default dict -}}
{{- $req := $res.requests | default dict -}}
{{- $lim := $res.limits | default dict -}}
{{- $request := .defaultRequest -}}
{{- if hasKey $req $r -}}{{- $request = get $req $r -}}{{- else if hasKey $lim $r -}}{{- $request = get $lim $r -}}{{- end -}}
{{- $limit := .default -}}
{{- if hasKey $lim $r -}}{{- $limit = get $lim $r -}}{{- end -}}
{{- $reqM := int64 (include "deerflow.quantity.milli" $request) -}}
{{- $limM := int64 (include "deerflow.quantity.milli" $limit) -}}
{{- if lt $reqM (int64 (include "deerflow.quantity.milli" .min)) }}
{{ .field }}.requests.{{ $r }}: {{ include "deerflow.quantity.text" $request }} is below limitRange.min.{{ $r }} ({{ .min }}); the API server would reject the Pod. Raise the request or lower limitRange.min.{{ $r }}.
{{- end }}
{{- if gt $limM (int64 (include "deerflow.quantity.milli" .max)) }}
{{ .field }}.limits.{{ $r }}: {{ include "deerflow.quantity.text" $limit }} is above limitRange.max.{{ $r }} ({{ .max }}); the API server would reject the Pod.
{{- end }}
{{- if and (not (hasKey $lim $r)) (gt $reqM $limM) }}
{{ .field }}.requests.{{ $r }}: {{ include "deerflow.quantity.text" $request }} is above limitRange.default.{{ $r }} ({{ .default }}), the limit the LimitRange gives a container without one; set {{ .field }}.limits.{{ $r }} or raise limitRange.default.{{ $r }}.
{{- end }}
{{- end -}}
