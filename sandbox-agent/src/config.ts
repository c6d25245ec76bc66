import { pyNormpath } from './pypath.js';

// Pure configuration loading: env in, validated Config out. Nothing here touches the network or
// the file system, so every rule is unit-testable and a bad value fails before we serve /health.

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

export type ServiceMode = 'NodePort' | 'ClusterIP' | 'Headless';

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export interface PodResources {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

export interface PodSettings {
  runAsNonRoot: boolean;
  runAsUser: number | undefined;
  runtimeClassName: string | undefined;
  priorityClassName: string | undefined;
  serviceAccountName: string | undefined;
  automountServiceAccountToken: boolean;
  enableServiceLinks: boolean;
  resources: PodResources;
  nodeSelector: Record<string, string>;
  tolerations: Toleration[];
  affinity: Record<string, unknown> | undefined;
  imagePullSecrets: string[];
  extraLabels: Record<string, string>;
  extraAnnotations: Record<string, string>;
}

export interface Config {
  namespace: string;
  sandboxImage: string;
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
  kubeQps: number;
  kubeBurst: number;
  waitTimeoutMaxSeconds: number;
  /** How long an acquire waits for a terminating Pod of the same name to disappear. */
  terminatingWaitSeconds: number;
  /** Minimum spacing of last-touch annotation writes for one sandbox (bounds writes per GET). */
  touchMinIntervalSeconds: number;
  cacheSyncTimeoutSeconds: number;
  logLevel: string;
  pod: PodSettings;
}

export const DEFAULT_SANDBOX_IMAGE =
  'enterprise-public-cn-beijing.cr.volces.com/vefaas-public/all-in-one-sandbox:latest';

type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function str(env: Env, name: string, fallback: string): string {
  const v = env[name];
  return v === undefined ? fallback : v;
}

function int(env: Env, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const trimmed = raw.trim();
  if (!/^-?\d+$/.test(trimmed)) throw new ConfigError(name, `must be an integer, got '${raw}'`);
  const n = Number(trimmed);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function optionalInt(env: Env, name: string, min: number, max: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  return int(env, name, 0, min, max);
}

function num(env: Env, name: string, fallback: number, minExclusive: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw.trim());
  if (!Number.isFinite(n) || n <= minExclusive) throw new ConfigError(name, `must be a number > ${minExclusive}, got '${raw}'`);
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const v = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(name, `must be a boolean (true/false), got '${raw}'`);
}

function json(env: Env, name: string): unknown {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch (err) {
    throw new ConfigError(name, `must be valid JSON (${(err as Error).message})`);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringMap(env: Env, name: string, checkKey?: (k: string) => boolean, checkValue?: (v: string) => boolean): Record<string, string> {
  const v = json(env, name);
  if (v === undefined || v === null) return {};
  if (!isPlainObject(v)) throw new ConfigError(name, 'must be a JSON object of strings');
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') throw new ConfigError(name, `value of '${k}' must be a string`);
    if (checkKey && !checkKey(k)) throw new ConfigError(name, `invalid key '${k}'`);
    if (checkValue && !checkValue(val)) throw new ConfigError(name, `invalid value '${val}' for key '${k}'`);
    out[k] = val;
  }
  return out;
}

function isLabelKey(k: string): boolean {
  const parts = k.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1] ?? '';
  if (name.length === 0 || name.length > 63 || !/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(name)) return false;
  if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    return prefix.length <= 253 && DNS1123_SUBDOMAIN.test(prefix);
  }
  return true;
}

const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[KMGTPE]i?|[munk])?$/;

