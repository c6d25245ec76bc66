// The chart's own cold-start objects in the real-Pod benchmarks: rendered by helm from chart/
// (contenders.ts renderChart) and applied as they are, a PriorityClass and the workload that uses
// it (the pre-puller's DaemonSet, the placeholders' Deployment).
import { KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { imageValues } from '../../harness/e2e/real-node.js';
import { waitFor } from '../../harness/wait.js';
import { renderChart } from './contenders.js';
import type { PodWatch } from './real-pods.js';

/** `--set` pairs pointing `sandbox.pauseImage` at an image already on the node (never pulled). */
export function pauseImageSets(reference: string): string[] {
  return [...Object.entries(imageValues(reference)).map(([k, v]) => `sandbox.pauseImage.${k}=${v}`), 'sandbox.pauseImage.pullPolicy=Never'];
}

/** The rendered workload, created and removed when the bench needs it. */
export interface ChartWorkload {
  create(): Promise<void>;
  /** Deletes the workload in the foreground; resolves once it and its Pods are gone. */
  remove(): Promise<void>;
}

/**
 * Renders `templates` (a PriorityClass, then one workload of `kind` whose Pods carry
 * `app.kubernetes.io/component: component`) in `namespace` and creates the PriorityClass; both are
 * deleted at cleanup.
 */
export async function chartWorkload(o: { kc: KubeConfig; namespace: string; templates: readonly string[]; sets: readonly string[]; kind: string; component: string; watch: PodWatch; cleanups: (() => Promise<unknown>)[] }): Promise<ChartWorkload> {
  const rendered = (await renderChart(o.templates, o.sets, o.namespace)) as KubernetesObject[];
  const kinds = rendered.map((m) => m.kind).join(',');
  if (kinds !== `PriorityClass,${o.kind}`) throw new Error(`the chart rendered ${kinds} for ${o.component}, not a PriorityClass and a ${o.kind}`);
  const [priorityClass, manifest] = rendered as [KubernetesObject, KubernetesObject];
  const objects = KubernetesObjectApi.makeApiClient(o.kc);
  await objects.create(priorityClass);
  o.cleanups.unshift(() => objects.delete(priorityClass));
  const header = { apiVersion: manifest.apiVersion, kind: manifest.kind, metadata: { name: manifest.metadata?.name as string, namespace: o.namespace } };
  const remove = async () => {
    await objects.delete(manifest, undefined, undefined, undefined, undefined, 'Foreground').catch(() => undefined);
    await waitFor(`${o.component} and its Pods to be gone`, 60_000, async () => o.watch.component(o.component).length === 0 && (await objects.read(header).then(() => false, () => true)), 200);
  };
  o.cleanups.unshift(remove);
  return { create: async () => void (await objects.create(manifest)), remove };
}
