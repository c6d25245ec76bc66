/**
 * The LLM gateway (issue 11): a LiteLLM proxy between DeerFlow and its LLM providers, database-free.
 * Its `config.yaml` is generated from these values (templates/llm-gateway): providers, model groups
 * as ordered deployment lists (order-based fallback), a per-deployment circuit breaker, retries with
 * a retry policy that never retries a timeout, rpm/tpm limits, prices, Redis for state shared by the
 * replicas and an opt-in exact-match Redis cache. Port, autoscaling, PDB, NetworkPolicy flows and
 * the ServiceMonitor come from the registry entry (components.ts).
 */
import { COMPONENTS } from '../components.js';
import { LITELLM_VERSION } from '../../harness/litellm/version.js';
import { arr, bool, enumOf, group, int, patterns, str } from './builders.js';
import { cidr } from './formats.js';
import type { JsonSchema, ValueNode } from './types.js';
import { service, workload } from './workload.js';

const C = COMPONENTS['llm-gateway'];
const id = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
const price: JsonSchema = { type: 'number', minimum: 0 };

const provider: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'baseUrl', 'apiKeyEnv', 'cidrs'],
  properties: {
    name: { type: 'string', pattern: id, maxLength: 40, description: 'Provider id, referenced by model-group deployments.' },
    api: { type: 'string', enum: ['openai', 'azure', 'anthropic'], default: 'openai', description: 'LiteLLM provider prefix of the API the provider speaks (`openai` for any OpenAI-compatible relay).' },
    baseUrl: { type: 'string', pattern: '^https?://[^\\s]+$', description: 'API base URL, e.g. `https://api.openai.com/v1`.' },
    apiKeyEnv: { type: 'string', pattern: patterns.envName, description: 'Key of the gateway Secret that holds this provider\'s API key.' },
    cidrs: { type: 'array', minItems: 1, items: { type: 'string', pattern: cidr }, description: 'Address ranges of the provider (NetworkPolicy egress; the gateway may reach nothing else but DNS).' },
    port: { type: 'integer', minimum: 1, maximum: 65535, default: 443, description: 'Port the NetworkPolicy opens to `cidrs`.' },
  },
};

const deployment: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['provider', 'model'],
  properties: {
    provider: { type: 'string', pattern: id, description: 'A `providers[].name`.' },
    model: { type: 'string', minLength: 1, description: 'The provider\'s model name.' },
    weight: { type: 'integer', minimum: 0, maximum: 1000, default: 1, description: 'Share among deployments of the same order (0 drains the deployment: it is not rendered).' },
    order: { type: 'integer', minimum: 1, maximum: 100, description: 'Fallback level (1 first); defaults to the position in the list, so the list order is the fallback order.' },
    rpm: { type: 'integer', minimum: 1, description: 'Requests per minute this deployment accepts (enforced across replicas through Redis).' },
    tpm: { type: 'integer', minimum: 1, description: 'Tokens per minute this deployment accepts.' },
    inputPricePerMillion: { ...price, description: 'Price per million input tokens (spend metrics and the x-litellm-response-cost header).' },
    outputPricePerMillion: { ...price, description: 'Price per million output tokens.' },
  },
};

const modelGroup: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'deployments'],
  properties: {
    name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', description: 'Model name clients ask for (DeerFlow\'s model `model` with `viaGateway`).' },
    deployments: { type: 'array', minItems: 1, items: deployment, description: 'Ordered deployments: the first order level serves, the next ones take over when it fails or is open.' },
  },
};

