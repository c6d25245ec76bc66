// Configuration loading: environment in, validated Config out. The variables, their types,
// defaults and bounds are the table in env.ts; this module turns strings into typed values,
// validates them with ajv against the same schemas the chart uses, and assembles the Config the
// rest of the agent reads. Nothing here touches the network or the file system.

import { Ajv, type ErrorObject } from 'ajv';
import { AGENT_ENV, type AgentEnvName, type AgentEnvValues, type EnvSpec, type PodResources, type Toleration, valueSchema } from './env.js';
import { ConfigError } from './errors.js';
import { pyNormpath } from './pypath.js';

export type { PodResources, Toleration } from './env.js';

export type ServiceMode = 'NodePort' | 'ClusterIP' | 'Headless';

export interface PodSettings {
  runAsNonRoot: boolean;
  runAsUser: number | undefined;
  runtimeClassName: string | undefined;
  priorityClassName: string | undefined;
  serviceAccountName: string | undefined;
  automountServiceAccountToken: boolean;
  enableServiceLinks: boolean;
  /** Readiness probe period; the probe starts with the container and tolerates 15 s of failures. */
  readinessPeriodSeconds: number;
  resources: PodResources;
  nodeSelector: Record<string, string>;
  tolerations: Toleration[];
  affinity: Record<string, unknown>;
  imagePullSecrets: string[];
  extraLabels: Record<string, string>;
  extraAnnotations: Record<string, string>;
}

/** Where DeerFlow's sandbox ownership leases live (SANDBOX_AGENT_OWNERSHIP_*). */
export interface OwnershipSettings {
  host: string;
  port: number;
  db: number;
  tls: boolean;
  username: string | undefined;
  password: string | undefined;
  /** Without trailing colons; a sandbox's key is `<keyPrefix>:<sandbox_id>`. */
  keyPrefix: string;
  /** `redis[s]://host:port/db` without credentials, for logs. */
  where: string;
}

export interface Config {
  namespace: string;
  sandboxImage: string;
  imagePullPolicy: 'IfNotPresent' | 'Always' | 'Never';
  terminationGracePeriodSeconds: number;
  containerPort: number;
  serviceMode: ServiceMode;
  nodeHost: string;
  threadsHostPath: string;
  /** Root for skills hostPaths (upstream default `/.deer-flow`). */
  deerFlowHostBaseDir: string;
  /** Root that extra-mount host paths must live under; '' rejects every extra mount. */
  extraMountHostBase: string;
  skillsPvcName: string;
  skillsPvcSubpathTemplate: string;
  userdataPvcName: string;
  larkCliInitImage: string;
  larkCliBrokerImage: string;
  larkBrokerDenySubcommands: string;
  kubeconfigPath: string;
  /** KUBECONFIG_PATH was set (it then wins over KUBECONFIG and in-cluster credentials). */
  kubeconfigPathExplicit: boolean;
  k8sApiServer: string | undefined;
  apiKeys: string[];
  port: number;
  host: string;
  headlessService: string;
  clusterDomain: string;
  release: string;
  ownerConfigMap: string;
  idleTtlSeconds: number;
  releasedTtlSeconds: number;
  maxLifetimeSeconds: number;
  startGraceSeconds: number;
  reaperIntervalSeconds: number;
  reaperConcurrency: number;
  leaseName: string;
  leaseDurationSeconds: number;
  holderIdentity: string;
  maxSandboxes: number;
  maxSandboxesPerUser: number;
  bodyLimitBytes: number;
  /** Client-side rate limit on Kubernetes calls; 0 = none. */
  kubeQps: number;
  kubeBurst: number;
  waitTimeoutMaxSeconds: number;
  /** How long an acquire waits for a terminating Pod of the same name to disappear. */
  terminatingWaitSeconds: number;
  /** Minimum spacing of last-touch annotation writes for one sandbox (bounds writes per GET). */
  touchMinIntervalSeconds: number;
  cacheSyncTimeoutSeconds: number;
  /** DeerFlow's ownership leases the reaper honours; undefined: not configured (no check). */
  ownership: OwnershipSettings | undefined;
  logLevel: string;
  pod: PodSettings;
}

