{{/*
Autoscaling helpers. Every helper takes one component's `autoscaling` block, so a template reads
only that subtree.
*/}}

{{/* "true" when an HPA or a ScaledObject owns the replica count. Usage: include "deerflow.autoscaling.on" .Values.gateway.autoscaling */}}
{{- define "deerflow.autoscaling.on" -}}
{{- if or .hpa.enabled .keda.enabled -}}true{{- end -}}
{{- end -}}

{{/* The replica count the component can reach: maxReplicas when autoscaled, replicaCount otherwise. Usage: include "deerflow.autoscaling.maxReplicas" (dict "replicaCount" .Values.gateway.replicaCount "autoscaling" .Values.gateway.autoscaling) */}}
{{- define "deerflow.autoscaling.maxReplicas" -}}
{{- if include "deerflow.autoscaling.on" .autoscaling -}}
{{- .autoscaling.maxReplicas -}}
{{- else -}}
{{- .replicaCount -}}
{{- end -}}
{{- end -}}

{{/* autoscaling/v2 `behavior` (HPA spec, and KEDA advanced.horizontalPodAutoscalerConfig). */}}
{{- define "deerflow.autoscaling.behavior" -}}
scaleUp:
  stabilizationWindowSeconds: {{ .behavior.scaleUp.stabilizationWindowSeconds }}
  selectPolicy: Max
  policies:
    - type: Pods
      value: {{ .behavior.scaleUp.pods }}
      periodSeconds: {{ .behavior.scaleUp.periodSeconds }}
scaleDown:
  stabilizationWindowSeconds: {{ .behavior.scaleDown.stabilizationWindowSeconds }}
  selectPolicy: Max
  policies:
    - type: Pods
      value: {{ .behavior.scaleDown.pods }}
      periodSeconds: {{ .behavior.scaleDown.periodSeconds }}
{{- end -}}

{{/* "true" when the KEDA Prometheus trigger is configured. */}}
{{- define "deerflow.autoscaling.prometheus" -}}
{{- if and .keda.prometheus.serverAddress .keda.prometheus.query -}}true{{- end -}}
{{- end -}}

{{/*
Guards for one component's autoscaling block; prints one message per line.
Usage: include "deerflow.autoscaling.validate" (dict "field" "gateway.autoscaling" "autoscaling" .Values.gateway.autoscaling)
*/}}
{{- define "deerflow.autoscaling.validate" -}}
{{- $a := .autoscaling -}}
{{- $f := .field -}}
{{- if and $a.hpa.enabled $a.keda.enabled }}
{{ $f }}.keda.enabled: {{ $f }}.hpa.enabled and {{ $f }}.keda.enabled are both true; they are mutually exclusive (KEDA creates its own HPA and the two would fight over the replica count). Turn one off.
{{- end }}
{{- if include "deerflow.autoscaling.on" $a }}
{{- if gt (int $a.minReplicas) (int $a.maxReplicas) }}
{{ $f }}.minReplicas: {{ $a.minReplicas }} is above {{ $f }}.maxReplicas ({{ $a.maxReplicas }}).
{{- end }}
{{- if and $a.hpa.enabled (eq (int $a.targetCPUUtilizationPercentage) 0) (eq (int $a.targetMemoryUtilizationPercentage) 0) }}
{{ $f }}.targetCPUUtilizationPercentage: the HPA needs a metric; set targetCPUUtilizationPercentage or targetMemoryUtilizationPercentage above 0.
{{- end }}
{{- if and $a.keda.enabled (eq (int $a.targetCPUUtilizationPercentage) 0) (eq (int $a.targetMemoryUtilizationPercentage) 0) (not (include "deerflow.autoscaling.prometheus" $a)) }}
{{ $f }}.keda.prometheus.query: the ScaledObject needs a trigger; set a CPU or memory target, or keda.prometheus.serverAddress and keda.prometheus.query.
{{- end }}
{{- if and $a.keda.enabled (or $a.keda.prometheus.serverAddress $a.keda.prometheus.query) (not (include "deerflow.autoscaling.prometheus" $a)) }}
{{ $f }}.keda.prometheus.serverAddress: the Prometheus trigger needs both keda.prometheus.serverAddress and keda.prometheus.query.
{{- end }}
{{- if and $a.keda.enabled (gt (int $a.keda.fallback.replicas) 0) (not (include "deerflow.autoscaling.prometheus" $a)) }}
{{ $f }}.keda.fallback.replicas: KEDA only honours fallback with a non-CPU/memory trigger; configure keda.prometheus (serverAddress and query) or set fallback.replicas to 0.
{{- end }}
{{- end }}
{{- end -}}
