/** DeerFlow's application configuration: config.yaml, extensions_config.json, auth and provider secrets. */
import { arr, bool, enumOf, group, int, obj, patterns, str } from './builders.js';
import { ipOrCidr } from './formats.js';
import type { JsonSchema, ValueNode } from './types.js';

const modelSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'use', 'model'],
  properties: {
    name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', description: 'Model id used by DeerFlow.' },
    displayName: { type: 'string' },
    use: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_.]*:[A-Za-z_][A-Za-z0-9_]*$', description: 'LangChain class path, module:Class.' },
    model: { type: 'string', minLength: 1 },
    baseUrl: { type: 'string', pattern: '^https?://' },
    apiBase: { type: 'string', pattern: '^https?://' },
    viaGateway: { type: 'boolean', description: 'With `llmGateway.enabled` (default true there): `model` names a gateway model group, `base_url` is the gateway Service, `api_key` its master key, `max_retries: 0`, `request_timeout` above the gateway\'s worst case. `false` calls the provider directly.' },
    viaMesh: { type: 'boolean', description: 'Send this model through the Istio LLM route (`istio.llm`): `base_url` becomes the mesh-internal host. Exclusive with `baseUrl`/`apiBase`.' },
    apiKeyEnv: { type: 'string', pattern: patterns.envName, description: 'Key in the provider Secret; rendered as `api_key: $NAME`.' },
    maxTokens: { type: 'integer', minimum: 1 },
    requestTimeout: { type: 'number', minimum: 1 },
    maxRetries: { type: 'integer', minimum: 0 },
    contextWindow: { type: 'integer', minimum: 1 },
    supportsThinking: { type: 'boolean' },
    supportsVision: { type: 'boolean' },
    supportsReasoningEffort: { type: 'boolean' },
    extra: { type: 'object', description: 'Extra provider kwargs copied verbatim into the model entry.' },
  },
};

