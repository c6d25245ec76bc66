/** ServiceAccount and PodDisruptionBudget of every component in the registry (components.ts). */
import { ALL_COMPONENTS } from '../../components.js';
import type { TemplateModule } from '../lib/types.js';
import { podDisruptionBudget, serviceAccount } from '../lib/workload.js';

const SRC = 'generator/templates/workloads/index.ts';

export const workloadTemplates: TemplateModule[] = ALL_COMPONENTS.flatMap((c) => [
  { path: `${c.dir}/serviceaccount.yaml`, source: SRC, render: () => serviceAccount(SRC, c) },
  ...(c.pdb ? [{ path: `${c.dir}/pdb.yaml`, source: SRC, render: () => podDisruptionBudget(SRC, c) }] : []),
]);
