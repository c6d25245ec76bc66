// Vitest global setup for the `cluster` project: one local control plane per run, shared by all
// cluster test files. A cluster that was already running (make cluster-up) is reused and left
// running; one this setup created is torn down afterwards unless KEEP=1.
import type { TestProject } from 'vitest/node';
import { LocalBackend, type ClusterInfo } from './cluster.js';
import { log } from './progress.js';
import './vitest-context.js';

let info: ClusterInfo | undefined;
const backend = new LocalBackend();

export async function setup(project: TestProject): Promise<void> {
  info = await backend.up();
  process.env.KUBECONFIG = info.kubeconfig;
  project.provide('kubeconfig', info.kubeconfig);
  project.provide('clusterName', info.name);
}

export async function teardown(): Promise<void> {
  if (!info?.created) return;
  if (process.env.KEEP === '1') {
    log('cluster', `KEEP=1: leaving the cluster running; kubectl --kubeconfig ${info.kubeconfig} get nodes; make cluster-down to stop it`);
    return;
  }
  await backend.down();
}
