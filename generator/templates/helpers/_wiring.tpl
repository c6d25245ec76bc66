{{/* Service names, URLs and Secret names that wire the components together. */}}

{{- define "deerflow.serviceHost" -}}
{{- printf "%s.%s.svc.%s" (include "deerflow.componentName" .) (default .ctx.Release.Namespace .namespace) .ctx.Values.clusterDomain -}}
{{- end -}}

{{- define "deerflow.gateway.url" -}}
{{- printf "http://%s:%v" (include "deerflow.serviceHost" (dict "ctx" . "component" "gateway")) .Values.gateway.service.port -}}
{{- end -}}

{{- define "deerflow.sandboxAgent.url" -}}
{{- printf "http://%s:%v" (include "deerflow.serviceHost" (dict "ctx" . "component" "sandbox-agent")) .Values.sandbox.agent.service.port -}}
{{- end -}}

{{/* The mesh-internal LLM endpoint (istio.llm): plain HTTP to a selectorless Service; the sidecar routes and originates TLS. */}}
{{- define "deerflow.llm.url" -}}
{{- printf "http://%s%s" (include "deerflow.serviceHost" (dict "ctx" . "component" "llm")) .Values.istio.llm.basePath -}}
{{- end -}}

{{/* The home volume's claim (mode pvc). */}}
{{- define "deerflow.home.claimName" -}}
{{- default (include "deerflow.componentName" (dict "ctx" . "component" "home")) .Values.persistence.home.existingClaim -}}
{{- end -}}

{{/*
DEER_FLOW_HOST_BASE_DIR, identical on the gateway and the sandbox agent (D2, D3). With a
hostPath home it is the real node directory; otherwise it is the gateway's DEER_FLOW_HOME and the
agent maps paths under it onto PVC subPaths.
*/}}
{{- define "deerflow.hostBaseDir" -}}
{{- if eq .Values.persistence.home.mode "hostPath" -}}
{{- printf "%s/%s/%s" (trimSuffix "/" .Values.persistence.home.hostPath) .Release.Namespace .Release.Name -}}
{{- else -}}
/app/backend/.deer-flow
{{- end -}}
{{- end -}}

{{/* The user-data PVC sandboxes mount (empty in hostPath mode). */}}
{{- define "deerflow.sandbox.userDataClaim" -}}
{{- if .Values.sandbox.threadData.existingClaim -}}
{{- .Values.sandbox.threadData.existingClaim -}}
{{- else if eq .Values.persistence.home.mode "pvc" -}}
{{- include "deerflow.home.claimName" . -}}
{{- end -}}
{{- end -}}

{{/* The skills PVC sandboxes mount. */}}
{{- define "deerflow.sandbox.skillsClaim" -}}
{{- $src := .Values.sandbox.skills.source -}}
{{- if eq $src "home" -}}
{{- include "deerflow.sandbox.userDataClaim" . -}}
{{- else if eq $src "existingClaim" -}}
{{- .Values.sandbox.skills.existingClaim -}}
{{- else -}}
{{- include "deerflow.componentName" (dict "ctx" . "component" "skills") -}}
{{- end -}}
{{- end -}}

{{- define "deerflow.sandbox.skillsSubPath" -}}
{{- if .Values.sandbox.skills.subPathTemplate -}}
{{- .Values.sandbox.skills.subPathTemplate -}}
{{- else if eq .Values.sandbox.skills.source "home" -}}
deer-flow/skills_view
{{- end -}}
{{- end -}}

{{- define "deerflow.sandbox.secretName" -}}
{{- default (include "deerflow.componentName" (dict "ctx" . "component" "sandbox-api-key")) .Values.sandbox.existingSecret -}}
{{- end -}}

{{- define "deerflow.sandbox.secretKey" -}}
{{- ternary .Values.sandbox.existingSecretKey "api-key" (ne .Values.sandbox.existingSecret "") -}}
{{- end -}}

{{- define "deerflow.auth.secretName" -}}
{{- default (include "deerflow.componentName" (dict "ctx" . "component" "auth")) .Values.deerflow.auth.existingSecret -}}
{{- end -}}

{{/* "true" when any auth secret material exists. */}}
{{- define "deerflow.auth.enabled" -}}
{{- if or .Values.deerflow.auth.existingSecret .Values.deerflow.auth.betterAuthSecret .Values.deerflow.auth.jwtSecret .Values.deerflow.auth.internalToken -}}true{{- end -}}
{{- end -}}

{{- define "deerflow.providers.secretName" -}}
{{- default (include "deerflow.componentName" (dict "ctx" . "component" "providers")) .Values.deerflow.providers.existingSecret -}}
{{- end -}}

{{- define "deerflow.postgresql.secretName" -}}
{{- if eq .Values.postgresql.mode "external" -}}
{{- default (include "deerflow.componentName" (dict "ctx" . "component" "postgresql-external")) .Values.postgresql.external.existingSecret -}}
{{- else -}}
{{- default (include "deerflow.componentName" (dict "ctx" . "component" "postgresql")) .Values.postgresql.auth.existingSecret -}}
{{- end -}}
{{- end -}}

{{- define "deerflow.redis.secretName" -}}
{{- if eq .Values.redis.mode "external" -}}
{{- default (include "deerflow.componentName" (dict "ctx" . "component" "redis-external")) .Values.redis.external.existingSecret -}}
{{- else -}}
{{- default (include "deerflow.componentName" (dict "ctx" . "component" "redis")) .Values.redis.auth.existingSecret -}}
{{- end -}}
{{- end -}}

