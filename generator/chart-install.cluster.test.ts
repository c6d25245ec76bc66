/**
 * Integration on the local cluster (kwok nodes, real API server and controllers): install the
 * packaged chart with the local profile, wait for every Deployment and StatefulSet to become
 * available, install a second release into the same namespace, then uninstall both and check
 * that no object of either release is left behind.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resolveTool } from '../harness/tools.js';
import { waitFor } from '../harness/wait.js';
import { CHART_DIR, VALUES_DIR, helmBinary, outcome } from './test-tools.js';

const kubeconfig = inject('kubeconfig');
const namespace = `antler-chart-${process.pid}`;
const releases = ['deerflow-it', 'second'] as const;
const workDir = mkdtempSync(join(tmpdir(), 'antler-chart-install-'));
let helm = '';
let kubectlBin = '';
let chartPackage = '';

async function must(cmd: string, args: readonly string[]): Promise<string> {
  const r = await outcome(cmd, args);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}):\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

const kubectl = (args: readonly string[]): Promise<string> => must(kubectlBin, ['--kubeconfig', kubeconfig, ...args]);
const helmRun = (args: readonly string[]): Promise<string> => must(helm, ['--kubeconfig', kubeconfig, ...args]);

interface Workload {
  kind: string;
  metadata: { name: string };
  spec: { replicas?: number };
  status: { readyReplicas?: number; availableReplicas?: number };
}

async function workloads(release: string): Promise<Workload[]> {
  const out = await kubectl(['get', 'deployments,statefulsets', '-n', namespace, '-l', `app.kubernetes.io/instance=${release}`, '-o', 'json']);
  return (JSON.parse(out) as { items: Workload[] }).items;
}

/** Names of every object still labelled with the release (namespaced kinds and PVs), plus helm's release Secrets. */
async function leftovers(release: string): Promise<string[]> {
  const kinds = 'deployments,statefulsets,replicasets,pods,services,endpointslices,configmaps,secrets,serviceaccounts,roles,rolebindings,persistentvolumeclaims,poddisruptionbudgets,ingresses';
  const namespaced = JSON.parse(await kubectl(['get', kinds, '-n', namespace, '-l', `app.kubernetes.io/instance=${release}`, '-o', 'json'])) as { items: { kind: string; metadata: { name: string } }[] };
  const pvs = JSON.parse(await kubectl(['get', 'persistentvolumes', '-l', `app.kubernetes.io/instance=${release}`, '-o', 'json'])) as { items: { kind: string; metadata: { name: string } }[] };
  const secrets = JSON.parse(await kubectl(['get', 'secrets', '-n', namespace, '-o', 'json'])) as { items: { metadata: { name: string } }[] };
  return [
    ...namespaced.items.map((o) => `${o.kind}/${o.metadata.name}`),
    ...pvs.items.map((o) => `PersistentVolume/${o.metadata.name}`),
    ...secrets.items.filter((s) => s.metadata.name.startsWith(`sh.helm.release.v1.${release}.`)).map((s) => `Secret/${s.metadata.name}`),
  ];
}

beforeAll(async () => {
  helm = await helmBinary(4);
  kubectlBin = await resolveTool('kubectl');
  await must(helm, ['package', CHART_DIR, '-d', workDir]);
  const tgz = readdirSync(workDir).find((f) => f.endsWith('.tgz'));
  if (tgz === undefined) throw new Error('helm package produced no archive');
  chartPackage = join(workDir, tgz);
  await kubectl(['create', 'namespace', namespace]);
});

afterAll(async () => {
  for (const release of releases) await outcome(helm, ['--kubeconfig', kubeconfig, 'uninstall', release, '-n', namespace, '--ignore-not-found']);
  await outcome(kubectlBin, ['--kubeconfig', kubeconfig, 'delete', 'namespace', namespace, '--wait=false', '--ignore-not-found']);
  rmSync(workDir, { recursive: true, force: true });
});

describe('chart install on the local cluster (profile local)', () => {
  it('installs the packaged chart and every Deployment and StatefulSet becomes available', async () => {
    expect(chartPackage).toMatch(/deerflow-0\.1\.0\.tgz$/);
    await helmRun(['install', releases[0], chartPackage, '-n', namespace, '-f', join(VALUES_DIR, 'profiles', 'local.yaml'), '--wait', '--timeout', '5m']);
    const items = await waitFor('every workload of the release to be ready', 120_000, async () => {
      const ws = await workloads(releases[0]);
      return ws.length > 0 && ws.every((w) => (w.status.readyReplicas ?? 0) === (w.spec.replicas ?? 1)) && ws;
    }, 2000);
    const names = items.map((w) => `${w.kind}/${w.metadata.name}`).sort();
    expect(names).toEqual([
      'Deployment/deerflow-it-frontend',
      'Deployment/deerflow-it-gateway',
      'Deployment/deerflow-it-nginx',
      'Deployment/deerflow-it-sandbox-agent',
      'StatefulSet/deerflow-it-postgresql',
      'StatefulSet/deerflow-it-redis',
    ]);
    for (const w of items) expect((w.status.readyReplicas ?? 0), `${w.kind}/${w.metadata.name}`).toBe(w.spec.replicas ?? 1);
  });

  it('binds the release-scoped skills PV to its claim', async () => {
    const pvc = JSON.parse(await kubectl(['get', 'pvc', 'deerflow-it-skills', '-n', namespace, '-o', 'json'])) as { spec: { volumeName: string }; status: { phase: string } };
    expect(pvc.spec.volumeName).toBe(`${namespace}-deerflow-it-skills`);
    const phase = await waitFor('the skills PVC to be Bound', 30_000, async () => {
      const p = (JSON.parse(await kubectl(['get', 'pvc', 'deerflow-it-skills', '-n', namespace, '-o', 'json'])) as { status: { phase: string } }).status.phase;
      return p === 'Bound' && p;
    }, 2000);
    expect(phase).toBe('Bound');
  });

  it('a second release shares the namespace without colliding', async () => {
    await helmRun(['install', releases[1], chartPackage, '-n', namespace, '-f', join(VALUES_DIR, 'profiles', 'local.yaml'), '--wait', '--timeout', '5m']);
    const items = await workloads(releases[1]);
    expect(items).toHaveLength(6);
    expect(items.every((w) => w.metadata.name.startsWith('second-deerflow-'))).toBe(true);
    expect(await workloads(releases[0])).toHaveLength(6);
  });

  it('helm uninstall leaves no object of either release behind', async () => {
    for (const release of releases) {
      await helmRun(['uninstall', release, '-n', namespace, '--wait', '--timeout', '3m']);
      let left: string[] = [];
      await waitFor(`nothing left behind by ${release}`, 60_000, async () => {
        left = await leftovers(release);
        return left.length === 0;
      }, 2000).catch(() => undefined);
      expect(left, `left behind by ${release}`).toEqual([]);
    }
  });
});
