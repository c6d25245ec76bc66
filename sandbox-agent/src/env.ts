// The agent's environment contract: every variable it reads, with its type, default, bounds and
// meaning, in one declarative table. Three consumers read it:
//   * config.ts parses and validates the environment against it (ajv, one error naming the
//     variable and the value);
//   * the chart generator builds the values leaves, their schema and the Deployment's env from it
//     (generator/model/agent-env.ts, generator/templates/sandbox/index.ts);
//   * docs/configuration.md is rendered from it (sandbox-agent/scripts/configuration-doc.ts).
// A `chart` entry says how the chart sets a variable: from a values path (the leaf's type, bounds
// and default come from here; `default` + `why` record a chart default that differs on purpose),
// or `derived` from other chart facts. Variables without `chart` keep the agent default in the chart.
// Pure data: no I/O, no dependencies, so the generator can import it.

export interface JsonSchema {
  readonly [key: string]: unknown;
}

export type ChartBinding<T> =
  | {
      /** Dotted values path the chart renders the variable from. */
      readonly values: string;
      /** The chart's default when it differs from the agent's (or the agent has none). */
      readonly default?: Exclude<T, undefined>;
      /** Why the chart default differs from the agent default, as sentences. Required when it does (tested). */
      readonly why?: string;
      /** How the chart encodes the value, when that needs saying (e.g. "0 leaves it unset"). */
      readonly note?: string;
      /** Chart-only restrictions added to the leaf's schema (policy, not agent bounds). */
      readonly policy?: JsonSchema;
    }
  | {
      /** Rendered from other chart facts; says which. */
      readonly derived: string;
    };

interface Common<T> {
  readonly description: string;
  /** Same name, default and validation as the upstream provisioner (`docker/provisioner/app.py`). */
  readonly upstream?: boolean;
  /** What a valid value is, for error messages ("must be <what>"). */
  readonly what?: string;
  /** Never echoed in errors: `value` hides it whole, `url` hides a URL's user and password. */
  readonly sensitive?: 'value' | 'url';
  readonly chart?: ChartBinding<T>;
}

export interface StringSpec<T extends string | undefined = string | undefined> extends Common<T> {
  readonly kind: 'string';
  /** undefined: optional; an empty value then also means unset. */
  readonly default: T;
  readonly pattern?: string;
  readonly enum?: readonly string[];
  readonly minLength?: number;
  readonly maxLength?: number;
}

export interface IntegerSpec<T extends number | undefined = number | undefined> extends Common<T> {
  readonly kind: 'integer';
  readonly default: T;
  readonly minimum: number;
  readonly maximum: number;
}

export interface NumberSpec extends Common<number> {
  readonly kind: 'number';
  readonly default: number;
  readonly minimum?: number;
  readonly exclusiveMinimum?: number;
  readonly maximum: number;
}

export interface BooleanSpec extends Common<boolean> {
  readonly kind: 'boolean';
  readonly default: boolean;
}

/** A JSON document in the variable; `schema` is its shape. */
export interface JsonSpec<T> extends Common<T> {
  readonly kind: 'json';
  readonly default: T;
  readonly schema: JsonSchema;
}

/** Comma-separated strings; blanks are dropped. */
export interface ListSpec extends Common<readonly string[]> {
  readonly kind: 'list';
  readonly default: readonly string[];
}

export type EnvSpec = StringSpec | IntegerSpec | NumberSpec | BooleanSpec | JsonSpec<unknown> | ListSpec;

// ---- shapes shared by several entries ------------------------------------------------------

const DNS_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS_SUBDOMAIN = `${DNS_LABEL}(\\.${DNS_LABEL})*`;
const LABEL_NAME = '[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?';
const LABEL_KEY = `^(${DNS_SUBDOMAIN}/)?${LABEL_NAME}$`;
const LABEL_VALUE = '^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$';
const whole = (re: string): string => `^${re}$`;
const orEmpty = (re: string): string => `^(${re})?$`;

