{{/* NetworkPolicy fragments. */}}

{{/* Egress rule: DNS (53 UDP/TCP) to networkPolicy.dns. Usage: include "deerflow.netpol.dns" . */}}
{{- define "deerflow.netpol.dns" -}}
- to:
    {{- toYaml .Values.networkPolicy.dns | nindent 4 }}
  ports:
    - protocol: UDP
      port: 53
    - protocol: TCP
      port: 53
{{- end -}}

{{/*
Egress rule: the public internet (networkPolicy.internetCidrs) minus the cluster and metadata
CIDRs that lie inside each of its CIDRs (an `except` must be a strict subset of its `cidr`; ranges
of the other address family or outside it are not reachable through it anyway). An exclusion that
covers a whole internet CIDR fails rendering (_validate.tpl).
Usage: include "deerflow.netpol.internet" (dict "ctx" $ "ports" (list 443))
*/}}
{{- define "deerflow.netpol.internet" -}}
{{- $np := .ctx.Values.networkPolicy -}}
- to:
    {{- range $cidr := $np.internetCidrs }}
    - ipBlock:
        cidr: {{ $cidr }}
        {{- $except := list }}
        {{- range (concat $np.clusterCidrs $np.metadataCidrs) }}
        {{- if eq (include "deerflow.cidr.relation" (list . $cidr)) "inside" }}{{ $except = append $except . }}{{ end }}
        {{- end }}
        {{- with $except }}
        except:
          {{- toYaml . | nindent 10 }}
        {{- end }}
    {{- end }}
  {{- with .ports }}
  ports:
    {{- range . }}
    - protocol: TCP
      port: {{ . }}
    {{- end }}
  {{- end }}
{{- end -}}

{{/* A peer: Pods of one component of this release, optionally in another namespace. Usage: include "deerflow.netpol.peer" (dict "ctx" $ "component" "gateway" "namespace" "other") */}}
{{- define "deerflow.netpol.peer" -}}
- podSelector:
    matchLabels:
      {{- include "deerflow.selectorLabels" . | nindent 6 }}
  {{- with .namespace }}
  namespaceSelector:
    matchLabels:
      kubernetes.io/metadata.name: {{ . }}
  {{- end }}
{{- end -}}

{{/* A peer: this release's helm test Pods. */}}
{{- define "deerflow.netpol.testPods" -}}
- podSelector:
    matchLabels:
      app.kubernetes.io/name: {{ include "deerflow.name" . }}
      app.kubernetes.io/instance: {{ .Release.Name }}
    matchExpressions:
      - key: app.kubernetes.io/component
        operator: In
        values: ["test-gateway", "test-nginx", "test-sandbox-agent"]
{{- end -}}
