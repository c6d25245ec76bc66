// Installing releases the way users do, waiting for them with a timeout, and — when they do not
// become available — a diagnosis kept under .e2e/ (events, describe, agent logs).
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { describeError } from './report.js';
import { type Kubectl, nameOf, podReady } from './kubectl.js';

export const STATIC_STORAGE_CLASS = 'antler-e2e-static';

export interface ReleaseSpec {
  release: string;
  namespace: string;
  /** `antler-e2e/deerflow` (HTTP repo) or `oci://127.0.0.1:port/charts/deerflow`. */
  chartRef: string;
  valuesFiles: string[];
  extraArgs?: string[];
}

/**
 * A pool of statically provisioned volumes: the local backend has no storage provisioner, so
 * PVCs of our storage class bind to these (the real PV controller does the binding). hostPath
 * directories on this machine stand in for disks, so data written there outlives Pods and
 * upgrades exactly as a disk would.
 */
export async function ensureStaticVolumes(kube: Kubectl, volumeRoot: string, count: number): Promise<void> {
  await kube.apply({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: STATIC_STORAGE_CLASS },
    provisioner: 'kubernetes.io/no-provisioner',
    volumeBindingMode: 'Immediate',
    reclaimPolicy: 'Retain',
  });
  const items = [];
  for (let index = 0; index < count; index += 1) {
    const dir = path.join(volumeRoot, `pv-${index}`);
    await mkdir(dir, { recursive: true });
    // hostPath volumes get no fsGroup: the non-root users of the chart's Pods (Postgres 70,
    // Redis 999, the gateway 1000) must be able to create their data directories inside.
    await chmod(dir, 0o777);
    items.push({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `antler-e2e-pv-${index}`, labels: { 'antler.dev/e2e': 'true' } },
      spec: {
        capacity: { storage: '200Gi' },
        accessModes: ['ReadWriteOnce', 'ReadWriteMany', 'ReadOnlyMany'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: STATIC_STORAGE_CLASS,
        hostPath: { path: dir, type: 'DirectoryOrCreate' },
      },
    });
  }
  await kube.apply({ apiVersion: 'v1', kind: 'List', items });
}

interface TenantValues {
  deerflow?: { providers?: { existingSecret?: string }; models?: { apiKeyEnv?: string }[]; auth?: { existingSecret?: string } };
  sandbox?: {
    namespace?: string;
    createNamespace?: boolean;
    existingSecret?: string;
    existingSecretKey?: string;
    skills?: { existingClaim?: string };
    threadData?: { existingClaim?: string };
  };
}

/**
 * Creates what the values files say must already exist: provider and API-key Secrets in the
 * release namespace; a separate sandbox namespace (unless the chart creates it) with the skills
 * and thread-data claims the agent mounts there.
 */
export async function ensurePrerequisites(kube: Kubectl, namespace: string, valuesFiles: readonly string[]): Promise<string[]> {
  const created: string[] = [];
  const merged: TenantValues = {};
  for (const file of valuesFiles) {
    const values = (parseYaml(await readFile(file, 'utf8')) ?? {}) as TenantValues;
    merged.deerflow = { ...merged.deerflow, ...values.deerflow, providers: { ...merged.deerflow?.providers, ...values.deerflow?.providers } };
    merged.sandbox = { ...merged.sandbox, ...values.sandbox };
  }
  const secret = async (name: string, data: Record<string, string>): Promise<void> => {
    await kube.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type: 'Opaque', stringData: data });
    created.push(`secret/${name}`);
  };
  const providers = merged.deerflow?.providers?.existingSecret;
  if (providers) {
    const keys = (merged.deerflow?.models ?? []).map((model) => model.apiKeyEnv).filter((key): key is string => Boolean(key));
    await secret(providers, Object.fromEntries(keys.map((key) => [key, `e2e-${randomBytes(8).toString('hex')}`])));
  }
  const sandbox = merged.sandbox ?? {};
  if (sandbox.existingSecret) await secret(sandbox.existingSecret, { [sandbox.existingSecretKey ?? 'api-key']: `e2e-${randomBytes(16).toString('hex')}` });
  const sandboxNamespace = sandbox.namespace || namespace;
  if (sandboxNamespace !== namespace && !sandbox.createNamespace) {
    await kube.ensureNamespace(sandboxNamespace);
    created.push(`namespace/${sandboxNamespace}`);
  }
  const claims: [string | undefined, string][] = [
    [sandbox.skills?.existingClaim, 'ReadOnlyMany'],
    [sandbox.threadData?.existingClaim, 'ReadWriteMany'],
  ];
  for (const [claim, accessMode] of claims) {
    if (!claim) continue;
    await kube.apply({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: claim, namespace: sandboxNamespace },
      spec: { accessModes: [accessMode], storageClassName: STATIC_STORAGE_CLASS, resources: { requests: { storage: '1Gi' } } },
    });
    created.push(`pvc/${sandboxNamespace}/${claim}`);
  }
  return created;
}

