// kubectl and helm bound to one cluster. What users do with the CLIs (apply, wait, rollout
// status, drain, exec, port-forward, logs, delete --wait, helm install) the harness does with the
// real CLIs rather than re-implementing it; `kubectl wait`/`rollout status` watch. Reading objects
// is the harness looking, not something a user does, so reads go through client-node's typed
// clients on the same kubeconfig: V1Pod, V1Deployment, ... with their optional fields, instead of
// `kubectl get -o json` cast to ad-hoc shapes.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import {
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
  type KubernetesObject,
  type V1ConfigMap,
  type V1Deployment,
  type V1Lease,
  type V1Node,
  type V1PersistentVolume,
  type V1PersistentVolumeClaim,
  type V1Pod,
  type V1Secret,
  type V1Service,
  type V1StatefulSet,
} from '@kubernetes/client-node';
import { KubeError, isNotFound } from '../../sandbox-agent/src/errors.js';
import { toKubeError } from '../../sandbox-agent/src/kube.js';
import { run, type RunOptions } from '../exec.js';
import { freePort } from '../ports.js';
import { resolveTool } from '../tools.js';
import { eventually } from '../wait.js';

/** A `kubectl port-forward` on a free local port. */
export interface PortForward {
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  running(): boolean;
  stop(): Promise<void>;
}

/** A cluster entry of a kubeconfig as `kubectl config view --minify --flatten` prints it (CA inlined). */
export interface KubeconfigCluster {
  server: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
  'proxy-url'?: string;
}

/** An object's name. Objects read from the API server always have one; the type does not say so. */
export function nameOf(object: KubernetesObject): string {
  const name = object.metadata?.name;
  if (!name) throw new Error(`a ${object.kind ?? 'Kubernetes object'} without metadata.name`);
  return name;
}