{{/* Key of the bundled Redis password in its Secret. */}}
{{- define "deerflow.redis.passwordKey" -}}
{{- ternary .Values.redis.auth.existingSecretPasswordKey "password" (ne .Values.redis.auth.existingSecret "") -}}
{{- end -}}

{{/* Key of the external Redis URL in its Secret. */}}
{{- define "deerflow.redis.urlKey" -}}
{{- ternary .Values.redis.external.existingSecretKey "REDIS_URL" (ne .Values.redis.external.existingSecret "") -}}
{{- end -}}

{{/*
"true" when the gateway keeps DeerFlow's sandbox ownership leases in the release's Redis
(`sandbox.ownership.type: redis`, which the chart sets with a Redis stream bridge): the sandbox
agent then reads them before idle/released TTL reaps.
*/}}
{{- define "deerflow.sandbox.ownershipInRedis" -}}
{{- if and .Values.sandbox.enabled (eq (include "deerflow.streamBridge" .) "redis") -}}true{{- end -}}
{{- end -}}

{{/* Stream bridge type after resolving "auto". */}}
{{- define "deerflow.streamBridge" -}}
{{- $t := .Values.deerflow.config.streamBridge -}}
{{- if eq $t "auto" -}}
{{- ternary "memory" "redis" (eq .Values.redis.mode "none") -}}
{{- else -}}
{{- $t -}}
{{- end -}}
{{- end -}}

{{/* "true" when more than one gateway process can serve the release (replicas, workers, or autoscaling up to maxReplicas > 1). */}}
{{- define "deerflow.multiWorker" -}}
{{- $replicas := include "deerflow.autoscaling.maxReplicas" (dict "replicaCount" .Values.gateway.replicaCount "autoscaling" .Values.gateway.autoscaling) -}}
{{- if or (gt (int $replicas) 1) (gt (int .Values.gateway.workers) 1) -}}true{{- end -}}
{{- end -}}

{{/* Env entries that give the gateway DATABASE_URL and the Redis URL (no secret copied into the URL at render time). */}}
{{- define "deerflow.datastoreEnv" -}}
{{- if eq .Values.postgresql.mode "bundled" }}
- name: POSTGRES_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "deerflow.postgresql.secretName" . }}
      key: {{ ternary .Values.postgresql.auth.existingSecretPasswordKey "password" (ne .Values.postgresql.auth.existingSecret "") }}
- name: DATABASE_URL
  value: {{ printf "postgresql://%s:$(POSTGRES_PASSWORD)@%s:%v/%s" .Values.postgresql.auth.username (include "deerflow.serviceHost" (dict "ctx" . "component" "postgresql")) .Values.postgresql.service.port .Values.postgresql.auth.database | quote }}
{{- else if eq .Values.postgresql.mode "external" }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "deerflow.postgresql.secretName" . }}
      key: {{ ternary .Values.postgresql.external.existingSecretKey "DATABASE_URL" (ne .Values.postgresql.external.existingSecret "") }}
{{- end }}
{{- if eq .Values.redis.mode "bundled" }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "deerflow.redis.secretName" . }}
      key: {{ include "deerflow.redis.passwordKey" . }}
- name: DEER_FLOW_REDIS_URL
  value: {{ printf "redis://:$(REDIS_PASSWORD)@%s:%v/0" (include "deerflow.serviceHost" (dict "ctx" . "component" "redis")) .Values.redis.service.port | quote }}
{{- else if eq .Values.redis.mode "external" }}
- name: DEER_FLOW_REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "deerflow.redis.secretName" . }}
      key: {{ include "deerflow.redis.urlKey" . }}
{{- end }}
{{- if eq (include "deerflow.streamBridge" .) "redis" }}
- name: DEER_FLOW_STREAM_BRIDGE_REDIS_URL
  value: "$(DEER_FLOW_REDIS_URL)"
{{- end }}
{{- end -}}

{{/* Gateway update strategy after resolving "auto" (D4: RWO home + RollingUpdate stalls). */}}
{{- define "deerflow.gateway.strategy" -}}
{{- $s := .Values.gateway.updateStrategy -}}
{{- if eq $s "auto" -}}
{{- if and (eq .Values.persistence.home.mode "pvc") (eq .Values.persistence.home.accessMode "ReadWriteOnce") -}}Recreate{{- else -}}RollingUpdate{{- end -}}
{{- else -}}
{{- $s -}}
{{- end -}}
{{- end -}}

{{/* "true" when the gateway mounts the skills claim at /app/skills (same namespace, claim-based source). */}}
{{- define "deerflow.gateway.mountSkills" -}}
{{- if and .Values.sandbox.enabled (has .Values.sandbox.skills.source (list "existingClaim" "nfs" "hostPath")) (eq (include "deerflow.sandbox.namespace" .) .Release.Namespace) -}}true{{- end -}}
{{- end -}}

{{/* The Ingress body-size limit: the larger of nginx's two limits, so the edge never rejects what nginx accepts (D20). */}}
{{- define "deerflow.ingress.bodySize" -}}
{{- $toBytes := dict "k" 1024 "m" 1048576 "g" 1073741824 -}}
{{- $sizes := list .Values.nginx.clientMaxBodySize .Values.nginx.uploadMaxBodySize -}}
{{- $best := "" -}}{{- $bestBytes := -1 -}}
{{- range $sizes -}}
{{- $unit := lower (regexFind "[kKmMgG]$" .) -}}
{{- $num := int (regexFind "^[0-9]+" .) -}}
{{- $bytes := mul $num (ternary (get $toBytes $unit) 1 (ne $unit "")) -}}
{{- if gt $bytes $bestBytes -}}{{- $best = . -}}{{- $bestBytes = $bytes -}}{{- end -}}
{{- end -}}
{{- $best -}}
{{- end -}}