/** Kubernetes quantities as the chart's LimitRange guard can read them (`deerflow.quantity`). */
const QUANTITY: JsonSchema = { type: ['string', 'number'], pattern: '^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti|Pi|Ei)?$' };
const RESOURCE_NAME = `^(${DNS_SUBDOMAIN}/)?${LABEL_NAME}$`;
const resourceList: JsonSchema = { type: 'object', propertyNames: { pattern: RESOURCE_NAME }, additionalProperties: QUANTITY };
const labelMap = (values: JsonSchema): JsonSchema => ({ type: 'object', propertyNames: { pattern: LABEL_KEY, maxLength: 317 }, additionalProperties: values });

export interface PodResources {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' | '';
  tolerationSeconds?: number;
}

/** A Kubernetes toleration (the chart's other components use the same schema, generator/model/k8s.ts). */
export const TOLERATION_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    key: { type: 'string' },
    operator: { type: 'string', enum: ['Exists', 'Equal'] },
    value: { type: 'string' },
    effect: { type: 'string', enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute', ''] },
    tolerationSeconds: { type: 'integer' },
  },
};

/** A Kubernetes Affinity, checked to its three parts. */
export const AFFINITY_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { nodeAffinity: { type: 'object' }, podAffinity: { type: 'object' }, podAntiAffinity: { type: 'object' } },
};

/** Upstream's fixed sandbox container resources (contract §2.2). */
const UPSTREAM_RESOURCES: PodResources = {
  requests: { cpu: '100m', memory: '256Mi', 'ephemeral-storage': '500Mi' },
  limits: { cpu: '1000m', memory: '1Gi', 'ephemeral-storage': '500Mi' },
};

/** The AIO sandbox image, pinned (upstream's `:latest` is frozen at an old build without `/v1/bash`). */
export const DEFAULT_SANDBOX_IMAGE = 'enterprise-public-cn-beijing.cr.volces.com/vefaas-public/all-in-one-sandbox:1.11.0';

// ---- builders --------------------------------------------------------------------------------

type Opts<S, T> = Omit<S, 'kind' | 'default' | 'chart'> & { readonly chart?: ChartBinding<T> };

function str(def: string, o: Opts<StringSpec<string>, string>): StringSpec<string> {
  return { kind: 'string', default: def, ...o };
}
function optStr(o: Opts<StringSpec<undefined>, string | undefined>): StringSpec<string | undefined> {
  return { kind: 'string', default: undefined, ...o };
}
function oneOf<const V extends readonly string[]>(values: V, def: V[number], o: Omit<Opts<StringSpec<V[number]>, V[number]>, 'enum'>): StringSpec<V[number]> {
  return { kind: 'string', default: def, enum: values, ...o };
}
function int(def: number, minimum: number, maximum: number, o: Omit<Opts<IntegerSpec<number>, number>, 'minimum' | 'maximum'>): IntegerSpec<number> {
  return { kind: 'integer', default: def, ...o, minimum, maximum };
}
function optInt(minimum: number, maximum: number, o: Omit<Opts<IntegerSpec<undefined>, number | undefined>, 'minimum' | 'maximum'>): IntegerSpec<number | undefined> {
  return { kind: 'integer', default: undefined, ...o, minimum, maximum };
}
function num(def: number, o: Opts<NumberSpec, number>): NumberSpec {
  return { kind: 'number', default: def, ...o };
}
function bool(def: boolean, o: Opts<BooleanSpec, boolean>): BooleanSpec {
  return { kind: 'boolean', default: def, ...o };
}
function json<T>(def: T, schema: JsonSchema, o: Omit<Opts<JsonSpec<T>, T>, 'schema'>): JsonSpec<T> {
  return { kind: 'json', default: def, schema, ...o };
}
function list(o: Opts<ListSpec, readonly string[]>): ListSpec {
  return { kind: 'list', default: [], ...o };
}

// ---- the table ---------------------------------------------------------------------------------