/** The Pod's Ready condition is True. */
export function podReady(pod: V1Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** One key of a Secret, decoded; undefined when there is no Secret or no such key. */
export function secretKey(secret: V1Secret | undefined, key: string): string | undefined {
  const raw = secret?.data?.[key];
  return raw === undefined ? undefined : Buffer.from(raw, 'base64').toString('utf8');
}

/** The read's object, or undefined when the API server answers 404; any other error is thrown. */
export async function unlessNotFound<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export class Kubectl {
  private constructor(
    readonly kubeconfig: string,
    private readonly config: KubeConfig,
    /**
     * Typed clients on the same kubeconfig, for what the read helpers below do not cover (their
     * errors are client-node's own; the helpers name what they read).
     */
    readonly core: CoreV1Api,
    readonly apps: AppsV1Api,
    readonly coordination: CoordinationV1Api,
    private readonly kubectlBin: string,
    private readonly helmBin: string,
    private readonly helmEnv: Record<string, string>,
  ) {}

  static async create(kubeconfig: string, helmEnv: Record<string, string> = {}): Promise<Kubectl> {
    const config = new KubeConfig();
    config.loadFromFile(kubeconfig);
    return new Kubectl(
      kubeconfig,
      config,
      config.makeApiClient(CoreV1Api),
      config.makeApiClient(AppsV1Api),
      config.makeApiClient(CoordinationV1Api),
      await resolveTool('kubectl'),
      await resolveTool('helm'),
      helmEnv,
    );
  }

  async run(args: string[], options: RunOptions = {}): Promise<string> {
    return (await run(this.kubectlBin, ['--kubeconfig', this.kubeconfig, ...args], options)).stdout;
  }

  /**
   * The current context's cluster, with a CA file inlined as data, or undefined when the
   * kubeconfig has no current cluster.
   */
  async currentCluster(): Promise<KubeconfigCluster | undefined> {
    const cluster = this.config.getCurrentCluster();
    if (!cluster) return undefined;
    const caData = cluster.caData ?? (cluster.caFile ? (await readFile(cluster.caFile)).toString('base64') : undefined);
    return {
      server: cluster.server,
      ...(caData ? { 'certificate-authority-data': caData } : {}),
      ...(cluster.skipTLSVerify ? { 'insecure-skip-tls-verify': true } : {}),
      ...(cluster.tlsServerName ? { 'tls-server-name': cluster.tlsServerName } : {}),
      ...(cluster.proxyUrl ? { 'proxy-url': cluster.proxyUrl } : {}),
    };
  }

  /** Pods matching `selector` in `namespace`, or in every namespace when it is undefined. */
  pods(namespace: string | undefined, selector: string): Promise<V1Pod[]> {
    if (namespace === undefined) return this.items(`Pods in all namespaces (${selector})`, () => this.core.listPodForAllNamespaces({ labelSelector: selector }));
    return this.items(`Pods in ${namespace} (${selector})`, () => this.core.listNamespacedPod({ namespace, labelSelector: selector }));
  }

  pod(namespace: string, name: string): Promise<V1Pod> {
    return this.read(`Pod ${namespace}/${name}`, () => this.core.readNamespacedPod({ name, namespace }));
  }

  services(namespace: string, selector: string): Promise<V1Service[]> {
    return this.items(`Services in ${namespace} (${selector})`, () => this.core.listNamespacedService({ namespace, labelSelector: selector }));
  }

  service(namespace: string, name: string): Promise<V1Service> {
    return this.read(`Service ${namespace}/${name}`, () => this.core.readNamespacedService({ name, namespace }));
  }

  deployments(namespace: string, selector: string): Promise<V1Deployment[]> {
    return this.items(`Deployments in ${namespace} (${selector})`, () => this.apps.listNamespacedDeployment({ namespace, labelSelector: selector }));
  }

  statefulSets(namespace: string, selector: string): Promise<V1StatefulSet[]> {
    return this.items(`StatefulSets in ${namespace} (${selector})`, () => this.apps.listNamespacedStatefulSet({ namespace, labelSelector: selector }));
  }

  persistentVolumeClaims(namespace: string, selector: string): Promise<V1PersistentVolumeClaim[]> {
    return this.items(`PVCs in ${namespace} (${selector})`, () => this.core.listNamespacedPersistentVolumeClaim({ namespace, labelSelector: selector }));
  }

  persistentVolume(name: string): Promise<V1PersistentVolume> {
    return this.read(`PersistentVolume ${name}`, () => this.core.readPersistentVolume({ name }));
  }

  node(name: string): Promise<V1Node> {
    return this.read(`Node ${name}`, () => this.core.readNode({ name }));
  }

  lease(namespace: string, name: string): Promise<V1Lease> {
    return this.read(`Lease ${namespace}/${name}`, () => this.coordination.readNamespacedLease({ name, namespace }));
  }

  configMap(namespace: string, name: string): Promise<V1ConfigMap> {
    return this.read(`ConfigMap ${namespace}/${name}`, () => this.core.readNamespacedConfigMap({ name, namespace }));
  }

  secret(namespace: string, name: string): Promise<V1Secret> {
    return this.read(`Secret ${namespace}/${name}`, () => this.core.readNamespacedSecret({ name, namespace }));
  }

  /** One key of a Secret, decoded; throws naming the Secret and key when it is missing. */
  async secretValue(namespace: string, name: string, key: string): Promise<string> {
    const value = secretKey(await this.secret(namespace, name), key);
    if (value === undefined) throw new Error(`Secret ${namespace}/${name} has no key ${key}`);
    return value;
  }

  /**
   * One API read. Its error names what was read and says what the API server said, where
   * client-node's own message is an HTTP dump that starts `HTTP-Code: 404` (the first line is what
   * the JUnit report keeps); the status stays on the error for `unlessNotFound`.
   */
  private async read<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const kubeError = toKubeError(error);
      throw new KubeError(kubeError.status, kubeError.reason, `reading ${what}: ${kubeError.message}`);
    }
  }

  private async items<T>(what: string, call: () => Promise<{ items: T[] }>): Promise<T[]> {
    return (await this.read(what, call)).items;
  }

  async apply(manifest: unknown): Promise<void> {
    await this.run(['apply', '-f', '-'], { input: typeof manifest === 'string' ? manifest : JSON.stringify(manifest) });
  }

  async helm(args: string[], options: RunOptions = {}): Promise<string> {
    return (await run(this.helmBin, ['--kubeconfig', this.kubeconfig, ...args], { ...options, env: { ...this.helmEnv, ...options.env } })).stdout;
  }

  /**
   * `kubectl port-forward -n namespace target local:remotePort` (target `svc/x` or `pod/x`),
   * resolved once `readyPath` answers through it (with `readyStatus` when given, else any HTTP
   * status); stopped and thrown otherwise.
   */
  async portForward(namespace: string, target: string, remotePort: number, readyPath: string, readyStatus?: number, timeoutMs = 30_000): Promise<PortForward> {
    const port = await freePort('127.0.0.1');
    const child = spawn(this.kubectlBin, ['--kubeconfig', this.kubeconfig, 'port-forward', '-n', namespace, target, `${port}:${remotePort}`], { stdio: 'ignore' });
    const url = `http://127.0.0.1:${port}`;
    const running = () => child.exitCode === null && child.signalCode === null;
    const stop = async () => {
      if (!running()) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    };
    await eventually(`kubectl port-forward to ${namespace}/${target}:${remotePort} (${readyPath})`, timeoutMs, async () => {
      if (!running()) throw new Error(`kubectl port-forward to ${target} exited`);
      const res = await fetch(`${url}${readyPath}`, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
      return res !== undefined && (readyStatus === undefined || res.status === readyStatus);
    }, 250).catch(async (error: unknown) => {
      await stop();
      throw error;
    });
    return { port, url, running, stop };
  }

  /** Creates a namespace if missing (idempotent). */
  async ensureNamespace(name: string, labels: Record<string, string> = {}): Promise<void> {
    await this.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
  }
}