type Env = Readonly<Record<string, string | undefined>>;

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);
const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A raw value as error messages may show it: cut, and without what `spec.sensitive` hides. */
function shown(raw: string, spec?: EnvSpec): string {
  if (spec?.sensitive === 'value') return '(hidden)';
  const text = spec?.sensitive === 'url' ? raw.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1(credentials hidden)@') : raw;
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** One variable from its string form to its typed value (undefined: unset and optional). */
function parseOne(name: string, spec: EnvSpec, raw: string | undefined): unknown {
  if (spec.kind === 'string') {
    if (raw === undefined) return spec.default;
    return spec.default === undefined && raw.trim() === '' ? undefined : raw;
  }
  if (raw === undefined || raw.trim() === '') return structuredClone(spec.default);
  const t = raw.trim();
  const bad = (what: string): ConfigError => new ConfigError(name, `must be ${what}, got '${shown(raw, spec)}'`);
  switch (spec.kind) {
    case 'integer':
      if (!INTEGER.test(t)) throw bad('an integer');
      return Number(t);
    case 'number':
      if (!DECIMAL.test(t)) throw bad('a number');
      return Number(t);
    case 'boolean': {
      const v = t.toLowerCase();
      if (TRUE.has(v)) return true;
      if (FALSE.has(v)) return false;
      throw bad('true or false');
    }
    case 'json': {
      let v: unknown;
      try {
        v = JSON.parse(t) as unknown;
      } catch (err) {
        throw new ConfigError(name, `must be JSON (${(err as Error).message}), got '${shown(raw, spec)}'`);
      }
      return v === null ? structuredClone(spec.default) : v;
    }
    case 'list':
      return t.split(',').map((s) => s.trim()).filter((s) => s !== '');
  }
}

const ENTRIES = Object.entries(AGENT_ENV) as [AgentEnvName, EnvSpec][];

let validator: ReturnType<Ajv['compile']> | undefined;
function validate(values: Record<string, unknown>): ErrorObject | undefined {
  validator ??= new Ajv({ strict: true, allowUnionTypes: true, allErrors: false }).compile({
    type: 'object',
    properties: Object.fromEntries(ENTRIES.map(([name, spec]) => [name, valueSchema(spec)])),
  });
  return validator(values) ? undefined : (validator.errors?.[0] ?? undefined);
}

function describe(err: ErrorObject, spec: EnvSpec): string {
  const where = err.instancePath.split('/').slice(2).join('/');
  const prefix = where === '' ? '' : `${where}: `;
  const p = err.params as Record<string, unknown>;
  if (err.keyword === 'pattern' && where === '' && spec.what !== undefined) return `must be ${spec.what}`;
  if (err.keyword === 'enum') return `${prefix}must be one of ${(p.allowedValues as unknown[]).join(', ')}`;
  if (err.keyword === 'additionalProperties') return `${prefix}unknown key '${String(p.additionalProperty)}'`;
  if (typeof err.propertyName === 'string') return `${prefix}key '${err.propertyName}' ${err.message ?? 'is invalid'}`;
  return `${prefix}${err.message ?? 'is invalid'}`;
}

/** Parses and validates every variable of the table; the first bad one throws, naming it and its value. */
export function readAgentEnv(env: Env): AgentEnvValues {
  const values: Record<string, unknown> = {};
  for (const [name, spec] of ENTRIES) {
    const v = parseOne(name, spec, env[name]);
    if (v !== undefined) values[name] = v;
  }
  const err = validate(values);
  if (err) {
    const name = err.instancePath.split('/')[1] ?? '';
    const spec = AGENT_ENV[name as AgentEnvName] as EnvSpec | undefined;
    const raw = env[name];
    const got = raw === undefined ? ' (the default)' : `, got '${shown(raw, spec)}'`;
    throw new ConfigError(name, `${spec ? describe(err, spec) : (err.message ?? 'invalid')}${got}`);
  }
  return values as AgentEnvValues;
}

function quantities(r: PodResources): PodResources {
  const out: PodResources = {};
  for (const section of ['requests', 'limits'] as const) {
    const m = r[section];
    if (m) out[section] = Object.fromEntries(Object.entries(m).map(([k, q]) => [k, String(q)]));
  }
  return out;
}

export function loadConfig(env: Env, hostnameAndPid = 'sandbox-agent'): Config {
  const v = readAgentEnv(env);
  const serviceMode: ServiceMode = v.SANDBOX_SERVICE_TYPE;
  if (serviceMode === 'Headless' && v.SANDBOX_AGENT_HEADLESS_SERVICE === '') {
    throw new ConfigError('SANDBOX_AGENT_HEADLESS_SERVICE', 'required when SANDBOX_SERVICE_TYPE=Headless');
  }
  const apiKeys = [...new Set([v.PROVISIONER_API_KEY, ...v.SANDBOX_AGENT_API_KEYS].filter((k) => k !== ''))];
  return {
    namespace: v.K8S_NAMESPACE,
    sandboxImage: v.SANDBOX_IMAGE,
    imagePullPolicy: v.SANDBOX_AGENT_POD_IMAGE_PULL_POLICY,
    terminationGracePeriodSeconds: v.SANDBOX_AGENT_POD_TERMINATION_GRACE_SECONDS,
    containerPort: v.SANDBOX_CONTAINER_PORT,
    serviceMode,
    nodeHost: v.NODE_HOST,
    threadsHostPath: v.THREADS_HOST_PATH,
    deerFlowHostBaseDir: v.DEER_FLOW_HOST_BASE_DIR,
    extraMountHostBase: extraMountHostBase(v.DEER_FLOW_HOST_BASE_DIR, v.THREADS_HOST_PATH),
    skillsPvcName: v.SKILLS_PVC_NAME,
    skillsPvcSubpathTemplate: v.SKILLS_PVC_SUBPATH_TEMPLATE,
    userdataPvcName: v.USERDATA_PVC_NAME,
    larkCliInitImage: v.LARK_CLI_INIT_IMAGE,
    larkCliBrokerImage: v.LARK_CLI_BROKER_IMAGE,
    larkBrokerDenySubcommands: v.DEERFLOW_LARK_BROKER_DENY_SUBCOMMANDS,
    kubeconfigPath: v.KUBECONFIG_PATH,
    kubeconfigPathExplicit: (env['KUBECONFIG_PATH'] ?? '') !== '',
    k8sApiServer: v.K8S_API_SERVER,
    apiKeys,
    port: v.SANDBOX_AGENT_PORT,
    host: v.SANDBOX_AGENT_HOST,
    headlessService: v.SANDBOX_AGENT_HEADLESS_SERVICE,
    clusterDomain: v.SANDBOX_AGENT_CLUSTER_DOMAIN,
    release: v.SANDBOX_AGENT_RELEASE,
    ownerConfigMap: v.SANDBOX_AGENT_OWNER_CONFIGMAP,
    idleTtlSeconds: v.SANDBOX_AGENT_IDLE_TTL_SECONDS,
    releasedTtlSeconds: v.SANDBOX_AGENT_RELEASED_TTL_SECONDS,
    maxLifetimeSeconds: v.SANDBOX_AGENT_MAX_LIFETIME_SECONDS,
    startGraceSeconds: v.SANDBOX_AGENT_START_GRACE_SECONDS,
    reaperIntervalSeconds: v.SANDBOX_AGENT_REAPER_INTERVAL_SECONDS,
    reaperConcurrency: v.SANDBOX_AGENT_REAPER_CONCURRENCY,
    leaseName: v.SANDBOX_AGENT_LEASE_NAME,
    leaseDurationSeconds: v.SANDBOX_AGENT_LEASE_DURATION_SECONDS,
    holderIdentity: v.POD_NAME ?? hostnameAndPid,
    maxSandboxes: v.SANDBOX_AGENT_MAX_SANDBOXES,
    maxSandboxesPerUser: v.SANDBOX_AGENT_MAX_SANDBOXES_PER_USER,
    bodyLimitBytes: v.SANDBOX_AGENT_BODY_LIMIT_BYTES,
    kubeQps: v.SANDBOX_AGENT_KUBE_QPS,
    kubeBurst: v.SANDBOX_AGENT_KUBE_BURST,
    waitTimeoutMaxSeconds: v.SANDBOX_AGENT_WAIT_TIMEOUT_MAX_SECONDS,
    terminatingWaitSeconds: v.SANDBOX_AGENT_TERMINATING_WAIT_SECONDS,
    touchMinIntervalSeconds: v.SANDBOX_AGENT_TOUCH_MIN_INTERVAL_SECONDS,
    cacheSyncTimeoutSeconds: v.SANDBOX_AGENT_CACHE_SYNC_TIMEOUT_SECONDS,
    ownership: ownershipSettings(v),
    logLevel: v.LOG_LEVEL,
    pod: {
      runAsNonRoot: v.SANDBOX_AGENT_POD_RUN_AS_NON_ROOT,
      runAsUser: v.SANDBOX_AGENT_POD_RUN_AS_USER,
      runtimeClassName: v.SANDBOX_AGENT_POD_RUNTIME_CLASS,
      priorityClassName: v.SANDBOX_AGENT_POD_PRIORITY_CLASS,
      serviceAccountName: v.SANDBOX_AGENT_POD_SERVICE_ACCOUNT,
      automountServiceAccountToken: v.SANDBOX_AGENT_POD_AUTOMOUNT_SA_TOKEN,
      enableServiceLinks: v.SANDBOX_AGENT_POD_ENABLE_SERVICE_LINKS,
      readinessPeriodSeconds: v.SANDBOX_AGENT_POD_READINESS_PERIOD_SECONDS,
      resources: quantities(v.SANDBOX_AGENT_POD_RESOURCES),
      nodeSelector: v.SANDBOX_AGENT_POD_NODE_SELECTOR,
      tolerations: v.SANDBOX_AGENT_POD_TOLERATIONS,
      affinity: v.SANDBOX_AGENT_POD_AFFINITY,
      imagePullSecrets: v.SANDBOX_AGENT_POD_IMAGE_PULL_SECRETS,
      extraLabels: v.SANDBOX_AGENT_POD_LABELS,
      extraAnnotations: v.SANDBOX_AGENT_POD_ANNOTATIONS,
    },
  };
}

const URL_VAR = 'SANDBOX_AGENT_OWNERSHIP_REDIS_URL';
const PASSWORD_VAR = 'SANDBOX_AGENT_OWNERSHIP_REDIS_PASSWORD';
const PREFIX_VAR = 'SANDBOX_AGENT_OWNERSHIP_KEY_PREFIX';

/** The ownership Redis from its three variables (the table checked their shape; this checks the URL's parts). */
export function ownershipSettings(v: Pick<AgentEnvValues, typeof URL_VAR | typeof PASSWORD_VAR | typeof PREFIX_VAR>): OwnershipSettings | undefined {
  const raw = v[URL_VAR];
  const password = v[PASSWORD_VAR];
  if (raw === undefined) {
    if (password !== undefined) throw new ConfigError(PASSWORD_VAR, `set without ${URL_VAR}`);
    return undefined;
  }
  const bad = (why: string): ConfigError => new ConfigError(URL_VAR, `${why}, got '${shown(raw, AGENT_ENV[URL_VAR])}'`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw bad('must be a redis:// or rediss:// URL');
  }
  if (url.hostname === '') throw bad('has no host');
  const db = url.pathname === '' || url.pathname === '/' ? 0 : /^\/(\d{1,5})$/.exec(url.pathname)?.[1];
  if (db === undefined) throw bad('path must be empty or /<database number>');
  const port = url.port === '' ? 6379 : Number(url.port);
  if (port < 1) throw bad('port must be 1-65535');
  const username = url.username === '' ? undefined : decodeURIComponent(url.username);
  const urlPassword = url.password === '' ? undefined : decodeURIComponent(url.password);
  if (urlPassword !== undefined && password !== undefined) throw new ConfigError(PASSWORD_VAR, `set while ${URL_VAR} carries a password too: keep one`);
  const keyPrefix = v[PREFIX_VAR].replace(/:+$/, '');
  if (keyPrefix === '') throw new ConfigError(PREFIX_VAR, `must have more than colons, got '${v[PREFIX_VAR]}'`);
  const tls = url.protocol === 'rediss:';
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port, db: Number(db), tls, username, password: password ?? urlPassword, keyPrefix, where: `${url.protocol}//${url.host}/${Number(db)}` };
}

export function posixNormDirname(p: string): string {
  const idx = p.lastIndexOf('/');
  if (idx < 0) return '';
  if (idx === 0) return '/';
  return p.slice(0, idx);
}

/** Upstream `_host_base_dir_for_extra_mounts` (provisioner contract §1.3). */
export function extraMountHostBase(deerFlowHostBaseDir: string, threadsHostPath: string): string {
  if (deerFlowHostBaseDir !== '') return pyNormpath(deerFlowHostBaseDir);
  if (threadsHostPath !== '') {
    const norm = pyNormpath(threadsHostPath);
    const base = norm.slice(norm.lastIndexOf('/') + 1);
    if (base === 'threads') return posixNormDirname(norm);
  }
  return '';
}
