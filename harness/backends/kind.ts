// The kind backend: real nodes in containers (needs a container engine). Real upstream images.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClusterBackend, ClusterInfo } from '../cluster.js';
import { clusterName } from '../cluster-name.js';
import { run } from '../exec.js';
import { step } from '../progress.js';
import { cacheRoot, resolveTool } from '../tools.js';
import { installCrds } from './crds.js';

const HARNESS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export class KindBackend implements ClusterBackend {
  readonly name = 'kind' as const;
  readonly configFile = path.join(HARNESS_DIR, 'kind-config.yaml');

  constructor(private readonly clusterNameValue = clusterName()) {}

  get kubeconfig(): string {
    return path.join(cacheRoot(), 'kind', this.clusterNameValue, 'kubeconfig.yaml');
  }

  private async clusters(): Promise<string[]> {
    const kind = await resolveTool('kind');
    return (await run(kind, ['get', 'clusters'])).stdout.split('\n').filter(Boolean);
  }

  async current(): Promise<ClusterInfo | undefined> {
    if (!(await this.clusters()).includes(this.clusterNameValue)) return undefined;
    return { backend: 'kind', name: this.clusterNameValue, kubeconfig: this.kubeconfig, created: false };
  }

  async up(): Promise<ClusterInfo> {
    const kind = await resolveTool('kind');
    const existing = await this.current();
    if (existing) {
      await run(kind, ['export', 'kubeconfig', '--name', this.clusterNameValue, '--kubeconfig', this.kubeconfig]);
      return existing;
    }
    await step('cluster', `creating kind cluster "${this.clusterNameValue}" (1 control plane, 2 workers)`, () =>
      run(kind, ['create', 'cluster', '--name', this.clusterNameValue, '--config', this.configFile, '--kubeconfig', this.kubeconfig, '--wait', '180s']),
    );
    await installCrds(this.kubeconfig);
    return { backend: 'kind', name: this.clusterNameValue, kubeconfig: this.kubeconfig, created: true };
  }

  /** Makes a locally built image available to the nodes (no registry involved). */
  async loadImage(image: string): Promise<void> {
    await run(await resolveTool('kind'), ['load', 'docker-image', image, '--name', this.clusterNameValue]);
  }

  async down(): Promise<void> {
    const kind = await resolveTool('kind');
    await run(kind, ['delete', 'cluster', '--name', this.clusterNameValue, '--kubeconfig', this.kubeconfig]);
    await rm(path.dirname(this.kubeconfig), { recursive: true, force: true });
  }
}
