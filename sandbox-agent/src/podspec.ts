// Builds the sandbox Pod and (service mode) Service. Volume/mount layout and names follow the
// upstream provisioner exactly (contract §2.2–2.4); hardening, placement and bookkeeping
// metadata are Antler's additions.

import type { V1ConfigMap, V1Container, V1OwnerReference, V1Pod, V1Service, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { Config } from './config.js';
import { ConfigError } from './errors.js';
import { LARK_CONFIG_PATH, LARK_DATA_PATH, LARK_LOCKS_PATH, LARK_RUNTIME_PATH, type ResolvedMounts, pvcSubPath } from './mounts.js';
import {
  ANN_CREATED_AT,
  ANN_LAST_TOUCH,
  ANN_RELEASE,
  ANN_REQUEST,
  ANN_THREAD_ID,
  ANN_USER_ID,
  LABEL_SANDBOX_ID,
  podName,
  sandboxLabels,
  serviceName,
} from './naming.js';
import { joinHostPath } from './pypath.js';
import type { CreateSandboxRequest, ExtraMount } from './validation.js';

export const LARK_BROKER_URL = 'http://127.0.0.1:8788';
const SIDECAR_PATHS: Record<string, string> = {
  [LARK_CONFIG_PATH]: '/var/lark/config',
  [LARK_LOCKS_PATH]: '/var/lark/config/locks',
  [LARK_DATA_PATH]: '/var/lark/data',
};
const CREDENTIAL_VOLUMES: Record<string, string> = {
  [LARK_CONFIG_PATH]: 'lark-cli-config',
  [LARK_LOCKS_PATH]: 'lark-cli-locks',
  [LARK_DATA_PATH]: 'lark-cli-data',
};

/**
 * The ownerReference every sandbox carries to the chart's owner ConfigMap. Without a uid the
 * garbage collector could never follow it, so sandboxes would survive `helm uninstall`: refuse.
 */
export function ownerReferenceTo(cm: V1ConfigMap, name: string): V1OwnerReference {
  const uid = cm.metadata?.uid;
  if (uid === undefined || uid === '') throw new ConfigError('SANDBOX_AGENT_OWNER_CONFIGMAP', `ConfigMap '${name}' was read without a uid; an ownerReference needs one`);
  return { apiVersion: 'v1', kind: 'ConfigMap', name, uid, controller: false, blockOwnerDeletion: false };
}

export interface BuildContext {
  cfg: Config;
  ownerReference: V1OwnerReference | undefined;
  now: Date;
}

function formatSubpath(template: string, userId: string, threadId: string): string {
  return template.replace(/\{\{|\}\}|\{user_id\}|\{thread_id\}/g, (m) =>
    m === '{{' ? '{' : m === '}}' ? '}' : m === '{user_id}' ? userId : threadId,
  );
}

function extraVolume(m: ExtraMount, name: string, cfg: Config): { volume: V1Volume; subPath: string | undefined } {
  if (cfg.userdataPvcName !== '') {
    return { volume: { name, persistentVolumeClaim: { claimName: cfg.userdataPvcName } }, subPath: pvcSubPath(m.host_path, cfg.extraMountHostBase) };
  }
  return { volume: { name, hostPath: { path: m.host_path, type: m.read_only ? 'Directory' : 'DirectoryOrCreate' } }, subPath: undefined };
}

function mount(name: string, mountPath: string, readOnly: boolean, subPath?: string): V1VolumeMount {
  return subPath === undefined ? { name, mountPath, readOnly } : { name, mountPath, readOnly, subPath };
}

/** The JSON recorded on the object so a lost Pod can be rebuilt from its Service record. */
export function requestRecord(req: CreateSandboxRequest): string {
  return JSON.stringify(req);
}

/**
 * The host directory of a thread's user data in hostPath mode: DeerFlow 2.x keeps thread data per
 * user (`{DEER_FLOW_HOME}/users/{user_id}/threads/{thread_id}/user-data`, deerflow/config/paths.py),
 * the same layout the PVC mode mounts by subPath. Without DEER_FLOW_HOST_BASE_DIR the upstream
 * provisioner's `THREADS_HOST_PATH/{thread_id}/user-data` is kept.
 */
export function userDataHostPath(cfg: Pick<Config, 'deerFlowHostBaseDir' | 'threadsHostPath'>, userId: string, threadId: string): string {
  if (cfg.deerFlowHostBaseDir !== '') return joinHostPath(cfg.deerFlowHostBaseDir, 'users', userId, 'threads', threadId, 'user-data');
  return joinHostPath(cfg.threadsHostPath, threadId, 'user-data');
}

/** Upstream's readiness tolerance (3 failures 5 s apart): a Pod leaves its endpoints after this long failing. */
export const READINESS_TOLERANCE_SECONDS = 15;

/**
 * Probed from container start every `periodSeconds` (upstream waits 5 s, then probes every 5 s:
 * a sandbox that answers at once is still unreachable for 5–10 s, since DeerFlow's URL names only
 * Ready Pods). The failure threshold keeps upstream's tolerance whatever the period.
 */
export function readinessProbe(port: number, periodSeconds: number): NonNullable<V1Container['readinessProbe']> {
  return {
    httpGet: { path: '/v1/sandbox', port },
    initialDelaySeconds: 0,
    periodSeconds,
    timeoutSeconds: Math.min(3, periodSeconds),
    failureThreshold: Math.ceil(READINESS_TOLERANCE_SECONDS / periodSeconds),
  };
}

export function buildPod(req: CreateSandboxRequest, mounts: ResolvedMounts, ctx: BuildContext): V1Pod {
  const { cfg } = ctx;
  const userId = req.user_id;
  const threadId = req.thread_id ?? req.sandbox_id;
  const base = cfg.deerFlowHostBaseDir;
  const volumes: V1Volume[] = [];
  const sandboxMounts: V1VolumeMount[] = [];

  if (cfg.skillsPvcName === '') {
    const skills: [string, string, string][] = [
      ['skills-public', joinHostPath(base, 'skills_view', 'public'), '/mnt/skills/public'],
      ['skills-custom', joinHostPath(base, 'users', userId, 'skills_view', 'custom'), '/mnt/skills/custom'],
      ['skills-legacy', joinHostPath(base, 'users', userId, 'skills_view', 'legacy'), '/mnt/skills/legacy'],
    ];
    for (const [name, path, mountPath] of skills) {
      volumes.push({ name, hostPath: { path, type: 'Directory' } });
      sandboxMounts.push(mount(name, mountPath, true));
    }
  } else {
    volumes.push({ name: 'skills', persistentVolumeClaim: { claimName: cfg.skillsPvcName, readOnly: true } });
    const sub = cfg.skillsPvcSubpathTemplate === '' ? undefined : formatSubpath(cfg.skillsPvcSubpathTemplate, userId, threadId);
    // Upstream mounts the whole PVC read-only at /mnt/skills. DeerFlow also asks for per-user
    // mounts beneath it (/mnt/skills/custom, /mnt/skills/integrations): the runtime cannot make
    // their mountpoints inside a read-only volume (runc: "mkdir …/mnt/skills/integrations:
    // read-only file system"), so the Pod never starts. With such a mount the PVC's `public/` goes
    // to /mnt/skills/public instead, the hostPath mode's layout, and the rest are DeerFlow's own.
    const nested = mounts.sandbox.some((m) => m.container_path.startsWith('/mnt/skills/'));
    if (nested) sandboxMounts.push(mount('skills', '/mnt/skills/public', true, sub === undefined ? 'public' : `${sub.replace(/\/+$/, '')}/public`));
    else sandboxMounts.push(mount('skills', '/mnt/skills', true, sub));
  }

  if (cfg.userdataPvcName === '') {
    volumes.push({ name: 'user-data', hostPath: { path: userDataHostPath(cfg, userId, threadId), type: 'DirectoryOrCreate' } });
    sandboxMounts.push(mount('user-data', '/mnt/user-data', false));
  } else {
    volumes.push({ name: 'user-data', persistentVolumeClaim: { claimName: cfg.userdataPvcName } });
    sandboxMounts.push(mount('user-data', '/mnt/user-data', false, `deer-flow/users/${userId}/threads/${threadId}/user-data`));
  }

  // Upstream also mounts an allow-listed extra mount at a path a built-in mount already uses
  // (hostPath skills + /mnt/skills/custom) and Kubernetes rejects the duplicate mountPath; the
  // built-in mount wins here.
  const taken = new Set(sandboxMounts.map((m) => m.mountPath));
  mounts.sandbox.forEach((m, i) => {
    if (taken.has(m.container_path)) return;
    const { volume, subPath } = extraVolume(m, `extra-${i}`, cfg);
    volumes.push(volume);
    sandboxMounts.push(mount(volume.name, m.container_path, m.read_only, subPath));
  });

  const { lark } = mounts;
  if (lark.runtime || lark.broker) {
    volumes.push({ name: 'lark-cli-runtime', emptyDir: {} });
    sandboxMounts.push(mount('lark-cli-runtime', LARK_RUNTIME_PATH, true));
  }
  const brokerMounts: V1VolumeMount[] = [];
  if (lark.broker) {
    for (const m of mounts.brokerCredentials) {
      const name = CREDENTIAL_VOLUMES[m.container_path] as string;
      const { volume, subPath } = extraVolume(m, name, cfg);
      volumes.push(volume);
      brokerMounts.push(mount(name, SIDECAR_PATHS[m.container_path] as string, m.read_only, subPath));
    }
  }

  const hardened = { privileged: false, allowPrivilegeEscalation: false };
  const port = cfg.containerPort;
  const sandbox: V1Container = {
    name: 'sandbox',
    image: cfg.sandboxImage,
    imagePullPolicy: cfg.imagePullPolicy,
    ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }],
    readinessProbe: readinessProbe(port, cfg.pod.readinessPeriodSeconds),
    livenessProbe: { httpGet: { path: '/v1/sandbox', port }, initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
    resources: cfg.pod.resources,
    securityContext: { ...hardened },
    volumeMounts: sandboxMounts,
  };
  if (lark.broker) sandbox.env = [{ name: 'DEERFLOW_LARK_BROKER_URL', value: LARK_BROKER_URL }];

  const containers: V1Container[] = [sandbox];
  const initContainers: V1Container[] = [];
  const initMount = mount('lark-cli-runtime', LARK_RUNTIME_PATH, false);
  const runtimeEnv = [{ name: 'LARK_CLI_RUNTIME_DEST', value: LARK_RUNTIME_PATH }];
  if (lark.broker) {
    initContainers.push({
      name: 'lark-cli-shim-init',
      image: cfg.larkCliBrokerImage,
      imagePullPolicy: cfg.imagePullPolicy,
      args: ['install-shim', LARK_RUNTIME_PATH],
      env: runtimeEnv,
      securityContext: { ...hardened },
      volumeMounts: [initMount],
    });
    const env = [
      { name: 'LARKSUITE_CLI_CONFIG_DIR', value: '/var/lark/config' },
      { name: 'LARKSUITE_CLI_DATA_DIR', value: '/var/lark/data' },
    ];
    if (cfg.larkBrokerDenySubcommands !== '') env.push({ name: 'DEERFLOW_LARK_BROKER_DENY_SUBCOMMANDS', value: cfg.larkBrokerDenySubcommands });
    containers.push({
      name: 'lark-cli-broker',
      image: cfg.larkCliBrokerImage,
      imagePullPolicy: cfg.imagePullPolicy,
      args: ['serve'],
      env,
      securityContext: { ...hardened },
      volumeMounts: brokerMounts,
    });
  } else if (lark.runtime) {
    initContainers.push({
      name: 'lark-cli-init',
      image: cfg.larkCliInitImage,
      imagePullPolicy: cfg.imagePullPolicy,
      env: runtimeEnv,
      securityContext: { ...hardened },
      volumeMounts: [initMount],
    });
  }

  const now = ctx.now.toISOString();
  const name = podName(req.sandbox_id);
  const p = cfg.pod;
  const pod: V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: cfg.namespace,
      labels: sandboxLabels(req.sandbox_id, cfg.release, p.extraLabels),
      annotations: {
        ...p.extraAnnotations,
        [ANN_USER_ID]: userId,
        [ANN_THREAD_ID]: threadId,
        [ANN_CREATED_AT]: now,
        [ANN_LAST_TOUCH]: now,
        [ANN_RELEASE]: cfg.release,
        [ANN_REQUEST]: requestRecord(req),
      },
      ...(ctx.ownerReference ? { ownerReferences: [ctx.ownerReference] } : {}),
    },
    spec: {
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: cfg.terminationGracePeriodSeconds,
      ...(initContainers.length > 0 ? { initContainers } : {}),
      containers,
      volumes,
      automountServiceAccountToken: p.automountServiceAccountToken,
      enableServiceLinks: p.enableServiceLinks,
      securityContext: {
        seccompProfile: { type: 'RuntimeDefault' },
        ...(p.runAsNonRoot ? { runAsNonRoot: true } : {}),
        ...(p.runAsUser !== undefined ? { runAsUser: p.runAsUser } : {}),
      },
      ...(p.serviceAccountName ? { serviceAccountName: p.serviceAccountName } : {}),
      ...(p.runtimeClassName ? { runtimeClassName: p.runtimeClassName } : {}),
      ...(p.priorityClassName ? { priorityClassName: p.priorityClassName } : {}),
      ...(Object.keys(p.nodeSelector).length > 0 ? { nodeSelector: p.nodeSelector } : {}),
      ...(p.tolerations.length > 0 ? { tolerations: p.tolerations } : {}),
      ...(Object.keys(p.affinity).length > 0 ? { affinity: p.affinity } : {}),
      ...(p.imagePullSecrets.length > 0 ? { imagePullSecrets: p.imagePullSecrets.map((n) => ({ name: n })) } : {}),
      ...(cfg.serviceMode === 'Headless' ? { hostname: name, subdomain: cfg.headlessService } : {}),
    },
  };
  return pod;
}

