{{/*
Checksums that roll Pods when their inputs change. They hash the values a ConfigMap or Secret is
rendered from (and the names of existing Secrets, whose contents the chart cannot see: point the
value at a new Secret name to roll), so they do not depend on which template files are rendered.
*/}}
{{- define "deerflow.checksum.gatewayConfig" -}}
{{- print (include "deerflow.config" .) (include "deerflow.extensionsConfig" .) | sha256sum -}}
{{- end -}}

{{- define "deerflow.checksum.nginxConfig" -}}
{{- include "deerflow.nginx.conf" . | sha256sum -}}
{{- end -}}

{{- define "deerflow.checksum.sandboxSecret" -}}
{{- toJson (list .Values.sandbox.apiKey .Values.sandbox.existingSecret .Values.sandbox.existingSecretKey .Values.sandbox.rotationApiKeys) | sha256sum -}}
{{- end -}}

{{/* The Redis credentials the sandbox agent reads ownership leases with. */}}
{{- define "deerflow.checksum.redisSecret" -}}
{{- toJson (list .Values.redis.auth .Values.redis.external) | sha256sum -}}
{{- end -}}

{{- define "deerflow.checksum.secrets" -}}
{{- toJson (list
    .Values.deerflow.auth
    .Values.deerflow.providers
    (include "deerflow.checksum.sandboxSecret" .)
    .Values.postgresql.auth .Values.postgresql.external
    .Values.redis.auth .Values.redis.external) | sha256sum -}}
{{- end -}}