function resources(env: Env, name: string): PodResources {
  const v = json(env, name);
  if (v === undefined || v === null) {
    // Upstream's fixed values (contract §2.2), kept as the default.
    return {
      requests: { cpu: '100m', memory: '256Mi', 'ephemeral-storage': '500Mi' },
      limits: { cpu: '1000m', memory: '1Gi', 'ephemeral-storage': '500Mi' },
    };
  }
  if (!isPlainObject(v)) throw new ConfigError(name, 'must be a JSON object with optional "requests" and "limits"');
  const out: PodResources = {};
  for (const [section, body] of Object.entries(v)) {
    if (section !== 'requests' && section !== 'limits') throw new ConfigError(name, `unknown key '${section}' (expected requests, limits)`);
    if (!isPlainObject(body)) throw new ConfigError(name, `'${section}' must be an object`);
    const m: Record<string, string> = {};
    for (const [res, q] of Object.entries(body)) {
      const qs = typeof q === 'number' ? String(q) : q;
      if (typeof qs !== 'string' || !QUANTITY.test(qs)) throw new ConfigError(name, `'${section}.${res}' is not a valid quantity: ${JSON.stringify(q)}`);
      m[res] = qs;
    }
    out[section] = m;
  }
  return out;
}

function tolerations(env: Env, name: string): Toleration[] {
  const v = json(env, name);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ConfigError(name, 'must be a JSON array of tolerations');
  return v.map((t, i) => {
    if (!isPlainObject(t)) throw new ConfigError(name, `entry ${i} must be an object`);
    const out: Toleration = {};
    for (const [k, val] of Object.entries(t)) {
      if (k === 'tolerationSeconds') {
        if (typeof val !== 'number' || !Number.isInteger(val)) throw new ConfigError(name, `entry ${i}: tolerationSeconds must be an integer`);
        out.tolerationSeconds = val;
      } else if (k === 'key' || k === 'operator' || k === 'value' || k === 'effect') {
        if (typeof val !== 'string') throw new ConfigError(name, `entry ${i}: ${k} must be a string`);
        out[k] = val;
      } else {
        throw new ConfigError(name, `entry ${i}: unknown field '${k}'`);
      }
    }
    if (out.operator !== undefined && out.operator !== 'Exists' && out.operator !== 'Equal') {
      throw new ConfigError(name, `entry ${i}: operator must be Exists or Equal`);
    }
    return out;
  });
}

function pullSecrets(env: Env, name: string): string[] {
  const v = json(env, name);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((s): s is string => typeof s === 'string' && DNS1123_SUBDOMAIN.test(s))) {
    throw new ConfigError(name, 'must be a JSON array of Secret names');
  }
  return v;
}

/** Checks a Python str.format template only uses {user_id} / {thread_id} (upstream fails per request). */
export function checkSubpathTemplate(template: string): string | undefined {
  const stripped = template.replace(/\{\{|\}\}/g, '');
  const fields = stripped.match(/\{[^{}]*\}/g) ?? [];
  for (const f of fields) {
    if (f !== '{user_id}' && f !== '{thread_id}') return `unsupported placeholder ${f} (only {user_id} and {thread_id})`;
  }
  if (/[{}]/.test(stripped.replace(/\{[^{}]*\}/g, ''))) return 'unbalanced braces';
  return undefined;
}

export function posixNormDirname(p: string): string {
  const idx = p.lastIndexOf('/');
  if (idx < 0) return '';
  if (idx === 0) return '/';
  return p.slice(0, idx);
}

