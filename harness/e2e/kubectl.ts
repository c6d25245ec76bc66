// kubectl and helm bound to one cluster. The harness uses the real CLIs users use (apply, wait,
// drain, helm install) rather than re-implementing them; `kubectl wait`/`rollout status` watch.
import { spawn } from 'node:child_process';
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

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    ownerReferences?: { kind: string; name: string; uid: string }[];
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export class Kubectl {
  private constructor(
    readonly kubeconfig: string,
    private readonly kubectlBin: string,
    private readonly helmBin: string,
    private readonly helmEnv: Record<string, string>,
  ) {}

  static async create(kubeconfig: string, helmEnv: Record<string, string> = {}): Promise<Kubectl> {
    return new Kubectl(kubeconfig, await resolveTool('kubectl'), await resolveTool('helm'), helmEnv);
  }

  async run(args: string[], options: RunOptions = {}): Promise<string> {
    return (await run(this.kubectlBin, ['--kubeconfig', this.kubeconfig, ...args], options)).stdout;
  }

  async json<T>(args: string[]): Promise<T> {
    return JSON.parse(await this.run([...args, '-o', 'json'])) as T;
  }

  async list(kind: string, namespace: string | undefined, selector?: string): Promise<KubeObject[]> {
    const args = ['get', kind, ...(namespace ? ['-n', namespace] : ['-A'])];
    if (selector) args.push('-l', selector);
    return (await this.json<{ items: KubeObject[] }>(args)).items;
  }

  /** One key of a Secret, decoded; throws naming the Secret and key when it is missing. */
  async secretValue(namespace: string, name: string, key: string): Promise<string> {
    const secret = await this.json<{ data?: Record<string, string> }>(['get', 'secret', name, '-n', namespace]);
    const raw = secret.data?.[key];
    if (raw === undefined) throw new Error(`Secret ${namespace}/${name} has no key ${key}`);
    return Buffer.from(raw, 'base64').toString('utf8');
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
