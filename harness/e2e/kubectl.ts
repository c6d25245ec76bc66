// kubectl and helm bound to one cluster. The harness uses the real CLIs users use (apply, wait,
// drain, helm install) rather than re-implementing them; `kubectl wait`/`rollout status` watch.
import { run, type RunOptions } from '../exec.js';
import { resolveTool } from '../tools.js';

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

  async apply(manifest: unknown): Promise<void> {
    await this.run(['apply', '-f', '-'], { input: typeof manifest === 'string' ? manifest : JSON.stringify(manifest) });
  }

  async helm(args: string[], options: RunOptions = {}): Promise<string> {
    return (await run(this.helmBin, ['--kubeconfig', this.kubeconfig, ...args], { ...options, env: { ...this.helmEnv, ...options.env } })).stdout;
  }

  /** Creates a namespace if missing (idempotent). */
  async ensureNamespace(name: string, labels: Record<string, string> = {}): Promise<void> {
    await this.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
  }
}
