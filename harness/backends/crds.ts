// CRDs for the chart's optional kinds (KEDA, Istio, prometheus-operator), applied to every cluster.
import { resolveCrds } from '../tools.js';
import { kubectl } from './kubectl.js';

export async function installCrds(kubeconfig: string): Promise<number> {
  const files = await resolveCrds();
  for (const file of files) {
    await kubectl(kubeconfig, ['apply', '--server-side', '--force-conflicts', '-f', file]);
  }
  await kubectl(kubeconfig, ['wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all']);
  return files.length;
}