export function buildService(req: CreateSandboxRequest, ctx: BuildContext): V1Service {
  const { cfg } = ctx;
  const now = ctx.now.toISOString();
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: serviceName(req.sandbox_id),
      namespace: cfg.namespace,
      labels: sandboxLabels(req.sandbox_id, cfg.release, cfg.pod.extraLabels),
      annotations: {
        [ANN_USER_ID]: req.user_id,
        [ANN_THREAD_ID]: req.thread_id ?? req.sandbox_id,
        [ANN_CREATED_AT]: now,
        [ANN_RELEASE]: cfg.release,
        [ANN_REQUEST]: requestRecord(req),
      },
      ...(ctx.ownerReference ? { ownerReferences: [ctx.ownerReference] } : {}),
    },
    spec: {
      type: cfg.serviceMode === 'NodePort' ? 'NodePort' : 'ClusterIP',
      ports: [{ name: 'http', port: cfg.containerPort, targetPort: cfg.containerPort, protocol: 'TCP' }],
      selector: { [LABEL_SANDBOX_ID]: req.sandbox_id },
    },
  };
}

/** Upstream `_url_from_service` for service modes; undefined means "no URL yet". */
export function urlFromService(svc: V1Service, cfg: Config): string | undefined {
  const name = svc.metadata?.name ?? '';
  if (cfg.serviceMode === 'ClusterIP') {
    return `http://${name}.${cfg.namespace}.svc.${cfg.clusterDomain}:${cfg.containerPort}`;
  }
  const port = (svc.spec?.ports ?? []).find((p) => p.name === 'http' && (p.nodePort ?? 0) > 0);
  return port ? `http://${cfg.nodeHost}:${port.nodePort}` : undefined;
}

export function headlessUrl(sandboxId: string, cfg: Config): string {
  return `http://${podName(sandboxId)}.${cfg.headlessService}.${cfg.namespace}.svc.${cfg.clusterDomain}:${cfg.containerPort}`;
}
