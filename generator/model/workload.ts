/**
 * Shared builders for the per-workload values blocks. Every component module composes its
 * subtree from these so the same knobs (image, probes, security, scheduling, hooks, PDB,
 * ServiceAccount, Service) look and validate the same everywhere.
 */
import type { Component } from '../components.js';
import { arr, bool, enumOf, group, int, obj, patterns, str } from './builders.js';
import { registryHost, tag } from './formats.js';
import * as k8s from './k8s.js';
import type { Group, ValueNode } from './types.js';

export interface ImageDefaults {
  readonly registry: string;
  readonly repository: string;
  readonly tag: string;
}

/** `pullPolicy: false` for images the chart does not put into a Pod spec itself (the agent sets it). */
export function image(def: ImageDefaults, what: string, opts: { readonly pullPolicy?: boolean } = {}): Group {
  const pullPolicy = opts.pullPolicy ?? true;
  return group(`Container image for ${what}.`, {
    registry: str(def.registry, 'Image registry host[:port], no scheme or path (overridden by `global.imageRegistry` when that is set).', { pattern: registryHost }),
    repository: str(def.repository, 'Image repository.', { minLength: 1, pattern: '^[a-z0-9]+([._/-][a-z0-9]+)*$' }),
    tag: str(def.tag, 'Image tag. Must be pinned (a version such as `v2.1.0` or `16.10-alpine`) unless `digest` is set; floating tags (`latest`, `alpine`, `stable`, `16`) fail rendering.', { pattern: tag }),
    digest: str('', 'Image digest (`sha256:...`). When set it is used together with the tag (`repo:tag@digest`).', { pattern: patterns.digest }),
    ...(pullPolicy ? { pullPolicy: enumOf(['IfNotPresent', 'Always', 'Never'], 'IfNotPresent', 'Image pull policy.') } : {}),
  });
}

export interface ProbeDefaults {
  readonly initialDelaySeconds: number;
  readonly periodSeconds: number;
  readonly timeoutSeconds: number;
  readonly failureThreshold: number;
}

export function probe(kind: 'startup' | 'readiness' | 'liveness', def: ProbeDefaults): Group {
  return group(`${kind[0]!.toUpperCase()}${kind.slice(1)} probe timing (the handler is fixed by the chart).`, {
    enabled: bool(true, `Enable the ${kind} probe.`),
    initialDelaySeconds: int(def.initialDelaySeconds, 'Seconds before the first probe.', { minimum: 0, maximum: 3600 }),
    periodSeconds: int(def.periodSeconds, 'Seconds between probes.', { minimum: 1, maximum: 3600 }),
    timeoutSeconds: int(def.timeoutSeconds, 'Probe timeout in seconds.', { minimum: 1, maximum: 600 }),
    failureThreshold: int(def.failureThreshold, 'Consecutive failures before the probe fails.', { minimum: 1, maximum: 1000 }),
  });
}

export interface SecurityDefaults {
  readonly uid: number;
  readonly gid: number;
  readonly readOnlyRootFilesystem: boolean;
}