export function loadConfig(env: Env, hostnameAndPid = 'sandbox-agent'): Config {
  const namespace = str(env, 'K8S_NAMESPACE', 'deer-flow');
  if (!DNS1123_LABEL.test(namespace) || namespace.length > 63) throw new ConfigError('K8S_NAMESPACE', `not a valid namespace name: '${namespace}'`);

  const rawPort = str(env, 'SANDBOX_CONTAINER_PORT', '8080');
  if (!/^\s*\d+\s*$/.test(rawPort)) throw new ConfigError('SANDBOX_CONTAINER_PORT', `must be an integer in [1, 65535], got '${rawPort}'`);
  const containerPort = Number(rawPort.trim());
  if (containerPort < 1 || containerPort > 65535) throw new ConfigError('SANDBOX_CONTAINER_PORT', `must be an integer in [1, 65535], got '${rawPort}'`);

  const rawMode = str(env, 'SANDBOX_SERVICE_TYPE', 'NodePort');
  if (rawMode !== 'NodePort' && rawMode !== 'ClusterIP' && rawMode !== 'Headless') {
    throw new ConfigError('SANDBOX_SERVICE_TYPE', `must be exactly NodePort, ClusterIP or Headless, got '${rawMode}'`);
  }
  const serviceMode: ServiceMode = rawMode;

  const sandboxImage = str(env, 'SANDBOX_IMAGE', DEFAULT_SANDBOX_IMAGE);
  if (sandboxImage.trim() === '' || /\s/.test(sandboxImage)) throw new ConfigError('SANDBOX_IMAGE', `not a valid image reference: '${sandboxImage}'`);

  const threadsHostPath = str(env, 'THREADS_HOST_PATH', '/.deer-flow/threads');
  const deerFlowHostBaseDir = str(env, 'DEER_FLOW_HOST_BASE_DIR', '/.deer-flow');

  const skillsPvcSubpathTemplate = str(env, 'SKILLS_PVC_SUBPATH_TEMPLATE', '');
  const tmplErr = checkSubpathTemplate(skillsPvcSubpathTemplate);
  if (tmplErr) throw new ConfigError('SKILLS_PVC_SUBPATH_TEMPLATE', tmplErr);

  for (const v of ['SKILLS_PVC_NAME', 'USERDATA_PVC_NAME'] as const) {
    const val = env[v];
    if (val && !DNS1123_SUBDOMAIN.test(val)) throw new ConfigError(v, `not a valid PVC name: '${val}'`);
  }

  const apiKeys: string[] = [];
  const primary = env['PROVISIONER_API_KEY'] ?? '';
  if (primary !== '') apiKeys.push(primary);
  for (const k of (env['SANDBOX_AGENT_API_KEYS'] ?? '').split(',')) {
    const t = k.trim();
    if (t !== '' && !apiKeys.includes(t)) apiKeys.push(t);
  }

  const headlessService = str(env, 'SANDBOX_AGENT_HEADLESS_SERVICE', '');
  if (serviceMode === 'Headless') {
    if (headlessService === '') throw new ConfigError('SANDBOX_AGENT_HEADLESS_SERVICE', 'required when SANDBOX_SERVICE_TYPE=Headless');
    if (!DNS1123_LABEL.test(headlessService) || headlessService.length > 63) {
      throw new ConfigError('SANDBOX_AGENT_HEADLESS_SERVICE', `not a valid Service name: '${headlessService}'`);
    }
  }
  const clusterDomain = str(env, 'SANDBOX_AGENT_CLUSTER_DOMAIN', 'cluster.local');
  if (!DNS1123_SUBDOMAIN.test(clusterDomain)) throw new ConfigError('SANDBOX_AGENT_CLUSTER_DOMAIN', `not a valid DNS domain: '${clusterDomain}'`);

  const release = str(env, 'SANDBOX_AGENT_RELEASE', '');
  if (release.length > 63 || !LABEL_VALUE.test(release)) throw new ConfigError('SANDBOX_AGENT_RELEASE', `not a valid label value: '${release}'`);
  const ownerConfigMap = str(env, 'SANDBOX_AGENT_OWNER_CONFIGMAP', '');
  if (ownerConfigMap !== '' && !DNS1123_SUBDOMAIN.test(ownerConfigMap)) {
    throw new ConfigError('SANDBOX_AGENT_OWNER_CONFIGMAP', `not a valid ConfigMap name: '${ownerConfigMap}'`);
  }

  const leaseName = str(env, 'SANDBOX_AGENT_LEASE_NAME', 'sandbox-agent-reaper');
  if (!DNS1123_SUBDOMAIN.test(leaseName)) throw new ConfigError('SANDBOX_AGENT_LEASE_NAME', `not a valid Lease name: '${leaseName}'`);

  const logLevel = str(env, 'LOG_LEVEL', 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got '${logLevel}'`);

  const host = str(env, 'SANDBOX_AGENT_HOST', '0.0.0.0');
  if (host.trim() === '') throw new ConfigError('SANDBOX_AGENT_HOST', 'must not be empty');

  const k8sApiServer = env['K8S_API_SERVER'];
  if (k8sApiServer !== undefined && k8sApiServer !== '' && !/^https?:\/\/[^\s]+$/.test(k8sApiServer)) {
    throw new ConfigError('K8S_API_SERVER', `must be an http(s) URL, got '${k8sApiServer}'`);
  }

  const kubeQps = num(env, 'SANDBOX_AGENT_KUBE_QPS', 50, 0);
  const kubeBurst = int(env, 'SANDBOX_AGENT_KUBE_BURST', 100, 1, 100_000);

  const affinityRaw = json(env, 'SANDBOX_AGENT_POD_AFFINITY');
  if (affinityRaw !== undefined && affinityRaw !== null && !isPlainObject(affinityRaw)) {
    throw new ConfigError('SANDBOX_AGENT_POD_AFFINITY', 'must be a JSON object (a Kubernetes Affinity)');
  }
  const runtimeClassName = env['SANDBOX_AGENT_POD_RUNTIME_CLASS'] || undefined;
  if (runtimeClassName !== undefined && !DNS1123_SUBDOMAIN.test(runtimeClassName)) {
    throw new ConfigError('SANDBOX_AGENT_POD_RUNTIME_CLASS', `not a valid RuntimeClass name: '${runtimeClassName}'`);
  }
  const priorityClassName = env['SANDBOX_AGENT_POD_PRIORITY_CLASS'] || undefined;
  if (priorityClassName !== undefined && !DNS1123_SUBDOMAIN.test(priorityClassName)) {
    throw new ConfigError('SANDBOX_AGENT_POD_PRIORITY_CLASS', `not a valid PriorityClass name: '${priorityClassName}'`);
  }
  const serviceAccountName = env['SANDBOX_AGENT_POD_SERVICE_ACCOUNT'] || undefined;
  if (serviceAccountName !== undefined && !DNS1123_SUBDOMAIN.test(serviceAccountName)) {
    throw new ConfigError('SANDBOX_AGENT_POD_SERVICE_ACCOUNT', `not a valid ServiceAccount name: '${serviceAccountName}'`);
  }

  const leaseDurationSeconds = int(env, 'SANDBOX_AGENT_LEASE_DURATION_SECONDS', 15, 2, 3600);

  return {
    namespace,
    sandboxImage,
    containerPort,
    serviceMode,
    nodeHost: str(env, 'NODE_HOST', 'host.docker.internal'),
    threadsHostPath,
    deerFlowHostBaseDir,
    extraMountHostBase: extraMountHostBase(deerFlowHostBaseDir, threadsHostPath),
    skillsPvcName: str(env, 'SKILLS_PVC_NAME', ''),
    skillsPvcSubpathTemplate,
    userdataPvcName: str(env, 'USERDATA_PVC_NAME', ''),
    larkCliInitImage: str(env, 'LARK_CLI_INIT_IMAGE', ''),
    larkCliBrokerImage: str(env, 'LARK_CLI_BROKER_IMAGE', ''),
    larkBrokerDenySubcommands: str(env, 'DEERFLOW_LARK_BROKER_DENY_SUBCOMMANDS', ''),
    kubeconfigPath: str(env, 'KUBECONFIG_PATH', '/root/.kube/config'),
    k8sApiServer: k8sApiServer === '' ? undefined : k8sApiServer,
    apiKeys,
    port: int(env, 'SANDBOX_AGENT_PORT', 8002, 0, 65535),
    host,
    headlessService,
    clusterDomain,
    release,
    ownerConfigMap,
    idleTtlSeconds: int(env, 'SANDBOX_AGENT_IDLE_TTL_SECONDS', 86_400, 0),
    releasedTtlSeconds: int(env, 'SANDBOX_AGENT_RELEASED_TTL_SECONDS', 3600, 0),
    maxLifetimeSeconds: int(env, 'SANDBOX_AGENT_MAX_LIFETIME_SECONDS', 0, 0),
    startGraceSeconds: int(env, 'SANDBOX_AGENT_START_GRACE_SECONDS', 120, 0),
    reaperIntervalSeconds: num(env, 'SANDBOX_AGENT_REAPER_INTERVAL_SECONDS', 30, 0),
    reaperConcurrency: int(env, 'SANDBOX_AGENT_REAPER_CONCURRENCY', 8, 1, 1000),
    leaseName,
    leaseDurationSeconds,
    holderIdentity: env['POD_NAME'] || hostnameAndPid,
    maxSandboxes: int(env, 'SANDBOX_AGENT_MAX_SANDBOXES', 0, 0),
    maxSandboxesPerUser: int(env, 'SANDBOX_AGENT_MAX_SANDBOXES_PER_USER', 0, 0),
    bodyLimitBytes: int(env, 'SANDBOX_AGENT_BODY_LIMIT_BYTES', 65_536, 1024, 64 * 1024 * 1024),
    kubeQps,
    kubeBurst,
    waitTimeoutMaxSeconds: int(env, 'SANDBOX_AGENT_WAIT_TIMEOUT_MAX_SECONDS', 120, 1, 3600),
    terminatingWaitSeconds: int(env, 'SANDBOX_AGENT_TERMINATING_WAIT_SECONDS', 20, 0, 600),
    touchMinIntervalSeconds: int(env, 'SANDBOX_AGENT_TOUCH_MIN_INTERVAL_SECONDS', 10, 0, 3600),
    cacheSyncTimeoutSeconds: int(env, 'SANDBOX_AGENT_CACHE_SYNC_TIMEOUT_SECONDS', 30, 1, 600),
    logLevel,
    pod: {
      runAsNonRoot: bool(env, 'SANDBOX_AGENT_POD_RUN_AS_NON_ROOT', true),
      runAsUser: optionalInt(env, 'SANDBOX_AGENT_POD_RUN_AS_USER', 0, 2_147_483_647),
      runtimeClassName,
      priorityClassName,
      serviceAccountName,
      automountServiceAccountToken: bool(env, 'SANDBOX_AGENT_POD_AUTOMOUNT_SA_TOKEN', false),
      enableServiceLinks: bool(env, 'SANDBOX_AGENT_POD_ENABLE_SERVICE_LINKS', false),
      resources: resources(env, 'SANDBOX_AGENT_POD_RESOURCES'),
      nodeSelector: stringMap(env, 'SANDBOX_AGENT_POD_NODE_SELECTOR', isLabelKey, (v) => v.length <= 63 && LABEL_VALUE.test(v)),
      tolerations: tolerations(env, 'SANDBOX_AGENT_POD_TOLERATIONS'),
      affinity: isPlainObject(affinityRaw) ? affinityRaw : undefined,
      imagePullSecrets: pullSecrets(env, 'SANDBOX_AGENT_POD_IMAGE_PULL_SECRETS'),
      extraLabels: stringMap(env, 'SANDBOX_AGENT_POD_LABELS', isLabelKey, (v) => v.length <= 63 && LABEL_VALUE.test(v)),
      extraAnnotations: stringMap(env, 'SANDBOX_AGENT_POD_ANNOTATIONS', isLabelKey),
    },
  };
}


/** Upstream `_host_base_dir_for_extra_mounts` (contract §1.3). */
export function extraMountHostBase(deerFlowHostBaseDir: string, threadsHostPath: string): string {
  if (deerFlowHostBaseDir !== '') return pyNormpath(deerFlowHostBaseDir);
  if (threadsHostPath !== '') {
    const norm = pyNormpath(threadsHostPath);
    const base = norm.slice(norm.lastIndexOf('/') + 1);
    if (base === 'threads') return posixNormDirname(norm);
  }
  return '';
}