export async function helmInstall(kube: Kubectl, spec: ReleaseSpec, verb: 'install' | 'upgrade' = 'install'): Promise<string> {
  const args = [verb, spec.release, spec.chartRef, '--namespace', spec.namespace, ...spec.valuesFiles.flatMap((file) => ['-f', file]), ...(spec.extraArgs ?? [])];
  if (verb === 'install') args.push('--create-namespace');
  return kube.helm(args);
}

/** Every Deployment and StatefulSet of the release is available; on timeout, a diagnosis. */
export async function waitForRelease(kube: Kubectl, namespace: string, release: string, timeoutSeconds: number, diagnosisDir: string): Promise<void> {
  const selector = `app.kubernetes.io/instance=${release}`;
  try {
    await kube.run(['wait', '-n', namespace, '--for=condition=Available', 'deployment', '-l', selector, `--timeout=${timeoutSeconds}s`]);
    for (const sts of await kube.statefulSets(namespace, selector)) {
      await kube.run(['rollout', 'status', '-n', namespace, `statefulset/${nameOf(sts)}`, `--timeout=${timeoutSeconds}s`]);
    }
  } catch (error) {
    const file = await diagnose(kube, namespace, selector, diagnosisDir);
    throw new Error(`release ${release} in ${namespace} not available within ${timeoutSeconds}s (${describeError(error).split('\n')[0]}); diagnosis: ${file}`);
  }
}

/** Events, `describe` of everything not ready, Pod conditions: written to one file per namespace. */
export async function diagnose(kube: Kubectl, namespace: string, selector: string, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${namespace}-diagnosis.txt`);
  const sections: string[] = [];
  const capture = async (title: string, args: string[]): Promise<void> => {
    try {
      sections.push(`## ${title}\n${await kube.run(args)}`);
    } catch (error) {
      sections.push(`## ${title}\n(failed: ${describeError(error)})`);
    }
  };
  await capture('events', ['get', 'events', '-n', namespace, '--sort-by=.lastTimestamp']);
  await capture('workloads', ['get', 'deploy,sts,rs,pods,pvc,svc', '-n', namespace, '-l', selector, '-o', 'wide']);
  // A diagnosis collects what it can: a failed read leaves out the Pods' describes, not the rest.
  const pods = await kube.pods(namespace, selector).catch((): V1Pod[] => []);
  for (const pod of pods.filter((candidate) => !podReady(candidate))) await capture(`describe pod ${nameOf(pod)}`, ['describe', 'pod', '-n', namespace, nameOf(pod)]);
  await capture('describe deployments', ['describe', 'deployment', '-n', namespace, '-l', selector]);
  await capture('describe statefulsets', ['describe', 'statefulset', '-n', namespace, '-l', selector]);
  await writeFile(file, sections.join('\n\n'));
  return file;
}