export const deerflow: Record<string, ValueNode> = {
  deerflow: group('DeerFlow application settings rendered into config.yaml, extensions_config.json and env.', {
    environment: enumOf(['production', 'development'], 'production', '`DEER_FLOW_ENV`; `production` makes the auth-disabled escape hatch fail closed.'),
    enableDocs: bool(false, '`GATEWAY_ENABLE_DOCS`: serve /docs, /redoc and /openapi.json. Off in production.'),
    logLevel: enumOf(['debug', 'info', 'warning', 'error'], 'info', '`log_level` in config.yaml.'),
    trustedProxies: arr(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'],
      '`AUTH_TRUSTED_PROXIES`: peers whose `X-Real-IP` the gateway believes (DeerFlow reads X-Real-IP, not X-Forwarded-For: routers/auth.py), so login rate limiting keys on the real client; the chart\'s nginx sets X-Real-IP from its own trusted `nginx.realIpFrom` chain.',
      { type: 'string', pattern: ipOrCidr }),
    corsOrigins: arr([], '`GATEWAY_CORS_ORIGINS` (comma-joined). Empty keeps same-origin only.', { type: 'string', pattern: '^https?://' }),
    auth: group('Authentication secrets. Never generated: give values or an existing Secret with keys `BETTER_AUTH_SECRET`, `AUTH_JWT_SECRET`, `DEER_FLOW_INTERNAL_AUTH_TOKEN`.', {
      existingSecret: str('', 'Existing Secret with the three auth keys. Takes precedence over the values below.', { pattern: patterns.dnsSubdomain }),
      betterAuthSecret: str('', '`BETTER_AUTH_SECRET`, kept in the auth Secret for frontends before 2.1; DeerFlow 2.1\'s frontend reads it nowhere, so the chart no longer passes it to the frontend.', { secret: true, schema: { anyOf: [{ maxLength: 0 }, { minLength: 32 }] } }),
      jwtSecret: str('', 'Gateway JWT secret (`AUTH_JWT_SECRET`). Required for more than one gateway replica.', { secret: true, schema: { anyOf: [{ maxLength: 0 }, { minLength: 32 }] } }),
      internalToken: str('', 'Token shared between gateway workers (`DEER_FLOW_INTERNAL_AUTH_TOKEN`). Required for more than one gateway replica.', { secret: true, schema: { anyOf: [{ maxLength: 0 }, { minLength: 16 }] } }),
    }),
    providers: group('LLM provider API keys. Each model\'s `apiKeyEnv` names a key of this Secret; it reaches the gateway as an env var and config.yaml as `$NAME`.', {
      existingSecret: str('', 'Existing Secret holding the provider keys.', { pattern: patterns.dnsSubdomain }),
      apiKeys: obj({}, 'Provider keys by env name (ignored when `existingSecret` is set). Prefer `existingSecret` outside development.', {
        type: 'object',
        patternProperties: { [patterns.envName]: { type: 'string', minLength: 1 } },
        additionalProperties: false,
      }),
    }),
    models: arr([], 'The `models:` list. Example OpenAI-compatible relay: `{name: gpt-4o, use: "langchain_openai:ChatOpenAI", model: gpt-4o, baseUrl: "https://relay.example/v1", apiKeyEnv: RELAY_API_KEY}`.', modelSchema),
    config: group('Structured config.yaml sections (multi-worker prerequisites among them).', {
      runOwnershipHeartbeat: bool(true, '`run_ownership.heartbeat_enabled`. On, so a rolling update cannot mark the old Pod\'s live runs as errors.'),
      runEventsBackend: enumOf(['memory', 'db'], 'db', '`run_events.backend`; `db` is required for more than one gateway replica.'),
      agentStorageBackend: enumOf(['file', 'db'], 'db', '`agent_storage.backend`; `db` is required for more than one gateway replica.'),
      streamBridge: enumOf(['auto', 'memory', 'redis'], 'auto', '`stream_bridge.type`. `auto` picks redis when `redis.mode` is not `none`.'),
      memoryShutdownFlushSeconds: int(10, '`memory.shutdown_flush_timeout_seconds`; keep below the gateway grace period.', { minimum: 0, maximum: 600 }),
      sandboxTools: bool(true, 'With sandboxes on, render DeerFlow\'s sandbox tools (`ls`, `read_file`, `glob`, `grep`, `write_file`, `str_replace`, `bash`) and their tool groups: DeerFlow loads no tool that config.yaml does not list (`tools:`), so without them the agent cannot use its sandbox.'),
      extra: obj({}, 'Extra config.yaml sections (tools, tool_groups, memory, title, summarization...). Deep-merged under the structured sections, which win.'),
    }),
    skills: group('DeerFlow\'s public skills. Its backend image carries none (backend/Dockerfile copies only `backend/`): with a skills image, an init container publishes its public skills into the home volume\'s skills root (`$DEER_FLOW_HOME/skills/public`) at every start; custom skills there are kept. Build one from DeerFlow\'s repository, e.g. `FROM busybox` + `COPY skills/public /skills/public`. Not used with a claim-based `sandbox.skills.source`, whose claim is the skills root.', {
      image: group('Image holding the public skills (and `sh`, `cp`). Empty repository: no public skills are published.', {
        registry: str('', 'Image registry (overridden by `global.imageRegistry` when that is set).', { pattern: '^[a-z0-9.:-]*$' }),
        repository: str('', 'Image repository; empty turns publishing off.', { pattern: '^([a-z0-9]+([._/-][a-z0-9]+)*)?$' }),
        tag: str('', 'Image tag (required with a repository).', { pattern: '^([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$', schema: { not: { enum: ['latest'] } } }),
        digest: str('', 'Image digest (`sha256:...`).', { pattern: patterns.digest }),
        pullPolicy: enumOf(['IfNotPresent', 'Always', 'Never'], 'IfNotPresent', 'Image pull policy.'),
      }),
      path: str('/skills/public', 'Directory in the image whose subdirectories are the public skills (`<name>/SKILL.md`).', { pattern: '^/[^\\s]*$' }),
    }),
    extensions: group('extensions_config.json seed. The gateway edits it at runtime (MCP/skills toggles), so it lives on the home volume (`$DEER_FLOW_HOME/extensions_config.json`); these values seed it only when it does not exist yet (UI edits then win; delete the file to reseed). With `persistence.home.mode: emptyDir` edits last only as long as the Pod.', {
      mcpServers: obj({}, '`mcpServers` map.'),
      skills: obj({}, '`skills` map (skill name to `{enabled: bool}`).'),
    }),
  }, 'DeerFlow application'),
};
