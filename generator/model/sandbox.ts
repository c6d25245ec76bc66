/** The sandbox path: the sandbox agent (Antler's provisioner), its RBAC, storage and sandbox Pod policy. */
import { AGENT_ENV, DEFAULT_SANDBOX_IMAGE } from '../../sandbox-agent/src/env.js';
import { COMPONENTS } from '../components.js';
import { agentSetting as agent } from './agent-env.js';
import { arr, bool, enumOf, group, int, obj, patterns, str } from './builders.js';
import { byteQuantity } from './formats.js';
import type { ValueNode } from './types.js';
import { quotaHard } from './isolation.js';
import * as k8s from './k8s.js';
import { image, service, workload } from './workload.js';

/** The agent's port: the component registry's, which the agent's own default must equal (tested). */
export const SANDBOX_AGENT_PORT = COMPONENTS['sandbox-agent'].port.number;
if (SANDBOX_AGENT_PORT !== AGENT_ENV.SANDBOX_AGENT_PORT.default) throw new Error(`the registry's sandbox-agent port ${SANDBOX_AGENT_PORT} is not the agent's default ${AGENT_ENV.SANDBOX_AGENT_PORT.default}`);

/** `registry/repository:tag` of the agent's default sandbox image, as the chart's image block. */
function imageParts(ref: string): { registry: string; repository: string; tag: string } {
  const m = /^([^/]+)\/(.+):([^:/@]+)$/.exec(ref);
  if (!m) throw new Error(`default sandbox image ${ref} is not registry/repository:tag`);
  return { registry: m[1] as string, repository: m[2] as string, tag: m[3] as string };
}

