{{/*
CIDR arithmetic for NetworkPolicy guards. The schema checks the syntax (IPv4 dotted quads, IPv6 in
hex notation, prefixes in range); these helpers compare networks.
*/}}

{{/*
A CIDR as "<family>/<prefix>/<network bits>" (the first <prefix> bits of the address as 0/1).
Usage: include "deerflow.cidr.parse" "10.0.0.0/8"  →  v4/8/00001010
*/}}
{{- define "deerflow.cidr.parse" -}}
{{- $parts := splitList "/" . -}}
{{- $ip := index $parts 0 -}}
{{- $prefix := atoi (index $parts 1) -}}
{{- $bits := "" -}}
{{- $family := "v4" -}}
{{- if contains ":" $ip -}}
{{- $family = "v6" -}}
{{- $nibble := dict "0" "0000" "1" "0001" "2" "0010" "3" "0011" "4" "0100" "5" "0101" "6" "0110" "7" "0111" "8" "1000" "9" "1001" "a" "1010" "b" "1011" "c" "1100" "d" "1101" "e" "1110" "f" "1111" -}}
{{- $halves := splitList "::" (lower $ip) -}}
{{- $left := list -}}{{- $right := list -}}
{{- with index $halves 0 -}}{{- $left = splitList ":" . -}}{{- end -}}
{{- if gt (len $halves) 1 -}}{{- with index $halves 1 -}}{{- $right = splitList ":" . -}}{{- end -}}{{- end -}}
{{- $groups := $left -}}
{{- if gt (len $halves) 1 -}}
{{- range until (int (sub 8 (add (len $left) (len $right)))) -}}{{- $groups = append $groups "0" -}}{{- end -}}
{{- end -}}
{{- range (concat $groups $right) -}}
{{- range $c := splitList "" (printf "%4s" . | replace " " "0") -}}{{- $bits = print $bits (get $nibble $c) -}}{{- end -}}
{{- end -}}
{{- else -}}
{{- range splitList "." $ip -}}{{- $bits = print $bits (printf "%08b" (atoi .)) -}}{{- end -}}
{{- end -}}
{{- printf "%s/%d/%s" $family $prefix (substr 0 $prefix $bits) -}}
{{- end -}}

{{/*
How CIDR a relates to CIDR b: "inside" (a is a strict subset of b: what NetworkPolicy requires of
an `except` entry), "covers" (b is inside a or equal to it), "" (different families or disjoint).
Usage: include "deerflow.cidr.relation" (list "10.1.0.0/16" "10.0.0.0/8")  →  inside
*/}}
{{- define "deerflow.cidr.relation" -}}
{{- $a := splitList "/" (include "deerflow.cidr.parse" (index . 0)) -}}
{{- $b := splitList "/" (include "deerflow.cidr.parse" (index . 1)) -}}
{{- if eq (index $a 0) (index $b 0) -}}
{{- $pa := atoi (index $a 1) -}}{{- $pb := atoi (index $b 1) -}}
{{- $na := index $a 2 -}}{{- $nb := index $b 2 -}}
{{- if and (gt $pa $pb) (eq (substr 0 $pb $na) $nb) -}}inside
{{- else if and (le $pa $pb) (eq (substr 0 $pa $nb) $na) -}}covers
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
`except` ⊂ `cidr` for NetworkPolicy peers given in values; prints one message per line.
Usage: include "deerflow.cidr.checkPeers" (dict "field" "networkPolicy.ingressFrom" "peers" .Values.networkPolicy.ingressFrom)
*/}}
{{- define "deerflow.cidr.checkPeers" -}}
{{- range $i, $p := .peers -}}
{{- with $p.ipBlock -}}
{{- $cidr := .cidr -}}
{{- range $j, $e := .except -}}
{{- if ne (include "deerflow.cidr.relation" (list $e $cidr)) "inside" }}
{{ $.field }}[{{ $i }}].ipBlock.except[{{ $j }}]: {{ $e }} is not a strict subset of {{ $.field }}[{{ $i }}].ipBlock.cidr ({{ $cidr }}); the API server rejects the NetworkPolicy.
{{- end }}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
The same for egress rules (`to:` peers of each rule). Usage: include "deerflow.cidr.checkRules" (dict "field" "networkPolicy.extraEgress" "rules" .Values.networkPolicy.extraEgress)
*/}}
{{- define "deerflow.cidr.checkRules" -}}
{{- range $i, $r := .rules -}}
{{- include "deerflow.cidr.checkPeers" (dict "field" (printf "%s[%d].to" $.field $i) "peers" ($r.to | default list)) -}}
{{- end -}}
{{- end -}}
