/**
 * The LLM gateway's named helpers (`_llm_gateway.tpl`): its Secret and URL, the Redis it uses, the
 * proxy's `config.yaml` rendered as text (prices need YAML floats with a decimal point: PyYAML
 * reads `3e-06` as a string), DeerFlow's worst case per model group, and the render-time guards.
 * The compromised LiteLLM releases come from harness/litellm/version.ts, the one list.
 */
import { COMPROMISED_LITELLM_VERSIONS, LITELLM_VERSION } from '../../../harness/litellm/version.js';
import { header, lines } from '../lib/text.js';

export const HELPERS_SRC = 'generator/templates/llm-gateway/helpers.ts';

/** LiteLLM's backoff bound per retry: a provider's Retry-After is honoured up to 60 s, plus 0.75 s jitter (litellm/utils.py calculate_retry_after). */
export const MAX_BACKOFF_SECONDS = 61;

const compromised = COMPROMISED_LITELLM_VERSIONS.map((v) => `"${v}"`).join(' ');

export function llmGatewayHelpers(): string {
  return lines(
    header(HELPERS_SRC),
    String.raw`{{/* The gateway's Secret: LITELLM_MASTER_KEY, the provider keys, the external Redis URL. */}}
{{- define "deerflow.llmGateway.secretName" -}}
{{- default (include "deerflow.componentName" (dict "ctx" . "component" "llm-gateway")) .Values.llmGateway.existingSecret -}}
{{- end -}}

{{/* The OpenAI-compatible base URL DeerFlow's models call. */}}
{{- define "deerflow.llmGateway.url" -}}
{{- printf "http://%s:%v/v1" (include "deerflow.serviceHost" (dict "ctx" . "component" "llm-gateway")) .Values.llmGateway.service.port -}}
{{- end -}}

{{/* Which Redis the gateway uses: "release" (the release's bundled or external Redis), "external" (its own), or "" (none). */}}
{{- define "deerflow.llmGateway.redis" -}}
{{- if eq .Values.llmGateway.redis.mode "external" -}}external
{{- else if and (eq .Values.llmGateway.redis.mode "release") (ne .Values.redis.mode "none") -}}release
{{- end -}}
{{- end -}}

{{/* "true" when some deployment of a group is live (weight above 0). Usage: include "deerflow.llmGateway.live" $d */}}
{{- define "deerflow.llmGateway.live" -}}
{{- if or (not (hasKey . "weight")) (gt (int .weight) 0) -}}true{{- end -}}
{{- end -}}

{{/* The fallback levels of a group (distinct orders of its live deployments), as a count. Usage: include "deerflow.llmGateway.levels" $group */}}
{{- define "deerflow.llmGateway.levels" -}}
{{- $orders := dict -}}
{{- range $i, $d := .deployments -}}
{{- if include "deerflow.llmGateway.live" $d -}}
{{- $_ := set $orders (toString (ternary $d.order (add1 $i) (hasKey $d "order"))) true -}}
{{- end -}}
{{- end -}}
{{- len $orders -}}
{{- end -}}

{{/*
Worst-case seconds of one request to a group through the gateway: every fallback level makes at
most 1 + max(retries.rateLimit, retries.serverError) calls of at most timeoutSeconds each (a
timeout ends its level: it is never retried) with at most ${MAX_BACKOFF_SECONDS} s of backoff before each
retry. Usage: include "deerflow.llmGateway.worstCaseSeconds" (dict "ctx" $ "group" $group)
*/}}
{{- define "deerflow.llmGateway.worstCaseSeconds" -}}
{{- $g := .ctx.Values.llmGateway -}}
{{- $retries := max (int $g.retries.rateLimit) (int $g.retries.serverError) -}}
{{- $levels := int (include "deerflow.llmGateway.levels" .group) -}}
{{- mul $levels (add (mul (add1 $retries) (int $g.timeoutSeconds)) (mul $retries ${MAX_BACKOFF_SECONDS})) -}}
{{- end -}}

{{/* A price per million tokens as LiteLLM's price per token, a YAML float with a decimal point. */}}
{{- define "deerflow.llmGateway.perToken" -}}
{{- printf "%.15f" (divf . 1000000) -}}
{{- end -}}

{{/* The proxy's config.yaml. Secrets are os.environ/NAME references the container's env resolves. */}}
{{- define "deerflow.llmGateway.config" -}}
{{- $g := .Values.llmGateway -}}
{{- $providers := dict -}}
{{- range $g.providers }}{{ $_ := set $providers .name . }}{{ end -}}
{{- $limited := false -}}
model_list:
{{- range $group := $g.modelGroups }}
{{- range $i, $d := $group.deployments }}
{{- if and (include "deerflow.llmGateway.live" $d) (hasKey $providers $d.provider) }}
{{- $p := get $providers $d.provider }}
  - model_name: {{ $group.name | quote }}
    litellm_params:
      model: {{ printf "%s/%s" (default "openai" $p.api) $d.model | quote }}
      api_base: {{ $p.baseUrl | quote }}
      api_key: {{ printf "os.environ/%s" $p.apiKeyEnv | quote }}
      order: {{ ternary $d.order (add1 $i) (hasKey $d "order") }}
      weight: {{ ternary $d.weight 1 (hasKey $d "weight") }}
      timeout: {{ $g.timeoutSeconds }}
      stream_timeout: {{ $g.timeoutSeconds }}
      {{- if $d.rpm }}{{ $limited = true }}
      rpm: {{ $d.rpm }}
      {{- end }}
      {{- if $d.tpm }}{{ $limited = true }}
      tpm: {{ $d.tpm }}
      {{- end }}
      {{- if hasKey $d "inputPricePerMillion" }}
      input_cost_per_token: {{ include "deerflow.llmGateway.perToken" $d.inputPricePerMillion }}
      {{- end }}
      {{- if hasKey $d "outputPricePerMillion" }}
      output_cost_per_token: {{ include "deerflow.llmGateway.perToken" $d.outputPricePerMillion }}
      {{- end }}
    model_info:
      id: {{ printf "%s/%d/%s" $group.name (add1 $i) $d.provider | quote }}
      provider: {{ $d.provider | quote }}
      allowed_fails: {{ sub (int $g.breaker.openAfterFailures) 1 }}
      cooldown_time: {{ $g.breaker.resetSeconds }}
{{- end }}
{{- end }}
{{- end }}
router_settings:
  routing_strategy: simple-shuffle
  num_retries: {{ max (int $g.retries.rateLimit) (int $g.retries.serverError) }}
  retry_after: {{ $g.retries.minBackoffSeconds }}
  retry_policy:
    TimeoutErrorRetries: 0
    RateLimitErrorRetries: {{ $g.retries.rateLimit }}
    InternalServerErrorRetries: {{ $g.retries.serverError }}
    ServiceUnavailableErrorRetries: {{ $g.retries.serverError }}
    BadRequestErrorRetries: 0
    AuthenticationErrorRetries: 0
    ContentPolicyViolationErrorRetries: 0
    NotFoundErrorRetries: 0
  timeout: {{ $g.timeoutSeconds }}
  cooldown_time: {{ $g.breaker.resetSeconds }}
  {{- if $limited }}
  optional_pre_call_checks: ["enforce_model_rate_limits"]
  {{- end }}
  {{- if include "deerflow.llmGateway.redis" . }}
  redis_url: os.environ/LITELLM_REDIS_URL
  {{- end }}
litellm_settings:
  callbacks: ["prometheus"]
  request_timeout: {{ $g.timeoutSeconds }}
  {{- if $g.cache.enabled }}
  cache: true
  cache_params:
    type: redis
    url: os.environ/LITELLM_REDIS_URL
    ttl: {{ $g.cache.ttlSeconds }}
    supported_call_types: ["acompletion", "completion"]
  {{- end }}
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
{{- end -}}

{{/* Render-time guards of the gateway; prints one "<field>: ..." line per problem. */}}
{{- define "deerflow.llmGateway.validate" -}}
{{- $g := .Values.llmGateway -}}
{{- if $g.enabled -}}
{{- $compromised := list ${compromised} -}}
{{- $version := regexFind "[0-9]+\\.[0-9]+\\.[0-9]+" $g.image.tag -}}
{{- if has $version $compromised }}
llmGateway.image.tag: {{ $g.image.tag | quote }} is LiteLLM {{ $version }}, a compromised release (refused: {{ join ", " $compromised }}); use v${LITELLM_VERSION}.
{{- else if not $version }}
llmGateway.image.tag: {{ $g.image.tag | quote }} is a floating tag; the LLM gateway needs a released version (e.g. v${LITELLM_VERSION}) and its digest.
{{- end }}
{{- if not $g.image.digest }}
llmGateway.image.digest: the LLM gateway image must be pinned by digest (sha256:... of the verified release image).
{{- end }}
{{- if and (not $g.existingSecret) (not $g.masterKey) }}
llmGateway.masterKey: the gateway needs a master key: set llmGateway.existingSecret (key LITELLM_MASTER_KEY) or llmGateway.masterKey (never generated).
{{- end }}
{{- $providers := dict -}}
{{- range $i, $p := $g.providers }}
{{- if hasKey $providers $p.name }}
llmGateway.providers[{{ $i }}].name: duplicate provider {{ $p.name | quote }}.
{{- end }}
{{- $_ := set $providers $p.name true -}}
{{- if and (not $g.existingSecret) (not (hasKey $g.apiKeys $p.apiKeyEnv)) }}
llmGateway.providers[{{ $i }}].apiKeyEnv: {{ $p.apiKeyEnv }} is not a key of llmGateway.apiKeys; add it there or set llmGateway.existingSecret.
{{- end }}
{{- end }}
{{- if not $g.modelGroups }}
llmGateway.modelGroups: the gateway needs at least one model group.
{{- end }}
{{- $costAlerts := and .Values.monitoring.prometheusRule.enabled (gt (int $g.alerts.spendPerHour) 0) -}}
{{- $groups := dict -}}
{{- range $i, $group := $g.modelGroups }}
{{- if hasKey $groups $group.name }}
llmGateway.modelGroups[{{ $i }}].name: duplicate model group {{ $group.name | quote }}.
{{- end }}
{{- $_ := set $groups $group.name true -}}
{{- $live := 0 -}}
{{- range $j, $d := $group.deployments }}
{{- if not (hasKey $providers $d.provider) }}
llmGateway.modelGroups[{{ $i }}].deployments[{{ $j }}].provider: {{ $d.provider | quote }} is not in llmGateway.providers ({{ join ", " (keys $providers | sortAlpha) | default "none" }}).
{{- end }}
{{- if include "deerflow.llmGateway.live" $d }}
{{- $live = add1 $live -}}
{{- if and $costAlerts (not (and (hasKey $d "inputPricePerMillion") (hasKey $d "outputPricePerMillion"))) }}
llmGateway.modelGroups[{{ $i }}].deployments[{{ $j }}].{{ ternary "outputPricePerMillion" "inputPricePerMillion" (hasKey $d "inputPricePerMillion") }}: required while the spend alert is on (llmGateway.alerts.spendPerHour={{ $g.alerts.spendPerHour }}); spend is tokens x these prices.
{{- end }}
{{- end }}
{{- end }}
{{- if eq $live 0 }}
llmGateway.modelGroups[{{ $i }}].deployments: every deployment of {{ $group.name | quote }} has weight 0, so the group would be empty; give one a weight above 0 or remove the group.
{{- end }}
{{- end }}
{{- $redis := include "deerflow.llmGateway.redis" . -}}
{{- $replicas := include "deerflow.autoscaling.maxReplicas" (dict "replicaCount" $g.replicaCount "autoscaling" $g.autoscaling) -}}
{{- if and (eq $g.redis.mode "release") (eq .Values.redis.mode "none") }}
llmGateway.redis.mode: release needs the release's Redis (redis.mode=bundled or external); or use external, or none with one replica.
{{- else if and (not $redis) (gt (int $replicas) 1) }}
llmGateway.redis.mode: none with up to {{ $replicas }} replicas would give every replica its own breakers and rate limits; use release or external.
{{- end }}
{{- if and (eq $g.redis.mode "external") (not $g.redis.url) (not $g.redis.existingSecret) }}
llmGateway.redis.url: redis.mode=external needs llmGateway.redis.url or llmGateway.redis.existingSecret.
{{- end }}
{{- if and $g.cache.enabled (not $redis) }}
llmGateway.cache.enabled: the cache lives in Redis; set llmGateway.redis.mode to release or external.
{{- end }}
{{- range $i, $m := .Values.deerflow.models }}
{{- if ne (toString $m.viaGateway) "false" }}
{{- if not (hasKey $groups $m.model) }}
deerflow.models[{{ $i }}].model: {{ $m.model | quote }} is not a model group of the LLM gateway ({{ join ", " (keys $groups | sortAlpha) | default "none" }}); name a group, or set viaGateway: false to call a provider directly.
{{- else }}
{{- range $k := list "baseUrl" "apiBase" "apiKeyEnv" "viaMesh" }}
{{- if hasKey $m $k }}
deerflow.models[{{ $i }}].{{ $k }}: a model served by the LLM gateway takes its endpoint and key from the gateway; remove {{ $k }} or set viaGateway: false.
{{- end }}
{{- end }}
{{- range $group := $g.modelGroups }}
{{- if and (eq $group.name $m.model) $m.requestTimeout }}
{{- $worst := include "deerflow.llmGateway.worstCaseSeconds" (dict "ctx" $ "group" $group) }}
{{- if le (float64 $m.requestTimeout) (float64 $worst) }}
deerflow.models[{{ $i }}].requestTimeout: {{ $m.requestTimeout }}s is not above the gateway's worst case for {{ $group.name | quote }} ({{ $worst }}s); DeerFlow would give up while the gateway still fails over. Remove it (the chart sets {{ add $worst 10 }}) or raise it.
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- else if .Values.deerflow.models }}
{{- range $i, $m := .Values.deerflow.models }}
{{- if $m.viaGateway }}
deerflow.models[{{ $i }}].viaGateway: needs llmGateway.enabled=true.
{{- end }}
{{- end }}
{{- end -}}
{{- end -}}`,
    '',
  );
}
