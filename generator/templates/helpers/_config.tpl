{{/*
DeerFlow's config.yaml, built as a dict from structured values. Secrets appear only as whole-value
$VAR references (DeerFlow resolves those from env and refuses to start when one is unset).
*/}}
{{- define "deerflow.config" -}}
{{- $models := list -}}
{{- range $.Values.deerflow.models -}}
{{- $m := dict "name" .name "use" .use "model" .model -}}
{{- if .displayName }}{{ $_ := set $m "display_name" .displayName }}{{ end -}}
{{- if .baseUrl }}{{ $_ := set $m "base_url" .baseUrl }}{{ end -}}
{{- if and .viaMesh $.Values.istio.llm.enabled }}{{ $_ := set $m "base_url" (include "deerflow.llm.url" $) }}{{ end -}}
{{- if .apiBase }}{{ $_ := set $m "api_base" .apiBase }}{{ end -}}
{{- if .apiKeyEnv }}{{ $_ := set $m "api_key" (printf "$%s" .apiKeyEnv) }}{{ end -}}
{{- if .maxTokens }}{{ $_ := set $m "max_tokens" .maxTokens }}{{ end -}}
{{- if .requestTimeout }}{{ $_ := set $m "request_timeout" .requestTimeout }}{{ end -}}
{{- if hasKey . "maxRetries" }}{{ $_ := set $m "max_retries" .maxRetries }}{{ end -}}
{{- if .contextWindow }}{{ $_ := set $m "context_window" .contextWindow }}{{ end -}}
{{- if hasKey . "supportsThinking" }}{{ $_ := set $m "supports_thinking" .supportsThinking }}{{ end -}}
{{- if hasKey . "supportsVision" }}{{ $_ := set $m "supports_vision" .supportsVision }}{{ end -}}
{{- if hasKey . "supportsReasoningEffort" }}{{ $_ := set $m "supports_reasoning_effort" .supportsReasoningEffort }}{{ end -}}
{{- $models = append $models (merge $m (.extra | default dict)) -}}
{{- end -}}

{{- $sandbox := dict "use" "deerflow.sandbox.local:LocalSandboxProvider" -}}
{{- if $.Values.sandbox.enabled -}}
{{- $sandbox = dict
    "use" "deerflow.community.aio_sandbox:AioSandboxProvider"
    "provisioner_url" (include "deerflow.sandboxAgent.url" .)
    "provisioner_api_key" "$PROVISIONER_API_KEY"
    "replicas" $.Values.sandbox.gatewaySide.replicas
    "idle_timeout" $.Values.sandbox.gatewaySide.idleTimeoutSeconds
    "ownership" (dict "type" (ternary "redis" "memory" (eq (include "deerflow.sandbox.ownershipInRedis" .) "true")))
-}}
{{- end -}}

{{- $database := dict "backend" "sqlite" -}}
{{- $checkpointer := dict "type" "sqlite" "connection_string" "checkpoints.db" -}}
{{- if ne $.Values.postgresql.mode "none" -}}
{{- $database = dict "backend" "postgres" "postgres_url" "$DATABASE_URL" -}}
{{- $checkpointer = dict "type" "postgres" "connection_string" "$DATABASE_URL" -}}
{{- end -}}

{{- $bridge := dict "type" "memory" -}}
{{- if eq (include "deerflow.streamBridge" .) "redis" -}}
{{- $bridge = dict "type" "redis" "redis_url" "$DEER_FLOW_STREAM_BRIDGE_REDIS_URL" -}}
{{- end -}}

{{- $generated := dict
    "log_level" $.Values.deerflow.logLevel
    "models" $models
    "sandbox" $sandbox
    "database" $database
    "checkpointer" $checkpointer
    "stream_bridge" $bridge
    "run_ownership" (dict "heartbeat_enabled" $.Values.deerflow.config.runOwnershipHeartbeat)
    "run_events" (dict "backend" $.Values.deerflow.config.runEventsBackend)
    "agent_storage" (dict "backend" $.Values.deerflow.config.agentStorageBackend)
    "scheduler" (dict "multi_instance" (eq (include "deerflow.multiWorker" .) "true"))
    "memory" (dict "shutdown_flush_timeout_seconds" $.Values.deerflow.config.memoryShutdownFlushSeconds)
-}}
{{- toYaml (mergeOverwrite (deepCopy $.Values.deerflow.config.extra) $generated) -}}
{{- end -}}

{{/* extensions_config.json seed. */}}
{{- define "deerflow.extensionsConfig" -}}
{{- toPrettyJson (dict "mcpServers" .Values.deerflow.extensions.mcpServers "skills" .Values.deerflow.extensions.skills) -}}
{{- end -}}