export const AGENT_ENV = {
  // Upstream variables: same names, defaults and meaning as docker/provisioner/app.py.
  K8S_NAMESPACE: str('deer-flow', {
    upstream: true, pattern: whole(DNS_LABEL), maxLength: 63, what: 'a namespace name (DNS-1123 label)',
    description: 'Namespace of the sandbox Pods, Services and the reaper Lease (created when missing and readable).',
    chart: { derived: '`sandbox.namespace`, or the release namespace when empty' },
  }),
  SANDBOX_IMAGE: str(DEFAULT_SANDBOX_IMAGE, {
    upstream: true, pattern: '^\\S+$', what: 'an image reference without spaces',
    description: 'Image of the sandbox container. The default is pinned; upstream\'s `:latest` floats and is frozen at a build without `/v1/bash`.',
    chart: { derived: '`sandbox.image` (registry, repository, tag, digest; `global.imageRegistry`), whose defaults are this reference' },
  }),
  SANDBOX_AGENT_POD_IMAGE_PULL_POLICY: oneOf(['IfNotPresent', 'Always', 'Never'], 'IfNotPresent', {
    description: 'imagePullPolicy of the sandbox container (and the Lark containers). `Never` for images loaded onto nodes without a registry; upstream always uses `IfNotPresent`.',
    chart: { derived: '`sandbox.image.pullPolicy`' },
  }),
  SANDBOX_CONTAINER_PORT: int(8080, 1, 65535, {
    upstream: true,
    description: 'Port the sandbox container listens on.',
    chart: { values: 'sandbox.containerPort' },
  }),
  SANDBOX_SERVICE_TYPE: oneOf(['NodePort', 'ClusterIP', 'Headless'], 'NodePort', {
    upstream: true,
    description: 'How sandboxes are reached: `NodePort` or `ClusterIP` (a Service per sandbox, upstream URLs), or `Headless` (Pod DNS names through one headless Service, one API write per acquire).',
    chart: {
      values: 'sandbox.serviceType', default: 'Headless',
      why: 'The chart ships the headless Service this mode needs, which saves a Service per sandbox (half the API writes per acquire); the agent keeps upstream\'s `NodePort` so it stays a drop-in outside the chart.',
    },
  }),
  NODE_HOST: str('host.docker.internal', {
    upstream: true, pattern: '^[A-Za-z0-9._:\\[\\]-]*$', what: 'a host name or address',
    description: 'Host placed in NodePort sandbox URLs.',
    chart: {
      values: 'sandbox.nodeHost', default: '',
      why: 'No node address is right for every cluster, so the chart has none and requires one with `serviceType: NodePort` (the only mode it is rendered in).',
    },
  }),
  THREADS_HOST_PATH: str('/.deer-flow/threads', {
    upstream: true,
    description: 'Host directory of per-thread data (hostPath mode; with `DEER_FLOW_HOST_BASE_DIR` empty its parent is the extra-mount root when it ends in `threads`).',
    chart: { derived: 'the home volume\'s base directory + `/threads`' },
  }),
  DEER_FLOW_HOST_BASE_DIR: str('/.deer-flow', {
    upstream: true,
    description: 'Root of DeerFlow state on the host: skills hostPaths live under it and extra-mount host paths must. Empty: derived from `THREADS_HOST_PATH`, or no extra mount is accepted.',
    chart: { derived: 'the home volume\'s base directory (the same value the gateway gets)' },
  }),
  SKILLS_PVC_NAME: str('', {
    upstream: true, pattern: orEmpty(DNS_SUBDOMAIN), maxLength: 253, what: 'a PVC name',
    description: 'PVC holding skills (mounted read-only at `/mnt/skills`); empty uses hostPath skills.',
    chart: { derived: '`sandbox.skills` (the home claim or the skills claim the chart creates)' },
  }),
  SKILLS_PVC_SUBPATH_TEMPLATE: str('', {
    upstream: true, pattern: '^([^{}]|\\{\\{|\\}\\}|\\{user_id\\}|\\{thread_id\\})*$',
    what: 'a path template whose only placeholders are {user_id} and {thread_id} (literal braces doubled)',
    description: 'subPath of the skills mount; `{user_id}` and `{thread_id}` are filled per sandbox. Checked at start (upstream failed per request).',
    chart: { derived: '`sandbox.skills.subPathTemplate` (for `source: home`, the home volume\'s skills projection)' },
  }),
  USERDATA_PVC_NAME: str('', {
    upstream: true, pattern: orEmpty(DNS_SUBDOMAIN), maxLength: 253, what: 'a PVC name',
    description: 'PVC holding user and thread data (subPath `deer-flow/users/<user>/threads/<thread>/user-data`); empty uses hostPath.',
    chart: { derived: 'the home claim, or `sandbox.threadData.existingClaim`' },
  }),
  LARK_CLI_INIT_IMAGE: str('', {
    upstream: true, pattern: '^\\S*$', what: 'an image reference without spaces',
    description: 'Init image that installs the Lark CLI runtime; empty disables it.',
    chart: { values: 'sandbox.lark.initImage', note: 'The chart refuses floating tags (the image policy: a pinned version or a digest).' },
  }),
  LARK_CLI_BROKER_IMAGE: str('', {
    upstream: true, pattern: '^\\S*$', what: 'an image reference without spaces',
    description: 'Lark CLI broker sidecar image (takes precedence over the init image); empty disables it.',
    chart: { values: 'sandbox.lark.brokerImage', note: 'The chart refuses floating tags (the image policy: a pinned version or a digest).' },
  }),
  DEERFLOW_LARK_BROKER_DENY_SUBCOMMANDS: str('', {
    upstream: true,
    description: 'Lark CLI subcommands the broker refuses (passed to the broker sidecar).',
    chart: { values: 'sandbox.lark.denySubcommands', note: 'Rendered only when set.' },
  }),
  KUBECONFIG_PATH: str('/root/.kube/config', {
    upstream: true,
    description: 'Kubeconfig file. Resolution: this variable when set, else `KUBECONFIG`, else this default path if present, else in-cluster credentials.',
  }),
  K8S_API_SERVER: optStr({
    upstream: true, pattern: '^https?://\\S+$', what: 'an http(s) URL',
    description: 'Overrides the API server URL and, as upstream, turns off TLS verification (logged).',
  }),
  PROVISIONER_API_KEY: str('', {
    upstream: true,
    description: 'The `X-API-Key` every `/api/*` request must carry. No key configured at all: every `/api/*` request gets 401.',
    chart: { derived: 'the API-key Secret (`sandbox.apiKey` or `sandbox.existingSecret`)' },
  }),

  // Antler's additions.
  SANDBOX_AGENT_API_KEYS: list({
    description: 'More accepted keys, comma-separated (key rotation).',
    chart: { derived: 'the API-key Secret\'s `extra-api-keys` (`sandbox.rotationApiKeys`), optional' },
  }),
  SANDBOX_AGENT_PORT: int(8002, 0, 65535, {
    description: 'Listen port (0: any free port).',
    chart: { derived: 'the agent container port' },
  }),
  SANDBOX_AGENT_HOST: str('0.0.0.0', { pattern: '^\\S+$', what: 'a listen address', description: 'Listen address.' }),
  SANDBOX_AGENT_HEADLESS_SERVICE: str('', {
    pattern: orEmpty(DNS_LABEL), maxLength: 63, what: 'a Service name (DNS-1123 label)',
    description: 'Name of the headless Service sandbox Pods register under; required with `SANDBOX_SERVICE_TYPE=Headless`.',
    chart: { derived: 'the chart\'s headless sandboxes Service' },
  }),
  SANDBOX_AGENT_CLUSTER_DOMAIN: str('cluster.local', {
    pattern: whole(DNS_SUBDOMAIN), maxLength: 253, what: 'a DNS domain',
    description: 'Cluster DNS domain used in ClusterIP and Headless URLs.',
    chart: { derived: '`clusterDomain`' },
  }),
  SANDBOX_AGENT_RELEASE: str('', {
    pattern: LABEL_VALUE, maxLength: 63, what: 'a label value',
    description: 'Owning release, written as label `app.kubernetes.io/instance`; caps, listing and the reaper only count objects of this release.',
    chart: { derived: 'the release name' },
  }),
  SANDBOX_AGENT_OWNER_CONFIGMAP: str('', {
    pattern: orEmpty(DNS_SUBDOMAIN), maxLength: 253, what: 'a ConfigMap name',
    description: 'ConfigMap whose uid becomes every sandbox\'s ownerReference, so deleting it (helm uninstall) garbage-collects them. Empty: no ownerReference (warned at start).',
    chart: { derived: 'the chart\'s sandbox-owner ConfigMap' },
  }),
  SANDBOX_AGENT_IDLE_TTL_SECONDS: int(86_400, 0, 2_592_000, {
    description: 'Reap a sandbox this long after its last touch (create, GET, touch); 0 = off. 24 h on purpose: the gateway does not call the provisioner while it uses a sandbox (its `get` is in memory, `aio_sandbox_provider.py:2091`), so a short TTL would reap sandboxes in use unless `SANDBOX_AGENT_OWNERSHIP_REDIS_URL` lets the reaper see the gateway\'s ownership leases. The gateway\'s own idle reaper releases sandboxes; this catches leaks (gateway crash, lost DELETE).',
    chart: { values: 'sandbox.lifecycle.idleTtlSeconds' },
  }),
  SANDBOX_AGENT_RELEASED_TTL_SECONDS: int(3600, 0, 2_592_000, {
    description: 'Reap this long after `POST /api/sandboxes/{id}/release` (a later touch cancels it); 0 = off.',
    chart: { values: 'sandbox.lifecycle.releasedTtlSeconds' },
  }),
  SANDBOX_AGENT_MAX_LIFETIME_SECONDS: int(0, 0, 2_592_000, {
    description: 'Reap any sandbox older than this; 0 = off.',
    chart: { values: 'sandbox.lifecycle.maxLifetimeSeconds' },
  }),
  SANDBOX_AGENT_START_GRACE_SECONDS: int(120, 0, 3600, {
    description: 'Objects younger than this are never reaped or swept.',
    chart: { values: 'sandbox.lifecycle.startGraceSeconds' },
  }),
  SANDBOX_AGENT_REAPER_INTERVAL_SECONDS: num(30, {
    exclusiveMinimum: 0, maximum: 3600,
    description: 'Seconds between reaper passes (fractions allowed).',
    chart: { values: 'sandbox.lifecycle.reaperIntervalSeconds' },
  }),
  SANDBOX_AGENT_REAPER_CONCURRENCY: int(8, 1, 256, {
    description: 'Parallel deletes in one reaper pass.',
    chart: { values: 'sandbox.lifecycle.reaperConcurrency' },
  }),
  SANDBOX_AGENT_OWNERSHIP_REDIS_URL: optStr({
    sensitive: 'url', pattern: '^rediss?://[^\\s?#]+$', what: 'a redis:// or rediss:// URL (host, optional port and /db, no query)',
    description: 'Redis holding DeerFlow\'s sandbox ownership leases (the gateway\'s `sandbox.ownership.type: redis`). Set: before reaping a sandbox for the idle or released TTL the reaper reads every candidate\'s lease in one MGET and leaves alone those a live gateway holds (`own:` or `del:` value); if Redis does not answer, that pass reaps nothing for those TTLs. The max lifetime stays a hard cap. Unset: no lease check. Credentials belong in `SANDBOX_AGENT_OWNERSHIP_REDIS_PASSWORD`; a URL carrying a password is accepted (an external Redis\'s URL Secret) but not together with it.',
    chart: { derived: 'the release\'s Redis when sandboxes are on and the gateway keeps ownership leases in it (the stream bridge resolves to `redis`): the bundled Service\'s address, or the external URL Secret' },
  }),
  SANDBOX_AGENT_OWNERSHIP_REDIS_PASSWORD: optStr({
    sensitive: 'value',
    description: 'Password (AUTH) for the ownership Redis; needs `SANDBOX_AGENT_OWNERSHIP_REDIS_URL`. Never logged.',
    chart: { derived: 'the bundled Redis password Secret (secretKeyRef); unset for an external Redis, whose URL Secret carries its credentials' },
  }),
  SANDBOX_AGENT_OWNERSHIP_KEY_PREFIX: str('deerflow:sandbox:owner', {
    pattern: '^[^\\s]+$', what: 'a key prefix without spaces',
    description: 'Key prefix of the leases, DeerFlow\'s `sandbox.ownership.key_prefix` (whose default this is); the key of a sandbox is `<prefix>:<sandbox_id>`. Trailing colons are dropped, as DeerFlow does.',
    chart: { derived: '`deerflow.config.extra.sandbox.ownership.key_prefix`, else this default, when the agent reads leases (see the URL)' },
  }),
  SANDBOX_AGENT_LEASE_NAME: str('sandbox-agent-reaper', {
    pattern: whole(DNS_SUBDOMAIN), maxLength: 253, what: 'a Lease name',
    description: 'Lease that elects the one replica running the reaper.',
    chart: { derived: 'a release-scoped name' },
  }),
  SANDBOX_AGENT_LEASE_DURATION_SECONDS: int(15, 2, 300, {
    description: 'Lease duration: the holder renews every fifth of it; a peer takes over once it has passed without a renewal.',
    chart: { values: 'sandbox.lifecycle.leaseDurationSeconds' },
  }),
  POD_NAME: optStr({
    description: 'Lease holder identity; unset: `<hostname>-<pid>`.',
    chart: { derived: 'the Pod name (downward API)' },
  }),
  SANDBOX_AGENT_MAX_SANDBOXES: int(0, 0, 100_000, {
    description: 'Cap on live sandboxes of this release (429 above it); 0 = unlimited.',
    chart: {
      values: 'sandbox.limits.maxSandboxes', default: 50,
      why: 'An installed chart is bounded by default (in step with the sandbox ResourceQuota\'s 50 Pods); the agent alone keeps upstream\'s unlimited behaviour.',
    },
  }),
  SANDBOX_AGENT_MAX_SANDBOXES_PER_USER: int(0, 0, 10_000, {
    description: 'Cap on live sandboxes per `user_id` (429 above it); 0 = unlimited.',
    chart: {
      values: 'sandbox.limits.maxSandboxesPerUser', default: 5,
      why: 'In a shared install one user should not take the whole global cap; the agent alone keeps upstream\'s unlimited behaviour.',
    },
  }),
  SANDBOX_AGENT_BODY_LIMIT_BYTES: int(65_536, 1024, 67_108_864, {
    description: 'Largest request body (413 above it). A create body with the maximum of 10 extra mounts is a few kB.',
    chart: { values: 'sandbox.limits.bodyLimitBytes' },
  }),
  SANDBOX_AGENT_KUBE_QPS: num(0, {
    minimum: 0, maximum: 100_000,
    description: 'Client-side rate limit on the agent\'s Kubernetes calls, in requests per second; 0 = none (the default). Measured, a token bucket of 50 (or the 20 the chart used to ship) was the bottleneck: 14 creates/s against the official provisioner\'s 25 at concurrency 10 in ClusterIP mode, 28/s with the limit out of the way. The official provisioner has no client-side limit, so none is the only default that can never make the agent the slower one; the API server protects itself with API Priority and Fairness, and the agent\'s own loops are bounded (reaper concurrency, touch spacing, informer back-off).',
    chart: { values: 'sandbox.limits.kubeQps' },
  }),
  SANDBOX_AGENT_KUBE_BURST: int(100, 1, 100_000, {
    description: 'Token-bucket size when `SANDBOX_AGENT_KUBE_QPS` is set; unused while it is 0.',
    chart: { values: 'sandbox.limits.kubeBurst' },
  }),
  SANDBOX_AGENT_WAIT_TIMEOUT_MAX_SECONDS: int(120, 1, 3600, {
    description: 'Longest `?wait=ready&timeout=` a client may ask for (422 above it); the default wait is 60 s or this, if lower.',
    chart: { values: 'sandbox.limits.waitTimeoutMaxSeconds' },
  }),
  SANDBOX_AGENT_TOUCH_MIN_INTERVAL_SECONDS: int(10, 0, 3600, {
    description: 'Shortest spacing of last-touch writes for one sandbox, so a polling gateway does not write on every GET.',
  }),
  SANDBOX_AGENT_POD_TERMINATION_GRACE_SECONDS: int(5, 0, 3600, {
    description: 'terminationGracePeriodSeconds of sandbox Pods. Short on purpose: a sandbox keeps no state of its own (thread data is on the shared volume), and a thread re-acquired while its old Pod terminates must get its new Pod inside DeerFlow\'s 30 s create timeout (remote_backend.py), which the Kubernetes default of 30 s made impossible.',
  }),
  SANDBOX_AGENT_POD_READINESS_PERIOD_SECONDS: int(1, 1, 60, {
    description: 'Readiness probe period of sandbox Pods, probed from container start (no initial delay). DeerFlow reaches a sandbox only through a name that lists Ready Pods (headless DNS or Service endpoints), so this bounds how long a started sandbox waits to be reachable; upstream\'s 5 s initial delay added about 5 s to every acquire (`make bench-ready`: reachable after 6.0 s against 1.7 s at p50). The failure threshold keeps upstream\'s 15 s of tolerance before a Pod leaves its endpoints.',
    chart: { values: 'sandbox.pod.readinessPeriodSeconds' },
  }),
  SANDBOX_AGENT_TERMINATING_WAIT_SECONDS: int(20, 0, 600, {
    description: 'How long a create waits for a terminating Pod of the same name to go (503 after).',
  }),
  SANDBOX_AGENT_CACHE_SYNC_TIMEOUT_SECONDS: int(30, 1, 600, { description: 'Startup limit for the first LIST of each watch cache.' }),
  SANDBOX_AGENT_POD_RUN_AS_NON_ROOT: bool(true, {
    description: 'Sandbox Pod `runAsNonRoot`.',
    chart: {
      values: 'sandbox.pod.runAsNonRoot', default: false,
      why: 'The pinned AIO sandbox image runs as root, so sandboxes would not start with it on; privilege escalation stays off and seccomp on. Turn it on with `runAsUser` for an image that supports it, and prefer a sandboxed `runtimeClassName`.',
    },
  }),
  SANDBOX_AGENT_POD_RUN_AS_USER: optInt(0, 2_147_483_647, {
    description: 'Sandbox Pod `runAsUser`; unset keeps the image\'s user.',
    chart: { values: 'sandbox.pod.runAsUser', default: 0, note: '0 leaves it unset (the image\'s user).' },
  }),
  SANDBOX_AGENT_POD_RUNTIME_CLASS: optStr({
    pattern: orEmpty(DNS_SUBDOMAIN), maxLength: 253, what: 'a RuntimeClass name',
    description: 'RuntimeClass of sandbox Pods (gVisor, Kata).',
    chart: { values: 'sandbox.pod.runtimeClassName', default: '' },
  }),
  SANDBOX_AGENT_POD_PRIORITY_CLASS: optStr({
    pattern: orEmpty(DNS_SUBDOMAIN), maxLength: 253, what: 'a PriorityClass name',
    description: 'PriorityClass of sandbox Pods.',
    chart: { values: 'sandbox.pod.priorityClassName', default: '' },
  }),
  SANDBOX_AGENT_POD_SERVICE_ACCOUNT: optStr({
    pattern: orEmpty(DNS_SUBDOMAIN), maxLength: 253, what: 'a ServiceAccount name',
    description: 'ServiceAccount of sandbox Pods (the namespace default when unset).',
  }),
  SANDBOX_AGENT_POD_AUTOMOUNT_SA_TOKEN: bool(false, {
    description: 'Mount an API token into sandbox Pods (keep off: they run untrusted code).',
    chart: { values: 'sandbox.pod.automountServiceAccountToken' },
  }),
  SANDBOX_AGENT_POD_ENABLE_SERVICE_LINKS: bool(false, {
    description: 'Inject Service environment variables into sandbox Pods.',
    chart: { values: 'sandbox.pod.enableServiceLinks' },
  }),
  SANDBOX_AGENT_POD_RESOURCES: json<PodResources>(UPSTREAM_RESOURCES, {
    type: 'object', additionalProperties: false, properties: { requests: resourceList, limits: resourceList },
  }, {
    description: 'Resources of the sandbox container (`requests`, `limits`). The default is upstream\'s fixed values.',
    chart: { values: 'sandbox.pod.resources' },
  }),
  SANDBOX_AGENT_POD_NODE_SELECTOR: json<Record<string, string>>({}, labelMap({ type: 'string', pattern: LABEL_VALUE, maxLength: 63 }), {
    description: 'Node selector of sandbox Pods (label keys and values).',
    chart: { values: 'sandbox.pod.nodeSelector' },
  }),
  SANDBOX_AGENT_POD_TOLERATIONS: json<Toleration[]>([], { type: 'array', items: TOLERATION_SCHEMA }, {
    description: 'Tolerations of sandbox Pods.',
    chart: { values: 'sandbox.pod.tolerations' },
  }),
  SANDBOX_AGENT_POD_AFFINITY: json<Record<string, unknown>>({}, AFFINITY_SCHEMA, {
    description: 'Affinity of sandbox Pods (a Kubernetes Affinity).',
    chart: { values: 'sandbox.pod.affinity' },
  }),
  SANDBOX_AGENT_POD_IMAGE_PULL_SECRETS: json<string[]>([], {
    type: 'array', items: { type: 'string', pattern: whole(DNS_SUBDOMAIN), maxLength: 253 },
  }, {
    description: 'Names of the image pull Secrets of sandbox Pods.',
    chart: { derived: '`global.imagePullSecrets`' },
  }),
  SANDBOX_AGENT_POD_LABELS: json<Record<string, string>>({}, labelMap({ type: 'string', pattern: LABEL_VALUE, maxLength: 63 }), {
    description: 'Extra labels on sandbox Pods and Services (the agent\'s own labels win).',
    chart: { values: 'sandbox.pod.labels' },
  }),
  SANDBOX_AGENT_POD_ANNOTATIONS: json<Record<string, string>>({}, labelMap({ type: 'string' }), {
    description: 'Extra annotations on sandbox Pods (the agent\'s own annotations win).',
    chart: { values: 'sandbox.pod.annotations' },
  }),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info', {
    description: 'Log level (pino), lower case.',
    chart: { values: 'sandbox.agent.logLevel' },
  }),
} as const satisfies Record<string, EnvSpec>;

