{{/*
ResourceQuota fit. "deerflow.quota.groups" (generated from the component registry,
_quota_groups.tpl) prints one line per kind of Pod the release can run at once:
  <namespace: release|sandbox>;<name>;<Pods>;<requests.cpu>;<requests.memory>;<limits.cpu>;<limits.memory>;<what is missing>
with quantities per Pod in milli-units. The helpers below compute one Pod's effective resources the
way the API server does and compare the sums with each quota.
*/}}

{{/*
One container's effective cpu or memory: the request is the explicit request, else the explicit
limit (the API server copies it), else the LimitRange defaultRequest; the limit is the explicit
limit, else the LimitRange default. Prints "<request milli> <limit milli> <missing>" where
missing names what a quota that tracks it would reject ("-" when nothing).
Usage: include "deerflow.quota.one" (dict "resource" "cpu" "resources" .Values.gateway.resources "limitRange" .Values.limitRange "defaultRequest" .Values.limitRange.defaultRequest.cpu "default" .Values.limitRange.default.cpu)
*/}}
{{- define "deerflow.quota.one" -}}
{{- $r := .resource -}}
{{- $res := .resources | default dict -}}
{{- $req := $res.requests | default dict -}}
{{- $lim := $res.limits | default dict -}}
{{- $request := "" -}}{{- $limit := "" -}}{{- $missing := list -}}
{{- if hasKey $req $r -}}{{- $request = get $req $r -}}{{- else if hasKey $lim $r -}}{{- $request = get $lim $r -}}{{- else if .limitRange -}}{{- $request = .defaultRequest -}}{{- else -}}{{- $missing = append $missing (printf "requests.%s" $r) -}}{{- end -}}
{{- if hasKey $lim $r -}}{{- $limit = get $lim $r -}}{{- else if .limitRange -}}{{- $limit = .default -}}{{- else -}}{{- $missing = append $missing (printf "limits.%s" $r) -}}{{- end -}}
{{- printf "%s %s %s" (include "deerflow.quantity.milli" $request) (include "deerflow.quantity.milli" $limit) (default "-" (join "," $missing)) -}}
{{- end -}}

{{/*
One container: "<requests.cpu> <requests.memory> <limits.cpu> <limits.memory> <missing>".
`limitRange` is the LimitRange values when one applies to the container's namespace, else false.
Usage: include "deerflow.quota.container" (dict "resources" .Values.gateway.resources "limitRange" .Values.limitRange)
*/}}
{{- define "deerflow.quota.container" -}}
{{- $lr := .limitRange -}}
{{- $on := and $lr $lr.enabled -}}
{{- $cpu := splitList " " (include "deerflow.quota.one" (dict "resource" "cpu" "resources" .resources "limitRange" $on "defaultRequest" (and $on $lr.defaultRequest.cpu) "default" (and $on $lr.default.cpu))) -}}
{{- $mem := splitList " " (include "deerflow.quota.one" (dict "resource" "memory" "resources" .resources "limitRange" $on "defaultRequest" (and $on $lr.defaultRequest.memory) "default" (and $on $lr.default.memory))) -}}
{{- $missing := list -}}
{{- range (list (index $cpu 2) (index $mem 2)) -}}{{- if ne . "-" -}}{{- $missing = append $missing . -}}{{- end -}}{{- end -}}
{{- printf "%s %s %s %s %s" (index $cpu 0) (index $mem 0) (index $cpu 1) (index $mem 1) (default "-" (join "," $missing)) -}}
{{- end -}}

{{/*
One Pod: the sum of its app containers, or the largest init container where that is larger (the
API server's effective Pod request), per resource. Prints the same five fields as a container.
Usage: include "deerflow.quota.pod" (dict "containers" (list .Values.gateway.resources) "sidecars" .Values.gateway.sidecars "initContainers" .Values.gateway.initContainers "limitRange" .Values.limitRange)
*/}}
{{- define "deerflow.quota.pod" -}}
{{- $sum := list 0 0 0 0 -}}{{- $init := list 0 0 0 0 -}}{{- $missing := list -}}
{{- $apps := list -}}
{{- range .containers -}}{{- $apps = append $apps . -}}{{- end -}}
{{- range .sidecars -}}{{- $apps = append $apps .resources -}}{{- end -}}
{{- range $apps -}}
{{- $c := splitList " " (include "deerflow.quota.container" (dict "resources" . "limitRange" $.limitRange)) -}}
{{- $sum = list (add (index $sum 0) (int64 (index $c 0))) (add (index $sum 1) (int64 (index $c 1))) (add (index $sum 2) (int64 (index $c 2))) (add (index $sum 3) (int64 (index $c 3))) -}}
{{- if ne (index $c 4) "-" -}}{{- $missing = append $missing (index $c 4) -}}{{- end -}}
{{- end -}}
{{- range .initContainers -}}
{{- $c := splitList " " (include "deerflow.quota.container" (dict "resources" .resources "limitRange" $.limitRange)) -}}
{{- $init = list (max (index $init 0) (int64 (index $c 0))) (max (index $init 1) (int64 (index $c 1))) (max (index $init 2) (int64 (index $c 2))) (max (index $init 3) (int64 (index $c 3))) -}}
{{- if ne (index $c 4) "-" -}}{{- $missing = append $missing (index $c 4) -}}{{- end -}}
{{- end -}}
{{- printf "%d %d %d %d %s" (max (index $sum 0) (index $init 0)) (max (index $sum 1) (index $init 1)) (max (index $sum 2) (index $init 2)) (max (index $sum 3) (index $init 3)) (default "-" (join "," (uniq $missing))) -}}
{{- end -}}