export function podSecurityContext(def: SecurityDefaults): ValueNode {
  return obj(
    { runAsNonRoot: true, runAsUser: def.uid, runAsGroup: def.gid, fsGroup: def.gid, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' } },
    'Pod securityContext. Non-root with the RuntimeDefault seccomp profile by default.',
    k8s.podSecurityContext,
  );
}

export function containerSecurityContext(def: SecurityDefaults): ValueNode {
  return obj(
    {
      runAsNonRoot: true,
      runAsUser: def.uid,
      runAsGroup: def.gid,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: def.readOnlyRootFilesystem,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    'Container securityContext: drop ALL capabilities, no privilege escalation, read-only root filesystem where the app allows it.',
    k8s.containerSecurityContext,
  );
}

export function scheduling(what: string, spread: readonly unknown[] = []): Record<string, ValueNode> {
  return {
    nodeSelector: obj({}, `Node labels for ${what} Pod assignment.`, k8s.labels),
    tolerations: arr([], `Tolerations for ${what} Pods.`, k8s.toleration),
    affinity: obj({}, `Affinity for ${what} Pods.`, k8s.affinity),
    topologySpreadConstraints: arr(
      spread,
      `Topology spread constraints for ${what} Pods. A constraint without \`labelSelector\` gets the component's selector labels.`,
      k8s.topologySpreadConstraint,
    ),
    priorityClassName: str('', `PriorityClass for ${what} Pods.`, { pattern: patterns.dnsSubdomain }),
  };
}

export function hooks(what: string): Record<string, ValueNode> {
  return {
    podAnnotations: obj({}, `Extra annotations for ${what} Pods.`, k8s.annotations),
    podLabels: obj({}, `Extra labels for ${what} Pods.`, k8s.labels),
    extraEnv: arr([], `Extra environment variables for the ${what} container.`, k8s.envVar),
    extraEnvFrom: arr([], `Extra envFrom sources for the ${what} container.`, k8s.envFromSource),
    extraVolumes: arr([], `Extra volumes for ${what} Pods.`, k8s.volume),
    extraVolumeMounts: arr([], `Extra volume mounts for the ${what} container.`, k8s.volumeMount),
  };
}

/** Container overrides: command/args, lifecycle hooks, and extra containers (bitnami-style). */
export function containerExtras(what: string): Record<string, ValueNode> {
  return {
    command: arr([], `Replaces the ${what} container's command (empty keeps the chart's).`, { type: 'string' }),
    args: arr([], `Replaces the ${what} container's args (empty keeps the chart's).`, { type: 'string' }),
    lifecycleHooks: obj({}, `Lifecycle hooks of the ${what} container (\`postStart\`, \`preStop\`). When set they replace the chart's preStop sleep.`, k8s.lifecycle),
    initContainers: arr([], `Extra init containers for ${what} Pods, after the chart's. Their resources count like the main container's (LimitRange, ResourceQuota).`, k8s.extraContainer),
    sidecars: arr([], `Extra containers in ${what} Pods. Their resources count like the main container's (LimitRange, ResourceQuota).`, k8s.extraContainer),
  };
}

/** Pod-level extension points (bitnami-style). */
export function podExtras(what: string, revisionHistoryLimit: number): Record<string, ValueNode> {
  return {
    hostAliases: arr([], `\`hostAliases\` (extra /etc/hosts entries) of ${what} Pods.`, k8s.hostAlias),
    dnsPolicy: enumOf(['', 'ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'], '', `DNS policy of ${what} Pods (empty: the cluster default, ClusterFirst). \`None\` needs \`dnsConfig.nameservers\`.`),
    dnsConfig: obj({}, `\`dnsConfig\` of ${what} Pods.`, k8s.dnsConfig),
    schedulerName: str('', `Scheduler for ${what} Pods (empty: the default scheduler).`, { pattern: patterns.dnsSubdomain }),
    revisionHistoryLimit: int(revisionHistoryLimit, 'Old revisions kept for rollbacks.', { minimum: 0, maximum: 100 }),
  };
}

export function pdb(what: string): Group {
  return group(`PodDisruptionBudget for ${what}.`, {
    enabled: bool(true, 'Create a PodDisruptionBudget.'),
    minAvailable: str('', 'Minimum available Pods (number or percentage). Takes precedence over `maxUnavailable` when set.', {
      schema: { type: ['integer', 'string'], pattern: '^([0-9]+%?)?$' },
    }),
    maxUnavailable: int(1, 'Maximum unavailable Pods (number or percentage).', {
      minimum: 0,
      schema: { type: ['integer', 'string'], pattern: '^[0-9]+%$' },
    }),
  });
}

export function serviceAccount(what: string, automount: boolean, why = ''): Group {
  return group(`ServiceAccount for ${what}.`, {
    create: bool(true, 'Create a ServiceAccount.'),
    name: str('', 'ServiceAccount name. Defaults to the component\'s full name; must exist when `create` is false.', { pattern: patterns.dnsSubdomain }),
    annotations: obj({}, 'ServiceAccount annotations (e.g. workload identity).', k8s.annotations),
    automountToken: bool(automount, `Mount the API token into ${what} Pods.${why}`),
  });
}

export function service(what: string, port: number, types: readonly string[] = ['ClusterIP']): Group {
  const children: Record<string, ValueNode> = {
    type: { kind: 'string', default: 'ClusterIP', description: `Service type for ${what}.`, enum: types },
    port: int(port, `Service port for ${what}.`, { minimum: 1, maximum: 65535 }),
    annotations: obj({}, 'Service annotations.', k8s.annotations),
  };
  return group(`Service for ${what}.`, children);
}

export interface WorkloadDefaults {
  /** The registry entry: decides `replicaCount`/`autoscaling` (autoscaled Deployments) and `pdb`. */
  readonly component: Component;
  readonly what: string;
  readonly image: ImageDefaults;
  /** Default replica count of a Deployment (1). */
  readonly replicaCount?: number;
  readonly resources: Readonly<Record<string, unknown>>;
  readonly probes: { readonly startup: ProbeDefaults; readonly readiness: ProbeDefaults; readonly liveness: ProbeDefaults };
  readonly security: SecurityDefaults;
  readonly terminationGracePeriodSeconds: number;
  readonly preStopSleepSeconds: number;
  readonly automountServiceAccountToken?: boolean;
  readonly automountWhy?: string;
  /** Default topology spread constraints (none). */
  readonly topologySpread?: readonly unknown[];
  /** Adds `podAntiAffinityPreset` with this default (used while `affinity` is empty). */
  readonly antiAffinity?: 'soft' | 'hard';
  /** Default autoscaling range (3–20). */
  readonly autoscalingRange?: AutoscalingRange;
}

export interface AutoscalingRange {
  readonly minReplicas: number;
  readonly maxReplicas: number;
}

/** Shared HPA `behavior` (also KEDA's `advanced.horizontalPodAutoscalerConfig.behavior`). */
function scalingRule(dir: 'up' | 'down', window: number, pods: number, period: number): Group {
  const verb = dir === 'up' ? 'Add' : 'Remove';
  return group(`Scale-${dir} behaviour.`, {
    stabilizationWindowSeconds: int(window, `Stabilisation window: the HPA uses the ${dir === 'up' ? 'lowest' : 'highest'} recommendation of this window.`, { minimum: 0, maximum: 3600 }),
    pods: int(pods, `${verb} at most this many Pods per \`periodSeconds\`.`, { minimum: 1, maximum: 1000 }),
    periodSeconds: int(period, 'Period of the Pods policy.', { minimum: 1, maximum: 1800 }),
  });
}

/**
 * Autoscaling for one Deployment: a shared range, metrics and behaviour, and two mutually
 * exclusive engines (an `autoscaling/v2` HPA or a KEDA ScaledObject). Either one drops
 * `replicas` from the Deployment.
 */
export function autoscaling(what: string, range: AutoscalingRange = { minReplicas: 3, maxReplicas: 20 }): Group {
  return group(`Autoscaling for ${what}. \`hpa.enabled\` and \`keda.enabled\` are mutually exclusive; with either on the Deployment omits \`replicas\`.`, {
    minReplicas: int(range.minReplicas, 'Lowest replica count.', { minimum: 1, maximum: 1000 }),
    maxReplicas: int(range.maxReplicas, 'Highest replica count.', { minimum: 1, maximum: 1000 }),
    targetCPUUtilizationPercentage: int(70, 'Average CPU utilisation target, percent of requests (0 disables the CPU metric/trigger).', { minimum: 0, maximum: 1000 }),
    targetMemoryUtilizationPercentage: int(80, 'Average memory utilisation target, percent of requests (0 disables the memory metric/trigger).', { minimum: 0, maximum: 1000 }),
    behavior: group('HPA `behavior` (KEDA: `advanced.horizontalPodAutoscalerConfig.behavior`).', {
      scaleUp: scalingRule('up', 60, 4, 60),
      scaleDown: scalingRule('down', 300, 2, 60),
    }),
    hpa: group('HorizontalPodAutoscaler (`autoscaling/v2`) on CPU and memory.', {
      enabled: bool(false, 'Create an HPA.'),
    }),
    keda: group('KEDA ScaledObject: CPU and memory triggers plus an optional Prometheus trigger (e.g. pending-request depth). Needs KEDA installed.', {
      enabled: bool(false, 'Create a ScaledObject.'),
      pollingInterval: int(30, 'Seconds between trigger checks.', { minimum: 1, maximum: 3600 }),
      cooldownPeriod: int(300, 'Seconds after the last active trigger before scaling to `minReplicas`.', { minimum: 0, maximum: 86400 }),
      prometheus: group('Prometheus trigger (on when `serverAddress` and `query` are set).', {
        serverAddress: str('', 'Prometheus URL, e.g. `http://prometheus-operated.monitoring.svc:9090`.', { pattern: '^(https?://[^\\s]+)?$' }),
        query: str('', 'PromQL returning one value, e.g. `sum(deerflow_pending_requests{namespace="tenant-acme"})`.'),
        threshold: str('10', 'Target value per replica (KEDA `threshold`, AverageValue).', { pattern: '^[0-9]+(\\.[0-9]+)?$' }),
        activationThreshold: str('0', 'Activation threshold (KEDA `activationThreshold`).', { pattern: '^[0-9]+(\\.[0-9]+)?$' }),
      }),
      fallback: group('KEDA `fallback`: replicas to hold while the Prometheus trigger fails. Needs the Prometheus trigger (KEDA refuses fallback on CPU/memory-only ScaledObjects).', {
        failureThreshold: int(3, 'Consecutive trigger failures before falling back.', { minimum: 1, maximum: 100 }),
        replicas: int(0, 'Replicas during fallback (0 disables `fallback`).', { minimum: 0, maximum: 1000 }),
      }),
    }),
  });
}

/** The common block every Deployment/StatefulSet component carries. */
export function workload(def: WorkloadDefaults): Record<string, ValueNode> {
  const out: Record<string, ValueNode> = {};
  const { component } = def;
  if (component.kind === 'Deployment') {
    out.replicaCount = int(def.replicaCount ?? 1, `Number of ${def.what} replicas${component.autoscaled ? ' (ignored while autoscaling is on)' : ''}.`, { minimum: 0, maximum: 100 });
  }
  if (component.autoscaled) out.autoscaling = autoscaling(def.what, def.autoscalingRange);
  Object.assign(out, {
    image: image(def.image, def.what),
    resources: obj(def.resources, `Resource requests and limits for the ${def.what} container.`, k8s.resources),
    startupProbe: probe('startup', def.probes.startup),
    readinessProbe: probe('readiness', def.probes.readiness),
    livenessProbe: probe('liveness', def.probes.liveness),
    terminationGracePeriodSeconds: int(def.terminationGracePeriodSeconds, 'Grace period for the Pod to shut down.', { minimum: 0, maximum: 3600 }),
    preStopSleepSeconds: int(def.preStopSleepSeconds, 'preStop sleep so endpoints are removed before the process gets SIGTERM (0 disables).', { minimum: 0, maximum: 600 }),
    podSecurityContext: podSecurityContext(def.security),
    containerSecurityContext: containerSecurityContext(def.security),
    ...containerExtras(def.what),
    ...scheduling(def.what, def.topologySpread),
    ...(def.antiAffinity !== undefined
      ? { podAntiAffinityPreset: enumOf(['', 'soft', 'hard'], def.antiAffinity, `Pod anti-affinity on \`kubernetes.io/hostname\` for ${def.what} Pods while \`affinity\` is empty: \`soft\` (preferred), \`hard\` (required: needs as many nodes as replicas) or empty (none).`) }
      : {}),
    ...podExtras(def.what, component.kind === 'Deployment' ? 5 : 10),
    ...hooks(def.what),
    ...(component.pdb ? { pdb: pdb(def.what) } : {}),
    serviceAccount: serviceAccount(def.what, def.automountServiceAccountToken ?? false, def.automountWhy ?? ''),
  });
  return out;
}