export const llmGateway: Record<string, ValueNode> = {
  llmGateway: group('The LLM gateway: a LiteLLM proxy (database-free) with failover between providers, a circuit breaker per deployment, retries, rate limits, cost metrics and an optional Redis cache. DeerFlow models with `viaGateway` call it instead of a provider.', {
    enabled: bool(false, 'Deploy the gateway (on in the production profile).'),
    ...workload({
      component: C,
      what: 'the LLM gateway',
      replicaCount: 3,
      autoscalingRange: { minReplicas: 3, maxReplicas: 10 },
      image: { registry: 'ghcr.io', repository: 'berriai/litellm-non_root', tag: `v${LITELLM_VERSION}` },
      resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } },
      probes: {
        startup: { initialDelaySeconds: 5, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 36 },
        readiness: { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
        liveness: { initialDelaySeconds: 0, periodSeconds: 20, timeoutSeconds: 3, failureThreshold: 3 },
      },
      security: { uid: 65534, gid: 65534, readOnlyRootFilesystem: true },
      topologySpread: [
        { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' },
        { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' },
      ],
      antiAffinity: 'soft',
      terminationGracePeriodSeconds: 60,
      preStopSleepSeconds: 5,
    }),
    service: service('the LLM gateway', C.port.number),
    existingSecret: str('', `Existing Secret with \`LITELLM_MASTER_KEY\` (the proxy's admin key, also the key DeerFlow and Prometheus use) and every \`providers[].apiKeyEnv\`. Takes precedence over \`masterKey\`/\`apiKeys\`.`, { pattern: patterns.dnsSubdomain }),
    masterKey: str('', 'Master key (`sk-...`, 16+ characters) when no `existingSecret` is given. Prefer `existingSecret` outside development.', { secret: true, schema: { anyOf: [{ maxLength: 0 }, { pattern: '^sk-[A-Za-z0-9_-]{13,}$' }] } }),
    apiKeys: { kind: 'object', default: {}, description: 'Provider keys by `apiKeyEnv` when no `existingSecret` is given.', schema: { type: 'object', patternProperties: { [patterns.envName]: { type: 'string', minLength: 1 } }, additionalProperties: false } },
    providers: arr([], 'LLM providers: `{name, api: openai, baseUrl, apiKeyEnv, cidrs, port: 443}`.', provider),
    modelGroups: arr([], 'Model groups: `{name, deployments: [{provider, model, order, weight, rpm, tpm, inputPricePerMillion, outputPricePerMillion}]}`; the list order is the fallback order.', modelGroup),
    breaker: group('Circuit breaker per deployment (LiteLLM cooldown). LiteLLM counts the requests that fail on a deployment (5xx, 429, timeouts, 401/404; a request\'s retries there count once) in a counter that expires `resetSeconds` after the last failure, and cools the deployment down when the count exceeds `allowed_fails`; the chart renders `allowed_fails = openAfterFailures - 1` per deployment (LiteLLM\'s router-wide `allowed_fails` of 3 is its default and, left at 3, switches to a failure-rate rule instead). A group with a single deployment never opens (LiteLLM keeps its only deployment). With Redis the replicas share an open breaker: a replica sees one another replica opened within about a second (LiteLLM re-reads cooldowns from Redis at most once a second), so a few requests may still reach the failing deployment meanwhile.', {
      openAfterFailures: int(5, 'The breaker opens on the request that fails on the deployment for this many times (each within `resetSeconds` of the previous one).', { minimum: 1, maximum: 1000 }),
      resetSeconds: int(60, 'How long an open deployment gets no traffic (`cooldown_time`) before it is tried again.', { minimum: 1, maximum: 3600 }),
    }),
    retries: group('Retries inside the gateway, with exponential backoff (LiteLLM: 0.5 s doubling, or the provider\'s Retry-After up to 60 s). A timeout is never retried (`retry_policy.TimeoutErrorRetries: 0`): a stalled provider costs one `timeoutSeconds`, then the next order level.', {
      rateLimit: int(3, '`RateLimitErrorRetries`: retries of a 429.', { minimum: 0, maximum: 10 }),
      serverError: int(1, '`InternalServerErrorRetries` / `ServiceUnavailableErrorRetries`: retries of a 5xx on the same order level before falling back.', { minimum: 0, maximum: 10 }),
      minBackoffSeconds: int(0, '`retry_after`: the least wait before a retry.', { minimum: 0, maximum: 60 }),
    }),
    deerflowRetryAttempts: int(1, 'DeerFlow\'s `llm_call.retry_max_attempts` while the gateway is on (1: DeerFlow does not retry; the gateway does). Every attempt multiplies the gateway\'s worst case.', { minimum: 1, maximum: 5 }),
    timeoutSeconds: int(30, 'Timeout of one call to a provider (`timeout`), streaming or not.', { minimum: 1, maximum: 3600 }),
    redis: group('Redis for state the replicas share: cooldowns (an open breaker), rpm/tpm counters, and the cache. Without it every replica keeps its own.', {
      mode: enumOf(['release', 'external', 'none'], 'release', '`release`: the release\'s Redis (`redis.mode` bundled or external); `external`: `url`/`existingSecret` below; `none`: per-replica state (only with one replica).'),
      url: str('', '`redis://[:password@]host:port/db` for `mode: external`. Stored in the gateway Secret; prefer `existingSecret`.', { secret: true, pattern: '^(rediss?://.+)?$' }),
      existingSecret: str('', 'Existing Secret with the external Redis URL.', { pattern: patterns.dnsSubdomain }),
      existingSecretKey: str('REDIS_URL', 'Key of the URL in `existingSecret`.', { minLength: 1 }),
    }),
    cache: group('Exact-match response cache in Redis (same model and messages return the stored answer, also while every provider is down). Off by default: agent turns rarely repeat exactly, and a cached answer is not a fresh one.', {
      enabled: bool(false, 'Cache completions in Redis.'),
      ttlSeconds: int(600, 'How long an answer stays cached.', { minimum: 1, maximum: 604800 }),
    }),
    alerts: group('Thresholds of the gateway\'s alerts (rendered with `monitoring.prometheusRule.enabled`).', {
      errorPercent: int(5, 'Alert when more than this percent of requests fail.', { minimum: 1, maximum: 100 }),
      spendPerHour: int(0, 'Alert when spend over the last hour exceeds this amount (in the prices\' currency); 0 disables. Needs both prices on every deployment.', { minimum: 0 }),
    }),
  }, 'LLM gateway'),
};
