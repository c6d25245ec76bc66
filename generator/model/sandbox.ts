/** The sandbox path: the sandbox agent (Antler's provisioner), its RBAC, storage and sandbox Pod policy. */
import { byteQuantity, imageReference } from './formats.js';
import { COMPONENTS } from '../components.js';
import { arr, bool, enumOf, group, int, obj, patterns, str } from './builders.js';
import * as k8s from './k8s.js';
import type { ValueNode } from './types.js';
import { quotaHard } from './isolation.js';
import { image, service, workload } from './workload.js';

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
    image: image({ registry: 'enterprise-public-cn-beijing.cr.volces.com', repository: 'vefaas-public/all-in-one-sandbox', tag: '1.11.0' }, 'sandbox Pods (the agent pulls it `IfNotPresent`)', { pullPolicy: false }),
    containerPort: int(8080, 'Sandbox container port (`SANDBOX_CONTAINER_PORT`).', { minimum: 1, maximum: 65535 }),
    serviceType: enumOf(['Headless', 'ClusterIP', 'NodePort'], 'Headless', 'How sandboxes are reached: `Headless` (Pod DNS names through the chart\'s headless Service; no per-sandbox Services), `ClusterIP` or `NodePort`.'),
    nodeHost: str('', '`NODE_HOST` for NodePort URLs (required with `serviceType: NodePort`).', { pattern: '^[A-Za-z0-9.:-]*$' }),
    gatewaySide: group('DeerFlow-side `sandbox:` keys.', {
      replicas: int(10, '`sandbox.replicas`: active+warm sandboxes per gateway process.', { minimum: 1, maximum: 1000 }),
      idleTimeoutSeconds: int(600, '`sandbox.idle_timeout` (0 disables the gateway\'s idle reaper; the agent TTLs still apply).', { minimum: 0, maximum: 604800 }),
    }),
    limits: group('Agent-side caps.', {
      maxSandboxes: int(50, 'Global cap on live sandboxes (`SANDBOX_AGENT_MAX_SANDBOXES`, 0 = unlimited).', { minimum: 0, maximum: 100000 }),
      maxSandboxesPerUser: int(5, 'Per-user cap (`SANDBOX_AGENT_MAX_SANDBOXES_PER_USER`, 0 = unlimited).', { minimum: 0, maximum: 10000 }),
      bodyLimitBytes: int(1048576, 'Request body limit (`SANDBOX_AGENT_BODY_LIMIT_BYTES`).', { minimum: 1024, maximum: 67108864 }),
      waitTimeoutMaxSeconds: int(60, 'Longest wait a client may ask for (`SANDBOX_AGENT_WAIT_TIMEOUT_MAX_SECONDS`).', { minimum: 1, maximum: 600 }),
      kubeQps: int(20, 'Kubernetes client QPS (`SANDBOX_AGENT_KUBE_QPS`).', { minimum: 1, maximum: 1000 }),
      kubeBurst: int(40, 'Kubernetes client burst (`SANDBOX_AGENT_KUBE_BURST`).', { minimum: 1, maximum: 2000 }),
    }),
    lifecycle: group('Server-side sandbox lifecycle (agent reaper).', {
      idleTtlSeconds: int(1800, 'Delete sandboxes idle this long (`SANDBOX_AGENT_IDLE_TTL_SECONDS`).', { minimum: 0, maximum: 604800 }),
      releasedTtlSeconds: int(3600, '`SANDBOX_AGENT_RELEASED_TTL_SECONDS`.', { minimum: 0, maximum: 604800 }),
      maxLifetimeSeconds: int(0, 'Hard lifetime cap (`SANDBOX_AGENT_MAX_LIFETIME_SECONDS`, 0 = off).', { minimum: 0, maximum: 2592000 }),
      startGraceSeconds: int(120, '`SANDBOX_AGENT_START_GRACE_SECONDS`.', { minimum: 0, maximum: 3600 }),
      reaperIntervalSeconds: int(30, '`SANDBOX_AGENT_REAPER_INTERVAL_SECONDS`.', { minimum: 1, maximum: 3600 }),
      reaperConcurrency: int(8, '`SANDBOX_AGENT_REAPER_CONCURRENCY`.', { minimum: 1, maximum: 256 }),
      leaseDurationSeconds: int(15, 'Leader lease duration (`SANDBOX_AGENT_LEASE_DURATION_SECONDS`).', { minimum: 5, maximum: 300 }),
    }),
    pod: group('Policy for the sandbox Pods the agent creates.', {
      runAsNonRoot: bool(false, '`SANDBOX_AGENT_POD_RUN_AS_NON_ROOT`. Off because the pinned AIO sandbox image runs as root; the agent still drops privilege escalation and applies seccomp. Turn on with `runAsUser` for images that support it; prefer a sandboxed `runtimeClassName` (gVisor, Kata).'),
      runAsUser: int(0, '`SANDBOX_AGENT_POD_RUN_AS_USER` (0 leaves the image\'s user).', { minimum: 0, maximum: 2147483647 }),
      runtimeClassName: str('', 'RuntimeClass (gVisor, Kata) for sandbox Pods.', { pattern: patterns.dnsSubdomain }),
      priorityClassName: str('', 'PriorityClass for sandbox Pods.', { pattern: patterns.dnsSubdomain }),
      automountServiceAccountToken: bool(false, 'Mount an API token into sandbox Pods (keep off: they run untrusted code).'),
      enableServiceLinks: bool(false, 'Inject Service env vars into sandbox Pods.'),
      resources: obj({ requests: { cpu: '100m', memory: '256Mi', 'ephemeral-storage': '500Mi' }, limits: { cpu: '1', memory: '1Gi', 'ephemeral-storage': '1Gi' } },
        'Resources of the sandbox container.', k8s.resources),
      nodeSelector: obj({}, 'Node selector for sandbox Pods.', k8s.labels),
      tolerations: arr([], 'Tolerations for sandbox Pods.', k8s.toleration),
      affinity: obj({}, 'Affinity for sandbox Pods.', k8s.affinity),
      labels: obj({}, 'Extra labels on sandbox Pods.', k8s.labels),
      annotations: obj({}, 'Extra annotations on sandbox Pods.', k8s.annotations),
    }),
    lark: group('Lark CLI integration images (empty disables).', {
      initImage: str('', '`LARK_CLI_INIT_IMAGE`: `[host[:port]/]repository:tag[@sha256:...]`, tag required and pinned unless a digest is given.', { pattern: imageReference }),
      brokerImage: str('', '`LARK_CLI_BROKER_IMAGE`: `[host[:port]/]repository:tag[@sha256:...]`, tag required and pinned unless a digest is given.', { pattern: imageReference }),
      denySubcommands: str('', '`DEERFLOW_LARK_BROKER_DENY_SUBCOMMANDS`.'),
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
      logLevel: enumOf(['trace', 'debug', 'info', 'warn', 'error'], 'info', '`LOG_LEVEL`.'),
      service: service('the sandbox agent', COMPONENTS['sandbox-agent'].port.number),
    }),
  }, 'Sandbox'),
};
