// Test clusters behind one small interface (one module per backend under harness/backends):
// `local` runs a real control plane from our pinned binaries with kwok nodes and, where the
// machine allows it, one real kubelet node; `kind` runs real nodes in containers.
import { clusterName } from './cluster-name.js';
import { succeeds } from './exec.js';
import { KindBackend } from './backends/kind.js';
import { LocalBackend } from './backends/local.js';

export type BackendName = 'local' | 'kind';

export interface ClusterInfo {
  backend: BackendName;
  name: string;
  kubeconfig: string;
  /** True when this call created the cluster (callers that did should also tear it down). */
  created: boolean;
  /** The real node's name when the cluster has one (local backend). */
  realNode?: string;
}

export interface ClusterBackend {
  readonly name: BackendName;
  up(): Promise<ClusterInfo>;
  down(): Promise<void>;
  /** The running cluster, if any, without changing anything. */
  current(): Promise<ClusterInfo | undefined>;
}


/** A container engine that answers (not just a client on PATH). */
export async function containerEngineAnswers(): Promise<boolean> {
  return (await succeeds('docker', ['info'], { timeoutMs: 10_000 })) || (await succeeds('podman', ['info'], { timeoutMs: 10_000 }));
}

export async function selectBackend(requested = process.env.CLUSTER): Promise<ClusterBackend> {
  if (requested === 'local') return new LocalBackend(clusterName());
  if (requested === 'kind') return new KindBackend(clusterName());
  if (requested) throw new Error(`CLUSTER="${requested}" is not a backend; use CLUSTER=kind or CLUSTER=local`);
  return (await containerEngineAnswers()) ? new KindBackend(clusterName()) : new LocalBackend(clusterName());
}

export { KindBackend, LocalBackend };
export { FAKE_NODE_ZONES, componentLogTail, fakeNodeManifest } from './backends/local.js';
export { clusterName };
