{{/* Probe timing fields. Usage: include "deerflow.probeTiming" .Values.gateway.readinessProbe */}}
{{- define "deerflow.probeTiming" -}}
{{- toYaml (omit . "enabled") -}}
{{- end -}}

{{/* preStop sleep (kubelet sleep action, no shell needed). Usage: include "deerflow.lifecycle" .Values.gateway.preStopSleepSeconds */}}
{{- define "deerflow.lifecycle" -}}
{{- if gt (int .) 0 }}
lifecycle:
  preStop:
    sleep:
      seconds: {{ . }}
{{- end }}
{{- end -}}
