{{/*
NOTES fragments. "deerflow.notes.prerequisites" lists every object the values say must already
exist (the chart never creates secret material, and claims given by name are the user's), one
"- <Kind> <name> in <namespace>: <what>" line each; empty when there are none.
Usage: include "deerflow.notes.prerequisites" .
*/}}
{{- define "deerflow.notes.prerequisites" -}}
{{- $rel := .Release.Namespace -}}
{{- $sbx := include "deerflow.sandbox.namespace" . -}}
{{- $later := ternary (printf " (this release creates that namespace: add the claim after the install, before the first sandbox)") "" (and .Values.sandbox.enabled .Values.sandbox.createNamespace) -}}
{{- $out := list -}}
{{- with .Values.deerflow.auth.existingSecret -}}
{{- $out = append $out (printf "Secret %s in %s: keys BETTER_AUTH_SECRET, AUTH_JWT_SECRET, DEER_FLOW_INTERNAL_AUTH_TOKEN" . $rel) -}}
{{- end -}}
{{- with .Values.deerflow.providers.existingSecret -}}
{{- $keys := list -}}
{{- range $.Values.deerflow.models -}}{{- with .apiKeyEnv -}}{{- $keys = append $keys . -}}{{- end -}}{{- end -}}
{{- $out = append $out (printf "Secret %s in %s: keys %s" . $rel (default "(one per model apiKeyEnv; no model names one yet)" (join ", " (uniq $keys)))) -}}
{{- end -}}
{{- if .Values.llmGateway.enabled -}}
{{- with .Values.llmGateway.existingSecret -}}
{{- $keys := list "LITELLM_MASTER_KEY" -}}
{{- range $.Values.llmGateway.providers -}}{{- $keys = append $keys .apiKeyEnv -}}{{- end -}}
{{- $out = append $out (printf "Secret %s in %s: keys %s (LLM gateway master key and provider keys)" . $rel (join ", " (uniq $keys))) -}}
{{- end -}}
{{- with .Values.llmGateway.redis.existingSecret -}}
{{- if eq $.Values.llmGateway.redis.mode "external" -}}
{{- $out = append $out (printf "Secret %s in %s: key %s (the LLM gateway's redis:// URL)" . $rel $.Values.llmGateway.redis.existingSecretKey) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if and (eq .Values.postgresql.mode "external") .Values.postgresql.external.existingSecret -}}
{{- $out = append $out (printf "Secret %s in %s: key %s (postgresql:// URL)" .Values.postgresql.external.existingSecret $rel .Values.postgresql.external.existingSecretKey) -}}
{{- else if and (eq .Values.postgresql.mode "bundled") .Values.postgresql.auth.existingSecret -}}
{{- $out = append $out (printf "Secret %s in %s: key %s (Postgres password)" .Values.postgresql.auth.existingSecret $rel .Values.postgresql.auth.existingSecretPasswordKey) -}}
{{- end -}}
{{- if and (eq .Values.redis.mode "external") .Values.redis.external.existingSecret -}}
{{- $out = append $out (printf "Secret %s in %s: key %s (redis:// URL)" .Values.redis.external.existingSecret $rel .Values.redis.external.existingSecretKey) -}}
{{- else if and (eq .Values.redis.mode "bundled") .Values.redis.auth.existingSecret -}}
{{- $out = append $out (printf "Secret %s in %s: key %s (Redis password)" .Values.redis.auth.existingSecret $rel .Values.redis.auth.existingSecretPasswordKey) -}}
{{- end -}}
{{- if .Values.sandbox.enabled -}}
{{- with .Values.sandbox.existingSecret -}}
{{- $out = append $out (printf "Secret %s in %s: key %s (sandbox API key; optional extra-api-keys)" . $rel $.Values.sandbox.existingSecretKey) -}}
{{- end -}}
{{- if and (eq .Values.sandbox.skills.source "existingClaim") .Values.sandbox.skills.existingClaim -}}
{{- $out = append $out (printf "PersistentVolumeClaim %s in %s: the skills, mounted read-only by sandboxes%s" .Values.sandbox.skills.existingClaim $sbx $later) -}}
{{- end -}}
{{- with .Values.sandbox.threadData.existingClaim -}}
{{- $out = append $out (printf "PersistentVolumeClaim %s in %s: ReadWriteMany, the same data as the home volume%s" . $sbx $later) -}}
{{- end -}}
{{- end -}}
{{- if and (eq .Values.persistence.home.mode "pvc") .Values.persistence.home.existingClaim -}}
{{- $out = append $out (printf "PersistentVolumeClaim %s in %s: the home volume (%s)" .Values.persistence.home.existingClaim $rel .Values.persistence.home.accessMode) -}}
{{- end -}}
{{- if .Values.ingress.enabled -}}
{{- if .Values.ingress.tls.enabled -}}
{{- $out = append $out (printf "Secret %s in %s: type kubernetes.io/tls for %s (or a certificate controller that issues it)" (default (include "deerflow.componentName" (dict "ctx" $ "component" "tls")) .Values.ingress.tls.secretName) $rel .Values.ingress.host) -}}
{{- end -}}
{{- range .Values.ingress.extraTls -}}
{{- $out = append $out (printf "Secret %s in %s: type kubernetes.io/tls for %s" .secretName $rel (join ", " .hosts)) -}}
{{- end -}}
{{- end -}}
{{- if and .Values.istio.ingress.enabled .Values.istio.ingress.gateway.create .Values.istio.ingress.gateway.credentialName -}}
{{- $out = append $out (printf "Secret %s in the Istio ingress gateway's namespace: type kubernetes.io/tls for %s" .Values.istio.ingress.gateway.credentialName (join ", " .Values.istio.ingress.hosts)) -}}
{{- end -}}
{{- range .Values.global.imagePullSecrets -}}
{{- $out = append $out (printf "Secret %s in %s%s: image pull credentials" . $rel (ternary (printf " and %s" $sbx) "" (and $.Values.sandbox.enabled (ne $sbx $rel)))) -}}
{{- end -}}
{{- range $out }}
  - {{ . }}
{{- end -}}
{{- end -}}
