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
{{- /* Through the LLM gateway: its model group, its key, no client retries (the gateway retries and
fails over), and a timeout above the gateway's worst case for the group. */ -}}
{{- if and $.Values.llmGateway.enabled (ne (toString .viaGateway) "false") -}}
{{- $_ := set $m "base_url" (include "deerflow.llmGateway.url" $) -}}
{{- $_ := set $m "api_key" "$LLM_GATEWAY_API_KEY" -}}
{{- $_ := set $m "max_retries" 0 -}}
{{- $model := .model -}}
{{- range $.Values.llmGateway.modelGroups -}}
{{- if and (eq .name $model) (not (hasKey $m "request_timeout")) -}}
{{- $_ := set $m "request_timeout" (add (include "deerflow.llmGateway.worstCaseSeconds" (dict "ctx" $ "group" .)) 10) -}}
{{- end -}}
{{- end -}}
{{- end -}}
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
    "thread_data_mounts" (has $.Values.persistence.home.mode (list "hostPath" "pvc"))
-}}
{{- end -}}

{{- /* DeerFlow loads only the tools config.yaml lists (tools/tools.py). */ -}}
{{- $toolGroups := list -}}
{{- $tools := list -}}
{{- if and $.Values.sandbox.enabled $.Values.deerflow.config.sandboxTools -}}
{{- $toolGroups = list (dict "name" "file:read") (dict "name" "file:write") (dict "name" "bash") -}}
{{- range $tool := list (list "ls" "file:read") (list "read_file" "file:read") (list "glob" "file:read") (list "grep" "file:read") (list "write_file" "file:write") (list "str_replace" "file:write") (list "bash" "bash") -}}
{{- $tools = append $tools (dict "name" (index $tool 0) "group" (index $tool 1) "use" (printf "deerflow.sandbox.tools:%s_tool" (index $tool 0))) -}}
{{- end -}}
{{- end -}}

{{- /* The skills root: the claim mounted at /app/skills, else the home volume (public skills published by deerflow.skills.image). */ -}}
{{- $skills := dict "path" (ternary "/app/skills" "/app/backend/.deer-flow/skills" (eq (include "deerflow.gateway.mountSkills" .) "true")) -}}

{{- /* `database:` alone: it backs the checkpointer and the store too, and the deprecated
`checkpointer:` section would win over it. SQLite lives on the home volume (the root is read-only). */ -}}
{{- $database := dict "backend" "sqlite" "sqlite_dir" "/app/backend/.deer-flow/data" -}}
{{- if ne $.Values.postgresql.mode "none" -}}
{{- $database = dict "backend" "postgres" "postgres_url" "$DATABASE_URL" -}}
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
    "stream_bridge" $bridge
    "skills" $skills
    "run_ownership" (dict "heartbeat_enabled" $.Values.deerflow.config.runOwnershipHeartbeat)
    "run_events" (dict "backend" $.Values.deerflow.config.runEventsBackend)
    "agent_storage" (dict "backend" $.Values.deerflow.config.agentStorageBackend)
    "scheduler" (dict "multi_instance" (eq (include "deerflow.multiWorker" .) "true"))
    "memory" (dict "shutdown_flush_timeout_seconds" $.Values.deerflow.config.memoryShutdownFlushSeconds)
-}}
{{- if $.Values.llmGateway.enabled -}}
{{- /* The gateway retries; DeerFlow's own attempts multiply its worst case (llm_error_handling_middleware). */ -}}
{{- $_ := set $generated "llm_call" (merge (dict "retry_max_attempts" $.Values.llmGateway.deerflowRetryAttempts) ($.Values.deerflow.config.extra.llm_call | default dict)) -}}
{{- end -}}
{{- if $tools -}}
{{- /* Tools and groups from deerflow.config.extra come after the sandbox ones instead of being replaced. */ -}}
{{- $extra := $.Values.deerflow.config.extra -}}
{{- $groupNames := list -}}
{{- range $toolGroups }}{{ $groupNames = append $groupNames .name }}{{ end -}}
{{- range ($extra.tool_groups | default list) }}{{ if not (has .name $groupNames) }}{{ $toolGroups = append $toolGroups . }}{{ end }}{{ end -}}
{{- $_ := set $generated "tool_groups" $toolGroups -}}
{{- $_ := set $generated "tools" (concat $tools ($extra.tools | default list)) -}}
{{- end -}}
{{- toYaml (mergeOverwrite (deepCopy $.Values.deerflow.config.extra) $generated) -}}
{{- end -}}

{{/* extensions_config.json seed. */}}
{{- define "deerflow.extensionsConfig" -}}
{{- toPrettyJson (dict "mcpServers" .Values.deerflow.extensions.mcpServers "skills" .Values.deerflow.extensions.skills) -}}
{{- end -}}

{{/* NO_PROXY for the gateway: everything inside the cluster (sandbox URLs are *.svc FQDNs, which
DeerFlow's sandbox client would otherwise send through a configured proxy). */}}
{{- define "deerflow.noProxy" -}}
{{- join "," (list "localhost" "127.0.0.1" "::1" ".svc" (printf ".svc.%s" .Values.clusterDomain) (printf ".%s" .Release.Namespace) ) -}}
{{- end -}}