export const sandbox: Record<string, ValueNode> = {
  sandbox: group('Kubernetes sandboxes for agent code execution. Off: DeerFlow uses its in-process LocalSandboxProvider.', {
    enabled: bool(false, 'Deploy the sandbox agent and point DeerFlow\'s `sandbox:` section at it. Needs `apiKey` or `existingSecret`.'),
    namespace: str('', 'Namespace for sandbox Pods (must exist unless `createNamespace`). Empty uses the release namespace (or `namespaceSuffix`). It must be the release namespace or start with it plus `-` (`tenant-acme` → `tenant-acme-sandboxes`), so one tenant can never name another\'s namespace. The agent\'s Role, the headless Service and the owner ConfigMap live there.', { pattern: patterns.dnsLabel, maxLength: 63 }),
    namespaceSuffix: str('', 'Sandbox namespace derived from the release namespace: `<release namespace>-<suffix>` (e.g. `sandboxes`). Exclusive with `namespace`.', { pattern: patterns.dnsLabel, maxLength: 62 }),
    createNamespace: bool(false, 'Create the sandbox namespace as part of the release, with Pod Security Admission labels (`podSecurity`). Needs `namespace` or `namespaceSuffix` (not the release namespace); deleted with the release.'),
    podSecurity: group('Pod Security Admission labels of the created sandbox namespace. The pinned AIO image runs as root, so `enforce` defaults to `baseline`; with a non-root image use `restricted`.', {
      enforce: enumOf(['privileged', 'baseline', 'restricted'], 'baseline', '`pod-security.kubernetes.io/enforce`.'),
      audit: enumOf(['privileged', 'baseline', 'restricted'], 'restricted', '`pod-security.kubernetes.io/audit`.'),
      warn: enumOf(['privileged', 'baseline', 'restricted'], 'restricted', '`pod-security.kubernetes.io/warn`.'),
      version: str('latest', 'Policy version for all three modes (`latest` or `v1.NN`).', { pattern: '^(latest|v1\\.[0-9]+)$' }),
    }),
    quota: group('ResourceQuota in the sandbox namespace: bounds what sandbox Pods can take, independent of the agent caps. Counts every Pod in that namespace.', {
      enabled: bool(false, 'Create the sandbox ResourceQuota.'),
      ...quotaHard('16', '32Gi', '64', '64Gi', 50),
    }),
    admissionPolicy: group('A ValidatingAdmissionPolicy and its binding (cluster-scoped, named after the release namespace and release) that let the agent\'s ServiceAccount create, patch and delete only Pods and Services carrying this release\'s sandbox labels, in the sandbox namespace. With sandboxes in the release namespace the agent\'s Role covers every Pod there; the policy keeps it off the gateway and Postgres (D13).', {
      enabled: bool(true, 'Create the policy and binding (needs permission to create cluster-scoped admission objects).'),
    }),
    apiKey: str('', 'Shared key for `X-API-Key` (agent `PROVISIONER_API_KEY`, DeerFlow `sandbox.provisioner_api_key`). Never generated: set it or `existingSecret`.', {
      secret: true, schema: { anyOf: [{ maxLength: 0 }, { minLength: 16, pattern: '^[\\x21-\\x7e]+$' }] },
    }),
    existingSecret: str('', 'Existing Secret with the key (key name `existingSecretKey`; optional extra rotation keys under `extra-api-keys`).', { pattern: patterns.dnsSubdomain }),
    existingSecretKey: str('api-key', 'Key of the API key in `existingSecret`.', { minLength: 1 }),
    rotationApiKeys: arr([], 'Additional accepted keys during rotation (`SANDBOX_AGENT_API_KEYS`).', { type: 'string', minLength: 16 }),
    image: image(imageParts(DEFAULT_SANDBOX_IMAGE), 'sandbox Pods'),
    containerPort: agent('SANDBOX_CONTAINER_PORT'),
    serviceType: agent('SANDBOX_SERVICE_TYPE'),
    nodeHost: agent('NODE_HOST'),
    gatewaySide: group('DeerFlow-side `sandbox:` keys.', {
      replicas: int(3, '`sandbox.replicas`: active+warm sandboxes per gateway process (DeerFlow\'s default 3). At most `limits.maxSandboxesPerUser` (checked): a user must be able to fill one process\'s warm pool.', { minimum: 1, maximum: 1000 }),
      idleTimeoutSeconds: int(600, '`sandbox.idle_timeout` (0 disables the gateway\'s idle reaper; the agent TTLs still apply).', { minimum: 0, maximum: 604800 }),
    }),
    limits: group('Agent-side caps.', {
      maxSandboxes: agent('SANDBOX_AGENT_MAX_SANDBOXES'),
      maxSandboxesPerUser: agent('SANDBOX_AGENT_MAX_SANDBOXES_PER_USER'),
      bodyLimitBytes: agent('SANDBOX_AGENT_BODY_LIMIT_BYTES'),
      waitTimeoutMaxSeconds: agent('SANDBOX_AGENT_WAIT_TIMEOUT_MAX_SECONDS'),
      kubeQps: agent('SANDBOX_AGENT_KUBE_QPS'),
      kubeBurst: agent('SANDBOX_AGENT_KUBE_BURST'),
    }),
    lifecycle: group('Server-side sandbox lifecycle (agent reaper).', {
      idleTtlSeconds: agent('SANDBOX_AGENT_IDLE_TTL_SECONDS'),
      releasedTtlSeconds: agent('SANDBOX_AGENT_RELEASED_TTL_SECONDS'),
      maxLifetimeSeconds: agent('SANDBOX_AGENT_MAX_LIFETIME_SECONDS'),
      startGraceSeconds: agent('SANDBOX_AGENT_START_GRACE_SECONDS'),
      reaperIntervalSeconds: agent('SANDBOX_AGENT_REAPER_INTERVAL_SECONDS'),
      reaperConcurrency: agent('SANDBOX_AGENT_REAPER_CONCURRENCY'),
      leaseDurationSeconds: agent('SANDBOX_AGENT_LEASE_DURATION_SECONDS'),
    }),
    pod: group('Policy for the sandbox Pods the agent creates.', {
      runAsNonRoot: agent('SANDBOX_AGENT_POD_RUN_AS_NON_ROOT'),
      runAsUser: agent('SANDBOX_AGENT_POD_RUN_AS_USER'),
      runtimeClassName: agent('SANDBOX_AGENT_POD_RUNTIME_CLASS'),
      priorityClassName: agent('SANDBOX_AGENT_POD_PRIORITY_CLASS'),
      automountServiceAccountToken: agent('SANDBOX_AGENT_POD_AUTOMOUNT_SA_TOKEN'),
      enableServiceLinks: agent('SANDBOX_AGENT_POD_ENABLE_SERVICE_LINKS'),
      readinessPeriodSeconds: agent('SANDBOX_AGENT_POD_READINESS_PERIOD_SECONDS'),
      resources: agent('SANDBOX_AGENT_POD_RESOURCES'),
      nodeSelector: agent('SANDBOX_AGENT_POD_NODE_SELECTOR'),
      tolerations: agent('SANDBOX_AGENT_POD_TOLERATIONS'),
      affinity: agent('SANDBOX_AGENT_POD_AFFINITY'),
      labels: agent('SANDBOX_AGENT_POD_LABELS'),
      annotations: agent('SANDBOX_AGENT_POD_ANNOTATIONS'),
    }),
    pauseImage: image({ registry: 'registry.k8s.io', repository: 'pause', tag: '3.10' }, 'the pre-puller\'s main container and the placeholder Pods: a process that only waits. The default is the kubelet\'s Pod sandbox image, so every node already holds it'),
    prePuller: group('Continuous image pre-puller (like JupyterHub\'s continuous puller): a DaemonSet in the release namespace on every node that can run sandboxes (the `pod.nodeSelector`, `tolerations` and `affinity` of sandbox Pods). Its init container runs the sandbox image (`image`, with its `pullPolicy`) so the node pulls it before the first sandbox needs it; a new image rolls out to every node at once. Pin `image.digest`: the pre-puller and the sandbox Pods then name the same content. Measured by `make bench-ready` (sandbox-agent/bench/time-to-ready.ts).', {
      enabled: bool(false, 'Create the pre-puller DaemonSet and its PriorityClass (cluster-scoped, named after the release namespace and release).'),
      command: arr(['/bin/sh', '-c', 'exit 0'], 'Command of the init container that pulls the sandbox image: it must exist in that image and exit 0 (it runs as UID 65534 with a read-only root filesystem).', { type: 'string', minLength: 1 }, { minItems: 1 }),
      priority: int(-5, 'Value of the pre-puller\'s PriorityClass (`preemptionPolicy: Never`). Below the sandbox Pods\' priority (0 without `pod.priorityClassName`), so a sandbox on a full node preempts the pre-puller, never the reverse.', { minimum: -1000000, maximum: -1 }),
      resources: obj({ requests: { cpu: '1m', memory: '8Mi' }, limits: { cpu: '50m', memory: '32Mi' } }, 'Resources of each of its two containers. The pull itself is done by the node\'s container runtime, not counted here. One Pod per sandbox node: the ResourceQuota fit check cannot count them (it does not know the node count), so leave room in `resourceQuota`.', k8s.resources),
    }),
    placeholders: group('Placeholder Pods that hold room for sandboxes (like JupyterHub\'s user placeholders): `pause` Pods in the release namespace with the sandbox Pods\' resources, nodeSelector, tolerations and affinity, and a PriorityClass below theirs. A sandbox that finds no room preempts a placeholder; the re-created placeholder is then Pending, which is what a cluster autoscaler adds a node for. The headroom is ready before the sandbox needs it.', {
      replicas: int(0, 'Placeholder Pods (0: none, and no PriorityClass). Each reserves one sandbox Pod\'s requests. They count against `resourceQuota` (the fit check includes them).', { minimum: 0, maximum: 1000 }),
      priority: int(-10, 'Value of the placeholders\' PriorityClass (`preemptionPolicy: Never`). Must stay below the sandbox Pods\' priority (0 without `pod.priorityClassName`; check the class you name there) or sandboxes cannot preempt them.', { minimum: -1000000, maximum: -1 }),
    }),
    lark: group('Lark CLI integration images (empty disables).', {
      initImage: agent('LARK_CLI_INIT_IMAGE'),
      brokerImage: agent('LARK_CLI_BROKER_IMAGE'),
      denySubcommands: agent('DEERFLOW_LARK_BROKER_DENY_SUBCOMMANDS'),
    }),
    skills: group('Skills storage mounted read-only into sandboxes. Never a node hostPath unless `source: hostPath` and `persistence.allowHostPath`.', {
      source: enumOf(['home', 'existingClaim', 'nfs', 'hostPath'], 'home', '`home`: the skills projection inside the home volume; `existingClaim`; `nfs` (the chart creates a ReadOnlyMany PV and PVC); `hostPath` (kind; PV and PVC).'),
      existingClaim: str('', 'PVC name for `source: existingClaim` (in the sandbox namespace).', { pattern: patterns.dnsSubdomain }),
      subPathTemplate: str('', '`SKILLS_PVC_SUBPATH_TEMPLATE` (`{user_id}`, `{thread_id}`). Defaults to `deer-flow/skills_view` for `source: home`.', { pattern: '^[A-Za-z0-9_./{}-]*$' }),
      size: str('1Gi', 'Capacity of the created skills PV/PVC.', { pattern: byteQuantity }),
      nfs: group('NFS export for `source: nfs`.', {
        server: str('', 'NFS server.', { pattern: '^[A-Za-z0-9.:-]*$' }),
        path: str('', 'Exported path.', { pattern: '^(/.*)?$' }),
      }),
      hostPath: str('/var/local/antler/skills', 'Host directory for `source: hostPath`.', { pattern: patterns.absPath }),
    }),
    threadData: group('Per-user/thread data of sandboxes (PVC subPaths `deer-flow/users/{u}/threads/{t}/user-data`).', {
      existingClaim: str('', 'RWX PVC in the sandbox namespace that holds the same data as the home volume. Required when `sandbox.namespace` differs from the release namespace and the home volume is a PVC.', { pattern: patterns.dnsSubdomain }),
    }),
    agent: group('The sandbox agent Deployment.', {
      ...workload({
        component: COMPONENTS['sandbox-agent'],
        what: 'the sandbox agent',
        replicaCount: 1,
        image: { registry: 'docker.io', repository: 'antler/sandbox-agent', tag: '0.1.0' },
        resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
        probes: {
          startup: { initialDelaySeconds: 1, periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 30 },
          readiness: { initialDelaySeconds: 0, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 },
          liveness: { initialDelaySeconds: 0, periodSeconds: 20, timeoutSeconds: 3, failureThreshold: 3 },
        },
        security: { uid: 1000, gid: 1000, readOnlyRootFilesystem: true },
        terminationGracePeriodSeconds: 30,
        preStopSleepSeconds: 3,
        automountServiceAccountToken: true,
        automountWhy: ' The agent talks to the Kubernetes API, so this defaults to true.',
      }),
      logLevel: agent('LOG_LEVEL'),
      service: service('the sandbox agent', SANDBOX_AGENT_PORT),
    }),
  }, 'Sandbox'),
};