export type AgentEnvName = keyof typeof AGENT_ENV;

/** The parsed environment: one typed value per variable (undefined for unset optional ones). */
export type AgentEnvValues = { -readonly [K in AgentEnvName]: (typeof AGENT_ENV)[K]['default'] };

export function envSpec(name: string): EnvSpec | undefined {
  return Object.hasOwn(AGENT_ENV, name) ? (AGENT_ENV as Record<string, EnvSpec>)[name] : undefined;
}

/** The JSON Schema of a variable's parsed value: what config.ts validates and the chart's leaf carries. */
export function valueSchema(spec: EnvSpec): JsonSchema {
  switch (spec.kind) {
    case 'string': {
      const s: Record<string, unknown> = { type: 'string' };
      if (spec.enum) s.enum = [...spec.enum];
      if (spec.pattern !== undefined) s.pattern = spec.pattern;
      if (spec.minLength !== undefined) s.minLength = spec.minLength;
      if (spec.maxLength !== undefined) s.maxLength = spec.maxLength;
      return s;
    }
    case 'integer':
      return { type: 'integer', minimum: spec.minimum, maximum: spec.maximum };
    case 'number': {
      const s: Record<string, unknown> = { type: 'number' };
      if (spec.minimum !== undefined) s.minimum = spec.minimum;
      if (spec.exclusiveMinimum !== undefined) s.exclusiveMinimum = spec.exclusiveMinimum;
      s.maximum = spec.maximum;
      return s;
    }
    case 'boolean':
      return { type: 'boolean' };
    case 'json':
      return spec.schema;
    case 'list':
      return { type: 'array', items: { type: 'string' } };
  }
}