{{/*
Quota problems with the given fit mode; prints one message per line. Usage: include "deerflow.quota.problems" (dict "ctx" $ "mode" "enforce")
*/}}
{{- define "deerflow.quota.problems" -}}
{{- $ctx := .ctx -}}
{{- $groups := list -}}
{{- range splitList "\n" (include "deerflow.quota.groups" $ctx) -}}{{- if . -}}{{- $groups = append $groups (splitList ";" .) -}}{{- end -}}{{- end -}}
{{- if $ctx.Values.resourceQuota.enabled -}}
{{- include "deerflow.quota.check" (dict "field" "resourceQuota" "quota" $ctx.Values.resourceQuota "namespace" "release" "groups" $groups "mode" .mode) -}}
{{- end -}}
{{- if and $ctx.Values.sandbox.enabled $ctx.Values.sandbox.quota.enabled -}}
{{- $same := eq (include "deerflow.sandbox.namespace" $ctx) $ctx.Release.Namespace -}}
{{- include "deerflow.quota.check" (dict "field" "sandbox.quota" "quota" $ctx.Values.sandbox.quota "namespace" (ternary "release" "sandbox" $same) "groups" $groups "mode" .mode) -}}
{{- end -}}
{{- end -}}

{{/*
One quota against the Pod groups of its namespace. Usage: include "deerflow.quota.check" (dict "field" "resourceQuota" "quota" .Values.resourceQuota "namespace" "release" "groups" $groups "mode" "enforce")
*/}}
{{- define "deerflow.quota.check" -}}
{{- $field := .field -}}{{- $q := .quota -}}{{- $mode := .mode -}}
{{- $mine := list -}}
{{- range $.groups -}}{{- if eq (index . 0) $.namespace -}}{{- $mine = append $mine . -}}{{- end -}}{{- end -}}
{{- range $mine -}}
{{- if and (eq $mode "enforce") (ne (index . 7) "-") }}
{{ $field }}: {{ index . 1 }} have containers without {{ index . 7 | replace "," ", " }}, and a ResourceQuota that tracks them rejects such Pods; set them (in the release namespace, limitRange gives defaults).
{{- end -}}
{{- if and (eq (index . 2) "unbounded") (eq $q.fit $mode) }}
{{ $field }}: sandbox.limits.maxSandboxes is 0 (unlimited), so no quota can hold every sandbox Pod; set a cap that fits ({{ $field }}.pods is {{ $q.pods }}){{ if eq $mode "enforce" }} or set {{ $field }}.fit=warn{{ end }}.
{{- end -}}
{{- end -}}
{{- if eq $q.fit $mode -}}
{{- $keys := list (list "requests.cpu" 3 $q.requests.cpu "cpu") (list "requests.memory" 4 $q.requests.memory "bytes") (list "limits.cpu" 5 $q.limits.cpu "cpu") (list "limits.memory" 6 $q.limits.memory "bytes") -}}
{{- range $keys -}}
{{- $key := index . 0 -}}{{- $col := index . 1 -}}{{- $hard := index . 2 -}}{{- $kind := index . 3 -}}
{{- $total := 0 -}}{{- $parts := list -}}
{{- range $mine -}}
{{- if ne (index . 2) "unbounded" -}}
{{- $n := int64 (index . 2) -}}{{- $per := int64 (index . $col) -}}
{{- $total = add $total (mul $n $per) -}}
{{- if gt (mul $n $per) 0 -}}{{- $parts = append $parts (printf "%s %d × %s" (index . 1) $n (include "deerflow.quantity.format" (dict "milli" $per "kind" $kind))) -}}{{- end -}}
{{- end -}}
{{- end -}}
{{- if gt $total (int64 (include "deerflow.quantity.milli" $hard)) }}
{{ $field }}.{{ $key }}: {{ $hard }} cannot hold what the chart runs at once, {{ include "deerflow.quantity.format" (dict "milli" $total "kind" $kind) }} ({{ join " + " $parts }}); raise it or lower the replicas, autoscaling maxima, caps or resources{{ if eq $mode "enforce" }}, or set {{ $field }}.fit=warn to install anyway{{ end }}.
{{- end -}}
{{- end -}}
{{- $pods := 0 -}}{{- $podParts := list -}}
{{- range $mine -}}{{- if ne (index . 2) "unbounded" -}}{{- $pods = add $pods (int64 (index . 2)) -}}{{- $podParts = append $podParts (printf "%s %s" (index . 1) (index . 2)) -}}{{- end -}}{{- end -}}
{{- if gt $pods (int64 $q.pods) }}
{{ $field }}.pods: {{ $q.pods }} cannot hold the {{ $pods }} Pods the chart runs at once ({{ join " + " $podParts }}); raise it or lower the replicas, autoscaling maxima or caps{{ if eq $mode "enforce" }}, or set {{ $field }}.fit=warn to install anyway{{ end }}.
{{- end -}}
{{- end -}}
{{- end -}}
