{{/*
Checksums that roll Pods when their inputs change: rendered ConfigMaps, rendered Secrets, and the
names of existing Secrets (whose contents the chart cannot see; rename to rotate).
*/}}
{{- define "deerflow.checksum.secrets" -}}
{{- $ctx := . -}}
{{- $parts := list -}}
{{- range $path := list "/auth/secret.yaml" "/gateway/secret-providers.yaml" "/sandbox/secret.yaml" "/postgresql/secret.yaml" "/redis/secret.yaml" -}}
{{- $parts = append $parts (include (print $ctx.Template.BasePath $path) $ctx) -}}
{{- end -}}
{{- $parts = append $parts (include "deerflow.auth.secretName" $ctx) -}}
{{- $parts = append $parts (include "deerflow.providers.secretName" $ctx) -}}
{{- $parts = append $parts (include "deerflow.sandbox.secretName" $ctx) -}}
{{- $parts = append $parts (include "deerflow.postgresql.secretName" $ctx) -}}
{{- $parts = append $parts (include "deerflow.redis.secretName" $ctx) -}}
{{- join "\n" $parts | sha256sum -}}
{{- end -}}
